"""The critical path method with MS Project's date conventions.

Method: one topological sort (Kahn's algorithm, input order breaks ties, so results reproduce),
then a forward pass (early dates), a backward pass (late dates) and the floats — Kelley & Walker's
CPM (1959) generalised to the four link types, lags and per-activity calendars.

Dates follow MS Project: a start sits at the start of a working period (08:00), a finish at the end
of one (17:00 rather than 08:00 the next morning), a finish driven by a finish-type link keeps the
date the link gave, a milestone may sit at the end of a period, lags run on the successor's calendar
(its ``lag_calendar_id`` when it has one), and every late finish is capped at the project finish.

Time is integer minutes. When every activity uses one calendar and no elapsed units occur (the
usual plan), the passes run on *keys*: ``2 * worked-minutes + 1`` for "just before work resumes"
and ``2 * worked-minutes`` for "just after work stopped", so calendar arithmetic is integer
addition; dates are converted back in bulk with numpy at the end. Otherwise the passes run on wall
minutes with binary searches in the compiled calendars.

Plans on keys without imposed dates (no constraint dates, deadlines, progress, manual tasks or
elapsed lags) take the vectorised path of :mod:`tandem_engine.fast`, which computes the same
numbers level by level with numpy; :func:`fast_path_refusal` says why a plan does not.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import gc
import heapq
import numbers
from collections import Counter, deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, Protocol

import numpy as np
from numpy.typing import NDArray

from .calendar import CompiledCalendar, compile_calendar, from_minutes, to_minutes
from .errors import ConstraintConflict, ConstraintConflictError, NetworkCycleError, NetworkError
from .fast import FastPlan, FastState, compile_plan, keys_to_minutes
from .model import Activity, ActivityId, ConstraintType, LagUnit, LinkType, Network

__all__ = [
    "ActivitySchedule",
    "ScheduleColumns",
    "ScheduleResult",
    "extends",
    "fast_path_refusal",
    "no_cyclic_gc",
    "schedule",
]

# Link codes: bit 0 set = the predecessor's start drives (SS, SF); value <= 1 = the successor's start
# is driven (FS, SS).
_FS, _SS, _FF, _SF = 0, 1, 2, 3
_LINK_CODES = {LinkType.FS: _FS, LinkType.SS: _SS, LinkType.FF: _FF, LinkType.SF: _SF}
_WORK, _ELAPSED, _PERCENT = 0, 1, 2
_LAG_CODES = {LagUnit.WORKING: _WORK, LagUnit.ELAPSED: _ELAPSED, LagUnit.PERCENT: _PERCENT}
_C = ConstraintType


class _Ops(Protocol):
    def add(self, t: int, minutes: int) -> int: ...
    def next_start(self, t: int) -> int: ...
    def previous_finish(self, t: int) -> int: ...
    def between(self, a: int, b: int) -> int: ...


class _KeyOps:
    """Calendar arithmetic on keys (see the module docstring): pure integer operations."""

    __slots__ = ()

    @staticmethod
    def add(t: int, minutes: int) -> int:
        if minutes > 0:
            return ((t >> 1) + minutes) << 1
        if minutes < 0:
            return (((t >> 1) + minutes) << 1) | 1
        return t

    @staticmethod
    def next_start(t: int) -> int:
        return t | 1

    @staticmethod
    def previous_finish(t: int) -> int:
        return t & ~1

    @staticmethod
    def between(a: int, b: int) -> int:
        return (b >> 1) - (a >> 1)


@dataclass(frozen=True, slots=True)
class ActivitySchedule:
    """The computed dates of one activity; floats in working minutes of its calendar."""

    id: ActivityId
    start: datetime
    finish: datetime
    early_start: datetime
    early_finish: datetime
    late_start: datetime
    late_finish: datetime
    total_float: int
    free_float: int
    critical: bool


class ScheduleColumns(NamedTuple):
    """Every activity's results as aligned lists (one entry per activity, in ``ids`` order).

    For callers that read the whole schedule: no :class:`ActivitySchedule` is built per activity,
    and equal dates are the same ``datetime`` object.
    """

    ids: list[ActivityId]
    start: list[datetime]
    finish: list[datetime]
    early_start: list[datetime]
    early_finish: list[datetime]
    late_start: list[datetime]
    late_finish: list[datetime]
    total_float: list[int]
    free_float: list[int]
    critical: list[bool]


class ScheduleMinutes(NamedTuple):
    """:class:`ScheduleColumns` with every date as minutes since the engine's epoch (``to_minutes``)."""

    ids: list[ActivityId]
    start: list[int]
    finish: list[int]
    early_start: list[int]
    early_finish: list[int]
    late_start: list[int]
    late_finish: list[int]
    total_float: list[int]
    free_float: list[int]
    critical: list[bool]


class _Core(Protocol):
    """What a :class:`ScheduleResult` reads from a schedule, whichever path computed it."""

    @property
    def ids(self) -> Sequence[ActivityId]: ...
    @property
    def index(self) -> Mapping[ActivityId, int]: ...
    @property
    def conflicts(self) -> tuple[ConstraintConflict, ...]: ...
    @property
    def minutes(self) -> Mapping[str, Sequence[int] | NDArray[np.int64]]: ...
    @property
    def project_start(self) -> int: ...
    @property
    def project_finish(self) -> int: ...

    def floats(self) -> tuple[Sequence[int], Sequence[int], Sequence[bool]]:
        """Total float, free float (as shown) and the critical flag of every activity, by input index."""

    def critical_path(self) -> tuple[ActivityId, ...]: ...
    def order(self) -> tuple[ActivityId, ...]: ...
    def reschedule(self, durations: Mapping[int, int]) -> _Core: ...
    def source(self) -> tuple[Network, datetime | None]:
        """The network and status date this schedule was computed for."""

    def extend(self, network: Network) -> _Core | None:
        """The schedule of ``network``, an extension of this one's (see ``extends``), computed from this
        one; None when this path cannot (the caller schedules from scratch)."""


