"""Resources, assignments, work and cost, computed the way MS Project computes them.

Inputs are frozen dataclasses like the rest of the engine: :class:`Resource` (work, material or
cost, with rate tables whose entries carry an effective date), :class:`Assignment` (a task x
resource with units, and the few amounts MS Project treats as entered rather than derived), and
:class:`TaskResourcing` (task type, effort-driven flag, fixed cost and its accrual, "ignore resource
calendars"), gathered in a :class:`ResourcePlan`.

Two steps, each a pure function:

1. :func:`apply_assignments` gives each task with work assignments the calendar MS Project
   schedules it on — it works while any of its assigned resources works, each on its own calendar
   (intersected with the task's calendar when the task has one), unless the task ignores resource
   calendars — and, for a fixed-work task, the duration its work and units give. Plans without
   assignments come back unchanged, so they keep the scheduler's vectorised path.
2. :func:`cost_schedule` computes, from the scheduled dates, every assignment's work and cost and
   each task's totals: work = units x the working time of the assignment's calendar from its start
   (the task's start plus the assignment's delay) to the task's finish, shaped by the work contour;
   cost = regular work x the standard rate in force at the time + overtime work x the overtime rate
   + cost per use x units + material units x price + cost-resource amounts + the task's fixed cost.
   Actual work and actual cost follow from the task's progress (percent complete).

``rollup_work_cost`` adds leaf tasks up into summary tasks and the project.

>>> from datetime import datetime
>>> from tandem_engine import Activity, Calendar, Network, schedule
>>> net = Network((Activity("build", duration=5 * 480),), (), {"std": Calendar.standard("std")}, "std",
...               datetime(2026, 11, 23, 8, 0))
>>> plan = ResourcePlan(
...     resources={"ann": Resource("ann", rates=((RateEntry(standard=Rate(50.0)),),))},
...     assignments=(Assignment("build", "ann", units=0.5),),
... )
>>> costs = cost_schedule(net, plan, schedule(apply_assignments(net, plan)))
>>> costs["build"].work, costs["build"].cost     # 20 h at 50.00/h
(1200.0, 1000.0)
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import pairwise

from .calendar import CompiledCalendar, compile_calendar, to_minutes
from .cpm import ScheduleResult
from .model import Activity, ActivityId, Calendar, CalendarId, Network

__all__ = [
    "CONTOUR_SHAPES",
    "Accrual",
    "Assignment",
    "AssignmentCost",
    "Rate",
    "RateEntry",
    "RateUnit",
    "Reassignment",
    "Resource",
    "ResourceId",
    "ResourcePlan",
    "ResourceType",
    "TaskCost",
    "TaskResourcing",
    "TaskType",
    "WorkContour",
    "apply_assignments",
    "cost_schedule",
    "reassign",
    "rollup_work_cost",
]

ResourceId = int | str
"""A resource's key: the caller's primary key or the MS Project UID."""

MAX_RATE_TABLES = 5
"""MS Project's cost rate tables A to E."""


class ResourceType(enum.StrEnum):
    """MS Project's three kinds of resource."""

    WORK = "work"  # people and equipment: work in time, on a calendar, paid by the hour
    MATERIAL = "material"  # consumed by the unit (``material_label``), paid per unit
    COST = "cost"  # an amount entered on each assignment (travel, a licence)


class TaskType(enum.StrEnum):
    """Which of duration, work and units stays put when another changes."""

    FIXED_UNITS = "fixed_units"  # MS Project's default: duration and units given, work follows
    FIXED_DURATION = "fixed_duration"  # duration given, work follows from units
    FIXED_WORK = "fixed_work"  # work given, the duration follows from work and units


class Accrual(enum.StrEnum):
    """When a cost becomes actual: at the start, at the finish, or as the work progresses."""

    START = "start"
    END = "end"
    PRORATED = "prorated"


