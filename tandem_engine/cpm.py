"""The critical path method with MS Project's date conventions.

Method: one topological sort (Kahn's algorithm, input order breaks ties, so results reproduce),
then a forward pass (early dates), a backward pass (late dates) and the floats — Kelley & Walker's
CPM (1959) generalised to the four link types, lags and per-activity calendars.

Dates follow MS Project: a start sits at the start of a working period (08:00), a finish at the end
of one (17:00 rather than 08:00 the next morning), a finish driven by a finish-type link keeps the
date the link gave, a milestone may sit at the end of a period, lags run on the successor's calendar,
and every late finish is capped at the project finish.

Time is integer minutes. When every activity uses one calendar and no elapsed units occur (the
usual plan), the passes run on *keys*: ``2 * worked-minutes + 1`` for "just before work resumes"
and ``2 * worked-minutes`` for "just after work stopped", so calendar arithmetic is integer
addition; dates are converted back in bulk with numpy at the end. Otherwise the passes run on wall
minutes with binary searches in the compiled calendars.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import numpy as np

from .calendar import CompiledCalendar, compile_calendar, from_minutes, to_minutes
from .errors import ConstraintConflict, ConstraintConflictError, NetworkCycleError, NetworkError
from .model import Activity, ActivityId, ConstraintType, LagUnit, LinkType, Network

__all__ = ["ActivitySchedule", "ScheduleResult", "schedule"]

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


class ScheduleResult(Mapping[ActivityId, ActivitySchedule]):
    """The schedule: a read-only mapping from activity id to :class:`ActivitySchedule`.

    Dates are built on access, so a 100,000-activity result costs little until it is read.
    """

    def __init__(
        self,
        ids: list[ActivityId],
        minutes: dict[str, list[int]],
        total_float: list[int],
        free_float: list[int],
        critical: list[bool],
        critical_path: tuple[ActivityId, ...],
        conflicts: tuple[ConstraintConflict, ...],
        order: tuple[ActivityId, ...],
        project_start: datetime,
        project_finish: datetime,
    ) -> None:
        self._ids = ids
        self._index = {activity_id: i for i, activity_id in enumerate(ids)}
        self._minutes = minutes
        self._total_float = total_float
        self._free_float = free_float
        self._critical = critical
        self.critical_path = critical_path
        self.conflicts = conflicts
        self.order = order
        self.project_start = project_start
        self.project_finish = project_finish

    def __getitem__(self, activity_id: ActivityId) -> ActivitySchedule:
        i = self._index[activity_id]
        m = self._minutes
        return ActivitySchedule(
            id=activity_id,
            start=from_minutes(m["start"][i]),
            finish=from_minutes(m["finish"][i]),
            early_start=from_minutes(m["early_start"][i]),
            early_finish=from_minutes(m["early_finish"][i]),
            late_start=from_minutes(m["late_start"][i]),
            late_finish=from_minutes(m["late_finish"][i]),
            total_float=self._total_float[i],
            free_float=self._free_float[i],
            critical=self._critical[i],
        )

    def __iter__(self) -> Iterator[ActivityId]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def total_float(self, activity_id: ActivityId) -> int:
        """Total float of one activity in working minutes, without building its dates."""
        return self._total_float[self._index[activity_id]]

    def finish_minutes(self, activity_id: ActivityId) -> int:
        """Scheduled finish as minutes since 2000-01-01 (see :func:`tandem_engine.to_minutes`)."""
        return self._minutes["finish"][self._index[activity_id]]


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

    Method: Kahn's topological sort, then CPM forward and backward passes (see the module docstring).
    """
    return _Scheduler(network, status_date).run(strict)


