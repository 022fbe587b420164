"""The workload of a resource pool: capacity against assigned work, per person (or role) and ISO week.

Capacity is the resource's own calendar (its base, or the standard week) in the week, less its leave,
times its max units. Assigned work is each assignment's work spread over its task's working time on
the task's calendar with a flat contour, so a week gets the share of the task's working minutes that
fall in it. Both sides count working minutes with the engine's calendars (China's holidays and
make-up days included), never with day-by-day loops over the task's span.

The computation reads a fixed number of value queries whatever the size of the pool: resources,
their leave, the assignments overlapping the window (with their tasks and projects), the calendars
those tasks use and those calendars' exceptions. Each distinct calendar is compiled and measured at
the week boundaries once; each assignment is then split over the weeks in one numpy pass.

No rate or cost is read: the workload is minutes only, for whoever may view the pool.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

import tandem_engine as engine
from tandem.planning import scheduling
from tandem.planning.choices import CalendarBase
from tandem.planning.models import DEFAULT_HOURS, Calendar, CalendarException
from tandem.projects.models import Project
from tandem.resources.choices import WORK_KINDS
from tandem.resources.models import Assignment, Resource, ResourceException
from tandem_engine.calendar import CompiledCalendar, compile_calendar

#: Weeks shown when the reader does not say; the most one request may ask for (two years).
DEFAULT_WEEKS = 12
MAX_WEEKS = 104
GROUPS = ("person", "role")
#: China's holiday table is read this many years around the window at most.
_YEARS_AROUND = 10


def monday_of(day: dt.date) -> dt.date:
    """The Monday of the ISO week holding ``day``."""
    return day - dt.timedelta(days=day.weekday())


def parse_window(start: object, weeks: object, group: object = "person") -> tuple[dt.date, int, str]:
    """The window's Monday, its number of weeks and the grouping, or a ValidationError naming the field.

    ``start`` may be a date, ``YYYY-MM-DD`` or empty (this week); any day stands for its week's Monday.
    """
    errors: dict[str, list[str]] = {}
    monday = monday_of(timezone.localdate())
    if isinstance(start, dt.date):
        monday = monday_of(start)
    elif start not in (None, ""):
        try:
            monday = monday_of(dt.date.fromisoformat(str(start)))
        except ValueError:
            errors["start"] = [_("Give the first week as a date: YYYY-MM-DD.")]
    count = DEFAULT_WEEKS
    if weeks not in (None, ""):
        try:
            count = int(str(weeks))
        except ValueError:
            count = 0
        if not 1 <= count <= MAX_WEEKS:
            errors["weeks"] = [_("Show from 1 to %(max)d weeks.") % {"max": MAX_WEEKS}]
    chosen = str(group or "person")
    if chosen not in GROUPS:
        errors["group"] = [_("Group the workload by person or by role.")]
    if errors:
        raise ValidationError(errors)
    return monday, count, chosen


@dataclass
class WorkloadRow:
    """One heatmap row: a resource (or a role) with capacity and work in minutes per week."""

    name: str
    role: str
    capacity_minutes: list[int]
    work_minutes: list[int]
    resource_id: int | None = None
    organization_id: int | None = None
    kind: str = ""

    @property
    def load_percent(self) -> list[int | None]:
        """Work over capacity per week, in percent (None for a week without capacity)."""
        return [
            round(100 * work / capacity) if capacity else None
            for work, capacity in zip(self.work_minutes, self.capacity_minutes, strict=True)
        ]

    @property
    def over(self) -> list[bool]:
        """Whether each week asks more work than the capacity (over-allocation)."""
        return [
            work > capacity for work, capacity in zip(self.work_minutes, self.capacity_minutes, strict=True)
        ]

    @property
    def cells(self) -> list[tuple[int, int, int | None, bool]]:
        """Per week: (capacity, work, load %, over), for templates."""
        return list(zip(self.capacity_minutes, self.work_minutes, self.load_percent, self.over, strict=True))


@dataclass
class Workload:
    """The heatmap: the weeks (their Mondays) and one row per resource or role."""

    start: dt.date
    weeks: list[dt.date]
    group: str
    rows: list[WorkloadRow] = field(default_factory=list)
    #: How many rows there are in all (more than ``rows`` when only a slice of people was computed).
    total: int = 0


# ---------------------------------------------------------------- calendars


@dataclass(frozen=True)
class _Window:
    """The window's week (and day) boundaries as engine minutes (naive local time)."""

    start: dt.date
    weeks: int

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(weeks=self.weeks)

    def week_bounds(self) -> list[int]:
        first = engine.to_minutes(dt.datetime.combine(self.start, dt.time()))
        return [first + w * 7 * 1440 for w in range(self.weeks + 1)]

    def day_bounds(self) -> list[int]:
        first = engine.to_minutes(dt.datetime.combine(self.start, dt.time()))
        return [first + d * 1440 for d in range(self.weeks * 7 + 1)]

    def years(self, extra: Iterable[int] = ()) -> tuple[int, ...]:
        low, high = self.start.year, self.end.year
        for year in extra:
            low = min(low, max(year, self.start.year - _YEARS_AROUND))
            high = max(high, min(year, self.end.year + _YEARS_AROUND))
        return tuple(range(low, high + 1))