class WorkContour(enum.StrEnum):
    """How an assignment's work is spread over its span (MS Project's predefined contours)."""

    FLAT = "flat"
    BACK_LOADED = "back_loaded"
    FRONT_LOADED = "front_loaded"
    DOUBLE_PEAK = "double_peak"
    EARLY_PEAK = "early_peak"
    LATE_PEAK = "late_peak"
    BELL = "bell"
    TURTLE = "turtle"
    CONTOURED = "contoured"  # edited by hand: the entered work is kept as it is


CONTOUR_SHAPES: Mapping[WorkContour, tuple[int, ...]] = {
    WorkContour.FLAT: (100,),
    WorkContour.BACK_LOADED: (10, 15, 25, 50, 50, 75, 75, 100, 100, 100),
    WorkContour.FRONT_LOADED: (100, 100, 100, 75, 75, 50, 50, 25, 15, 10),
    WorkContour.DOUBLE_PEAK: (25, 50, 100, 50, 25, 25, 50, 100, 50, 25),
    WorkContour.EARLY_PEAK: (25, 50, 100, 100, 75, 50, 50, 25, 15, 10),
    WorkContour.LATE_PEAK: (10, 15, 25, 50, 50, 75, 100, 100, 50, 25),
    WorkContour.BELL: (10, 20, 40, 80, 100, 100, 80, 40, 20, 10),
    WorkContour.TURTLE: (25, 50, 75, 100, 100, 100, 100, 75, 50, 25),
}
"""Percent of the assigned units worked in each tenth of the assignment's working time."""


class RateUnit(enum.StrEnum):
    """The time a rate is quoted per; ``UNIT`` for a material's price per unit."""

    MINUTE = "m"
    HOUR = "h"
    DAY = "d"
    WEEK = "w"
    MONTH = "mo"
    YEAR = "y"
    UNIT = "unit"


@dataclass(frozen=True, slots=True)
class Rate:
    """An amount per time (``50.0`` per ``h``) or, for a material, per unit."""

    amount: float
    per: RateUnit = RateUnit.HOUR

    def __post_init__(self) -> None:
        if not self.amount >= 0:
            raise ValueError(f"rate: the amount must be zero or more, not {self.amount!r}")


@dataclass(frozen=True, slots=True)
class RateEntry:
    """One line of a cost rate table: the rates in force from ``effective_from`` (``None``: always)."""

    effective_from: datetime | None = None
    standard: Rate = Rate(0.0)
    overtime: Rate = Rate(0.0)
    cost_per_use: float = 0.0

    def __post_init__(self) -> None:
        if not self.cost_per_use >= 0:
            raise ValueError(f"cost_per_use must be zero or more, not {self.cost_per_use!r}")


@dataclass(frozen=True, slots=True)
class Resource:
    """A work, material or cost resource.

    ``rates`` holds MS Project's cost rate tables A to E (index 0 to 4), each a tuple of entries in
    order of their effective dates; an assignment picks one table. A work resource works on
    ``calendar_id`` (else the project calendar). A material's price per unit is its standard rate.
    """

    id: ResourceId
    name: str = ""
    type: ResourceType = ResourceType.WORK
    calendar_id: CalendarId | None = None
    max_units: float = 1.0
    rates: tuple[tuple[RateEntry, ...], ...] = ((RateEntry(),),)
    material_label: str = ""
    accrue_at: Accrual = Accrual.PRORATED

    def __post_init__(self) -> None:
        if not self.max_units >= 0:
            raise ValueError(f"resource {self.id!r}: max_units must be zero or more")
        if not 1 <= len(self.rates) <= MAX_RATE_TABLES or not all(self.rates):
            raise ValueError(f"resource {self.id!r}: rates must hold 1 to {MAX_RATE_TABLES} non-empty tables")


