"""Working-time arithmetic on integer minutes.

Instants are integer minutes since 2000-01-01 00:00 (naive, project-local time). A compiled
calendar keeps the working intervals of a span of days as three sorted lists — interval starts,
interval ends, and the working minutes worked before each interval — so every operation is one or
two binary searches. The span grows a year at a time on demand, in both directions.
"""

from __future__ import annotations

import functools
from bisect import bisect_left, bisect_right
from datetime import date, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from .model import Calendar, WorkingRanges

__all__ = [
    "CalendarError",
    "CompiledCalendar",
    "add_working_minutes",
    "compile_calendar",
    "from_minutes",
    "subtract_working_minutes",
    "to_minutes",
    "working_minutes_between",
]

_EPOCH = datetime(2000, 1, 1)  # noqa: DTZ001 - project times are naive local times, as in MS Project
_EPOCH_ORDINAL = _EPOCH.toordinal()
_CHUNK_DAYS = 366
_SEARCH_LIMIT_DAYS = 366 * 60


class CalendarError(ValueError):
    """A calendar has no working time where some was needed (e.g. a calendar without any working day)."""


def to_minutes(value: datetime) -> int:
    """Return ``value`` as integer minutes since 2000-01-01 00:00 (seconds are dropped)."""
    return (value.toordinal() - _EPOCH_ORDINAL) * 1440 + value.hour * 60 + value.minute


def from_minutes(minutes: int) -> datetime:
    """Inverse of :func:`to_minutes`."""
    return _EPOCH + timedelta(minutes=minutes)