class _Calendars:
    """Engine calendars compiled once per distinct definition (base, week, hours, exceptions)."""

    def __init__(self, years: tuple[int, ...]) -> None:
        self.years = years
        self._compiled: dict[tuple[Any, ...], CompiledCalendar] = {}
        self._bounds: dict[tuple[tuple[Any, ...], int], np.ndarray[Any, np.dtype[np.int64]]] = {}

    def compiled(self, row: Calendar, exceptions: Sequence[CalendarException] = ()) -> tuple[Any, ...]:
        """The key of ``row``'s definition, compiling it the first time it is seen."""
        key = (
            row.base,
            tuple(row.working_weekdays or ()),
            row.hours,
            tuple((e.start, e.end, e.working, e.hours) for e in exceptions),
        )
        if key not in self._compiled:
            calendar = scheduling.build_calendar(
                row, exceptions, self.years, [], calendar_id=len(self._compiled)
            )
            self._compiled[key] = compile_calendar(calendar)
        return key

    def base(self, base: str) -> tuple[Any, ...]:
        """The key of a base calendar (standard or China) on the standard working day."""
        row = Calendar(
            name=str(base), base=base, working_weekdays=list(scheduling.WEEKDAYS), hours=DEFAULT_HOURS
        )
        return self.compiled(row)

    def wm(self, key: tuple[Any, ...], minutes: Sequence[int]) -> np.ndarray[Any, np.dtype[np.int64]]:
        """Working minutes worked up to each of ``minutes`` on the calendar ``key``."""
        compiled = self._compiled[key]
        return np.fromiter((compiled.wm(m) for m in minutes), dtype=np.int64, count=len(minutes))

    def bounds(self, key: tuple[Any, ...], minutes: list[int]) -> np.ndarray[Any, np.dtype[np.int64]]:
        """``wm`` at boundaries, cached per calendar and boundary list (weeks or days of the window)."""
        slot = (key, len(minutes))
        if slot not in self._bounds:
            self._bounds[slot] = self.wm(key, minutes)
        return self._bounds[slot]


# ---------------------------------------------------------------- assignments over weeks

#: resource id, task id, start, finish, task calendar id, project id, time zone, language, work
_AssignmentRow = tuple[int, int, dt.datetime, dt.datetime, int | None, int, str, str, int]
_ASSIGNMENT_FIELDS = (
    "resource_id",
    "task_id",
    "task__start",
    "task__finish",
    "task__calendar_id",
    "task__project_id",
    "task__project__time_zone",
    "task__project__language",
    "work_minutes",
)