@dataclass(frozen=True, slots=True)
class Assignment:
    """A resource assigned to a task.

    ``units`` is a fraction for a work resource (``0.5`` = 50 %) and a quantity for a material.
    ``work`` (minutes, overtime included) is an input only where MS Project keeps it fixed — a
    fixed-work task, or a hand-edited contour; elsewhere it is computed. ``overtime_work``
    (minutes) is entered and comes on top of the regular work. ``cost`` is the amount of a cost
    resource. ``delay`` (working minutes) postpones the assignment's start after the task's.
    ``rate_table`` picks the resource's cost rate table (0-4 = A-E).

    Raises ``ValueError`` naming the field for negative amounts or a rate table outside 0-4.
    """

    task_id: ActivityId
    resource_id: ResourceId
    units: float = 1.0
    work: float | None = None
    overtime_work: float = 0.0
    cost: float = 0.0
    rate_table: int = 0
    delay: int = 0
    contour: WorkContour = WorkContour.FLAT

    def __post_init__(self) -> None:
        for name in ("units", "overtime_work", "cost", "delay"):
            if not getattr(self, name) >= 0:
                raise ValueError(
                    f"assignment of {self.resource_id!r} to {self.task_id!r}: {name} must be zero or more"
                )
        if self.work is not None and not self.work >= 0:
            raise ValueError(
                f"assignment of {self.resource_id!r} to {self.task_id!r}: work must be zero or more"
            )
        if not 0 <= self.rate_table < MAX_RATE_TABLES:
            raise ValueError(
                f"assignment of {self.resource_id!r} to {self.task_id!r}: rate_table must be 0 to 4"
            )


@dataclass(frozen=True, slots=True)
class TaskResourcing:
    """A task's resourcing settings: its type, effort-driven flag and fixed cost.

    ``split_minutes`` is the working time of the gaps inside a split task: its ``Activity.duration``
    includes them (the time it takes on the calendar), its work does not.
    """

    task_type: TaskType = TaskType.FIXED_UNITS
    effort_driven: bool = False
    fixed_cost: float = 0.0
    fixed_cost_accrual: Accrual = Accrual.PRORATED
    ignore_resource_calendars: bool = False
    split_minutes: int = 0

    def __post_init__(self) -> None:
        if self.split_minutes < 0:
            raise ValueError(f"split_minutes must be zero or more, not {self.split_minutes!r}")


@dataclass(frozen=True)
class ResourcePlan:
    """Resources, assignments and task settings of one plan, with its time-unit conventions.

    ``minutes_per_day``, ``minutes_per_week`` and ``days_per_month`` convert rates quoted per day,
    week, month or year (a year is twelve months) into rates per minute, as MS Project does.
    """

    resources: Mapping[ResourceId, Resource] = field(default_factory=dict)
    assignments: tuple[Assignment, ...] = ()
    tasks: Mapping[ActivityId, TaskResourcing] = field(default_factory=dict)
    #: Calendars of resources that are not among the network's (a person's own calendar with
    #: leave): :func:`apply_assignments` adds them to the network it returns.
    calendars: Mapping[CalendarId, Calendar] = field(default_factory=dict)
    minutes_per_day: int = 480
    minutes_per_week: int = 2400
    days_per_month: int = 20
    currency: str = ""

    def per_minute(self, rate: Rate) -> float:
        """``rate`` as an amount per working minute (a per-unit rate is returned unchanged)."""
        return rate.amount / _minutes_per(
            rate.per, self.minutes_per_day, self.minutes_per_week, self.days_per_month
        )

    def task(self, task_id: ActivityId) -> TaskResourcing:
        """The task's settings (MS Project's defaults when none were given)."""
        return self.tasks.get(task_id, _DEFAULT_TASK)

    def by_task(self) -> dict[ActivityId, list[Assignment]]:
        """The assignments grouped by task, in input order."""
        grouped: dict[ActivityId, list[Assignment]] = {}
        for assignment in self.assignments:
            grouped.setdefault(assignment.task_id, []).append(assignment)
        return grouped


@functools.cache
def _minutes_per(per: RateUnit, minutes_per_day: int, minutes_per_week: int, days_per_month: int) -> int:
    """The working minutes of one ``per`` (1 for a per-unit rate); asked once per plan and unit."""
    return {
        RateUnit.MINUTE: 1,
        RateUnit.HOUR: 60,
        RateUnit.DAY: minutes_per_day,
        RateUnit.WEEK: minutes_per_week,
        RateUnit.MONTH: minutes_per_day * days_per_month,
        RateUnit.YEAR: minutes_per_day * days_per_month * 12,
        RateUnit.UNIT: 1,
    }[per]


