"""The read side of expenses and the budget: each helper fetches *and* authorises (404 for the unseen)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import CharField, F, QuerySet, Value
from django.http import Http404
from django.utils.translation import gettext as _

from tandem.costs import permissions
from tandem.costs.models import BudgetAlert, BudgetLine, Expense
from tandem.projects import queries as project_queries

if TYPE_CHECKING:
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project


def _int(pk: Any, message: str) -> int:
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise Http404(message) from None
    if not 1 <= number <= 2**63 - 1:
        raise Http404(message)
    return number


def _with_notes(user: Viewer, project: Project, rows: QuerySet[Expense]) -> QuerySet[Expense]:
    """``rows`` with ``shown_internal_note``: the note for the delivery team, None for anyone else."""
    if permissions.reads_internal(user, project):
        shown: Any = F("internal_note")
    else:
        shown = Value(None, output_field=CharField())
    return rows.annotate(shown_internal_note=shown)


def expenses_of(
    user: Viewer,
    project: Project,
    *,
    status: str = "",
    category: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Expense]:
    """The project's expenses the user may read (a client: the shared ones), newest day first."""
    rows = Expense.objects.visible_to(user).filter(project=project)
    if status:
        rows = rows.filter(status=status)
    if category:
        rows = rows.filter(category=category)
    if date_from is not None:
        rows = rows.filter(day__gte=date_from)
    if date_to is not None:
        rows = rows.filter(day__lte=date_to)
    rows = rows.select_related("project", "task", "submitted_by", "approved_by")
    return _with_notes(user, project, rows).order_by("-day", "-id")


def access_expense(user: Viewer, pk: Any) -> Expense:
    """An expense the user may read (in any of their projects); otherwise ``Http404``."""
    number = _int(pk, _("No such expense."))
    found = Expense.objects.visible_to(user).filter(pk=number).select_related("project").first()
    if found is None:
        raise Http404(_("No such expense."))
    return expenses_of(user, found.project).get(pk=number)


def access_project_expense(user: Viewer, project: Project, pk: Any) -> Expense:
    """An expense of ``project`` the user may read; otherwise ``Http404``."""
    found = expenses_of(user, project).filter(pk=_int(pk, _("No such expense."))).first()
    if found is None:
        raise Http404(_("No such expense."))
    return found


def budget_lines_of(project: Project) -> QuerySet[BudgetLine]:
    """The project's budget lines: the whole project's first, then by phase in plan order, by category."""
    return (
        BudgetLine.objects.filter(project=project)
        .select_related("phase")
        .order_by(F("phase__outline_key").asc(nulls_first=True), "category", "id")
    )


def access_budget_line(user: Viewer, pk: Any) -> BudgetLine:
    """A budget line of a project the user belongs to; otherwise ``Http404``."""
    found = (
        BudgetLine.objects.visible_to(user)
        .filter(pk=_int(pk, _("No such budget line.")))
        .select_related("project", "phase")
        .first()
    )
    if found is None:
        raise Http404(_("No such budget line."))
    return found


def alerts_of(project: Project) -> QuerySet[BudgetAlert]:
    """The thresholds the project's budget crossed, newest first."""
    return BudgetAlert.objects.filter(project=project).select_related("line", "line__phase")


def access_project(user: Viewer, code: str) -> Project:
    """The project ``code`` the user may read (404 otherwise)."""
    return project_queries.access_project(user, code)
