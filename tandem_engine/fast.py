"""The vectorised path of the critical path method, for plans on one calendar without imposed dates.

Most plans run every activity on the project calendar, with working-time lags, and have no
constraint dates, deadlines, progress or manual tasks. Their whole schedule is integer arithmetic on
*keys* (see :meth:`CompiledCalendar.key`): ``2 × worked minutes``, plus one for "just before work
resumes". Every step of the passes is then a monotone map of the form ``x ↦ (x & a) + b`` with
``a`` either ``-1`` (keep the last bit) or ``-2`` (clear it), and ``b`` an integer (its last bit
sets the last bit of the result):

- adding ``m`` working minutes: ``m > 0`` → ``(-2, 2m)`` (ends at a finish, 17:00 rather than
  08:00), ``m < 0`` → ``(-2, 2m + 1)`` (lands on a start), ``m = 0`` → identity ``(-1, 0)``;
- moving to the next start of work: ``(-2, 1)``; to the previous end of work: ``(-2, 0)``.

Such maps compose into maps of the same form and commute with ``max`` and ``min``. So the
early start of an activity is the maximum, over its incoming links, of one composed map applied to
a date of the predecessor (and likewise its early finish, late finish and late start), which lets
the passes run level by level — a level being the activities whose longest chain of predecessors
has the same length — with one gather, two integer operations and one ``numpy.maximum.at`` (or
``minimum.at``) per level.

The arithmetic is the generic path's (``cpm._State``) term for term, including MS Project's
conventions: a finish at the end of a working period, a milestone allowed there, a finish driven by
a finish-type link kept where the link puts it, nothing before the project start (or the status
date), every late date capped at the project finish. :func:`compile_plan` says why a network does
not qualify; ``schedule`` then takes the generic path.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Mapping, Sequence
from datetime import datetime
from operator import attrgetter

import numpy as np
from numpy.typing import NDArray

from .calendar import CompiledCalendar, compile_calendar, to_minutes
from .model import ActivityId, ConstraintType, LagUnit, LinkType, Network

__all__ = ["FastPlan", "FastState", "compile_plan"]

I64 = NDArray[np.int64]

# Link codes as in ``cpm``: bit 0 set = the predecessor's start drives (SS, SF); value <= 1 = the
# successor's start is driven (FS, SS).
_FS, _SS, _FF, _SF = 0, 1, 2, 3
_LINK_CODES = {LinkType.FS: _FS, LinkType.SS: _SS, LinkType.FF: _FF, LinkType.SF: _SF}
_NO_SUCCESSOR = 1 << 62
#: Below this many link entries (two per link) per level on average, full passes use Python lists
#: (about 0.2 µs an entry) rather than arrays (about 5 µs a level); measured on plans of 5,000 tasks.
_NARROW_ENTRIES_PER_LEVEL = 32
#: The "date before" of an added activity: no date a schedule computes, so it always reads as moved.
_UNKNOWN = -(1 << 62)
_ALLOWED_CONSTRAINTS = frozenset((ConstraintType.ASAP, ConstraintType.ALAP))
_NO_DATES = (None, None, None, None, False, False, 0)
_KIND = attrgetter(
    "constraint_date",
    "deadline",
    "actual_start",
    "actual_finish",
    "manual",
    "elapsed",
    "leveling_delay",
    "constraint",
    "calendar_id",
    "lag_calendar_id",
)


# -- maps x -> (x & a) + b, on arrays -------------------------------------------------------------


def _add(minutes: I64) -> tuple[I64, I64]:
    """The map "add ``minutes`` of work" for each element: ``(-2, 2m)``, ``(-2, 2m + 1)`` or the identity."""
    a = np.where(minutes != 0, -2, -1)
    b = 2 * minutes + (minutes < 0)
    return a, b


class FastPlan:
    """A network compiled for the vectorised path: ids, levels and links as arrays.

    Activities are renumbered by *position*: level by level, input order within a level, so each
    level is a contiguous range of positions. Dates live in interleaved arrays, two slots per
    activity: ``early[2p]`` is the early start of the activity at position ``p`` and
    ``early[2p + 1]`` its early finish; ``late[2p]`` its late finish and ``late[2p + 1]`` its late
    start (each pass writes first the date it derives the other from).
    """

    def __init__(
        self,
        ids: list[ActivityId],
        lookup: _Lookup,
        calendar: CompiledCalendar,
        durations: I64,
        src: I64,
        dst: I64,
        codes: I64,
        lags: NDArray[np.float64],
        percent: NDArray[np.bool_],
        alap: NDArray[np.bool_],
        floor: int,
        project_start: int,
        order: list[int] | None,
        status_date: datetime | None,
    ) -> None:
        self.ids = ids
        #: The status date it was compiled for (an extended network is compiled for it again).
        self.status_date = status_date
        self._lookup = lookup
        self.n = n = len(ids)
        self.calendar = calendar
        self.durations = durations
        self.src, self.dst, self.codes, self.lags, self.percent = src, dst, codes, lags, percent
        self.alap = alap
        self.floor = floor
        self.project_start = project_start
        self._kahn_order = order
        self._order: tuple[ActivityId, ...] | None = None
        self._reach: tuple[I64, I64] | None = None
        # Topological position of each activity (None: the input order is topological).
        self.topo: I64 | None = None
        if order is not None:
            self.topo = np.empty(n, dtype=np.int64)
            self.topo[np.asarray(order, dtype=np.int64)] = np.arange(n, dtype=np.int64)
        level = self._levels()
        self.level = level
        self.levels = int(level.max()) + 1
        perm = _stable_order(level, self.levels)
        rank = np.empty(n, dtype=np.int64)
        rank[perm] = np.arange(n, dtype=np.int64)
        self.perm, self.rank = perm, rank
        steps = np.arange(self.levels + 1)
        self.node_bounds: list[int] = np.searchsorted(level[perm], steps).tolist()
        ps, pd = rank[src], rank[dst]
        # Forward: links grouped by the successor's level; backward: by the predecessor's level.
        fo = _stable_order(level[dst], self.levels)
        bo = _stable_order(level[src], self.levels)
        self.fo, self.bo = fo, bo
        self.f_dst, self.f_src, self.f_percent, self.b_src = dst[fo], src[fo], percent[fo], src[bo]
        self.f_pd, self.f_codes = pd[fo], codes[fo]
        self.b_ps, self.b_codes = ps[bo], codes[bo]
        self.f_bounds: list[int] = (2 * np.searchsorted(level[dst[fo]], steps)).tolist()
        self.b_bounds: list[int] = (2 * np.searchsorted(level[src[bo]], steps)).tolist()
        # Two entries per link: the slot a date is read from, the slots it bounds.
        fslot = 2 * ps[fo] + 1 - (self.f_codes & 1)  # SS, SF read the start, FS, FF the finish
        self.f_from = np.repeat(fslot, 2)
        self.f_to = np.stack((2 * self.f_pd, 2 * self.f_pd + 1), axis=1).ravel()
        bslot = 2 * pd[bo] + (self.b_codes <= _SS)  # FS, SS read the late start, FF, SF the late finish
        self.b_from = np.repeat(bslot, 2)
        self.b_to = np.stack((2 * self.b_ps, 2 * self.b_ps + 1), axis=1).ravel()
        #: Few links per level on average (a deep plan: long chains, as real plans have): a full
        #: pass then runs over the links as Python lists, in level order, instead of a few array
        #: operations per level, each of which costs microseconds whatever the level's size.
        self.narrow = self.f_from.size < _NARROW_ENTRIES_PER_LEVEL * self.levels

    @property
    def index(self) -> dict[ActivityId, int]:
        """Activity id -> input index (built on first use)."""
        return self._lookup.index

    def reach(self) -> tuple[I64, I64]:
        """By position: the highest level among an activity's successors (-1 for none) and the
        lowest among its predecessors (the number of levels for none); built on first use."""
        if self._reach is None:
            ps, pd = self.rank[self.src], self.rank[self.dst]
            up = np.full(self.n, -1, dtype=np.int64)
            np.maximum.at(up, ps, self.level[self.dst])
            down = np.full(self.n, self.levels, dtype=np.int64)
            np.minimum.at(down, pd, self.level[self.src])
            self._reach = (up, down)
        return self._reach

    def _levels(self) -> I64:
        """Each activity's level: the number of links on its longest chain of predecessors."""
        n, src, dst = self.n, self.src, self.dst
        # Links by predecessor in topological order: a predecessor's level is final when read.
        by = _stable_order(src if self.topo is None else self.topo[src], n)
        level = [0] * n
        for p, s in zip(src[by].tolist(), dst[by].tolist(), strict=True):
            v = level[p] + 1
            if v > level[s]:
                level[s] = v
        return np.asarray(level, dtype=np.int64)

    def order(self) -> tuple[ActivityId, ...]:
        """The topological order of the generic path (Kahn's algorithm, input order breaks ties)."""
        if self._order is None:
            order = self._kahn_order if self._kahn_order is not None else _kahn(self.n, self.src, self.dst)
            assert order is not None  # compile_plan refused cyclic networks
            self._order = tuple(self.ids[i] for i in order)
        return self._order

    def effective_lags(self, durations: I64) -> I64:
        """Each link's lag in working minutes (a percent lag is a share of the predecessor's duration)."""
        lags = np.rint(self.lags)
        if self.percent.any():
            lags = np.where(self.percent, np.rint(durations[self.src] * self.lags / 100.0), lags)
        return lags.astype(np.int64)

    def schedule(self, durations: I64) -> FastState:
        """The full schedule for ``durations`` (working minutes, by input index)."""
        state = FastState(self, durations)
        state.forward(0)
        state.backward(self.levels - 1)
        state.floats()
        return state