_DEFAULT_TASK = TaskResourcing()
_ROUND_THE_CLOCK = Calendar.continuous("round the clock")


@dataclass(frozen=True, slots=True)
class AssignmentCost:
    """One assignment's computed work (minutes; units for a material) and cost."""

    task_id: ActivityId
    resource_id: ResourceId
    work: float
    cost: float
    actual_work: float
    actual_cost: float
    overtime_work: float = 0.0


@dataclass(frozen=True, slots=True)
class TaskCost:
    """A task's computed totals: work in minutes (work resources only) and cost in the plan's currency."""

    work: float
    cost: float
    actual_work: float
    actual_cost: float
    fixed_cost: float = 0.0
    assignments: tuple[AssignmentCost, ...] = ()


# -- scheduling with assignments --------------------------------------------------------------------


def _work_assignments(plan: ResourcePlan, assignments: list[Assignment]) -> list[Assignment]:
    return [
        a
        for a in assignments
        if a.units > 0
        and (r := plan.resources.get(a.resource_id)) is not None
        and r.type is ResourceType.WORK
    ]


def _assignment_calendar(
    network: Network, plan: ResourcePlan, activity: Activity, assignment: Assignment | None
) -> Calendar:
    """The calendar an assignment works on (the task's own when it ignores resource calendars).

    An elapsed-duration task runs round the clock, and so do its assignments (MS Project: one
    elapsed day at 100 % is 24 h of work).
    """
    if activity.elapsed:
        return _ROUND_THE_CLOCK
    task_calendar = network.calendars[
        activity.calendar_id if activity.calendar_id is not None else network.calendar_id
    ]
    if assignment is None or plan.task(activity.id).ignore_resource_calendars:
        return task_calendar
    resource = plan.resources[assignment.resource_id]
    cid = resource.calendar_id
    resource_calendar = network.calendars[
        cid if cid is not None and cid in network.calendars else network.calendar_id
    ]
    if activity.calendar_id is None or resource_calendar == task_calendar:
        return resource_calendar
    return Calendar.intersection(
        f"{task_calendar.id}&{resource_calendar.id}", (task_calendar, resource_calendar)
    )


def apply_assignments(network: Network, plan: ResourcePlan) -> Network:
    """The network MS Project would schedule once the plan's assignments are taken into account.

    A task with work assignments runs on the union of its assignments' calendars (each the
    resource's calendar, intersected with the task's own calendar when it has one), unless it
    ignores resource calendars; its duration is counted on that calendar. A fixed-work task whose
    assignments carry their work gets the duration that work and units give (the longest
    assignment). Other durations are kept. Returns ``network`` itself when nothing changes, so a
    plan without assignments keeps every fast path of :func:`~tandem_engine.schedule`.

    Method: per task, a union :class:`~tandem_engine.Calendar` of the distinct assignment
    calendars (compiled once, cached).
    """
    grouped = plan.by_task()
    if not grouped:
        return network
    calendars: dict[CalendarId, Calendar] = dict(network.calendars)
    if plan.calendars:
        calendars.update((cid, c) for cid, c in plan.calendars.items() if cid not in network.calendars)
        network = replace(network, calendars=dict(calendars))
    activities: list[Activity] = []
    changed = False
    for activity in network.activities:
        work = _work_assignments(plan, grouped.get(activity.id, []))
        if not work or activity.manual or activity.elapsed:
            activities.append(activity)
            continue
        settings = plan.task(activity.id)
        updated = activity
        if not settings.ignore_resource_calendars:
            parts: list[Calendar] = []
            for assignment in work:
                calendar = _assignment_calendar(network, plan, activity, assignment)
                if calendar not in parts:
                    parts.append(calendar)
            if len(parts) == 1:
                calendar = parts[0]
            else:
                # Named by its parts, so tasks sharing a team share one compiled calendar.
                name = " | ".join(str(part.id) for part in parts)
                calendar = Calendar.union(f"any of {name}", tuple(parts), name=name)
            calendars.setdefault(calendar.id, calendar)
            if calendars[calendar.id] != calendar:  # an id taken by another calendar
                calendar = replace(calendar, id=f"task {activity.id}: {calendar.id}")
                calendars[calendar.id] = calendar
            if calendar.id != (activity.calendar_id or network.calendar_id):
                # Lags into the task stay on its own calendar (else the project's), as in MS Project.
                lag_calendar = activity.lag_calendar_id or activity.calendar_id or network.calendar_id
                updated = replace(updated, calendar_id=calendar.id, lag_calendar_id=lag_calendar)
        if settings.task_type is TaskType.FIXED_WORK and not activity.milestone:
            spans = [
                round(a.work / a.units) for a in work if a.work is not None and a.contour is WorkContour.FLAT
            ]
            if spans and len(work) == len(spans):
                updated = replace(updated, duration=max(spans) + settings.split_minutes)
        changed |= updated is not activity
        activities.append(updated)
    if not changed:
        return network
    return replace(network, activities=tuple(activities), calendars=calendars)


