"""A cycle's runs as CSV or Excel: the runs the reader reads (a client never gets an internal case's
run), headers and values in the project's language."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tandem.core import tabular

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from tandem.quality.models import TestCycle, TestRun

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def headers(language: str) -> list[str]:
    """The columns, in ``language``."""
    with translation.override(language):
        names = [
            _("Code"),
            _("Test case"),
            _("Priority"),
            _("Tester"),
            _("Result"),
            _("Run at"),
            _("Run by"),
            _("Note"),
        ]
    return [str(name) for name in names]


def table(rows: QuerySet[TestRun], language: str) -> Iterator[Sequence[Any]]:
    """One line per run (read in chunks)."""
    with translation.override(language):
        for run in rows.iterator(chunk_size=2000):
            when = timezone.localtime(run.executed_at).strftime("%Y-%m-%d %H:%M") if run.executed_at else ""
            yield [
                run.case.code,
                run.case.title,
                str(run.case.get_priority_display()),
                run.assignee.full_name if run.assignee is not None else "",
                str(run.get_result_display()),
                when,
                run.executed_by.full_name if run.executed_by is not None else "",
                run.note,
            ]


def runs_response(cycle: TestCycle, rows: QuerySet[TestRun], format: str) -> HttpResponse:
    """The rows as a CSV (``format="csv"``) or Excel download."""
    language = cycle.project.language
    columns, lines = headers(language), table(rows, language)
    name = f"{cycle.project.code}-test-cycle-{cycle.pk}.{format}"
    if format == "xlsx":
        data = tabular.write_xlsx(
            columns, lines, title=cycle.project.code, widths=(10, 40, 10, 20, 10, 17, 20, 40)
        )
        response = HttpResponse(data, content_type=XLSX_TYPE)
    else:
        text = tabular.write_csv(columns, lines)
        response = HttpResponse(("\ufeff" + text).encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
