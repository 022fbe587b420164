"""HTML to PDF with WeasyPrint, reporting the pages laid out to a background job's progress."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.utils.translation import gettext_noop

if TYPE_CHECKING:
    from tandem.core.jobs import Progress

#: WeasyPrint logs each step, and each page it lays out, on this logger (documented in its API).
PROGRESS_LOGGER = "weasyprint.progress"
_PAGE = re.compile(r"Creating layout - Page (\d+)")


class _PageCounter(logging.Handler):
    """Advances ``progress`` on every page WeasyPrint lays out in this thread (workers may run several)."""

    def __init__(self, progress: Progress) -> None:
        super().__init__(logging.INFO)
        self.progress = progress
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        match = _PAGE.search(record.getMessage())
        if match:
            page = int(match.group(1))
            if page >= self.progress.total:  # the estimate was short: the bar keeps a little room
                self.progress.total = page + 1
            self.progress.advance(page - self.progress.done)


@contextmanager
def _counting_pages(progress: Progress | None) -> Iterator[None]:
    if progress is None:
        yield
        return
    logger = logging.getLogger(PROGRESS_LOGGER)
    handler = _PageCounter(progress)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def write_pdf(html: str, *, progress: Progress | None = None, expected_pages: int = 1) -> bytes:
    """The PDF of ``html``; with ``progress``, a step per page laid out (``expected_pages`` estimated)."""
    # WeasyPrint is heavy; loaded only when a PDF is asked for.
    import weasyprint

    if progress is not None:
        progress.begin(gettext_noop("Laying out pages"), max(1, expected_pages))
    with _counting_pages(progress):
        document = weasyprint.HTML(string=html).render()
    if progress is not None:
        progress.begin(gettext_noop("Writing the PDF"), 1)
    pdf = document.write_pdf() or b""
    if progress is not None:
        progress.advance()
    return pdf