_DATE_NAMES = ("start", "finish", "early_start", "early_finish", "late_start", "late_finish")


class ScheduleResult(Mapping[ActivityId, ActivitySchedule]):
    """The schedule: a read-only mapping from activity id to :class:`ActivitySchedule`.

    Dates are built on access, so a 100,000-activity result costs little until it is read.
    :meth:`with_durations` reschedules after duration changes by propagating only what changed.
    """

    def __init__(self, core: _Core) -> None:
        self._core = core
        self._rows: _Rows | None = None
        self.critical_path: tuple[ActivityId, ...] = core.critical_path()
        """One driving chain of activities from the start to the activity that finishes last."""
        self.conflicts: tuple[ConstraintConflict, ...] = core.conflicts
        """Constraints that the links make impossible (the activity is held at its constraint)."""
        self.project_start: datetime = from_minutes(core.project_start)
        self.project_finish: datetime = from_minutes(core.project_finish)

    @property
    def order(self) -> tuple[ActivityId, ...]:
        """The topological order of the activities (Kahn's algorithm, input order breaks ties)."""
        return self._core.order()

    def __getitem__(self, activity_id: ActivityId) -> ActivitySchedule:
        rows = self._rows
        if rows is None:
            rows = self._rows = _Rows(self._core)
        return rows.row(activity_id)

    def __iter__(self) -> Iterator[ActivityId]:
        return iter(self._core.ids)

    def __len__(self) -> int:
        return len(self._core.ids)

    def columns(self) -> ScheduleColumns:
        """The whole schedule as aligned lists, cheaper than reading every activity one by one.

        >>> from datetime import datetime
        >>> from tandem_engine import Activity, Calendar, Link, Network, schedule
        >>> net = Network((Activity("a", duration=480), Activity("b", duration=480)), (Link("a", "b"),),
        ...               {"std": Calendar.standard("std")}, "std", datetime(2026, 11, 23, 8))
        >>> columns = schedule(net).columns()
        >>> columns.ids, columns.start[1], columns.critical
        (['a', 'b'], datetime.datetime(2026, 11, 24, 8, 0), [True, True])
        """
        minutes = self.minute_columns()
        dates = self._rows.dates if self._rows is not None else _Dates()
        start, finish, early_start, early_finish, late_start, late_finish = (
            list(map(dates.__getitem__, column)) for column in minutes[1:7]
        )
        return ScheduleColumns(
            minutes.ids,
            start,
            finish,
            early_start,
            early_finish,
            late_start,
            late_finish,
            minutes.total_float,
            minutes.free_float,
            minutes.critical,
        )

    def minute_columns(self) -> ScheduleMinutes:
        """The whole schedule as aligned lists of integers: dates as :func:`to_minutes` values.

        For callers that convert every date into a form of their own (a database's, say): equal
        minutes convert once, and no ``datetime`` is built for them here.

        >>> from datetime import datetime
        >>> from tandem_engine import Activity, Calendar, Link, Network, from_minutes, schedule
        >>> net = Network((Activity("a", duration=480), Activity("b", duration=480)), (Link("a", "b"),),
        ...               {"std": Calendar.standard("std")}, "std", datetime(2026, 11, 23, 8))
        >>> minutes = schedule(net).minute_columns()
        >>> from_minutes(minutes.start[1]), minutes.total_float
        (datetime.datetime(2026, 11, 24, 8, 0), [0, 0])
        """
        rows = self._rows
        if rows is None:
            rows = self._rows = _Rows(self._core)
        s, f, es, ef, ls, lf = (list(column) for column in rows.columns)
        total, free, critical = list(rows.total), list(rows.free), list(rows.critical)
        return ScheduleMinutes(list(self._core.ids), s, f, es, ef, ls, lf, total, free, critical)

    def total_float(self, activity_id: ActivityId) -> int:
        """Total float of one activity in working minutes, without building its dates."""
        rows = self._rows
        if rows is None:
            rows = self._rows = _Rows(self._core)
        return rows.total[rows.index[activity_id]]

    def with_durations(self, durations: Mapping[ActivityId, int], *, strict: bool = False) -> ScheduleResult:
        """Reschedule after changing some activities' durations (working minutes); ``self`` is unchanged.

        Gives the same result as scheduling the edited network from scratch, faster: on the generic
        path only the activities whose dates move are recomputed (forward from the changed ones,
        backward to their predecessors), in topological order; on the vectorised path only the
        levels that can move (see ``docs/engine.md``).

        Raises ``KeyError`` for an unknown id and :class:`NetworkError` for a negative duration or
        one that is not a whole number of minutes.

        >>> from datetime import datetime
        >>> from tandem_engine import Activity, Calendar, Link, Network, schedule
        >>> net = Network((Activity("a", duration=480), Activity("b", duration=480)), (Link("a", "b"),),
        ...               {"std": Calendar.standard("std")}, "std", datetime(2026, 11, 23, 8))
        >>> schedule(net).with_durations({"a": 960})["b"].start
        datetime.datetime(2026, 11, 25, 8, 0)
        """
        index = self._core.index
        changes = {index[k]: v for k, v in durations.items()}
        ids = self._core.ids
        for i, minutes in changes.items():
            if isinstance(minutes, bool) or not isinstance(minutes, numbers.Integral):
                raise NetworkError(
                    f"activity {ids[i]!r}: a duration is a whole number of minutes, not {minutes!r}"
                )
            if minutes < 0:
                raise NetworkError(f"activity {ids[i]!r} has a negative duration")
        changes = {i: int(minutes) for i, minutes in changes.items()}
        with no_cyclic_gc():
            core = self._core.reschedule(changes)
            if strict and core.conflicts:
                raise ConstraintConflictError(core.conflicts)
            return ScheduleResult(core)

    def with_additions(self, network: Network, *, strict: bool = False) -> ScheduleResult:
        """Schedule ``network``, this result's network with activities and links added at the end.

        Gives the same result as ``schedule(network)`` (with this result's status date), faster when
        ``network`` keeps this result's activities and links, in order, as its first ones, with the
        same calendars and start (see :func:`extends`): on the vectorised path the added links only
        push their successors later and pull their predecessors earlier, so only what they reach is
        recomputed (see ``docs/engine.md``). Any other network, or one the vectorised path does not
        take, is scheduled from scratch. Raises what :func:`schedule` raises.

        >>> from datetime import datetime
        >>> from tandem_engine import Activity, Calendar, Link, Network, schedule
        >>> net = Network((Activity("a", duration=480),), (), {"std": Calendar.standard("std")}, "std",
        ...               datetime(2026, 11, 23, 8))
        >>> more = Network((*net.activities, Activity("b", duration=480)), (Link("a", "b"),),
        ...                net.calendars, "std", net.start)
        >>> schedule(net).with_additions(more)["b"].start
        datetime.datetime(2026, 11, 24, 8, 0)
        """
        with no_cyclic_gc():
            core = self._core.extend(network)
            if core is None:
                return schedule(network, status_date=self._core.source()[1], strict=strict)
            if strict and core.conflicts:
                raise ConstraintConflictError(core.conflicts)
            return ScheduleResult(core)