class FastState:
    """The dates and floats of one schedule on a :class:`FastPlan`, as arrays by position."""

    def __init__(self, plan: FastPlan, durations: I64, previous: FastState | None = None) -> None:
        """Prepare the maps of every link for ``durations``.

        With ``previous`` (a state on the same plan), only the maps of links that touch an activity
        whose duration differs from it are recomputed.
        """
        self.plan = plan
        self.durations = durations
        d = durations[plan.perm]
        self.d = d
        self.m = plan.effective_lags(durations)
        self.positive = d > 0
        if previous is None:
            self.f_a, self.f_b = self._forward_maps(slice(None))
            self.b_a, self.b_b = self._backward_maps(slice(None))
        else:
            changed = durations != previous.durations
            forward = np.flatnonzero(changed[plan.f_dst] | (plan.f_percent & changed[plan.f_src]))
            backward = np.flatnonzero(changed[plan.b_src])
            self.f_a, self.f_b = previous.f_a.copy(), previous.f_b.copy()
            self.b_a, self.b_b = previous.b_a.copy(), previous.b_b.copy()
            if forward.size:
                at = np.stack((2 * forward, 2 * forward + 1), axis=1).ravel()
                self.f_a[at], self.f_b[at] = self._forward_maps(forward)
            if backward.size:
                at = np.stack((2 * backward, 2 * backward + 1), axis=1).ravel()
                self.b_a[at], self.b_b[at] = self._backward_maps(backward)
        n = plan.n
        self.early = np.empty(2 * n, dtype=np.int64)
        self.late = np.empty(2 * n, dtype=np.int64)
        self.project_finish = plan.project_start

    def _forward_maps(self, links: slice | I64) -> tuple[I64, I64]:
        """For the given links (in forward order), the maps to the successor's early start and finish.

        A start-type link (FS, SS) bounds the start by ``snap ∘ lag`` and the finish by
        ``add(d) ∘ snap ∘ lag``; a finish-type link (FF, SF) bounds the finish by ``lag`` and the start
        by ``add(-d) ∘ lag``; ``snap`` (to the next start of work) and ``add(±d)`` apply to tasks, a
        milestone (``d = 0``) keeps the instant. Composed, a task's maps all clear the last bit
        and set it again as the step requires.
        """
        plan = self.plan
        fd = plan.f_pd[links]
        starts = plan.f_codes[links] <= _SS
        lag_a, lag_b = _add(self.m[plan.fo[links]])
        task = self.positive[fd]
        twice = 2 * self.d[fd]
        even = lag_b & -2
        to_es_a = np.where(task, -2, lag_a)
        to_es_b = np.where(task, even + np.where(starts, 1, 1 - twice), lag_b)
        started = task & starts
        to_ef_a = np.where(started, -2, lag_a)
        to_ef_b = np.where(started, even + twice, lag_b)
        return (
            np.stack((to_es_a, to_ef_a), axis=1).ravel(),
            np.stack((to_es_b, to_ef_b), axis=1).ravel(),
        )

    def _backward_maps(self, links: slice | I64) -> tuple[I64, I64]:
        """For the given links (in backward order), the maps to the predecessor's late finish and start.

        From the successor's late start (FS, SS — for SS moved to the next start of work) or late
        finish (FF, SF): minus the lag, plus the predecessor's duration when its start is the end
        that drives (SS, SF), back to the end of work for a task; the late start is the late finish
        minus the duration.
        """
        plan = self.plan
        codes = plan.b_codes[links]
        bp = plan.b_ps[links]
        m = self.m[plan.bo[links]]
        ss = codes == _SS
        lagged = m != 0
        step_a = np.where(lagged | ss, -2, -1)
        step_b = np.where(lagged, -2 * m + (m > 0), ss.astype(np.int64))
        task = self.positive[bp]
        twice = 2 * self.d[bp]
        to_lf_b = np.where(task, (step_b & -2) + np.where((codes & 1) == 1, twice, 0), step_b)
        to_ls_b = np.where(task, to_lf_b - twice + 1, step_b)
        a = np.where(task, -2, step_a)
        return np.stack((a, a), axis=1).ravel(), np.stack((to_lf_b, to_ls_b), axis=1).ravel()

    def forward(self, first_level: int) -> None:
        """Early dates of every activity from ``first_level`` on (earlier levels are kept)."""
        plan = self.plan
        lo = plan.node_bounds[first_level]
        early = self.early
        task, twice = self.positive[lo:], 2 * self.d[lo:]
        es = plan.floor | task  # a task starts at the next start of work, a milestone where it is
        early[2 * lo :: 2] = es
        early[2 * lo + 1 :: 2] = np.where(task, (es & -2) + twice, es)
        f_from, f_to, f_a, f_b, bounds = plan.f_from, plan.f_to, self.f_a, self.f_b, plan.f_bounds
        if plan.narrow:
            # A few links per level: one pass over the links in level order, on Python lists (a
            # link's predecessor is on an earlier level, so its dates are final when it is read).
            first = int(bounds[max(first_level, 1)])
            dates = early.tolist()
            for source, target, mask, shift in zip(
                f_from[first:].tolist(),
                f_to[first:].tolist(),
                f_a[first:].tolist(),
                f_b[first:].tolist(),
                strict=True,
            ):
                t = (dates[source] & mask) + shift
                if t > dates[target]:
                    dates[target] = t
            early[:] = dates
            self.project_finish = int(early[1::2].max())
            return
        maximum_at = np.maximum.at
        for level in range(max(first_level, 1), plan.levels):
            a, b = bounds[level], bounds[level + 1]
            t = early[f_from[a:b]]
            t &= f_a[a:b]
            t += f_b[a:b]
            maximum_at(early, f_to[a:b], t)
        self.project_finish = int(early[1::2].max())

    def backward(self, last_level: int) -> None:
        """Late dates of every activity up to ``last_level`` (later levels are kept)."""
        plan = self.plan
        hi = plan.node_bounds[last_level + 1]
        late = self.late
        task, twice = self.positive[:hi], 2 * self.d[:hi]
        finish = self.project_finish
        lf = np.where(task, finish & -2, finish)  # a task's late finish is an end of work
        late[0 : 2 * hi : 2] = lf
        late[1 : 2 * hi : 2] = np.where(task, lf - twice + 1, lf)
        b_from, b_to, b_a, b_b, bounds = plan.b_from, plan.b_to, self.b_a, self.b_b, plan.b_bounds
        if plan.narrow:
            # As in ``forward``: the links from the last level down, on Python lists.
            end = int(bounds[last_level + 1])
            dates = late.tolist()
            for source, target, mask, shift in zip(
                reversed(b_from[:end].tolist()),
                reversed(b_to[:end].tolist()),
                reversed(b_a[:end].tolist()),
                reversed(b_b[:end].tolist()),
                strict=True,
            ):
                t = (dates[source] & mask) + shift
                if t < dates[target]:
                    dates[target] = t
            late[:] = dates
            return
        minimum_at = np.minimum.at
        for level in range(last_level, -1, -1):
            a, b = bounds[level], bounds[level + 1]
            if a == b:
                continue
            t = late[b_from[a:b]]
            t &= b_a[a:b]
            t += b_b[a:b]
            minimum_at(late, b_to[a:b], t)

    def floats(self) -> None:
        """Total and free float (working minutes), the critical flag, the scheduled dates."""
        plan = self.plan
        early, late = self.early, self.late
        es, ef, lf, ls = early[0::2], early[1::2], late[0::2], late[1::2]
        total = np.minimum((ls >> 1) - (es >> 1), (lf >> 1) - (ef >> 1))
        self.total = total
        # Free float: the gap to the nearest successor, less the lag, capped by total float, >= 0.
        ps, pd, codes = plan.rank[plan.src], plan.rank[plan.dst], plan.codes
        mine = np.where(codes & 1, es[ps], ef[ps])
        theirs = np.where(codes <= _SS, es[pd], ef[pd])
        gap = np.full(plan.n, _NO_SUCCESSOR, dtype=np.int64)
        np.minimum.at(gap, ps, (theirs >> 1) - (mine >> 1) - self.m)
        self.free = np.maximum(np.minimum(gap, total), 0)
        self.critical = total <= 0

    def reschedule(self, changes: Mapping[int, int]) -> FastState:
        """A new state with the durations of some activities (input index -> minutes) changed.

        Only what can move is recomputed. The early dates: level by level from the lowest changed
        activity, as far as the highest level that a changed activity, or an activity whose early
        dates moved, links to. The late dates: the same downwards, from the highest changed
        activity — or every level when the project finish moves.
        """
        plan = self.plan
        durations = self.durations.copy()
        for i, minutes in changes.items():
            durations[i] = minutes
        state = FastState(plan, durations, self)
        state.early[:] = self.early
        state.late[:] = self.late
        state.project_finish = self.project_finish
        changed = plan.rank[np.flatnonzero(durations != self.durations)]
        if changed.size:
            state._forward_cone(self.early, changed)
            if state.project_finish != self.project_finish:
                state.backward(plan.levels - 1)
            else:
                state._backward_cone(self.late, changed)
        state.floats()
        return state

    def extended(self, plan: FastPlan) -> FastState:
        """The state on ``plan`` — this state's network with activities and links appended — made
        from this one: only what the additions can move is recomputed.

        The kept dates move to their positions in the new plan, and the added activities start out
        unknown. The early dates are recomputed from the added activities and the successors of the
        added links (an added link can only push its successor later), the late dates from the added
        activities and the predecessors of the added links, or every level when the project finish
        moves — the cones of :meth:`reschedule`.
        """
        old = self.plan
        n, e = old.n, old.src.size
        state = FastState(plan, plan.durations)
        was, now = 2 * old.rank, 2 * plan.rank[:n]
        early = np.full(2 * plan.n, _UNKNOWN, dtype=np.int64)
        late = early.copy()
        for k in (0, 1):
            early[now + k] = self.early[was + k]
            late[now + k] = self.late[was + k]
        state.early[:], state.late[:] = early, late
        state.project_finish = self.project_finish
        added = np.arange(n, plan.n, dtype=np.int64)
        forward = plan.rank[np.concatenate((added, plan.dst[e:]))]
        backward = plan.rank[np.concatenate((added, plan.src[e:]))]
        if forward.size:
            state._forward_cone(early, forward)
            if state.project_finish != self.project_finish:
                state.backward(plan.levels - 1)
            else:
                state._backward_cone(late, backward)
        state.floats()
        return state

    def _forward_cone(self, old: I64, changed: I64) -> None:
        """Early dates after the activities at positions ``changed`` changed, ``old`` holding the
        dates before (by position in this plan; see :meth:`reschedule`)."""
        plan = self.plan
        reach_up, _ = plan.reach()
        levels = plan.level[plan.perm[changed]]
        level, last = int(levels.min()), max(int(levels.max()), int(reach_up[changed].max()))
        early = self.early
        task, twice = self.positive, 2 * self.d
        start = plan.floor | task
        init = np.stack((start, np.where(task, (start & -2) + twice, start)), axis=1).ravel()
        f_from, f_to, f_a, f_b, bounds = plan.f_from, plan.f_to, self.f_a, self.f_b, plan.f_bounds
        nodes = plan.node_bounds
        tracked, give_up = 0, max(64, plan.levels // 8)
        while level <= last:
            lo, hi = 2 * nodes[level], 2 * nodes[level + 1]
            early[lo:hi] = init[lo:hi]
            a, b = bounds[level], bounds[level + 1]
            if a < b:
                t = early[f_from[a:b]]
                t &= f_a[a:b]
                t += f_b[a:b]
                np.maximum.at(early, f_to[a:b], t)
            moved = np.flatnonzero(early[lo:hi] != old[lo:hi])
            if moved.size:
                last = max(last, int(reach_up[(lo + moved) >> 1].max()))
                tracked += 1
                if tracked > give_up and level + 1 < plan.levels:
                    # The change keeps moving level after level: a plain pass over the rest costs
                    # less than tracking it (at worst one forward pass more than needed).
                    self.forward(level + 1)
                    return
            level += 1
        self.project_finish = int(early[1::2].max())

    def _backward_cone(self, old: I64, changed: I64) -> None:
        """Late dates after the activities at positions ``changed`` changed, the project finish kept
        (``old``: the late dates before, by position in this plan)."""
        plan = self.plan
        _, reach_down = plan.reach()
        levels = plan.level[plan.perm[changed]]
        level, first = int(levels.max()), int(levels.min())
        late = self.late
        task, twice = self.positive, 2 * self.d
        finish = self.project_finish
        lf = np.where(task, finish & -2, finish)
        init = np.stack((lf, np.where(task, lf - twice + 1, lf)), axis=1).ravel()
        b_from, b_to, b_a, b_b, bounds = plan.b_from, plan.b_to, self.b_a, self.b_b, plan.b_bounds
        nodes = plan.node_bounds
        while level >= first:
            lo, hi = 2 * nodes[level], 2 * nodes[level + 1]
            late[lo:hi] = init[lo:hi]
            a, b = bounds[level], bounds[level + 1]
            if a < b:
                t = late[b_from[a:b]]
                t &= b_a[a:b]
                t += b_b[a:b]
                np.minimum.at(late, b_to[a:b], t)
            moved = np.flatnonzero(late[lo:hi] != old[lo:hi])
            if moved.size:
                first = min(first, int(reach_down[(lo + moved) >> 1].min()))
            level -= 1

    # -- output -----------------------------------------------------------------------------------

    def by_input(self) -> dict[str, I64]:
        """Keys of the scheduled, early and late dates by input index."""
        rank = self.plan.rank
        es, ef = self.early[0::2][rank], self.early[1::2][rank]
        ls, lf = self.late[1::2][rank], self.late[0::2][rank]
        alap = self.plan.alap
        start = np.where(alap, ls, es) if alap.any() else es
        finish = np.where(alap, lf, ef) if alap.any() else ef
        return {
            "start": start,
            "finish": finish,
            "early_start": es,
            "early_finish": ef,
            "late_start": ls,
            "late_finish": lf,
        }

    def drivers(self) -> I64:
        """Each activity's driving predecessor (input index, -1 for none), as the generic path records it.

        The generic forward pass reads the incoming links in input order and keeps the first that
        gives the latest start-side (FS, SS) or finish-side (FF, SF) date; the finish side drives
        when it does not start the activity earlier than the start side.
        """
        plan = self.plan
        n, src, dst, codes = plan.n, plan.src, plan.dst, plan.codes
        rank = plan.rank
        es, ef = self.early[0::2][rank], self.early[1::2][rank]
        t = np.where(codes & 1, es[src], ef[src])
        a, b = _add(self.m)
        t = (t & a) + b
        starts = codes <= _SS
        links = np.arange(src.size, dtype=np.int64)
        none = np.int64(src.size)
        s_best = np.full(n, plan.floor, dtype=np.int64)
        np.maximum.at(s_best, dst[starts], t[starts])
        s_wins = starts & (t == s_best[dst]) & (t > plan.floor)
        s_first = np.full(n, none, dtype=np.int64)
        np.minimum.at(s_first, dst[s_wins], links[s_wins])
        finishes = ~starts
        f_best = np.full(n, -(1 << 62), dtype=np.int64)
        np.maximum.at(f_best, dst[finishes], t[finishes])
        f_first = np.full(n, none, dtype=np.int64)
        f_wins = finishes & (t == f_best[dst])
        np.minimum.at(f_first, dst[f_wins], links[f_wins])
        d = self.durations
        positive = d > 0
        start = s_best | positive
        from_finish = np.where(positive, (((f_best >> 1) - d) << 1) | 1, f_best)
        by_finish = (f_first < none) & (from_finish >= start)
        source = np.append(src, -1)  # "no link" reads as no driver
        return np.where(by_finish, source[f_first], source[s_first])

    def critical_path(self) -> tuple[ActivityId, ...]:
        """One driving chain, from the first activity (in input order) that finishes last."""
        plan = self.plan
        node = int(np.argmax(self.early[1::2][plan.rank]))
        driver = self.drivers().tolist()
        ids = plan.ids
        path: list[ActivityId] = []
        while node >= 0:
            path.append(ids[node])
            node = driver[node]
        path.reverse()
        return tuple(path)


def _kahn(n: int, src: I64, dst: I64) -> list[int] | None:
    """Kahn's topological sort as the generic path runs it (FIFO, input order), or None on a cycle."""
    by = _stable_order(src, n)
    targets: list[int] = dst[by].tolist()
    ptr: list[int] = np.searchsorted(src[by], np.arange(n + 1)).tolist()
    indegree: list[int] = np.bincount(dst, minlength=n).tolist()
    queue = deque(i for i in range(n) if indegree[i] == 0)
    order: list[int] = []
    while queue:
        i = queue.popleft()
        order.append(i)
        for s in targets[ptr[i] : ptr[i + 1]]:
            indegree[s] -= 1
            if indegree[s] == 0:
                queue.append(s)
    return order if len(order) == n else None


def compile_plan(network: Network, status_date: datetime | None = None) -> FastPlan | str:
    """Compile ``network`` for the vectorised path, or say (a short phrase) why it does not qualify.

    It qualifies when every activity runs on the project calendar and is scheduled as soon or as
    late as possible, without constraint dates, deadlines, actual dates, manual scheduling or
    elapsed durations, and every lag is in working time or percent. Invalid networks (unknown or
    duplicate ids, negative durations, cycles...) do not qualify either: the generic path reports
    them.
    """
    acts = network.activities
    n = len(acts)
    if not n:
        return "no activities"
    if network.calendar_id not in network.calendars:
        return "unknown project calendar"
    calendar = compile_calendar(network.calendars[network.calendar_id])
    kinds = set(map(_KIND, acts))  # a handful of distinct tuples
    if {k[:-3] for k in kinds} != {_NO_DATES}:
        fields = Counter(
            name
            for a in acts
            for name, value in zip(
                (
                    "constraint dates",
                    "deadlines",
                    "actual dates",
                    "actual dates",
                    "manual scheduling",
                    "elapsed durations",
                    "leveling delays",
                ),
                _KIND(a)[:-3],
                strict=True,
            )
            if value
        )
        return ", ".join(sorted(fields))
    constraints = {k[-3] for k in kinds}
    if not constraints <= _ALLOWED_CONSTRAINTS:
        return "constraints"
    for cid in ({k[-2] for k in kinds} | {k[-1] for k in kinds}) - {None}:
        if cid not in network.calendars:
            return "unknown calendar"
        if compile_calendar(network.calendars[cid]) is not calendar:
            return "activity calendars"
    durations = _integers(list(map(attrgetter("duration"), acts)))
    if durations is None:
        return "durations that are not whole minutes"
    if int(durations.min()) < 0:
        return "negative durations"
    ids: list[ActivityId] = list(map(attrgetter("id"), acts))
    lookup = _Lookup(ids)
    if lookup.duplicate:
        return "duplicate activity ids"
    links = network.links
    e = len(links)
    src = lookup(list(map(attrgetter("predecessor"), links)))
    dst = lookup(list(map(attrgetter("successor"), links)))
    if src is None or dst is None:
        return "unknown activity in a link"
    codes = np.fromiter(map(_LINK_CODES.__getitem__, map(attrgetter("type"), links)), dtype=np.int64, count=e)
    lags = np.fromiter(map(attrgetter("lag"), links), dtype=np.float64, count=e)
    units = list(map(attrgetter("lag_unit"), links))
    percent = np.zeros(e, dtype=np.bool_)
    if set(units) - {LagUnit.WORKING}:
        elapsed = np.fromiter((u is LagUnit.ELAPSED for u in units), dtype=np.bool_, count=e)
        if bool(np.any(elapsed & (lags != 0))):
            return "elapsed lags"
        percent = np.fromiter((u is LagUnit.PERCENT for u in units), dtype=np.bool_, count=e)
    order: list[int] | None = None
    if e and not bool(np.all(src < dst)):  # the input order is not topological: sort
        order = _kahn(n, src, dst)
        if order is None:
            return "a cycle"
    alap = np.zeros(n, dtype=np.bool_)
    if ConstraintType.ALAP in constraints:
        alap = np.fromiter(
            (c is ConstraintType.ALAP for c in map(attrgetter("constraint"), acts)), dtype=np.bool_, count=n
        )
    project_start = calendar.key(to_minutes(network.start))
    floor = project_start
    if status_date is not None:
        floor = max(floor, calendar.key(to_minutes(status_date)))
    return FastPlan(
        ids,
        lookup,
        calendar,
        durations,
        src,
        dst,
        codes,
        lags,
        percent,
        alap,
        floor,
        project_start,
        order,
        status_date,
    )


def keys_to_minutes(calendar: CompiledCalendar, arrays: Sequence[I64]) -> list[I64]:
    """Convert several arrays of keys to minutes in one vectorised pass."""
    if not arrays:
        return []
    flat = calendar.minutes_of_keys(np.concatenate(arrays))
    sizes = np.cumsum([len(a) for a in arrays])[:-1]
    return list(np.split(flat, sizes))


class _Lookup:
    """Activity ids to input indexes, vectorised when the ids are integers (database keys, UIDs)."""

    def __init__(self, ids: list[ActivityId]) -> None:
        self.ids = ids
        self._index: dict[ActivityId, int] | None = None
        self._sorted: I64 | None = None
        self._order: I64 | None = None
        self._identity = False
        numbers = _integers(ids)
        if numbers is None:
            self.duplicate = len(self.index) != len(ids)
            return
        if bool(np.array_equal(numbers, np.arange(len(ids)))):  # ids 0, 1, 2... in order
            self.duplicate, self._identity = False, True
            self._sorted = self._order = numbers
            return
        order = np.argsort(numbers, kind="stable")
        ordered = numbers[order]
        self.duplicate = bool(np.any(ordered[1:] == ordered[:-1]))
        self._sorted, self._order = ordered, order

    @property
    def index(self) -> dict[ActivityId, int]:
        """The mapping from id to input index, built on first use."""
        if self._index is None:
            self._index = {activity_id: i for i, activity_id in enumerate(self.ids)}
        return self._index

    def __call__(self, values: list[ActivityId]) -> I64 | None:
        """The input indexes of ``values``, or None if one of them is not an activity id."""
        ordered, order = self._sorted, self._order
        if ordered is not None and order is not None:
            numbers = _integers(values)
            if numbers is not None:
                if self._identity:
                    ok = not numbers.size or (int(numbers.min()) >= 0 and int(numbers.max()) < len(ordered))
                    return numbers if ok else None
                at = np.minimum(np.searchsorted(ordered, numbers), len(ordered) - 1)
                return order[at] if bool(np.all(ordered[at] == numbers)) else None
        index = self.index
        try:
            return np.fromiter(map(index.__getitem__, values), dtype=np.int64, count=len(values))
        except KeyError:
            return None


def _integers(values: list[ActivityId]) -> I64 | None:
    """``values`` as an int64 array when they are all integers, else None."""
    if not values:
        return np.zeros(0, dtype=np.int64)
    try:
        array = np.array(values)
    except (OverflowError, ValueError):
        return None
    if array.ndim != 1 or array.dtype.kind != "i":  # not integers, or beyond int64 (then uint64, object)
        return None
    return array.astype(np.int64)


def _stable_order(keys: I64, bound: int) -> NDArray[np.intp]:
    """``numpy.argsort(keys, kind="stable")`` for keys in ``[0, bound)``, in linear time when it can.

    NumPy sorts 16-bit integers by radix; keys below 2**32 take two such passes (low half, then
    high half), which is a least-significant-digit radix sort.
    """
    if bound <= 1 << 16:
        return np.argsort(keys.astype(np.uint16), kind="stable")
    if bound <= 1 << 32:
        low = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
        high = np.argsort((keys[low] >> 16).astype(np.uint16), kind="stable")
        result: NDArray[np.intp] = low[high]
        return result
    return np.argsort(keys, kind="stable")