@dataclass(frozen=True, slots=True)
class Reassignment:
    """A task's duration (working minutes) and each assignment's units and work after a change."""

    duration: int
    units: Mapping[ResourceId, float]
    work: Mapping[ResourceId, float]


def reassign(
    task_type: TaskType,
    effort_driven: bool,
    duration: int,
    before: Mapping[ResourceId, float],
    after: Mapping[ResourceId, float],
) -> Reassignment:
    """Apply MS Project's rules when a task's work resources change from ``before`` to ``after``.

    ``before`` and ``after`` map resources to their units (``after`` may add, drop or change
    some); ``duration`` is the task's duration before the change, in working minutes. The total
    work before is ``duration`` x the units before.

    - Not effort-driven (fixed units or fixed duration): the duration stays and each resource
      works its units x the duration, so adding someone adds work.
    - Effort-driven fixed units, and fixed work (always effort-driven): the total work stays and is
      shared in proportion to the units; the duration becomes work / total units.
    - Effort-driven fixed duration: the duration and the total work stay; each resource's share of
      the work follows its units, and its units shrink to fit the duration.

    Assignments are taken to work on the task's calendar (MS Project's rule too: a resource
    calendar changes the dates, not these amounts).

    >>> r = reassign(TaskType.FIXED_UNITS, True, 4800, {"ann": 1.0}, {"ann": 1.0, "bob": 1.0})
    >>> r.duration, dict(r.work)
    (2400, {'ann': 2400.0, 'bob': 2400.0})
    """
    units_after = {k: u for k, u in after.items() if u > 0}
    total_units = sum(units_after.values())
    total_work = duration * sum(u for u in before.values() if u > 0)
    if not units_after:
        return Reassignment(duration, {}, {})
    if (not effort_driven and task_type is not TaskType.FIXED_WORK) or not total_work:
        return Reassignment(duration, units_after, {k: u * duration for k, u in units_after.items()})
    shares = {k: total_work * u / total_units for k, u in units_after.items()}
    if task_type is TaskType.FIXED_DURATION:
        units = {k: (w / duration if duration else units_after[k]) for k, w in shares.items()}
        return Reassignment(duration, units, shares)
    return Reassignment(round(total_work / total_units), units_after, shares)


# -- work and cost ----------------------------------------------------------------------------------


def _pieces(
    calendar: CompiledCalendar, start: int, finish: int, shape: tuple[int, ...]
) -> Iterator[tuple[int, int, float]]:
    """The assignment's span in working minutes ``(from, to, share of the units)``, one per contour piece."""
    w0, w1 = calendar.wm(start), calendar.wm(finish)
    n = len(shape)
    for k, percent in enumerate(shape):
        a = w0 + (w1 - w0) * k / n
        b = w0 + (w1 - w0) * (k + 1) / n
        yield round(a), round(b), percent / 100.0