def extends(before: Network, after: Network) -> bool:
    """Whether ``after`` is ``before`` with activities and links appended (same calendars and start)."""
    n, e = len(before.activities), len(before.links)
    return (
        after.start == before.start
        and after.calendar_id == before.calendar_id
        and (after.calendars is before.calendars or after.calendars == before.calendars)
        and len(after.activities) >= n
        and len(after.links) >= e
        and after.activities[:n] == before.activities
        and after.links[:e] == before.links
    )


class _Dates(dict[int, datetime]):
    """Minutes to datetimes, each built once: activities share many dates."""

    def __missing__(self, minute: int) -> datetime:
        value = self[minute] = from_minutes(minute)
        return value


class _Rows:
    """A result's values as plain lists, made on the first read of an activity."""

    def __init__(self, core: _Core) -> None:
        self.index = core.index
        minutes = core.minutes
        self.columns = [
            m.tolist() if isinstance(m, np.ndarray) else m for m in (minutes[name] for name in _DATE_NAMES)
        ]
        total, free, critical = core.floats()
        self.total = total.tolist() if isinstance(total, np.ndarray) else total
        self.free = free.tolist() if isinstance(free, np.ndarray) else free
        self.critical = critical.tolist() if isinstance(critical, np.ndarray) else critical
        self.dates = _Dates()

    def row(self, activity_id: ActivityId) -> ActivitySchedule:
        i = self.index[activity_id]
        dates = self.dates
        start, finish, early_start, early_finish, late_start, late_finish = self.columns
        return ActivitySchedule(
            id=activity_id,
            start=dates[start[i]],
            finish=dates[finish[i]],
            early_start=dates[early_start[i]],
            early_finish=dates[early_finish[i]],
            late_start=dates[late_start[i]],
            late_finish=dates[late_finish[i]],
            total_float=self.total[i],
            free_float=self.free[i],
            critical=self.critical[i],
        )


def schedule(
    network: Network, *, status_date: datetime | None = None, strict: bool = False
) -> ScheduleResult:
    """Schedule ``network`` with the critical path method, as MS Project would.

    Takes the activities, links, calendars, project start and project calendar in ``network``.
    ``status_date`` (the data date), when given, keeps work that has not started from being
    scheduled before it; it is an argument, never read from a clock, so results reproduce.

    Returns a :class:`ScheduleResult`: per activity the scheduled, early and late dates, total and
    free float (working minutes) and the critical flag; the critical path; the project finish; and
    the constraints that could not be met (``conflicts``).

    Raises :class:`NetworkCycleError` (carrying the cycle) when the links form a cycle,
    :class:`NetworkError` for unknown ids or calendars, and :class:`ConstraintConflictError` for an
    impossible constraint when ``strict`` is true.

    >>> from datetime import datetime
    >>> from tandem_engine import Activity, Calendar, Link, Network, schedule
    >>> net = Network(
    ...     activities=(Activity("a", duration=480), Activity("b", duration=960)),
    ...     links=(Link("a", "b"),),
    ...     calendars={"std": Calendar.standard("std")},
    ...     calendar_id="std",
    ...     start=datetime(2026, 11, 23, 8, 0),
    ... )
    >>> result = schedule(net)
    >>> result["b"].start, result.project_finish
    (datetime.datetime(2026, 11, 24, 8, 0), datetime.datetime(2026, 11, 25, 17, 0))

    Method: Kahn's topological sort, then CPM forward and backward passes (see the module
    docstring). A plan on one calendar without imposed dates takes the vectorised path of
    :mod:`tandem_engine.fast`, which gives the same result; :func:`fast_path_refusal` says why a
    plan does not.
    """
    with no_cyclic_gc():
        plan = compile_plan(network, status_date)
        if isinstance(plan, FastPlan):
            return ScheduleResult(_FastCore(plan.schedule(plan.durations), network))
        return _schedule_generic(network, status_date=status_date, strict=strict)


