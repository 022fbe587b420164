"""Request and response shapes of time tracking: entries, weeks, the timer and the cost settings.

An entry's ``cost_cents`` is internal: it is present only for the team's PMs and leads; for anyone
else the key is left out of the answer altogether.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import SerializerFunctionWrapHandler, model_serializer

from tandem.api.model_fields import model_field
from tandem.api.schemas import Id, IsoDate, PersonOut, StrictBool, StrictInt, Version
from tandem.costs.choices import SheetStatus
from tandem.costs.models import CostSettings, RunningTimer, TimeEntry

Minutes = StrictInt


class TimeEntryOut(Schema):
    """Minutes one person worked on one task on one day; ``cost_cents`` for the team's PMs and leads only."""

    id: int
    timesheet_id: int
    status: SheetStatus = Field(..., alias="timesheet.status", description="The status of the entry's week.")
    task_id: int
    task_name: str = Field(..., alias="task.name")
    user: PersonOut
    day: dt.date
    minutes: int
    billable: bool
    note: str
    cost_cents: int | None = Field(
        None, alias="shown_cost_cents", description="Internal: PMs and leads only."
    )
    version: int

    @model_serializer(mode="wrap")
    def _without_hidden_cost(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if data.get("cost_cents") is None:
            data.pop("cost_cents", None)
        return data


class TimeEntryIn(Schema):
    """New time: minutes on a task of the project on one day."""

    task_id: Id
    day: IsoDate
    minutes: Minutes = model_field(TimeEntry, "minutes")
    billable: StrictBool = model_field(TimeEntry, "billable", True)
    note: str = model_field(TimeEntry, "note", "")


class TimeEntryPatchIn(Schema):
    """Changes to an entry, based on the version the caller read."""

    task_id: Id | None = None
    day: IsoDate | None = model_field(TimeEntry, "day", None)
    minutes: Minutes | None = model_field(TimeEntry, "minutes", None)
    billable: StrictBool | None = model_field(TimeEntry, "billable", None)
    note: str | None = model_field(TimeEntry, "note", None)
    version: Version


class TimesheetOut(Schema):
    """One person's week of time on a project, with its total (never a cost)."""

    id: int
    project_code: str = Field(..., alias="project.code")
    user: PersonOut
    week: dt.date
    status: SheetStatus
    total_minutes: int
    submitted_at: dt.datetime | None
    approved_by: PersonOut | None
    approved_at: dt.datetime | None
    client_approved_by: PersonOut | None
    client_approved_at: dt.datetime | None
    rejected_reason: str
    version: int


class TimesheetDetailOut(TimesheetOut):
    """A week with its entries."""

    entries: list[TimeEntryOut] = Field(..., alias="shown_entries")


class TimesheetActionIn(Schema):
    """A step of a week's approval, based on the version the caller read."""

    version: Version


class TimesheetRejectIn(Schema):
    """A rejection: the version read and why."""

    version: Version
    reason: str = Field("", max_length=2000, description="Why the week goes back (required).")


class SubmitWeekIn(Schema):
    """Submit the caller's week: any day of it."""

    week: IsoDate


class TimerOut(Schema):
    """The caller's timer: whether one runs, and on what since when."""

    running: bool
    project_code: str | None = None
    task_id: int | None = None
    task_name: str | None = None
    started_at: dt.datetime | None = None
    elapsed_seconds: int | None = None
    note: str = ""
    billable: bool = True


class TimerIn(Schema):
    """Start a timer on a task of a project."""

    project: str = Field(..., max_length=20, description="The project's code.")
    task_id: Id
    note: str = model_field(RunningTimer, "note", "")
    billable: StrictBool = model_field(RunningTimer, "billable", True)


class CostSettingsOut(Schema):
    """How a project tracks time."""

    client_approves_time: bool
    actuals_from_time: bool
    locked_until: dt.date | None


class CostSettingsPatchIn(Schema):
    """Changes to how a project tracks time (the PM)."""

    client_approves_time: StrictBool | None = model_field(CostSettings, "client_approves_time", None)
    actuals_from_time: StrictBool | None = model_field(CostSettings, "actuals_from_time", None)
    locked_until: IsoDate | None = model_field(CostSettings, "locked_until", None)