def _overlapping(window: _Window) -> Q:
    """Assignments whose task's dates overlap the window (a day wider each side for time zones)."""
    low = dt.datetime.combine(window.start - dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    high = dt.datetime.combine(window.end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return Q(task__start__lt=high, task__finish__gte=low, work_minutes__gt=0)


def _zone(name: str, zones: dict[str, ZoneInfo]) -> ZoneInfo:
    if name not in zones:
        zones[name] = Project(time_zone=name).zone
    return zones[name]


def _local_minutes(value: dt.datetime, zone: ZoneInfo) -> int:
    return engine.to_minutes(value.astimezone(zone).replace(tzinfo=None))


def _task_calendars(rows: Sequence[_AssignmentRow], calendars: _Calendars) -> dict[int, tuple[Any, ...]]:
    """Each assignment's calendar key, by index in ``rows``: the task's calendar or its project's.

    Two queries: the calendars (the tasks' own and their projects' calendars), their exceptions. A
    project never scheduled has no calendar row yet: it works on its default base (reads never write).
    """
    task_calendar_ids = {row[4] for row in rows if row[4] is not None}
    project_ids = {row[5] for row in rows}
    found = list(
        Calendar.objects.filter(
            Q(pk__in=task_calendar_ids) | Q(project_id__in=project_ids, is_project_calendar=True)
        ).only("pk", "project_id", "base", "working_weekdays", "hours", "is_project_calendar", "name")
    )
    exceptions: dict[int, list[CalendarException]] = defaultdict(list)
    for exception in CalendarException.objects.filter(calendar_id__in=[c.pk for c in found]).order_by(
        "start", "id"
    ):
        exceptions[exception.calendar_id].append(exception)
    by_id = {c.pk: calendars.compiled(c, exceptions[c.pk]) for c in found}
    by_project = {c.project_id: by_id[c.pk] for c in found if c.is_project_calendar}
    keys: dict[int, tuple[Any, ...]] = {}
    for index, row in enumerate(rows):
        calendar_id, project_id, language = row[4], row[5], row[7]
        if calendar_id is not None and calendar_id in by_id:
            keys[index] = by_id[calendar_id]
        elif project_id in by_project:
            keys[index] = by_project[project_id]
        else:
            base = scheduling.default_calendar_base(Project(language=language))
            keys[index] = by_project.setdefault(project_id, calendars.base(base))
    return keys


def split_over_weeks(
    starts_wm: np.ndarray[Any, np.dtype[np.int64]],
    finishes_wm: np.ndarray[Any, np.dtype[np.int64]],
    work: np.ndarray[Any, np.dtype[np.float64]],
    bounds_wm: np.ndarray[Any, np.dtype[np.int64]],
    start_weeks: np.ndarray[Any, np.dtype[np.int64]],
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Each assignment's work per week, flat over its task's working time (one row per assignment).

    ``starts_wm``/``finishes_wm`` are the task's start and finish and ``bounds_wm`` the week boundaries,
    all as working minutes of the task's calendar. A task without working time (a milestone, or a
    start and finish in the same non-working stretch) puts its work in the week of its start,
    ``start_weeks`` (the week's index in the window; outside it, nowhere).

    Method: the overlap of [start, finish] with each week in working minutes, over the task's
    working minutes — an (assignments × weeks) numpy pass, no loop over days.
    """
    low = np.maximum(starts_wm[:, None], bounds_wm[None, :-1])
    high = np.minimum(finishes_wm[:, None], bounds_wm[None, 1:])
    overlap = np.clip(high - low, 0, None).astype(np.float64)
    span = (finishes_wm - starts_wm).astype(np.float64)
    out: np.ndarray[Any, np.dtype[np.float64]] = np.zeros_like(overlap)
    spread = span > 0
    out[spread] = overlap[spread] * (work[spread] / span[spread])[:, None]
    # No working time: the whole work lands in the week of the start.
    for index in np.flatnonzero(~spread):
        week = int(start_weeks[index])
        if 0 <= week < len(bounds_wm) - 1:
            out[index, week] = work[index]
    return out


def _split(
    rows: Sequence[_AssignmentRow], window: _Window, calendars: _Calendars
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """The work of each assignment row per week of the window (rows in the order given)."""
    out = np.zeros((len(rows), window.weeks), dtype=np.float64)
    if not rows:
        return out
    keys = _task_calendars(rows, calendars)
    zones: dict[str, ZoneInfo] = {}
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for index in range(len(rows)):
        groups[keys[index]].append(index)
    bounds = window.week_bounds()
    for key, indices in groups.items():
        starts = [_local_minutes(rows[i][2], _zone(rows[i][6], zones)) for i in indices]
        finishes = [_local_minutes(rows[i][3], _zone(rows[i][6], zones)) for i in indices]
        work = np.fromiter((rows[i][8] for i in indices), dtype=np.float64, count=len(indices))
        start_weeks = (np.asarray(starts, dtype=np.int64) - bounds[0]) // (7 * 1440)
        out[indices] = split_over_weeks(
            calendars.wm(key, starts),
            calendars.wm(key, finishes),
            work,
            calendars.bounds(key, bounds),
            start_weeks,
        )
    return out


def _years_of(rows: Sequence[_AssignmentRow]) -> set[int]:
    years: set[int] = set()
    for row in rows:
        years.add(row[2].year)
        years.add(row[3].year)
    return years


# ---------------------------------------------------------------- capacity


def _leave_minutes(
    spans: list[tuple[dt.date, dt.date]], window: _Window, days_wm: np.ndarray[Any, np.dtype[np.int64]]
) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Working minutes of the window's weeks that fall on leave (overlapping spans counted once)."""
    leave = np.zeros(window.weeks, dtype=np.int64)
    merged: list[list[int]] = []
    last_day = window.weeks * 7
    for first, last in sorted(spans):
        a = max((first - window.start).days, 0)
        b = min((last - window.start).days + 1, last_day)
        if a >= b:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    for a, b in merged:
        for week in range(a // 7, (b - 1) // 7 + 1):
            lo, hi = max(a, 7 * week), min(b, 7 * week + 7)
            leave[week] += days_wm[hi] - days_wm[lo]
    return leave


# ---------------------------------------------------------------- the heatmap


def workload_of(
    organization_ids: Sequence[int],
    *,
    start: dt.date,
    weeks: int = DEFAULT_WEEKS,
    group: str = "person",
    project: Project | None = None,
    role: str = "",
    people_slice: slice | None = None,
) -> Workload:
    """The pool's workload over ``weeks`` weeks from the Monday ``start``, per person or per role.

    ``organization_ids`` are pools the caller checked the reader may view (``can_view_pool``). With
    ``project``, the rows are the resources assigned in it; their work counts every assignment (the
    load of a person is the sum of their projects). ``people_slice`` computes only those people (in
    name order; a page of the heatmap), per person only. Minutes only: no rate or cost is read.

    Queries: resources, leave, assignments, calendars, calendar exceptions — five, whatever the size.
    """
    window = _Window(monday_of(start), weeks)
    resources = Resource.objects.filter(
        organization_id__in=list(organization_ids), kind__in=list(WORK_KINDS), active=True
    )
    if role:
        resources = resources.filter(role=role)
    if project is not None:
        resources = resources.filter(pk__in=Assignment.objects.filter(project=project).values("resource_id"))
    ordered = resources.order_by("name", "id")
    sliced = people_slice is not None and group == "person"
    if people_slice is not None and sliced:
        ordered = ordered[people_slice]
    people = list(
        ordered.values_list("pk", "name", "role", "max_units", "calendar_base", "organization_id", "kind")
    )
    result = Workload(
        start=window.start, weeks=[window.start + dt.timedelta(weeks=w) for w in range(weeks)], group=group
    )
    # A slice counts all the people once more (one query) so a page knows how many pages there are.
    result.total = resources.count() if sliced else len(people)
    if not people:
        return result
    index = {pk: i for i, (pk, *_rest) in enumerate(people)}
    ids = [pk for pk, *_rest in people]
    leave: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for resource_id, first, last in ResourceException.objects.filter(
        resource_id__in=ids, end__gte=window.start, start__lt=window.end
    ).values_list("resource_id", "start", "end"):
        leave[resource_id].append((first, last))
    rows: list[_AssignmentRow] = list(
        Assignment.objects.filter(_overlapping(window), resource_id__in=ids).values_list(*_ASSIGNMENT_FIELDS)
    )
    calendars = _Calendars(window.years(_years_of(rows)))

    # Capacity: one measure of the window per base calendar, then per resource its units and leave.
    capacity = np.zeros((len(people), weeks), dtype=np.float64)
    day_bounds = window.day_bounds()
    for i, (pk, _name, _role, max_units, base, _org, _kind) in enumerate(people):
        key = calendars.base(base or CalendarBase.STANDARD)
        days_wm = calendars.bounds(key, day_bounds)
        week_wm = days_wm[::7]
        available = np.diff(week_wm) - _leave_minutes(leave.get(pk, []), window, days_wm)
        capacity[i] = available * (max_units / 100)

    work = np.zeros((len(people), weeks), dtype=np.float64)
    if rows:
        shares = _split(rows, window, calendars)
        np.add.at(work, np.fromiter((index[row[0]] for row in rows), dtype=np.intp, count=len(rows)), shares)

    if group == "role":
        by_role: dict[str, list[int]] = defaultdict(list)
        for i, person in enumerate(people):
            by_role[person[2]].append(i)
        for name in sorted(by_role, key=lambda r: (r == "", r.casefold())):
            members = by_role[name]
            result.rows.append(
                WorkloadRow(
                    name=name or _("No role"),
                    role=name,
                    capacity_minutes=_ints(capacity[members].sum(axis=0)),
                    work_minutes=_ints(work[members].sum(axis=0)),
                )
            )
        result.total = len(result.rows)
        return result
    for i, (pk, name, role_name, _units, _base, organization_id, kind) in enumerate(people):
        result.rows.append(
            WorkloadRow(
                name=name,
                role=role_name,
                capacity_minutes=_ints(capacity[i]),
                work_minutes=_ints(work[i]),
                resource_id=pk,
                organization_id=organization_id,
                kind=kind,
            )
        )
    return result


def _ints(values: np.ndarray[Any, np.dtype[np.float64]]) -> list[int]:
    return [round(float(v)) for v in values]


# ---------------------------------------------------------------- drill-down


@dataclass(frozen=True)
class WeekTask:
    """A task a resource works on in one week, as the reader may see it."""

    project_code: str
    task_id: int
    task_name: str
    work_minutes: int


def week_tasks(user: Any, resource: Resource, week: dt.date) -> list[WeekTask]:
    """The tasks the reader may see that give ``resource`` work in the week of ``week``, by project.

    Scoped by ``Assignment.objects.visible_to``: a client reads only shared tasks of their projects,
    a team member the tasks of the projects they are on. Minutes only, no cost.
    """
    window = _Window(monday_of(week), 1)
    found = list(
        Assignment.objects.visible_to(user)
        .filter(_overlapping(window), resource=resource)
        .order_by("task__project__code", "task__outline_key", "task_id")
        .values_list(*_ASSIGNMENT_FIELDS, "task__name", "task__project__code")
    )
    rows: list[_AssignmentRow] = [row[:9] for row in found]
    calendars = _Calendars(window.years(_years_of(rows)))
    shares = _split(rows, window, calendars)
    out = []
    for row, share in zip(found, shares, strict=True):
        minutes = round(float(share[0]))
        if minutes > 0:
            out.append(WeekTask(project_code=row[10], task_id=row[1], task_name=row[9], work_minutes=minutes))
    return out