def fast_path_refusal(network: Network, *, status_date: datetime | None = None) -> str | None:
    """Why ``network`` takes the generic path (a short phrase), or None when it takes the vectorised one."""
    plan = compile_plan(network, status_date)
    return None if isinstance(plan, FastPlan) else plan


def _schedule_generic(
    network: Network, *, status_date: datetime | None = None, strict: bool = False
) -> ScheduleResult:
    """Schedule ``network`` on the generic path (per-activity calendar operations)."""
    with no_cyclic_gc():
        state = _State(_Scheduler(network, status_date))
        state.full()
        core = _GenericCore(state)
        if strict and core.conflicts:
            raise ConstraintConflictError(core.conflicts)
        return ScheduleResult(core)


class _GenericCore:
    """A :class:`_State` seen as a :class:`_Core`."""

    def __init__(self, state: _State) -> None:
        self.state = state
        sched = state.scheduler
        self.ids = sched.ids
        self.index = sched.index
        n = sched.n
        flat = sched._to_minutes_bulk(
            [*state.start, *state.finish, *state.es, *state.ef, *state.ls, *state.lf]
        )
        self.minutes = {name: flat[k * n : (k + 1) * n] for k, name in enumerate(_DATE_NAMES)}
        self.conflicts = tuple(state.conflicts[i] for i in sorted(state.conflicts))
        self.project_start, self.project_finish = sched._to_minutes_bulk(
            [state.project_start, state.project_finish]
        )

    def floats(self) -> tuple[Sequence[int], Sequence[int], Sequence[bool]]:
        state = self.state
        return state.total, [state.free_float(i) for i in range(len(self.ids))], state.critical

    def critical_path(self) -> tuple[ActivityId, ...]:
        return self.state.critical_path()

    def order(self) -> tuple[ActivityId, ...]:
        return self.state.order_ids

    def reschedule(self, durations: Mapping[int, int]) -> _GenericCore:
        state = self.state.copy()
        state.change_durations(durations)
        return _GenericCore(state)

    def source(self) -> tuple[Network, datetime | None]:
        sched = self.state.scheduler
        return dataclasses.replace(sched.network, activities=tuple(self.state.acts)), sched.status_date

    def extend(self, network: Network) -> None:
        return None  # the generic path schedules an extended network from scratch


class _FastCore:
    """A :class:`FastState` seen as a :class:`_Core`: arrays converted to minutes in one pass."""

    conflicts: tuple[ConstraintConflict, ...] = ()

    def __init__(self, state: FastState, network: Network) -> None:
        self.state = state
        #: The network this schedule is of (the compiled plan's, with the durations ``state`` has).
        self.network = network
        plan = state.plan
        self.ids = plan.ids
        keys = state.by_input()
        rank = plan.rank
        ends = np.array([plan.project_start, state.project_finish], dtype=np.int64)
        # Without ALAP activities the scheduled dates are the early ones: convert those once.
        names = _DATE_NAMES if plan.alap.any() else _DATE_NAMES[2:]
        *converted, ends = keys_to_minutes(plan.calendar, [*(keys[name] for name in names), ends])
        minutes = dict(zip(names, converted, strict=True))
        if len(names) < len(_DATE_NAMES):
            minutes["start"], minutes["finish"] = minutes["early_start"], minutes["early_finish"]
        self.minutes = minutes
        self.project_start, self.project_finish = (int(v) for v in ends)
        self._rank = rank

    @property
    def index(self) -> Mapping[ActivityId, int]:
        return self.state.plan.index

    def floats(self) -> tuple[Sequence[int], Sequence[int], Sequence[bool]]:
        state, rank = self.state, self._rank
        return state.total[rank].tolist(), state.free[rank].tolist(), state.critical[rank].tolist()

    def critical_path(self) -> tuple[ActivityId, ...]:
        return self.state.critical_path()

    def order(self) -> tuple[ActivityId, ...]:
        return self.state.plan.order()

    def reschedule(self, durations: Mapping[int, int]) -> _FastCore:
        return _FastCore(self.state.reschedule(durations), _with_durations(self.network, durations))

    def source(self) -> tuple[Network, datetime | None]:
        return self.network, self.state.plan.status_date

    def extend(self, network: Network) -> _FastCore | None:
        if network is self.network:
            return self
        if not extends(self.network, network):
            return None
        plan = compile_plan(network, self.state.plan.status_date)
        if not isinstance(plan, FastPlan):
            return None
        return _FastCore(self.state.extended(plan), network)