class _Scheduler:
    def __init__(self, network: Network, status_date: datetime | None) -> None:
        acts = network.activities
        n = len(acts)
        self.network = network
        self.acts = acts
        self.ids: list[ActivityId] = [a.id for a in acts]
        index: dict[ActivityId, int] = {}
        for i, a in enumerate(acts):
            if a.id in index:
                raise NetworkError(f"duplicate activity id {a.id!r}")
            if a.duration < 0:
                raise NetworkError(f"activity {a.id!r} has a negative duration")
            index[a.id] = i
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
        self.project_cal = compile_calendar(network.calendars[network.calendar_id])
        self.cal_of = cal_of
        preds: list[list[tuple[int, int, int, float]]] = [[] for _ in range(n)]
        succs: list[list[tuple[int, int, int, float]]] = [[] for _ in range(n)]
        any_elapsed = any(a.elapsed for a in acts)
        for link in network.links:
            p = index.get(link.predecessor)
            s = index.get(link.successor)
            if p is None or s is None:
                missing = link.predecessor if p is None else link.successor
                raise NetworkError(
                    f"link {link.predecessor!r}->{link.successor!r}: unknown activity {missing!r}"
                )
            code = _LINK_CODES[link.type]
            unit = _LAG_CODES[link.lag_unit]
            if unit == _ELAPSED and link.lag:
                any_elapsed = True
            preds[s].append((p, code, unit, link.lag))
            succs[p].append((s, code, unit, link.lag))
        self.preds = preds
        self.succs = succs
        distinct = {id(c) for c in cal_of} | {id(self.project_cal)}
        self.key_mode = not any_elapsed and len(distinct) == 1
        self.n = n
        self.status_date = status_date

    # -- time domain ------------------------------------------------------------------------------

    def _to_time(self, value: datetime) -> int:
        minute = to_minutes(value)
        if not self.key_mode:
            return minute
        cal = self.project_cal
        wm = cal.wm(minute)
        return 2 * wm + 1 if cal.instant_start(wm) == minute or cal.instant_end(wm) != minute else 2 * wm

    def _to_minutes_bulk(self, values: list[int]) -> list[int]:
        if not self.key_mode or not values:
            return values
        cal = self.project_cal
        keys = np.asarray(values, dtype=np.int64)
        wms = keys >> 1
        cal._cover_wm(int(wms.min()))
        cal._cover_wm(int(wms.max()))
        cum = np.asarray(cal._cum, dtype=np.int64)
        cum_end = np.asarray(cal._cum_end, dtype=np.int64)
        starts = np.asarray(cal._starts, dtype=np.int64)
        end_idx = np.searchsorted(cum_end, wms, side="left")
        start_idx = np.searchsorted(cum, wms, side="right") - 1
        idx = np.where(keys & 1, start_idx, end_idx)
        result: list[int] = (starts[idx] + wms - cum[idx]).tolist()
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
        cycle = path[seen[node]:]
        cycle.reverse()  # predecessors were followed, so reverse to read along the links
        return [self.ids[i] for i in (*cycle, cycle[0])]

    def _lag(self, ops: _Ops, t: int, unit: int, lag: float, pred: int) -> int:
        if unit == _WORK:
            return ops.add(t, round(lag))
        if unit == _PERCENT:
            return ops.add(t, round(self.acts[pred].duration * lag / 100.0))
        return t + round(lag)

    def _add_duration(self, i: int, ops: _Ops, t: int, minutes: int) -> int:
        return t + minutes if self.acts[i].elapsed else ops.add(t, minutes)

    def run(self, strict: bool) -> ScheduleResult:
        order = self.topological_order()
        acts = self.acts
        n = self.n
        to_time = self._to_time
        project_start = to_time(self.network.start)
        floor = project_start
        if self.status_date is not None:
            floor = max(floor, to_time(self.status_date))
        es = [0] * n
        ef = [0] * n
        driver = [-1] * n
        conflicts: list[ConstraintConflict] = []
        key_mode = self.key_mode
        preds = self.preds
        for i in order:
            a = acts[i]
            ops = _KEY_OPS if key_mode else self.cal_of[i]
            d = a.duration
            if a.manual and a.manual_start is not None:
                es[i] = to_time(a.manual_start)
                ef[i] = to_time(a.manual_finish) if a.manual_finish is not None else self._add_duration(
                    i, ops, es[i], d)
                continue
            if a.actual_start is not None:
                es[i] = to_time(a.actual_start)
                ef[i] = to_time(a.actual_finish) if a.actual_finish is not None else self._add_duration(
                    i, ops, es[i], d)
                continue
            s_cand = floor if a.constraint is not _C.SNET or not preds[i] else project_start
            f_cand = -(1 << 62)
            s_driver = f_driver = -1
            for p, code, unit, lag in preds[i]:
                t = es[p] if code & 1 else ef[p]
                if lag:
                    t = self._lag(ops, t, unit, lag, p)
                if code <= _SS:
                    if t > s_cand:
                        s_cand, s_driver = t, p
                elif t > f_cand:
                    f_cand, f_driver = t, p
            start = self._snap_start(a, ops, s_cand)
            forced_finish: int | None = None
            driver[i] = s_driver
            if f_driver >= 0:
                from_finish = f_cand if d == 0 else self._add_duration(i, ops, f_cand, -d)
                if from_finish >= start:
                    start, forced_finish, driver[i] = from_finish, f_cand, f_driver
            if a.constraint is not _C.ASAP and a.constraint is not _C.ALAP and a.constraint_date is not None:
                start, forced_finish = self._apply_constraint(
                    i, a, ops, start, forced_finish, to_time(a.constraint_date), conflicts)
            es[i] = start
            ef[i] = forced_finish if forced_finish is not None else self._add_duration(i, ops, start, d)
        project_finish = max(ef) if n else project_start

        lf, ls, calc_ls = self._backward(order, es, ef, project_finish)
        total, free, critical = self._floats(es, ef, ls, lf)

        # Scheduled dates: actuals and manual dates stay, ALAP activities sit at their late dates.
        start_dates = list(es)
        finish_dates = list(ef)
        for i, a in enumerate(acts):
            if a.constraint is _C.ALAP and a.actual_start is None and not a.manual:
                start_dates[i], finish_dates[i] = ls[i], lf[i]

        bulk = self._to_minutes_bulk
        minutes = {
            "start": bulk(start_dates),
            "finish": bulk(finish_dates),
            "early_start": bulk(es),
            "early_finish": bulk(ef),
            "late_start": bulk(ls),
            "late_finish": bulk(lf),
        }
        del calc_ls
        path: list[ActivityId] = []
        if n:
            last = max(range(n), key=lambda j: (ef[j], -j))
            node = last
            while node >= 0:
                path.append(self.ids[node])
                node = driver[node]
            path.reverse()
        ids = self.ids
        conflict_tuple = tuple(conflicts)
        if strict and conflict_tuple:
            raise ConstraintConflictError(conflict_tuple)
        return ScheduleResult(
            ids=ids,
            minutes=minutes,
            total_float=total,
            free_float=free,
            critical=critical,
            critical_path=tuple(path),
            conflicts=conflict_tuple,
            order=tuple(ids[i] for i in order),
            project_start=from_minutes(bulk([project_start])[0]),
            project_finish=from_minutes(bulk([project_finish])[0]),
        )

    def _snap_start(self, a: Activity, ops: _Ops, t: int) -> int:
        nxt = ops.next_start(t)
        if nxt != t and a.duration == 0 and ops.previous_finish(t) == t:
            return t  # a milestone may sit at the end of a working period
        return nxt

    def _apply_constraint(
        self,
        i: int,
        a: Activity,
        ops: _Ops,
        start: int,
        forced_finish: int | None,
        date: int,
        conflicts: list[ConstraintConflict],
    ) -> tuple[int, int | None]:
        d = a.duration
        kind = a.constraint
        if kind is _C.SNET:
            if start < date:
                return self._snap_start(a, ops, date), None
        elif kind is _C.FNET:
            earliest = self._add_duration(i, ops, date, -d)
            if start < earliest:
                return earliest, None
        elif kind is _C.SNLT or kind is _C.MSO:
            target = self._snap_start(a, ops, date)
            if start > target:
                self._conflict(a, start, conflicts)
                return target, None
            if kind is _C.MSO:
                return target, None
        elif kind is _C.FNLT or kind is _C.MFO:
            latest = self._add_duration(i, ops, date, -d) if d else date
            if start > latest:
                self._conflict(a, start, conflicts)
                return latest, date
            if kind is _C.MFO:
                return latest, date
        return start, forced_finish

    def _conflict(self, a: Activity, start: int, conflicts: list[ConstraintConflict]) -> None:
        assert a.constraint_date is not None
        conflicts.append(ConstraintConflict(
            activity_id=a.id,
            constraint=a.constraint,
            constraint_date=a.constraint_date,
            required_date=from_minutes(self._to_minutes_bulk([start])[0]),
        ))

    def _backward(
        self, order: Sequence[int], es: list[int], ef: list[int], project_finish: int
    ) -> tuple[list[int], list[int], list[int]]:
        acts = self.acts
        n = self.n
        lf = [0] * n
        ls = [0] * n
        calc_ls = [0] * n
        key_mode = self.key_mode
        succs = self.succs
        to_time = self._to_time
        for i in reversed(order):
            a = acts[i]
            ops = _KEY_OPS if key_mode else self.cal_of[i]
            d = a.duration
            if a.actual_finish is not None:
                lf[i] = ef[i]
                ls[i] = calc_ls[i] = es[i]
                continue
            late = project_finish
            for s, code, unit, lag in succs[i]:
                b = acts[s]
                if b.actual_finish is not None:
                    continue
                s_ops = _KEY_OPS if key_mode else self.cal_of[s]
                if code == _FS:
                    t = calc_ls[s]
                elif code == _FF:
                    t = lf[s]
                elif code == _SS:
                    t = s_ops.next_start(calc_ls[s])
                else:
                    t = lf[s]
                if lag:
                    t = self._lag(s_ops, t, unit, -lag, i)
                if code & 1:
                    t = self._add_duration(i, ops, t, d)
                if t < late:
                    late = t
            if a.constraint_date is not None and not a.manual:
                kind = a.constraint
                date = to_time(a.constraint_date)
                if kind is _C.MSO:
                    late = self._add_duration(i, ops, date, d)
                elif kind is _C.MFO:
                    late = date
                elif kind is _C.SNLT:
                    late = min(late, self._add_duration(i, ops, date, d))
                elif kind is _C.FNLT:
                    late = min(late, date)
            if a.deadline is not None:
                late = min(late, to_time(a.deadline))
            if d > 0 and not a.elapsed:
                late = ops.previous_finish(late)
            remaining = d
            if a.actual_start is not None and a.percent_complete:
                remaining = round(d * (1.0 - a.percent_complete / 100.0))
            start = self._add_duration(i, ops, late, -remaining) if remaining else late
            lf[i] = late
            calc_ls[i] = start
            ls[i] = es[i] if a.actual_start is not None else start
        return lf, ls, calc_ls

    def _floats(
        self, es: list[int], ef: list[int], ls: list[int], lf: list[int]
    ) -> tuple[list[int], list[int], list[bool]]:
        acts = self.acts
        n = self.n
        key_mode = self.key_mode
        total = [0] * n
        for i in range(n):
            a = acts[i]
            if a.elapsed:
                start_slack, finish_slack = ls[i] - es[i], lf[i] - ef[i]
            elif key_mode:
                start_slack = (ls[i] >> 1) - (es[i] >> 1)
                finish_slack = (lf[i] >> 1) - (ef[i] >> 1)
            else:
                cal = self.cal_of[i]
                start_slack, finish_slack = cal.between(es[i], ls[i]), cal.between(ef[i], lf[i])
            started = a.actual_start is not None
            total[i] = finish_slack if started or finish_slack < start_slack else start_slack
        free = [0] * n
        critical = [False] * n
        succs = self.succs
        for i in range(n):
            a = acts[i]
            critical[i] = total[i] <= 0 and a.actual_finish is None
            if a.actual_finish is not None:
                continue
            ops = _KEY_OPS if key_mode else self.cal_of[i]
            best: int | None = None
            for s, code, unit, lag in succs[i]:
                if acts[s].actual_finish is not None:
                    continue
                mine = es[i] if code & 1 else ef[i]
                theirs = es[s] if code <= _SS else ef[s]
                gap = ops.between(mine, theirs)
                if lag:
                    if unit == _WORK:
                        gap -= round(lag)
                    elif unit == _PERCENT:
                        gap -= round(a.duration * lag / 100.0)
                    else:
                        gap = ops.between(mine + round(lag), theirs) if not key_mode else gap
                if best is None or gap < best:
                    best = gap
            value = total[i] if best is None else best
            free[i] = value if value > 0 else 0
        return total, free, critical


_KEY_OPS = _KeyOps()