def _rate_spans(calendar: CompiledCalendar, table: tuple[RateEntry, ...]) -> list[tuple[float, RateEntry]]:
    """Each entry of a rate table with the working minute it takes effect at (sorted)."""
    spans = [
        (float("-inf") if e.effective_from is None else float(calendar.wm(to_minutes(e.effective_from))), e)
        for e in table
    ]
    spans.sort(key=lambda item: item[0])
    return spans or [(float("-inf"), RateEntry())]


def _entry_at(spans: list[tuple[float, RateEntry]], wm: float) -> RateEntry:
    current = spans[0][1]
    for begins, entry in spans:
        if begins <= wm:
            current = entry
    return current


def _labour(
    plan: ResourcePlan,
    spans: list[tuple[float, RateEntry]],
    pieces: list[tuple[int, int, float]],
    units: float,
    overtime_ratio: float,
    until: float,
) -> tuple[float, float]:
    """Work and its cost over the pieces up to the working minute ``until``, rate by rate.

    Regular work is ``units`` x share x working minutes at the standard rate in force; overtime
    rides along, ``overtime_ratio`` minutes per regular minute, at the overtime rate in force.
    """
    bounds = [b for b, _ in spans[1:]]
    work = cost = 0.0
    for a, b, share in pieces:
        b2 = min(b, until)
        if b2 <= a:
            continue
        cuts = [a, *(x for x in bounds if a < x < b2), b2]
        for lo, hi in pairwise(cuts):
            regular = (hi - lo) * units * share
            entry = _entry_at(spans, lo)
            work += regular * (1 + overtime_ratio)
            cost += regular * (
                plan.per_minute(entry.standard) + overtime_ratio * plan.per_minute(entry.overtime)
            )
    return work, cost


def _progress(activity: Activity | None) -> float:
    if activity is None:
        return 0.0
    if activity.actual_finish is not None:
        return 1.0
    return max(0.0, min(1.0, activity.percent_complete / 100.0))


def _accrued(amount: float, accrual: Accrual, progress: float) -> float:
    if accrual is Accrual.START:
        return amount if progress > 0 else 0.0
    if accrual is Accrual.END:
        return amount if progress >= 1.0 else 0.0
    return amount * progress


def cost_schedule(network: Network, plan: ResourcePlan, result: ScheduleResult) -> dict[ActivityId, TaskCost]:
    """Every scheduled task's work and cost (and its assignments'), computed from the plan's inputs.

    ``network`` is the plan as given — its tasks' own calendars, before :func:`apply_assignments`
    — and ``result`` the schedule of ``apply_assignments(network, plan)``. For each assignment:

    - a **work resource** works ``units`` x the working minutes of its calendar from the task's
      start plus the delay to the task's finish, shaped by its contour (a predefined contour
      spreads the units over ten equal tenths of that time; ``CONTOURED`` and fixed-work tasks
      keep the entered ``work``). Its cost is regular work x the standard rate in force at the
      time (cost rate table ``rate_table``, entries by effective date) + overtime work x the
      overtime rate + the cost per use x units;
    - a **material** costs units x its price + the cost per use; its units are not task work;
    - a **cost resource** costs its entered amount.

    A task's work is its work assignments' work; its cost adds its fixed cost. Actual work and
    cost take the task's progress (percent complete, or complete once it has an actual finish):
    work and rates up to that share of the span, the cost per use once started, the fixed cost per
    its accrual. Tasks without assignments have no work and cost only their fixed cost.
    Summary tasks are not in ``result``; add them up with :func:`rollup_work_cost`.
    """
    grouped = plan.by_task()
    by_id = {a.id: a for a in network.activities}
    if plan.calendars:  # resources' own calendars, as apply_assignments adds them
        extra = {cid: c for cid, c in plan.calendars.items() if cid not in network.calendars}
        network = replace(network, calendars={**network.calendars, **extra})
    ctx = _Costing(network, plan)
    out: dict[ActivityId, TaskCost] = {}
    columns = result.columns()  # every activity's dates at once, no per-activity objects
    for activity_id, start_at, finish_at in zip(columns.ids, columns.start, columns.finish, strict=True):
        activity = by_id.get(activity_id)
        if activity is None:
            continue
        settings = plan.task(activity_id)
        progress = _progress(activity)
        start, finish = to_minutes(start_at), to_minutes(finish_at)
        rows: list[AssignmentCost] = []
        for assignment in grouped.get(activity_id, []):
            resource = plan.resources.get(assignment.resource_id)
            if resource is None:
                continue  # MS Project's placeholder for "no resource": nothing to count
            rows.append(_assignment_cost(ctx, activity, resource, assignment, start, finish, progress))
        work = sum(r.work for r in rows if plan.resources[r.resource_id].type is ResourceType.WORK)
        actual_work = sum(
            r.actual_work for r in rows if plan.resources[r.resource_id].type is ResourceType.WORK
        )
        out[activity_id] = TaskCost(
            work=work,
            cost=sum(r.cost for r in rows) + settings.fixed_cost,
            actual_work=actual_work,
            actual_cost=sum(r.actual_cost for r in rows)
            + _accrued(settings.fixed_cost, settings.fixed_cost_accrual, progress),
            fixed_cost=settings.fixed_cost,
            assignments=tuple(rows),
        )
    return out