def _with_durations(network: Network, durations: Mapping[int, int]) -> Network:
    """``network`` with the durations of some activities (input index -> minutes) changed."""
    activities = list(network.activities)
    for i, minutes in durations.items():
        activities[i] = dataclasses.replace(activities[i], duration=minutes)
    return dataclasses.replace(network, activities=tuple(activities))


@contextlib.contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while scheduling.

    A schedule allocates hundreds of thousands of small lists and tuples that form no reference
    cycles; the collector's repeated scans of them cost a sizeable share of the run for nothing.
    Reference counting still frees memory as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Scheduler:
    def __init__(self, network: Network, status_date: datetime | None) -> None:
        acts = network.activities
        n = len(acts)
        self.network = network
        self.acts = acts
        self.ids: list[ActivityId] = [a.id for a in acts]
        index: dict[ActivityId, int] = {activity_id: i for i, activity_id in enumerate(self.ids)}
        if len(index) != n:
            duplicate = next(x for x, count in Counter(self.ids).items() if count > 1)
            raise NetworkError(f"duplicate activity id {duplicate!r}")
        negative = next((a.id for a in acts if a.duration < 0), None)
        if negative is not None:
            raise NetworkError(f"activity {negative!r} has a negative duration")
        self.index = index
        if network.calendar_id not in network.calendars:
            raise NetworkError(f"unknown project calendar {network.calendar_id!r}")
        compiled: dict[object, CompiledCalendar] = {}
        cal_of: list[CompiledCalendar] = []
        for a in acts:
            cid = network.calendar_id if a.calendar_id is None else a.calendar_id
            cal = compiled.get(cid)
            if cal is None:
                if cid not in network.calendars:
                    raise NetworkError(f"activity {a.id!r} uses unknown calendar {cid!r}")
                cal = compiled[cid] = compile_calendar(network.calendars[cid])
            cal_of.append(cal)
        lag_cal_of = cal_of
        if any(a.lag_calendar_id is not None for a in acts):
            lag_cal_of = list(cal_of)
            for k, a in enumerate(acts):
                lid = a.lag_calendar_id
                if lid is None:
                    continue
                cal = compiled.get(lid)
                if cal is None:
                    if lid not in network.calendars:
                        raise NetworkError(f"activity {a.id!r} counts its lags on unknown calendar {lid!r}")
                    cal = compiled[lid] = compile_calendar(network.calendars[lid])
                lag_cal_of[k] = cal
        self.project_cal = compile_calendar(network.calendars[network.calendar_id])
        self.cal_of = cal_of
        # The calendar each activity's incoming lags are counted on (its own unless it says otherwise).
        self.lag_cal_of = lag_cal_of
        preds: list[list[tuple[int, int, int, float]]] = [[] for _ in range(n)]
        succs: list[list[tuple[int, int, int, float]]] = [[] for _ in range(n)]
        any_elapsed = any(a.elapsed or a.leveling_delay for a in acts)
        link_codes = _LINK_CODES
        lag_codes = _LAG_CODES
        for link in network.links:
            try:
                p = index[link.predecessor]
                s = index[link.successor]
            except KeyError as exc:
                raise NetworkError(
                    f"link {link.predecessor!r}->{link.successor!r}: unknown activity {exc.args[0]!r}"
                ) from None
            lag = link.lag
            unit = lag_codes[link.lag_unit] if lag else _WORK
            if unit == _ELAPSED:
                any_elapsed = True
            code = link_codes[link.type]
            preds[s].append((p, code, unit, lag))
            succs[p].append((s, code, unit, lag))
        self.preds = preds
        self.succs = succs
        distinct = {id(c) for c in cal_of} | {id(c) for c in lag_cal_of} | {id(self.project_cal)}
        self.key_mode = not any_elapsed and len(distinct) == 1
        self.n = n
        self.status_date = status_date

    # -- time domain ------------------------------------------------------------------------------

    def _to_time(self, value: datetime) -> int:
        minute = to_minutes(value)
        return self.project_cal.key(minute) if self.key_mode else minute

    def _to_minutes_bulk(self, values: list[int]) -> list[int]:
        if not self.key_mode or not values:
            return values
        result: list[int] = self.project_cal.minutes_of_keys(np.asarray(values, dtype=np.int64)).tolist()
        return result

    def _ops(self, i: int) -> _Ops:
        return _KEY_OPS if self.key_mode else self.cal_of[i]

    # -- passes -----------------------------------------------------------------------------------

    def topological_order(self) -> list[int]:
        n = self.n
        indegree = [len(p) for p in self.preds]
        queue = deque(i for i in range(n) if indegree[i] == 0)
        order: list[int] = []
        succs = self.succs
        while queue:
            i = queue.popleft()
            order.append(i)
            for s, _, _, _ in succs[i]:
                indegree[s] -= 1
                if indegree[s] == 0:
                    queue.append(s)
        if len(order) < n:
            raise NetworkCycleError(self._find_cycle(indegree))
        return order

    def _find_cycle(self, indegree: list[int]) -> list[ActivityId]:
        # Every node left with a positive in-degree lies on or after a cycle; walk predecessors
        # inside that set until a node repeats.
        remaining = {i for i in range(self.n) if indegree[i] > 0}
        node = min(remaining)
        seen: dict[int, int] = {}
        path: list[int] = []
        while node not in seen:
            seen[node] = len(path)
            path.append(node)
            node = next(p for p, _, _, _ in self.preds[node] if p in remaining)
        cycle = path[seen[node] :]
        cycle.reverse()  # predecessors were followed, so reverse to read along the links
        return [self.ids[i] for i in (*cycle, cycle[0])]

    def _lag(self, ops: _Ops, t: int, unit: int, lag: float, pred: int, acts: Sequence[Activity]) -> int:
        if unit == _WORK:
            return ops.add(t, round(lag))
        if unit == _PERCENT:
            return ops.add(t, round(acts[pred].duration * lag / 100.0))
        return t + round(lag)

    @staticmethod
    def _add_duration(a: Activity, ops: _Ops, t: int, minutes: int) -> int:
        return t + minutes if a.elapsed else ops.add(t, minutes)

    def _snap_start(self, a: Activity, ops: _Ops, t: int) -> int:
        nxt = ops.next_start(t)
        if nxt != t and a.duration == 0 and ops.previous_finish(t) == t:
            return t  # a milestone may sit at the end of a working period
        return nxt

    def _apply_constraint(
        self,
        a: Activity,
        ops: _Ops,
        start: int,
        forced_finish: int | None,
        date: int,
        conflicts: dict[int, ConstraintConflict],
        required: dict[int, int],
    ) -> tuple[int, int | None]:
        d = a.duration
        kind = a.constraint
        if kind is _C.SNET:
            if start < date:
                return self._snap_start(a, ops, date), None
        elif kind is _C.FNET:
            earliest = self._add_duration(a, ops, date, -d)
            if start < earliest:
                return earliest, None
        elif kind is _C.SNLT or kind is _C.MSO:
            target = self._snap_start(a, ops, date)
            if start > target:
                self._conflict(a, start, conflicts, required)
                return target, None
            if kind is _C.MSO:
                return target, None
        elif kind is _C.FNLT or kind is _C.MFO:
            latest = self._add_duration(a, ops, date, -d) if d else date
            if start > latest:
                self._conflict(a, start, conflicts, required)
                return latest, date
            if kind is _C.MFO:
                return latest, date
        return start, forced_finish

    def _conflict(
        self, a: Activity, start: int, conflicts: dict[int, ConstraintConflict], required: dict[int, int]
    ) -> None:
        assert a.constraint_date is not None
        required[self.index[a.id]] = start
        conflicts[self.index[a.id]] = ConstraintConflict(
            activity_id=a.id,
            constraint=a.constraint,
            constraint_date=a.constraint_date,
            required_date=from_minutes(self._to_minutes_bulk([start])[0]),
        )


