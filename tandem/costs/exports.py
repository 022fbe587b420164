"""The expenses as CSV or Excel: the rows the reader may read, headers in the project's language.

The internal note is a column for the delivery team only; a client's file has no such column.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from tandem.core import tabular
from tandem.costs import permissions
from tandem.costs.models import Expense

if TYPE_CHECKING:
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def headers(project: Project, *, internal: bool) -> list[str]:
    """The columns, in the project's language."""
    with translation.override(project.language):
        names = [
            _("Day"),
            _("Description"),
            _("Category"),
            _("Task or phase"),
            _("Amount"),
            _("Currency"),
            _("Billable"),
            _("Status"),
            _("Visibility"),
            _("Filed by"),
            _("Approved by"),
            _("Why it was rejected"),
            _("Receipt"),
        ]
        if internal:
            names.append(_("Internal note"))
    return [str(name) for name in names]


def table(project: Project, rows: QuerySet[Expense], *, internal: bool) -> Iterator[Sequence[Any]]:
    """One line per expense (read in chunks), values in the project's language."""
    with translation.override(project.language):
        yes, no = str(_("yes")), str(_("no"))
        for expense in rows.iterator(chunk_size=2000):
            line: list[Any] = [
                expense.day,
                expense.description,
                str(expense.get_category_display()),
                expense.task.name if expense.task is not None else "",
                expense.amount,
                project.currency,
                yes if expense.billable else no,
                str(expense.get_status_display()),
                str(expense.get_visibility_display()),
                expense.submitted_by.full_name if expense.submitted_by is not None else "",
                expense.approved_by.full_name if expense.approved_by is not None else "",
                expense.rejected_reason,
                yes if expense.receipt else no,
            ]
            if internal:
                line.append(expense.internal_note)
            yield line


def expenses_response(user: Viewer, project: Project, rows: QuerySet[Expense], format: str) -> HttpResponse:
    """The rows as a CSV (``format="csv"``) or Excel download."""
    internal = permissions.reads_internal(user, project)
    columns = headers(project, internal=internal)
    lines = table(project, rows, internal=internal)
    if format == "xlsx":
        data = tabular.write_xlsx(columns, lines, title=project.code, widths=(12, 40, 14, 30, 12))
        response = HttpResponse(data, content_type=XLSX_TYPE)
    else:
        text = tabular.write_csv(columns, lines)
        response = HttpResponse(("\ufeff" + text).encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{project.code}-expenses.{format}"'
    return response