class CompiledCalendar:
    """A calendar ready for fast arithmetic on minutes.

    Working-minute counts (``wm``) are measured from an arbitrary origin; only differences matter.
    """

    __slots__ = (
        "_arrays",
        "_by_day",
        "_cum",
        "_cum_end",
        "_day_hi",
        "_day_lo",
        "_ends",
        "_open_rules",
        "_parts",
        "_recurring",
        "_recurring_hi",
        "_starts",
        "_union",
        "calendar",
        "continuous",
    )

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar
        # A union or an intersection reads each day from its parts, compiled (and cached) on their own.
        self._union = bool(calendar.union_of)
        self._parts = tuple(compile_calendar(part) for part in calendar.union_of or calendar.intersection_of)
        self.continuous = (
            all(day == ((0, 1440),) for day in calendar.week)
            and not (calendar.exceptions or calendar.recurring)
            and not self._parts
        )
        self._by_day: dict[int, WorkingRanges] = {}
        # Recurring exceptions: bounded ones are expanded now; open-ended ones up to a horizon that
        # moves forward as the compiled span grows.
        self._recurring: dict[int, WorkingRanges] = {}
        self._open_rules = tuple(rule for rule in calendar.recurring if not rule.bounded)
        self._recurring_hi = -(1 << 40)
        for rule in calendar.recurring:
            if rule.bounded:
                for day in rule.dates():
                    self._recurring[day.toordinal() - _EPOCH_ORDINAL] = rule.working_times
        for exception in calendar.exceptions:
            for ordinal in range(exception.start.toordinal(), exception.end.toordinal() + 1):
                self._by_day[ordinal - _EPOCH_ORDINAL] = exception.working_times
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._cum: list[int] = []
        self._cum_end: list[int] = []
        self._day_lo = 0
        self._day_hi = 0
        self._arrays: tuple[NDArray[np.int64], ...] | None = None

    # -- span management -------------------------------------------------------------------------

    def _day_ranges(self, day: int) -> WorkingRanges:
        if self._parts:
            return _combined(tuple([part._day_ranges(day) for part in self._parts]), self._union)
        ranges = self._by_day.get(day)
        if ranges is not None:
            return ranges
        if self._recurring:
            ranges = self._recurring.get(day)
            if ranges is not None:
                return ranges
        return self.calendar.week[(day + _EPOCH_ORDINAL - 1) % 7]  # ordinal 1 (0001-01-01) is a Monday

    def _expand_open_rules(self, day_hi: int) -> None:
        """Expand the open-ended recurring exceptions up to (at least) the day ``day_hi``."""
        for part in self._parts:
            part._expand_open_rules(day_hi)
        if not self._open_rules or day_hi <= self._recurring_hi:
            return
        horizon = day_hi + 10 * _CHUNK_DAYS
        until = date.fromordinal(min(horizon + _EPOCH_ORDINAL, date.max.toordinal()))
        expanded: dict[int, WorkingRanges] = {}
        for rule in self.calendar.recurring:  # in listed order: the last one listed wins
            for day in rule.dates(None if rule.bounded else until):
                expanded[day.toordinal() - _EPOCH_ORDINAL] = rule.working_times
        self._recurring = expanded
        self._recurring_hi = horizon

    def _build(self, day_lo: int, day_hi: int, base: int) -> tuple[list[int], list[int], list[int]]:
        self._expand_open_rules(day_hi)
        starts: list[int] = []
        ends: list[int] = []
        cum: list[int] = []
        total = base
        for day in range(day_lo, day_hi):
            offset = day * 1440
            for start, end in self._day_ranges(day):
                starts.append(offset + start)
                ends.append(offset + end)
                cum.append(total)
                total += end - start
        return starts, ends, cum

    def _cover(self, minute: int) -> None:
        """Make sure the compiled span includes the day holding ``minute`` (and its neighbours)."""
        day = minute // 1440
        if not self._starts and self._day_lo == self._day_hi:
            lo = day - _CHUNK_DAYS // 2
            hi = day + _CHUNK_DAYS
            self._starts, self._ends, self._cum = self._build(lo, hi, 0)
            self._day_lo, self._day_hi = lo, hi
            self._refresh()
        while day - 1 < self._day_lo:
            self._extend_down()
        while day + 1 >= self._day_hi:
            self._extend_up()

    def _extend_up(self) -> None:
        base = self._cum_end[-1] if self._cum_end else 0
        starts, ends, cum = self._build(self._day_hi, self._day_hi + _CHUNK_DAYS, base)
        self._starts += starts
        self._ends += ends
        self._cum += cum
        # Only the new intervals' ends: rebuilding the whole list made a long span quadratic.
        self._cum_end += [c + e - s for c, s, e in zip(cum, starts, ends, strict=True)]
        self._arrays = None
        self._day_hi += _CHUNK_DAYS

    def _extend_down(self) -> None:
        starts, ends, cum = self._build(self._day_lo - _CHUNK_DAYS, self._day_lo, 0)
        top = self._cum[0] if self._cum else 0
        added = sum(e - s for s, e in zip(starts, ends, strict=True))
        shift = top - added
        shifted = [c + shift for c in cum]
        self._starts = starts + self._starts
        self._ends = ends + self._ends
        self._cum = shifted + self._cum
        self._cum_end = [c + e - s for c, s, e in zip(shifted, starts, ends, strict=True)] + self._cum_end
        self._arrays = None
        self._day_lo -= _CHUNK_DAYS

    def tables(self, low_wm: int, high_wm: int) -> tuple[NDArray[np.int64], ...]:
        """numpy copies of (worked-before, worked-after, start) per interval, covering the given counts."""
        self._cover_wm(low_wm)
        self._cover_wm(high_wm)
        if self._arrays is None:
            self._arrays = (
                np.asarray(self._cum, dtype=np.int64),
                np.asarray(self._cum_end, dtype=np.int64),
                np.asarray(self._starts, dtype=np.int64),
            )
        return self._arrays

    def key(self, minute: int) -> int:
        """The instant ``minute`` as a *key*: ``2 * worked minutes``, plus one unless work just stopped.

        Keys order instants the way the scheduler compares them on one calendar: ``2w`` is "just
        after the ``w``-th working minute ended" (a finish, e.g. 17:00), ``2w + 1`` "just before work
        resumes" (a start, e.g. 08:00 the next working day), so working-time arithmetic on keys is
        integer addition.
        """
        wm = self.wm(minute)
        return 2 * wm + 1 if self.instant_start(wm) == minute or self.instant_end(wm) != minute else 2 * wm

    def minutes_of_keys(self, keys: NDArray[np.int64]) -> NDArray[np.int64]:
        """Inverse of :meth:`key` for an array of keys, in one vectorised pass (binary searches)."""
        if not keys.size:
            return keys.copy()
        wms = keys >> 1
        low, high = int(wms.min()), int(wms.max())
        cum, cum_end, starts = self.tables(low, high)
        # The interval a start falls in: the last one that begins at or before it. A finish falls in
        # the same one, unless it is that interval's first minute: then it ends the one before.
        idx = _last_at_or_before(cum, cum_end, wms, low, high)
        idx -= ((keys & 1) == 0) & (cum[idx] == wms)
        result: NDArray[np.int64] = starts[idx] + wms - cum[idx]
        return result

    def _refresh(self) -> None:
        self._arrays = None
        self._cum_end = [c + e - s for c, s, e in zip(self._cum, self._starts, self._ends, strict=True)]

    def _cover_wm(self, wm: int) -> None:
        """Make sure the span holds the working minute ``wm`` with an interval on both sides.

        The span grows a year at a time, as far as needed; sixty years in a row without any working
        time mean the calendar has none left in that direction.
        """
        searched = 0
        while not self._cum or wm <= self._cum[0]:
            intervals = len(self._starts)
            self._extend_down()
            searched = 0 if len(self._starts) > intervals and self._cum else searched + _CHUNK_DAYS
            if searched > _SEARCH_LIMIT_DAYS:
                raise CalendarError(f"calendar {self.calendar.id!r} has no working time in the searched span")
        searched = 0
        while wm >= self._cum_end[-1]:
            intervals = len(self._starts)
            self._extend_up()
            searched = 0 if len(self._starts) > intervals else searched + _CHUNK_DAYS
            if searched > _SEARCH_LIMIT_DAYS:
                raise CalendarError(f"calendar {self.calendar.id!r} has no working time in the searched span")

    # -- arithmetic ------------------------------------------------------------------------------

    def wm(self, minute: int) -> int:
        """Working minutes worked up to the instant ``minute`` (counted from the calendar's origin)."""
        if not self._day_lo * 1440 + 1440 <= minute < self._day_hi * 1440 - 1440:
            self._cover(minute)
        starts = self._starts
        k = bisect_right(starts, minute) - 1
        while k < 0:
            self._cover_wm(self._cum[0] if self._cum else 0)
            starts = self._starts
            k = bisect_right(starts, minute) - 1
        end = self._ends[k]
        return self._cum[k] + (minute if minute < end else end) - starts[k]

    def instant_end(self, wm: int) -> int:
        """The earliest instant at which ``wm`` minutes have been worked: a finish (may be 17:00)."""
        cum_end = self._cum_end
        if not cum_end or not cum_end[0] < wm < cum_end[-1]:
            self._cover_wm(wm)
            cum_end = self._cum_end
        j = bisect_left(cum_end, wm)
        return self._starts[j] + wm - self._cum[j]

    def instant_start(self, wm: int) -> int:
        """The latest instant at which ``wm`` minutes have been worked: a start (08:00, not 17:00)."""
        cum = self._cum
        if not cum or not cum[0] <= wm < self._cum_end[-1]:
            self._cover_wm(wm)
            cum = self._cum
        j = bisect_right(cum, wm) - 1
        return self._starts[j] + wm - cum[j]

    def add(self, minute: int, minutes: int) -> int:
        """``minute`` plus ``minutes`` of work; a positive result ends a period, a negative one starts it."""
        if minutes > 0:
            return self.instant_end(self.wm(minute) + minutes)
        if minutes < 0:
            return self.instant_start(self.wm(minute) + minutes)
        return minute

    def next_start(self, minute: int) -> int:
        """``minute`` if it is working time, else the start of the next working period."""
        return self.instant_start(self.wm(minute))

    def previous_finish(self, minute: int) -> int:
        """``minute`` if work happens just before it, else the end of the previous working period."""
        return self.instant_end(self.wm(minute))

    def between(self, start: int, finish: int) -> int:
        """Working minutes from ``start`` to ``finish`` (negative when ``finish`` is earlier)."""
        return self.wm(finish) - self.wm(start)