class _State:
    """The arrays of one schedule, in the scheduler's time domain, and the steps that fill them."""

    def __init__(self, scheduler: _Scheduler) -> None:
        self.scheduler = scheduler
        self.acts: list[Activity] = list(scheduler.acts)
        self.order = scheduler.topological_order()
        position = [0] * scheduler.n
        for k, i in enumerate(self.order):
            position[i] = k
        self.position = position
        self.order_ids: tuple[ActivityId, ...] = tuple(scheduler.ids[i] for i in self.order)
        self.project_start = scheduler._to_time(scheduler.network.start)
        self.floor = self.project_start
        if scheduler.status_date is not None:
            self.floor = max(self.floor, scheduler._to_time(scheduler.status_date))
        n = scheduler.n
        self.es = [0] * n
        self.ef = [0] * n
        self.ls = [0] * n
        self.lf = [0] * n
        self.calc_ls = [0] * n
        self.driver = [-1] * n
        self.total = [0] * n
        self.free = [0] * n
        self.critical = [False] * n
        self.start: list[int] = []
        self.finish: list[int] = []
        self.conflicts: dict[int, ConstraintConflict] = {}
        # Where the links alone would start an activity held by an impossible constraint.
        self.required: dict[int, int] = {}
        self.project_finish = self.project_start
        self.hard_dates = any(
            a.constraint_date is not None or a.deadline is not None or a.actual_start is not None or a.manual
            for a in self.acts
        )

    def copy(self) -> _State:
        other = copy.copy(self)
        for name in ("acts", "es", "ef", "ls", "lf", "calc_ls", "driver", "total", "free", "critical"):
            setattr(other, name, list(getattr(self, name)))
        other.conflicts = dict(self.conflicts)
        other.required = dict(self.required)
        return other

    # -- whole passes -----------------------------------------------------------------------------

    def full(self) -> None:
        forward = self.forward_one
        for i in self.order:
            forward(i)
        self.project_finish = max(self.ef) if self.ef else self.project_start
        backward = self.backward_one
        for i in reversed(self.order):
            backward(i)
        total = self.total_one
        free = self.free_one
        for i in range(self.scheduler.n):
            total(i)
        for i in range(self.scheduler.n):
            free(i)
        self.finish_up()

    def finish_up(self) -> None:
        acts = self.acts
        self.critical = [t <= 0 and a.actual_finish is None for t, a in zip(self.total, acts, strict=True)]
        start = list(self.es)
        finish = list(self.ef)
        for i, a in enumerate(acts):
            if a.constraint is _C.ALAP and a.actual_start is None and not a.manual:
                start[i], finish[i] = self.ls[i], self.lf[i]
        self.start, self.finish = start, finish

    def critical_path(self) -> tuple[ActivityId, ...]:
        ids = self.scheduler.ids
        if not ids:
            return ()
        ef = self.ef
        node = max(range(len(ef)), key=lambda j: (ef[j], -j))
        path: list[ActivityId] = []
        while node >= 0:
            path.append(ids[node])
            node = self.driver[node]
        path.reverse()
        return tuple(path)

    # -- incremental ------------------------------------------------------------------------------

    def change_durations(self, durations: Mapping[int, int]) -> None:
        sched = self.scheduler
        for i, minutes in durations.items():
            if minutes < 0:
                raise NetworkError(f"activity {sched.ids[i]!r} has a negative duration")
            self.acts[i] = dataclasses.replace(self.acts[i], duration=minutes)
        position = self.position
        preds, succs = sched.preds, sched.succs
        # Forward: recompute in topological order, following successors only while dates move.
        heap = [(position[i], i) for i in durations]
        heapq.heapify(heap)
        queued = set(durations)
        moved: set[int] = set()
        es, ef, required = self.es, self.ef, self.required
        while heap:
            _, i = heapq.heappop(heap)
            before = (es[i], ef[i], required.get(i))
            self.forward_one(i)
            if (es[i], ef[i], required.get(i)) != before or i in durations:
                moved.add(i)
                for s, _, _, _ in succs[i]:
                    if s not in queued:
                        queued.add(s)
                        heapq.heappush(heap, (position[s], s))
        old_finish = self.project_finish
        self.project_finish = max(ef) if ef else self.project_start
        shift = self.project_finish - old_finish
        if shift and (self.hard_dates or not sched.key_mode):
            for i in reversed(self.order):
                self.backward_one(i)
            for i in range(sched.n):
                self.total_one(i)
                self.free_one(i)
            self.finish_up()
            return
        if shift:
            # On keys every late date moves with the project finish; floats of untouched
            # activities move by the same amount of work.
            self.ls = [t + shift for t in self.ls]
            self.lf = [t + shift for t in self.lf]
            self.calc_ls = [t + shift for t in self.calc_ls]
            work = (self.project_finish >> 1) - (old_finish >> 1)
            self.total = [t + work for t in self.total]
        # Backward: from the changed activities towards their predecessors.
        heap = [(-position[i], i) for i in durations]
        heapq.heapify(heap)
        queued = set(durations)
        late_moved: set[int] = set()
        lf, calc_ls = self.lf, self.calc_ls
        while heap:
            _, i = heapq.heappop(heap)
            late_before = (lf[i], calc_ls[i])
            self.backward_one(i)
            if (lf[i], calc_ls[i]) != late_before or i in durations:
                late_moved.add(i)
                for p, _, _, _ in preds[i]:
                    if p not in queued:
                        queued.add(p)
                        heapq.heappush(heap, (-position[p], p))
        touched = moved | late_moved
        for i in touched:
            self.total_one(i)
        free_touched = set(touched)
        for i in moved:
            free_touched.update(p for p, _, _, _ in preds[i])
        for i in free_touched:
            self.free_one(i)
        self.finish_up()

    # -- one activity -----------------------------------------------------------------------------

    def forward_one(self, i: int) -> None:
        sched = self.scheduler
        acts = self.acts
        a = acts[i]
        ops: _Ops = _KEY_OPS if sched.key_mode else sched.cal_of[i]
        es, ef = self.es, self.ef
        d = a.duration
        to_time = sched._to_time
        self.conflicts.pop(i, None)
        self.required.pop(i, None)
        if a.manual and a.manual_start is not None:
            es[i] = to_time(a.manual_start)
            ef[i] = (
                to_time(a.manual_finish)
                if a.manual_finish is not None
                else sched._add_duration(a, ops, es[i], d)
            )
            return
        if a.actual_start is not None:
            es[i] = to_time(a.actual_start)
            ef[i] = (
                to_time(a.actual_finish)
                if a.actual_finish is not None
                else sched._add_duration(a, ops, es[i], d)
            )
            return
        preds = sched.preds[i]
        s_cand = self.floor if a.constraint is not _C.SNET or not preds else self.project_start
        if (
            not preds
            and a.constraint_date is not None
            and (a.constraint is _C.SNET or a.constraint is _C.FNET)
        ):
            # MS Project starts a task held only by a "no earlier than" date at that date, even
            # before the project start (files it saved show it; MPXJ's MicrosoftScheduler agrees).
            # The status date still holds back work that has not started.
            date = to_time(a.constraint_date)
            earliest = date if a.constraint is _C.SNET else sched._add_duration(a, ops, date, -d)
            if earliest < s_cand:
                s_cand = earliest if sched.status_date is None else max(earliest, to_time(sched.status_date))
        elif preds and self.hard_dates and sched.status_date is None:
            # The project start holds back what follows a task that starts at or after it, but not
            # what follows a task a date put before it (a saved file shows the chain kept there).
            earliest = min(es[p] for p, _, _, _ in preds)
            if earliest < s_cand:
                s_cand = earliest
        f_cand = -(1 << 62)
        s_driver = f_driver = -1
        lag_ops: _Ops = ops if sched.key_mode else sched.lag_cal_of[i]
        for p, code, unit, lag in preds:
            t = es[p] if code & 1 else ef[p]
            if lag:
                t = sched._lag(lag_ops, t, unit, lag, p, acts)
            if code <= _SS:
                if t > s_cand:
                    s_cand, s_driver = t, p
            elif t > f_cand:
                f_cand, f_driver = t, p
        if a.leveling_delay:
            # Elapsed minutes (never key mode): after the links and the project start, before the
            # constraint, as MS Project's leveling moved it.
            s_cand += a.leveling_delay
            if f_driver >= 0:
                f_cand += a.leveling_delay
        start = sched._snap_start(a, ops, s_cand)
        forced_finish: int | None = None
        driver = s_driver
        if f_driver >= 0:
            from_finish = f_cand if d == 0 else sched._add_duration(a, ops, f_cand, -d)
            if from_finish >= start:
                start, forced_finish, driver = from_finish, f_cand, f_driver
        if a.constraint_date is not None and a.constraint is not _C.ASAP and a.constraint is not _C.ALAP:
            start, forced_finish = sched._apply_constraint(
                a, ops, start, forced_finish, to_time(a.constraint_date), self.conflicts, self.required
            )
        self.driver[i] = driver
        es[i] = start
        ef[i] = forced_finish if forced_finish is not None else sched._add_duration(a, ops, start, d)

    def backward_one(self, i: int) -> None:
        sched = self.scheduler
        acts = self.acts
        a = acts[i]
        key_mode = sched.key_mode
        ops: _Ops = _KEY_OPS if key_mode else sched.cal_of[i]
        d = a.duration
        lf, calc_ls = self.lf, self.calc_ls
        if a.actual_finish is not None:
            lf[i] = self.ef[i]
            self.ls[i] = calc_ls[i] = self.es[i]
            return
        project_finish = self.project_finish
        late = project_finish
        for s, code, unit, lag in sched.succs[i]:
            b = acts[s]
            if b.actual_finish is not None:
                continue
            s_ops: _Ops = _KEY_OPS if key_mode else sched.cal_of[s]
            if code == _FS:
                t = calc_ls[s]
            elif code == _SS:
                t = s_ops.next_start(calc_ls[s])
            else:
                t = lf[s]
            if lag:
                t = sched._lag(s_ops if key_mode else sched.lag_cal_of[s], t, unit, -lag, i, acts)
            if code & 1:
                t = sched._add_duration(a, ops, t, d)
            if t < late:
                late = t
        if a.constraint_date is not None and not a.manual:
            kind = a.constraint
            date = sched._to_time(a.constraint_date)
            if kind is _C.MSO:
                late = sched._add_duration(a, ops, date, d)
            elif kind is _C.MFO:
                late = date
            elif kind is _C.SNLT:
                late = min(late, sched._add_duration(a, ops, date, d))
            elif kind is _C.FNLT:
                late = min(late, date)
        if a.deadline is not None:
            late = min(late, sched._to_time(a.deadline))
        if d > 0 and not a.elapsed:
            late = ops.previous_finish(late)
        remaining = d
        if a.actual_start is not None and a.percent_complete:
            remaining = round(d * (1.0 - a.percent_complete / 100.0))
        start = sched._add_duration(a, ops, late, -remaining) if remaining else late
        lf[i] = late
        calc_ls[i] = start
        self.ls[i] = self.es[i] if a.actual_start is not None else start

    def total_one(self, i: int) -> None:
        sched = self.scheduler
        a = self.acts[i]
        es, ef, ls, lf = self.es[i], self.ef[i], self.ls[i], self.lf[i]
        if a.elapsed:
            start_slack, finish_slack = ls - es, lf - ef
        elif sched.key_mode:
            start_slack, finish_slack = (ls >> 1) - (es >> 1), (lf >> 1) - (ef >> 1)
        else:
            cal = sched.cal_of[i]
            start_slack, finish_slack = cal.between(es, ls), cal.between(ef, lf)
        started = a.actual_start is not None
        total = finish_slack if started or finish_slack < start_slack else start_slack
        required = self.required.get(i)
        if required is not None:
            # Held by an impossible constraint: MS Project measures the slack from where the links
            # would start the activity, so it is negative even though early and late dates coincide.
            if a.elapsed:
                behind = ls - required
            elif sched.key_mode:
                behind = (ls >> 1) - (required >> 1)
            else:
                behind = sched.cal_of[i].between(required, ls)
            total = min(total, behind)
        self.total[i] = total

    def free_float(self, i: int) -> int:
        """Free float as MS Project shows it: the gap to the successors, capped by total float, at least 0."""
        total = self.total[i]
        gap = self.free[i]
        value = total if gap > total else gap
        return value if value > 0 else 0

    def free_one(self, i: int) -> None:
        sched = self.scheduler
        acts = self.acts
        a = acts[i]
        if a.actual_finish is not None:
            self.free[i] = 0
            return
        ops: _Ops = _KEY_OPS if sched.key_mode else sched.cal_of[i]
        es, ef = self.es, self.ef
        best: int | None = None
        for s, code, unit, lag in sched.succs[i]:
            if acts[s].actual_finish is not None:
                continue
            mine = es[i] if code & 1 else ef[i]
            theirs = es[s] if code <= _SS else ef[s]
            if lag and unit == _ELAPSED:
                gap = ops.between(mine + round(lag), theirs)
            else:
                gap = ops.between(mine, theirs)
                if lag:
                    gap -= round(lag) if unit == _WORK else round(a.duration * lag / 100.0)
            if best is None or gap < best:
                best = gap
        # The gap to the nearest successor; the output caps it by total float (see ``free_float``).
        self.free[i] = _NO_SUCCESSOR if best is None else best


_KEY_OPS = _KeyOps()
_NO_SUCCESSOR = 1 << 62
