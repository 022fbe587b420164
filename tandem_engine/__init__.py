"""Tandem's scheduling engine: calendars, networks and the critical path method, free of any framework.

Inputs are frozen dataclasses keyed by ids (:class:`Activity`, :class:`Link`, :class:`Calendar`,
:class:`Network`); :func:`schedule` returns a :class:`ScheduleResult`. Resources and assignments
(:class:`ResourcePlan`) shape the network with :func:`apply_assignments` and give work and cost with
:func:`cost_schedule`. Dates follow MS Project's
conventions and are checked against files MS Project saved (see ``docs/engine.md``).
"""

from __future__ import annotations

from .calendar import (
    CalendarError,
    add_working_minutes,
    from_minutes,
    subtract_working_minutes,
    to_minutes,
    working_minutes_between,
)
from .china import UnpublishedHolidaysWarning, china_calendar, last_published_china_year
from .cpm import ActivitySchedule, ScheduleColumns, ScheduleResult, no_cyclic_gc, schedule
from .errors import ConstraintConflict, ConstraintConflictError, NetworkCycleError, NetworkError
from .model import (
    STANDARD_DAY,
    Activity,
    ActivityId,
    Calendar,
    CalendarException,
    CalendarId,
    ConstraintType,
    LagUnit,
    Link,
    LinkType,
    Network,
    Recurrence,
    RecurringException,
    parse_working_ranges,
)
from .mspdi import MspdiError, MspdiProject, SummaryDates, read_mspdi, rollup_summaries
from .psplib import PsplibInstance, read_psplib
from .resources import (
    CONTOUR_SHAPES,
    Accrual,
    Assignment,
    AssignmentCost,
    Rate,
    RateEntry,
    RateUnit,
    Reassignment,
    Resource,
    ResourceId,
    ResourcePlan,
    ResourceType,
    TaskCost,
    TaskResourcing,
    TaskType,
    WorkContour,
    apply_assignments,
    cost_schedule,
    reassign,
    rollup_work_cost,
)

__all__ = [
    "CONTOUR_SHAPES",
    "STANDARD_DAY",
    "Accrual",
    "Activity",
    "ActivityId",
    "ActivitySchedule",
    "Assignment",
    "AssignmentCost",
    "Calendar",
    "CalendarError",
    "CalendarException",
    "CalendarId",
    "ConstraintConflict",
    "ConstraintConflictError",
    "ConstraintType",
    "LagUnit",
    "Link",
    "LinkType",
    "MspdiError",
    "MspdiProject",
    "Network",
    "NetworkCycleError",
    "NetworkError",
    "PsplibInstance",
    "Rate",
    "RateEntry",
    "RateUnit",
    "Reassignment",
    "Recurrence",
    "RecurringException",
    "Resource",
    "ResourceId",
    "ResourcePlan",
    "ResourceType",
    "ScheduleColumns",
    "ScheduleResult",
    "SummaryDates",
    "TaskCost",
    "TaskResourcing",
    "TaskType",
    "UnpublishedHolidaysWarning",
    "WorkContour",
    "add_working_minutes",
    "apply_assignments",
    "china_calendar",
    "cost_schedule",
    "from_minutes",
    "last_published_china_year",
    "no_cyclic_gc",
    "parse_working_ranges",
    "read_mspdi",
    "read_psplib",
    "reassign",
    "rollup_summaries",
    "rollup_work_cost",
    "schedule",
    "subtract_working_minutes",
    "to_minutes",
    "working_minutes_between",
]
