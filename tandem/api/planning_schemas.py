"""Request and response shapes of the plan: tasks, dependencies, calendars, baselines, the timeline."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema

from tandem.api.model_fields import model_field
from tandem.api.schemas import (
    AttributesOut,
    Id,
    IsoDate,
    IsoDateTime,
    PersonOut,
    StrictBool,
    StrictInt,
    Version,
)
from tandem.core.choices import Visibility
from tandem.planning.choices import CalendarBase, ConstraintType, DependencyType, TaskKind, TaskStatus
from tandem.planning.models import Baseline, Calendar, CalendarException, Dependency, Task
from tandem.planning.services import BULK_LIMIT

MAX_MINUTES = 10_000_000  # about 57 working years
Minutes = Annotated[StrictInt, Field(ge=0, le=MAX_MINUTES)]
Lag = Annotated[StrictInt, Field(ge=-MAX_MINUTES, le=MAX_MINUTES)]
Percent = Annotated[StrictInt, Field(ge=0, le=100)]


class TaskOut(AttributesOut):
    """A row of the plan with its computed dates (datetimes with their offset)."""

    id: int
    wbs: str = Field(..., alias="shown_wbs")
    parent_id: int | None = Field(None, alias="shown_parent_id")
    position: int
    kind: str
    name: str
    description: str
    owner: PersonOut | None
    duration_minutes: int
    optimistic_minutes: int | None
    most_likely_minutes: int | None
    pessimistic_minutes: int | None
    start: dt.datetime | None
    finish: dt.datetime | None
    deadline: dt.datetime | None
    status: str
    percent_complete: int
    actual_start: dt.datetime | None
    actual_finish: dt.datetime | None
    manual: bool
    constraint_type: str
    constraint_date: dt.datetime | None
    calendar_id: int | None
    deliverable_id: int | None
    visibility: str
    is_summary: bool
    early_start: dt.datetime | None
    early_finish: dt.datetime | None
    late_start: dt.datetime | None
    late_finish: dt.datetime | None
    total_float_minutes: int | None
    free_float_minutes: int | None
    critical: bool
    work_minutes: int | None = Field(
        None,
        alias="shown_work_minutes",
        description="Planned work from assignments (team only; null for a client).",
    )
    cost_cents: int | None = Field(
        None,
        alias="shown_cost_cents",
        description="Planned cost in hundredths of the project's currency (team only; null for a client).",
    )
    version: int


class _TaskFields(Schema):
    description: str | None = model_field(Task, "description", None)
    kind: TaskKind | None = model_field(Task, "kind", None)
    parent_id: Id | None = None
    position: StrictInt | None = model_field(Task, "position", None, le=100_000)
    owner_id: Id | None = None
    duration_minutes: StrictInt | None = model_field(Task, "duration_minutes", None, le=MAX_MINUTES)
    optimistic_minutes: StrictInt | None = model_field(Task, "optimistic_minutes", None, le=MAX_MINUTES)
    most_likely_minutes: StrictInt | None = model_field(Task, "most_likely_minutes", None, le=MAX_MINUTES)
    pessimistic_minutes: StrictInt | None = model_field(Task, "pessimistic_minutes", None, le=MAX_MINUTES)
    start: IsoDateTime | None = model_field(Task, "start", None)
    finish: IsoDateTime | None = model_field(Task, "finish", None)
    deadline: IsoDateTime | None = model_field(Task, "deadline", None)
    status: TaskStatus | None = model_field(Task, "status", None)
    percent_complete: StrictInt | None = model_field(Task, "percent_complete", None)
    actual_start: IsoDateTime | None = model_field(Task, "actual_start", None)
    actual_finish: IsoDateTime | None = model_field(Task, "actual_finish", None)
    manual: StrictBool | None = model_field(Task, "manual", None)
    constraint_type: ConstraintType | None = model_field(Task, "constraint_type", None)
    constraint_date: IsoDateTime | None = model_field(Task, "constraint_date", None)
    calendar_id: Id | None = None
    deliverable_id: Id | None = None
    visibility: Visibility | None = model_field(Task, "visibility", None)


class TaskIn(_TaskFields):
    """A new row of the plan (naive datetimes are read in the project's time zone)."""

    name: str = model_field(Task, "name")


class TaskPatchIn(_TaskFields):
    """Changes to a task, based on the version the caller read."""

    name: str | None = model_field(Task, "name", None)
    version: Version


#: A name a bulk request gives a task it adds, so that later rows can name it before it has an id.
Ref = Annotated[str, Field(min_length=1, max_length=100)]


class TaskBulkIn(TaskIn):
    """A task a bulk request adds: ``ref`` names it for later rows; ``parent_ref``, a parent added before."""

    ref: Ref | None = None
    parent_ref: Ref | None = None


class TaskBulkPatchIn(TaskPatchIn):
    """Changes to one task in a bulk request, based on the version the caller read."""

    id: Id


class LinkBulkIn(Schema):
    """A link a bulk request adds; each end is an existing task's id or the ``ref`` of a task it adds."""

    predecessor_id: Id | None = None
    predecessor_ref: Ref | None = None
    successor_id: Id | None = None
    successor_ref: Ref | None = None
    type: DependencyType = model_field(Dependency, "type", DependencyType.FS)
    lag_minutes: Lag = model_field(Dependency, "lag_minutes", 0)
    elapsed: StrictBool = model_field(Dependency, "elapsed", False)


class PlanBulkIn(Schema):
    """Tasks to add, tasks to change and links to add, in one transaction with one reschedule."""

    create: list[TaskBulkIn] = Field(default_factory=list, max_length=BULK_LIMIT)
    update: list[TaskBulkPatchIn] = Field(default_factory=list, max_length=BULK_LIMIT)
    links: list[LinkBulkIn] = Field(default_factory=list, max_length=BULK_LIMIT)


class TaskMoveIn(Schema):
    """A Gantt drag (a new start) or a move in the WBS (a new parent and/or position)."""

    version: Version
    start: IsoDateTime | None = model_field(Task, "start", None)
    parent_id: Id | None = None
    to_top_level: StrictBool = False
    position: StrictInt | None = model_field(Task, "position", None, le=100_000)


class LinkedTaskOut(Schema):
    """A task at one end of a link."""

    id: int
    name: str


class DependencyOut(Schema):
    """A link between two tasks."""

    id: int
    predecessor: LinkedTaskOut
    successor: LinkedTaskOut
    type: str
    lag_minutes: int
    elapsed: bool


class DependencyIn(Schema):
    """A new link."""

    predecessor_id: Id
    successor_id: Id
    type: DependencyType = model_field(Dependency, "type", DependencyType.FS)
    lag_minutes: Lag = model_field(Dependency, "lag_minutes", 0)
    elapsed: StrictBool = model_field(Dependency, "elapsed", False)


class DependencyPatchIn(Schema):
    """Changes to a link."""

    type: DependencyType | None = model_field(Dependency, "type", None)
    lag_minutes: Lag | None = model_field(Dependency, "lag_minutes", None)
    elapsed: StrictBool | None = model_field(Dependency, "elapsed", None)


class CalendarExceptionSchema(Schema):
    """Days that differ from the week: a holiday, or extra working days with their hours."""

    name: str = model_field(CalendarException, "name", "")
    start: IsoDate = model_field(CalendarException, "start")
    end: IsoDate | None = model_field(CalendarException, "end", None)
    working: StrictBool = model_field(CalendarException, "working", False)
    hours: str = model_field(CalendarException, "hours", "")


class CalendarOut(Schema):
    """A working-time calendar."""

    id: int | None
    name: str
    base: str
    working_weekdays: list[int]
    hours: str
    is_project_calendar: bool
    exceptions: list[CalendarExceptionSchema]

    @staticmethod
    def resolve_exceptions(obj: Any) -> list[Any]:
        """The calendar's exceptions (none for a calendar not saved yet)."""
        return list(obj.exceptions.all()) if obj.pk else []


class CalendarIn(Schema):
    """Changes to a calendar; ``exceptions``, when given, replaces them all."""

    name: str | None = model_field(Calendar, "name", None)
    base: CalendarBase | None = model_field(Calendar, "base", None)
    working_weekdays: list[Annotated[StrictInt, Field(ge=0, le=6)]] | None = Field(None, max_length=7)
    hours: str | None = model_field(Calendar, "hours", None)
    exceptions: list[CalendarExceptionSchema] | None = Field(None, max_length=2000)


class BaselineOut(Schema):
    """A saved baseline."""

    id: int
    name: str
    reason: str
    created_by: PersonOut | None
    created_at: dt.datetime
    approved_by: PersonOut | None
    approved_at: dt.datetime | None
    project_finish: dt.datetime | None


class BaselineIn(Schema):
    """A baseline to save from the current plan."""

    name: str = model_field(Baseline, "name")
    reason: str = model_field(Baseline, "reason", "", max_length=5000)


class BaselineRemovedRowOut(Schema):
    """A task as a baseline saved it (for a task deleted since, all that is left of it)."""

    task_id: int
    wbs: str
    name: str
    kind: str
    baseline_start: dt.datetime | None
    baseline_finish: dt.datetime | None


class VarianceOut(BaselineRemovedRowOut):
    """A task next to its baseline; variances in working minutes, positive when later than planned."""

    start: dt.datetime | None
    finish: dt.datetime | None
    start_variance_minutes: int | None
    finish_variance_minutes: int | None
    slipped: bool


class ComparisonOut(Schema):
    """The plan compared with one baseline; tasks deleted since are listed apart, as saved."""

    baseline: BaselineOut
    tasks: list[VarianceOut]
    removed: list[BaselineRemovedRowOut]


class MilestoneOut(AttributesOut):
    """A milestone on the timeline: forecast against the agreed plan."""

    task_id: int
    wbs: str
    name: str
    status: str
    forecast: dt.datetime | None
    baseline_finish: dt.datetime | None
    variance_minutes: int | None
    deadline: dt.datetime | None
    slipping: bool


class TimelineOut(Schema):
    """The milestone timeline: the client's default view of the plan."""

    agreed_baseline: BaselineOut | None
    milestones: list[MilestoneOut]


class FlaggedTaskOut(Schema):
    """A task that needs attention."""

    id: int
    wbs: str = Field(..., alias="shown_wbs")
    name: str
    finish: dt.datetime | None
    deadline: dt.datetime | None
    percent_complete: int


class ProgressOut(Schema):
    """Overdue and slipping tasks."""

    overdue: list[FlaggedTaskOut]
    slipping: list[FlaggedTaskOut]


class PlanBulkOut(Schema):
    """What a bulk request did, rows as the caller sees them after the reschedule."""

    created: list[TaskOut]
    updated: list[TaskOut]
    links: list[DependencyOut]
    refs: dict[str, int]


class FeedOut(Schema):
    """A secret iCalendar address (shown once; asking again issues a new one)."""

    url: str
