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


_current = threading.local()


class _PageCounter(logging.Handler):
    """Advances the progress of the PDF this thread is building (workers may build several at once)."""

    def emit(self, record: logging.LogRecord) -> None:
        progress: Progress | None = getattr(_current, "progress", None)
        match = _PAGE.search(record.getMessage()) if progress is not None else None
        if progress is None or match is None:
            return
        page = int(match.group(1))
        if page >= progress.total:  # the estimate was short: the bar keeps a little room
            progress.total = page + 1
        progress.advance(page - progress.done)


# Installed once: the page lines are routed to the job of the thread that logs them, and are not
# passed on to the root logger (they would flood the worker's log with a line per page).
_logger = logging.getLogger(PROGRESS_LOGGER)
_logger.setLevel(logging.INFO)
_logger.propagate = False
_logger.addHandler(_PageCounter())


@contextmanager
def _counting_pages(progress: Progress | None) -> Iterator[None]:
    _current.progress = progress
    try:
        yield
    finally:
        _current.progress = None


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