class _Costing:
    """What :func:`cost_schedule` looks up again and again: compiled assignment calendars, rate spans."""

    def __init__(self, network: Network, plan: ResourcePlan) -> None:
        self.network = network
        self.plan = plan
        self._calendars: dict[tuple[object, ...], CompiledCalendar] = {}
        self._spans: dict[tuple[object, ...], list[tuple[float, RateEntry]]] = {}

    def calendar(self, activity: Activity, assignment: Assignment) -> CompiledCalendar:
        key = (
            activity.calendar_id,
            assignment.resource_id,
            self.plan.task(activity.id).ignore_resource_calendars,
        )
        found = self._calendars.get(key)
        if found is None:
            found = compile_calendar(_assignment_calendar(self.network, self.plan, activity, assignment))
            self._calendars[key] = found
        return found

    def spans(
        self, calendar: CompiledCalendar, resource: Resource, table: int
    ) -> list[tuple[float, RateEntry]]:
        key = (id(calendar), resource.id, table)
        found = self._spans.get(key)
        if found is None:
            rates = resource.rates[table] if table < len(resource.rates) else resource.rates[0]
            found = self._spans[key] = _rate_spans(calendar, rates)
        return found


def _assignment_cost(
    ctx: _Costing,
    activity: Activity,
    resource: Resource,
    assignment: Assignment,
    start: int,
    finish: int,
    progress: float,
) -> AssignmentCost:
    plan = ctx.plan
    calendar = ctx.calendar(activity, assignment)
    first = calendar.next_start(calendar.add(start, assignment.delay)) if assignment.delay else start
    spans = ctx.spans(calendar, resource, assignment.rate_table)
    entry = _entry_at(spans, calendar.wm(first))
    if resource.type is ResourceType.COST:
        amount = assignment.cost
        return AssignmentCost(
            activity.id, resource.id, 0.0, amount, 0.0, _accrued(amount, resource.accrue_at, progress)
        )
    if resource.type is ResourceType.MATERIAL:
        amount = assignment.units * plan.per_minute(entry.standard) + entry.cost_per_use
        return AssignmentCost(
            activity.id,
            resource.id,
            assignment.units,
            amount,
            assignment.units * progress,
            _accrued(amount - entry.cost_per_use, resource.accrue_at, progress)
            + (entry.cost_per_use if progress > 0 else 0.0),
        )
    shape = CONTOUR_SHAPES.get(assignment.contour, (100,))
    pieces = list(_pieces(calendar, first, max(first, finish), shape))
    units = assignment.units
    overtime = max(0.0, assignment.overtime_work)
    plain = _labour(plan, spans, pieces, units, 0.0, float("inf"))
    regular = plain[0]
    reshaped = False  # whether units changed below (then the labour is counted again)
    split = plan.task(activity.id).split_minutes
    span = pieces[-1][1] - pieces[0][0] if pieces else 0
    if split and span > split:
        units *= (span - split) / span  # no work in the gaps of a split task
        regular *= (span - split) / span
        reshaped = True
    entered = assignment.work is not None and (
        assignment.contour is WorkContour.CONTOURED or plan.task(activity.id).task_type is TaskType.FIXED_WORK
    )
    if entered and assignment.work is not None:
        target = max(0.0, assignment.work - overtime)  # the entered work includes its overtime
        if regular > 0:
            units *= target / regular  # spread like the contour over the same span
        regular = target
        reshaped = True
    ratio = overtime / regular if regular > 0 else 0.0
    if pieces and pieces[-1][1] > pieces[0][0]:
        # The plain count already is the answer when neither the units nor the overtime changed it.
        work, labour = (
            plain if not reshaped and not ratio else _labour(plan, spans, pieces, units, ratio, float("inf"))
        )
    else:  # no span (a milestone): whatever work there is, at the rates in force at its start
        work = regular + overtime
        labour = regular * plan.per_minute(entry.standard) + overtime * plan.per_minute(entry.overtime)
    per_use = entry.cost_per_use * assignment.units
    if progress <= 0.0:
        actual_work, actual_labour = 0.0, 0.0  # nothing done yet (what the count up to the start gives)
    elif pieces and pieces[-1][1] > pieces[0][0] and progress < 1.0:
        w0, w1 = pieces[0][0], pieces[-1][1]
        actual_work, actual_labour = _labour(plan, spans, pieces, units, ratio, w0 + (w1 - w0) * progress)
    else:
        actual_work, actual_labour = work * progress, labour * progress
    return AssignmentCost(
        activity.id,
        resource.id,
        work,
        labour + per_use,
        actual_work,
        actual_labour + (per_use if progress > 0 else 0.0),
        overtime_work=overtime,
    )