@functools.lru_cache(maxsize=4096)
def _combined(days: tuple[WorkingRanges, ...], union: bool) -> WorkingRanges:
    """:func:`_combine`, remembered: a union or intersection sees the same few days again and again."""
    return _combine(list(days), union=union)


def _combine(days: list[WorkingRanges], *, union: bool) -> WorkingRanges:
    """The union or the intersection of one day's working ranges from several calendars."""
    if union:
        merged: list[tuple[int, int]] = []
        for start, end in sorted(r for ranges in days for r in ranges):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return tuple(merged)
    common: WorkingRanges = days[0] if days else ()
    for ranges in days[1:]:
        common = tuple((max(a, c), min(b, d)) for a, b in common for c, d in ranges if max(a, c) < min(b, d))
    return common


def _last_at_or_before(
    cum: NDArray[np.int64], cum_end: NDArray[np.int64], wms: NDArray[np.int64], low: int, high: int
) -> NDArray[np.intp]:
    """For each count in ``wms`` (between ``low`` and ``high``), the last interval with ``cum <= wm``.

    A binary search per value, or, when the intervals are long enough, a bucket table: with buckets
    no wider than the shortest interval in the span, a bucket holds at most one interval start, so
    the answer is the bucket's first interval or the next one.
    """
    first = int(np.searchsorted(cum, low, side="right")) - 1
    last = int(np.searchsorted(cum, high, side="right"))
    width = int((cum_end[first:last] - cum[first:last]).min())
    buckets = (high - low) // width + 1
    if buckets > 4 * wms.size + 1024:
        found: NDArray[np.intp] = np.searchsorted(cum, wms, side="right") - 1
        return found
    table = np.searchsorted(cum, low + width * np.arange(buckets, dtype=np.int64), side="right") - 1
    idx: NDArray[np.intp] = table[(wms - low) // width]
    following = np.append(cum, cum_end[-1])  # past the last interval: never at or before a count
    idx += following[idx + 1] <= wms
    return idx


@functools.lru_cache(maxsize=256)
def compile_calendar(calendar: Calendar) -> CompiledCalendar:
    """Return the (cached) compiled form of ``calendar``."""
    return CompiledCalendar(calendar)


def add_working_minutes(calendar: Calendar, moment: datetime, minutes: int) -> datetime:
    """Return the instant ``minutes`` working minutes after ``moment`` (before it when negative).

    A positive amount ends at the end of a working period when it falls there (17:00, not 08:00
    the next morning), as MS Project shows finishes; a negative amount lands on the start of work.

    Raises :class:`CalendarError` if the calendar has no working time in sixty years.

    >>> from tandem_engine import Calendar
    >>> add_working_minutes(Calendar.standard(), datetime(2026, 11, 20, 16, 0), 120)
    datetime.datetime(2026, 11, 23, 9, 0)

    Method: two binary searches in the cumulative working-minute table of the calendar.
    """
    return from_minutes(compile_calendar(calendar).add(to_minutes(moment), minutes))


def subtract_working_minutes(calendar: Calendar, moment: datetime, minutes: int) -> datetime:
    """Return the instant ``minutes`` working minutes before ``moment``; see :func:`add_working_minutes`.

    >>> from tandem_engine import Calendar
    >>> subtract_working_minutes(Calendar.standard(), datetime(2026, 11, 23, 9, 0), 120)
    datetime.datetime(2026, 11, 20, 16, 0)
    """
    return from_minutes(compile_calendar(calendar).add(to_minutes(moment), -minutes))


def working_minutes_between(calendar: Calendar, start: datetime, finish: datetime) -> int:
    """Count the working minutes from ``start`` to ``finish`` (negative if ``finish`` is earlier).

    >>> from tandem_engine import Calendar
    >>> working_minutes_between(Calendar.standard(), datetime(2026, 11, 20, 8), datetime(2026, 11, 23, 17))
    960
    """
    compiled = compile_calendar(calendar)
    return compiled.between(to_minutes(start), to_minutes(finish))


def working_days(calendar: Calendar, first: date, last: date) -> list[date]:
    """The working days from ``first`` to ``last`` inclusive (a day with any working time counts)."""
    compiled = compile_calendar(calendar)
    compiled._expand_open_rules(last.toordinal() - _EPOCH_ORDINAL + 1)
    return [
        date.fromordinal(ordinal)
        for ordinal in range(first.toordinal(), last.toordinal() + 1)
        if compiled._day_ranges(ordinal - _EPOCH_ORDINAL)
    ]
