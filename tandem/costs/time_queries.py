"""The read side of time tracking: each helper fetches *and* authorises, and hides the cost from all
but the team's PMs and leads (``shown_cost_cents`` is None for anyone else, never read)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import BigIntegerField, F, Q, QuerySet, Sum, Value
from django.http import Http404
from django.utils.translation import gettext as _

from tandem.core.choices import Visibility
from tandem.core.database import the_one
from tandem.costs import time_permissions as permissions
from tandem.costs.choices import SheetStatus
from tandem.costs.models import RunningTimer, TimeEntry, Timesheet, week_start
from tandem.planning.choices import TaskKind
from tandem.planning.models import Task
from tandem.projects import permissions as project_permissions

if TYPE_CHECKING:
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project

#: The states of a week a client approver reads (never an open or rejected one).
CLIENT_READ_STATES = (SheetStatus.SUBMITTED, SheetStatus.TEAM_APPROVED, SheetStatus.APPROVED)


def _int(pk: Any, message: str) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404(message) from None


def _sheet_condition(user: Viewer, project: Project, prefix: str = "") -> Q | None:
    """Which sheets of the project the user reads (None: none at all)."""
    if permissions.is_time_keeper(user, project):
        return Q()
    condition: Q | None = None
    if permissions.can_log_time(user, project):
        condition = Q(**{f"{prefix}user_id": user.pk})
    if permissions.is_client_approver(user, project):
        seen = Q(**{f"{prefix}status__in": CLIENT_READ_STATES})
        condition = seen if condition is None else condition | seen
    return condition


def shows_cost(user: Viewer, project: Project) -> bool:
    """Whether the user reads the internal cost of time entries (the team's PMs and leads)."""
    return permissions.is_time_keeper(user, project)


def entries_of(
    user: Viewer,
    project: Project,
    *,
    week: dt.date | None = None,
    user_id: int | None = None,
    task_id: int | None = None,
) -> QuerySet[TimeEntry]:
    """The project's time entries the user reads, by day, with ``shown_cost_cents`` for keepers only."""
    condition = _sheet_condition(user, project, "timesheet__")
    if condition is None:
        return TimeEntry.objects.none()
    rows = TimeEntry.objects.visible_to(user).filter(project=project).filter(condition)
    if not project_permissions.is_team(user, project):
        # A client reads time on shared tasks only: an internal task's name stays internal.
        rows = rows.filter(task__visibility=Visibility.SHARED)
    if week is not None:
        start = week_start(week)
        rows = rows.filter(day__gte=start, day__lt=start + dt.timedelta(days=7))
    if user_id is not None:
        rows = rows.filter(user_id=user_id)
    if task_id is not None:
        rows = rows.filter(task_id=task_id)
    shown: Any = F("cost_cents") if shows_cost(user, project) else Value(None, output_field=BigIntegerField())
    return (
        rows.select_related("task", "user", "timesheet")
        .annotate(shown_cost_cents=shown)
        .order_by("day", "user_id", "id")
    )


def access_entry(user: Viewer, pk: Any) -> TimeEntry:
    """A time entry the user reads; otherwise ``Http404``."""
    found = (
        TimeEntry.objects.visible_to(user)
        .select_related("project")
        .filter(pk=_int(pk, _("No such time entry.")))
        .first()
    )
    if found is None:
        raise Http404(_("No such time entry."))
    entry = entries_of(user, found.project).filter(pk=found.pk).first()
    if entry is None:
        raise Http404(_("No such time entry."))
    return entry


def _shown_entries(user: Viewer, project: Project) -> Q | None:
    """Which entries of a sheet the reader's totals count (a client: those on shared tasks)."""
    if project_permissions.is_team(user, project):
        return None
    return Q(entries__task__visibility=Visibility.SHARED)


def sheets_of(
    user: Viewer,
    project: Project,
    *,
    status: str = "",
    week: dt.date | None = None,
    user_id: int | None = None,
) -> QuerySet[Timesheet]:
    """The project's weeks the user reads, newest first, with their total minutes (one query)."""
    condition = _sheet_condition(user, project)
    if condition is None:
        return Timesheet.objects.none()
    rows = Timesheet.objects.visible_to(user).filter(project=project).filter(condition)
    if status:
        rows = rows.filter(status=status)
    if week is not None:
        rows = rows.filter(week=week_start(week))
    if user_id is not None:
        rows = rows.filter(user_id=user_id)
    return (
        rows.select_related("user", "approved_by", "client_approved_by", "project")
        .annotate(total_minutes=Sum("entries__minutes", default=0, filter=_shown_entries(user, project)))
        .order_by("-week", "user__full_name", "id")
    )


def access_sheet(user: Viewer, pk: Any) -> Timesheet:
    """A week the user reads; otherwise ``Http404``."""
    found = (
        Timesheet.objects.visible_to(user)
        .select_related("project")
        .filter(pk=_int(pk, _("No such timesheet.")))
        .first()
    )
    if found is None:
        raise Http404(_("No such timesheet."))
    sheet = sheets_of(user, found.project).filter(pk=found.pk).first()
    if sheet is None:
        raise Http404(_("No such timesheet."))
    return sheet


def sheet_of_week(project: Project, user: Viewer, week: dt.date) -> Timesheet | None:
    """The user's own sheet of ``week`` in the project, if they logged or submitted any time then."""
    return Timesheet.objects.filter(project=project, user_id=int(user.pk or 0), week=week_start(week)).first()


def approvals_for(user: Viewer, project: Project) -> dict[str, QuerySet[Timesheet]]:
    """The weeks waiting for the user: ``team`` (submitted, for PMs and leads), ``client`` (team-approved,
    for client approvers)."""
    waiting: dict[str, QuerySet[Timesheet]] = {}
    if permissions.is_time_keeper(user, project):
        waiting["team"] = sheets_of(user, project, status=SheetStatus.SUBMITTED)
    if permissions.is_client_approver(user, project):
        waiting["client"] = sheets_of(user, project, status=SheetStatus.TEAM_APPROVED)
    return waiting


def loggable_tasks(user: Viewer, project: Project) -> QuerySet[Task]:
    """The project's tasks the user sees that take time (not summaries), in plan order."""
    return (
        Task.objects.visible_to(user)
        .filter(project=project, is_summary=False)
        .exclude(kind=TaskKind.PHASE)
        .order_by("outline_key", "id")
        .only("id", "name", "outline_key", "wbs", "is_summary", "kind", "project_id", "visibility")
    )


def running_timer(user: Viewer) -> RunningTimer | None:
    """The user's running timer with its project and task, if one runs."""
    if not getattr(user, "is_authenticated", False):
        return None
    # At most one row per person (a one-to-one), so no ordering; of the project and the task, only
    # what the header and the API show (the header reads this on every page).
    return the_one(
        RunningTimer.objects.select_related("project", "task")
        .only("user_id", "started_at", "note", "billable", "project__code", "task__name")
        .filter(user_id=int(user.pk or 0))
    )
