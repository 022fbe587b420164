"""Time tracking: entries, weeks and their approval, the caller's timer, cost settings, the export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from tandem.api.auth import AUTH, actor
from tandem.api.pagination import paged
from tandem.api.routers.common import caller_and_project, payload_data
from tandem.api.schemas import IsoDate
from tandem.api.timesheets_schemas import (
    CostSettingsOut,
    CostSettingsPatchIn,
    SubmitWeekIn,
    TimeEntryIn,
    TimeEntryOut,
    TimeEntryPatchIn,
    TimerIn,
    TimerOut,
    TimesheetActionIn,
    TimesheetDetailOut,
    TimesheetOut,
    TimesheetRejectIn,
)
from tandem.costs import time_exports, time_queries, timesheets
from tandem.costs import time_permissions as permissions
from tandem.costs.choices import SheetStatus
from tandem.costs.models import CostSettings, RunningTimer, TimeEntry, Timesheet
from tandem.costs.settings import settings_for
from tandem.projects import queries as project_queries

router = Router(tags=["time"], auth=AUTH)

T = TypeVar("T")


def _task_errors_on_task_id(call: Callable[[], T]) -> T:
    """Run a service; its errors about the task name ``task_id``, the field the API takes."""
    try:
        return call()
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "task" in exc.error_dict:
            exc.error_dict["task_id"] = exc.error_dict.pop("task")
        raise


class EntryFilters(Schema):
    """Filters of the time entries."""

    week: IsoDate | None = None
    user: int | None = None
    task: int | None = None


def _entry_filters(filters: EntryFilters) -> dict[str, Any]:
    return {"week": filters.week, "user_id": filters.user, "task_id": filters.task}


@router.get("/projects/{code}/time-entries", response=list[TimeEntryOut], summary="Time logged in a project")
@paged
def list_entries(request: HttpRequest, code: str, filters: Query[EntryFilters]) -> QuerySet[TimeEntry]:
    """The entries the caller reads (their own; everyone's for PMs and leads; the submitted weeks for
    client approvers), by day."""
    user, project = caller_and_project(request, code)
    permissions.require_read_time(user, project)
    return time_queries.entries_of(user, project, **_entry_filters(filters))


@router.post("/projects/{code}/time-entries", response={201: TimeEntryOut}, summary="Log time")
def add_entry(request: HttpRequest, code: str, payload: TimeEntryIn) -> Status[TimeEntry]:
    """Log the caller's minutes on a task on one day (the team's members, leads and PMs)."""
    user, project = caller_and_project(request, code)
    entry = _task_errors_on_task_id(
        lambda: timesheets.do_log_time(project, actor=user, **payload_data(payload))
    )
    return Status(201, time_queries.access_entry(user, entry.pk))


class ExportFilters(EntryFilters):
    """The export's format and filters."""

    format: Literal["csv", "xlsx"] = "csv"


@router.get(
    "/projects/{code}/time-entries/export", summary="Export time as CSV or Excel", response={200: None}
)
def export_entries(request: HttpRequest, code: str, filters: Query[ExportFilters]) -> HttpResponse:
    """The entries the caller reads as a file; the cost column for PMs and leads only."""
    user, project = caller_and_project(request, code)
    permissions.require_read_time(user, project)
    data, content_type, name = time_exports.export(user, project, filters.format, **_entry_filters(filters))
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.patch("/time-entries/{entry_id}", response=TimeEntryOut, summary="Change logged time")
def update_entry(request: HttpRequest, entry_id: int, payload: TimeEntryPatchIn) -> TimeEntry:
    """Change one of the caller's entries based on the version read (while its week is open)."""
    user = actor(request)
    entry = time_queries.access_entry(user, entry_id)
    data = payload_data(payload, "version")
    _task_errors_on_task_id(
        lambda: timesheets.do_update_time_entry(entry, version=payload.version, actor=user, **data)
    )
    return time_queries.access_entry(user, entry.pk)


@router.delete("/time-entries/{entry_id}", response={204: None}, summary="Remove logged time")
def delete_entry(request: HttpRequest, entry_id: int, version: int | None = None) -> Status[None]:
    """Remove one of the caller's entries (``?version=`` the caller read)."""
    user = actor(request)
    timesheets.do_delete_time_entry(time_queries.access_entry(user, entry_id), version=version, actor=user)
    return Status(204, None)


class SheetFilters(Schema):
    """Filters of the weeks."""

    status: SheetStatus | None = None
    week: IsoDate | None = None
    user: int | None = None


@router.get("/projects/{code}/timesheets", response=list[TimesheetOut], summary="Weeks of time")
@paged
def list_sheets(request: HttpRequest, code: str, filters: Query[SheetFilters]) -> QuerySet[Timesheet]:
    """The weeks the caller reads, newest first, with their totals."""
    user, project = caller_and_project(request, code)
    permissions.require_read_time(user, project)
    return time_queries.sheets_of(
        user, project, status=filters.status or "", week=filters.week, user_id=filters.user
    )


@router.post("/projects/{code}/timesheets/submit", response=TimesheetOut, summary="Submit my week")
def submit_week(request: HttpRequest, code: str, payload: SubmitWeekIn) -> Timesheet:
    """Submit the caller's week (any day of it) for approval."""
    user, project = caller_and_project(request, code)
    sheet = timesheets.do_submit_week(project, actor=user, week=payload.week)
    return time_queries.access_sheet(user, sheet.pk)


