"""Time entries as CSV or Excel, in the project's language: the cost column for PMs and leads only."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.translation import gettext as _

from tandem.core import tabular
from tandem.costs import time_queries

if TYPE_CHECKING:
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project

#: The formats the export writes.
FORMATS = ("csv", "xlsx")


def _headings(cost: bool) -> list[str]:
    headings = [
        _("Day"),
        _("Person"),
        _("Task"),
        _("Hours"),
        _("Minutes"),
        _("Billable"),
        _("Note"),
        _("Status"),
    ]
    return [*headings, _("Cost")] if cost else headings


def _rows(user: Viewer, project: Project, cost: bool, **filters: Any) -> Iterator[list[Any]]:
    entries = time_queries.entries_of(user, project, **filters).iterator(chunk_size=2000)
    for e in entries:
        row: list[Any] = [
            e.day,
            e.user.full_name or e.user.email,
            e.task.name,
            Decimal(e.minutes) / 60,
            e.minutes,
            _("Yes") if e.billable else _("No"),
            e.note,
            str(e.timesheet.get_status_display()),
        ]
        if cost:
            row.append(Decimal(getattr(e, "shown_cost_cents", 0) or 0) / 100)
        yield row


def export(user: Viewer, project: Project, fmt: str, **filters: Any) -> tuple[bytes, str, str]:
    """The entries the user reads as ``fmt`` (csv or xlsx): the file, its content type and its name."""
    cost = time_queries.shows_cost(user, project)
    with translation.override(project.language or "en"):
        headings = _headings(cost)
        rows = _rows(user, project, cost, **filters)
        name = f"{project.code}-time"
        if fmt == "xlsx":
            data = tabular.write_xlsx(
                headings, rows, title=_("Time"), widths=[12, 24, 40, 8, 8, 8, 40, 16, 12]
            )
            return data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{name}.xlsx"
        text = "\ufeff" + tabular.write_csv(headings, rows)
        return text.encode(), "text/csv; charset=utf-8", f"{name}.csv"