def rollup_work_cost(
    costs: Mapping[ActivityId, TaskCost],
    summaries: Mapping[ActivityId, tuple[ActivityId, ...]],
    plan: ResourcePlan | None = None,
) -> dict[ActivityId, TaskCost]:
    """Each summary task's totals: the sums of its leaf tasks, plus the fixed costs of itself and
    of the summary tasks inside it.

    ``summaries`` maps a summary task to its leaf tasks, parents before children (as
    :class:`~tandem_engine.MspdiProject` holds them); the project's totals are those of its root
    summary. A summary lies inside another when its leaves are among the other's (when both have
    the same leaves, the later one is inside).
    """
    order = {uid: k for k, uid in enumerate(summaries)}
    leaf_sets = {uid: frozenset(leaves) for uid, leaves in summaries.items()}
    holding: dict[ActivityId, list[ActivityId]] = {}  # leaf -> the summaries that hold it
    for uid, leaves in summaries.items():
        for leaf in leaves:
            holding.setdefault(leaf, []).append(uid)
    fixed = {uid: (plan.task(uid).fixed_cost if plan is not None else 0.0) for uid in summaries}
    inner_fixed: dict[ActivityId, float] = dict.fromkeys(summaries, 0.0)
    for inner, leaves in summaries.items():
        if not fixed[inner] or not leaves:
            continue
        for outer in holding.get(leaves[0], ()):
            inside = leaf_sets[inner] < leaf_sets[outer] or (
                leaf_sets[inner] == leaf_sets[outer] and order[inner] > order[outer]
            )
            if inside:
                inner_fixed[outer] += fixed[inner]
    rolled: dict[ActivityId, TaskCost] = {}
    for uid, leaves in summaries.items():
        rows = [costs[leaf] for leaf in leaves if leaf in costs]
        rolled[uid] = TaskCost(
            work=sum(r.work for r in rows),
            cost=sum(r.cost for r in rows) + fixed[uid] + inner_fixed[uid],
            actual_work=sum(r.actual_work for r in rows),
            actual_cost=sum(r.actual_cost for r in rows),
            fixed_cost=fixed[uid],
        )
    return rolled