@router.get("/timesheets/{sheet_id}", response=TimesheetDetailOut, summary="A week of time")
def get_sheet(request: HttpRequest, sheet_id: int) -> Timesheet:
    """One week with its entries."""
    user = actor(request)
    sheet = time_queries.access_sheet(user, sheet_id)
    sheet.shown_entries = list(time_queries.entries_of(user, sheet.project).filter(timesheet=sheet))  # type: ignore[attr-defined]
    return sheet


def _step(request: HttpRequest, sheet_id: int, step: Callable[..., Timesheet], **extra: Any) -> Timesheet:
    user = actor(request)
    sheet = time_queries.access_sheet(user, sheet_id)
    step(sheet, actor=user, **extra)
    return time_queries.access_sheet(user, sheet.pk)


@router.post("/timesheets/{sheet_id}/submit", response=TimesheetOut, summary="Submit a week")
def submit_sheet(request: HttpRequest, sheet_id: int, payload: TimesheetActionIn) -> Timesheet:
    """Submit one's own week for approval."""
    return _step(request, sheet_id, timesheets.do_submit_timesheet, version=payload.version)


@router.post("/timesheets/{sheet_id}/approve", response=TimesheetOut, summary="Approve a week (team)")
def approve_sheet(request: HttpRequest, sheet_id: int, payload: TimesheetActionIn) -> Timesheet:
    """Approve a submitted week (the team's PMs and leads)."""
    return _step(request, sheet_id, timesheets.do_approve_timesheet, version=payload.version)


@router.post(
    "/timesheets/{sheet_id}/client-approve", response=TimesheetOut, summary="Approve a week (client)"
)
def client_approve_sheet(request: HttpRequest, sheet_id: int, payload: TimesheetActionIn) -> Timesheet:
    """Approve a week the team approved (holders of "approve timesheets", when the project asks)."""
    return _step(request, sheet_id, timesheets.do_client_approve_timesheet, version=payload.version)


@router.post("/timesheets/{sheet_id}/reject", response=TimesheetOut, summary="Reject a week")
def reject_sheet(request: HttpRequest, sheet_id: int, payload: TimesheetRejectIn) -> Timesheet:
    """Send a week back with the reason."""
    return _step(
        request, sheet_id, timesheets.do_reject_timesheet, version=payload.version, reason=payload.reason
    )


# ---------------------------------------------------------------- the timer


def _timer_out(timer: RunningTimer | None) -> TimerOut:
    if timer is None:
        return TimerOut(running=False)
    return TimerOut(
        running=True,
        project_code=timer.project.code,
        task_id=timer.task_id,
        task_name=timer.task.name,
        started_at=timer.started_at,
        elapsed_seconds=max(int((timezone.now() - timer.started_at).total_seconds()), 0),
        note=timer.note,
        billable=timer.billable,
    )


@router.get("/me/timer", response=TimerOut, summary="My timer")
def get_timer(request: HttpRequest) -> TimerOut:
    """Whether the caller's timer runs, on what, since when."""
    return _timer_out(time_queries.running_timer(actor(request)))


@router.post("/me/timer", response={201: TimerOut}, summary="Start my timer")
def start_timer(request: HttpRequest, payload: TimerIn) -> Status[TimerOut]:
    """Start the caller's timer on a task (one at a time)."""
    user = actor(request)
    try:
        project = project_queries.access_project(user, payload.project)
    except Http404:
        raise ValidationError({"project": [_("No such project.")]}) from None
    data = payload_data(payload, "project")
    _task_errors_on_task_id(lambda: timesheets.do_start_timer(project, actor=user, **data))
    return Status(201, _timer_out(time_queries.running_timer(user)))


@router.post("/me/timer/stop", response=list[TimeEntryOut], summary="Stop my timer")
def stop_timer(request: HttpRequest) -> list[TimeEntry]:
    """Stop the caller's timer and log its time (split at midnight in the project's time zone)."""
    user = actor(request)
    entries = timesheets.do_stop_timer(actor=user)
    return [time_queries.access_entry(user, e.pk) for e in entries]


@router.delete("/me/timer", response={204: None}, summary="Discard my timer")
def discard_timer(request: HttpRequest) -> Status[None]:
    """Throw the caller's timer away without logging its time."""
    timesheets.do_discard_timer(actor=actor(request))
    return Status(204, None)


# ---------------------------------------------------------------- cost settings


@router.get("/projects/{code}/cost-settings", response=CostSettingsOut, summary="How a project tracks time")
def get_cost_settings(request: HttpRequest, code: str) -> CostSettings:
    """The project's cost settings (whoever reads its time)."""
    user, project = caller_and_project(request, code)
    permissions.require_read_time(user, project)
    return settings_for(project)


@router.patch(
    "/projects/{code}/cost-settings", response=CostSettingsOut, summary="Change how time is tracked"
)
def update_cost_settings(request: HttpRequest, code: str, payload: CostSettingsPatchIn) -> CostSettings:
    """Change client approval, actuals from time and the locked period (the PM)."""
    user, project = caller_and_project(request, code)
    return timesheets.do_update_cost_settings(project, actor=user, **payload_data(payload))
