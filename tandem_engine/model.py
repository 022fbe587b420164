"""The engine's inputs: plain frozen dataclasses keyed by ids, free of any framework."""

from __future__ import annotations

import calendar as _gregorian
import enum
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

ActivityId = int | str
"""An activity's key: the caller's primary key (Django) or the MS Project UID."""

CalendarId = int | str
"""A calendar's key."""

WorkingRanges = tuple[tuple[int, int], ...]
"""Working periods of one day as ``(start, end)`` minutes after midnight, sorted, ``end`` up to 1440."""


class ConstraintType(enum.StrEnum):
    """Date constraints, named as in MS Project."""

    ASAP = "ASAP"  # as soon as possible
    ALAP = "ALAP"  # as late as possible
    SNET = "SNET"  # start no earlier than
    SNLT = "SNLT"  # start no later than
    FNET = "FNET"  # finish no earlier than
    FNLT = "FNLT"  # finish no later than
    MSO = "MSO"  # must start on
    MFO = "MFO"  # must finish on


class LinkType(enum.StrEnum):
    """Dependency types: which end of the predecessor drives which end of the successor."""

    FS = "FS"
    SS = "SS"
    FF = "FF"
    SF = "SF"


class LagUnit(enum.StrEnum):
    """How a link's lag is measured."""

    WORKING = "working"  # working minutes on the successor's calendar (MS Project's rule)
    ELAPSED = "elapsed"  # wall-clock minutes, nights and weekends included
    PERCENT = "percent"  # percent of the predecessor's duration, e.g. ``50.0`` for FS+50%


@dataclass(frozen=True, slots=True)
class Activity:
    """One schedulable task or milestone.

    ``duration`` is in working minutes of the activity's calendar (elapsed minutes when ``elapsed``).
    A manually scheduled activity keeps ``manual_start``/``manual_finish``; an activity with an
    ``actual_start`` keeps it, and one with an ``actual_finish`` is complete. ``lag_calendar_id`` is
    the calendar the lags of links into the activity are counted on, when it is not the activity's
    own: MS Project counts them on the task's calendar (else the project's), never on its resources'
    calendars, which :func:`~tandem_engine.apply_assignments` gives the activity.
    """

    id: ActivityId
    duration: int = 0
    milestone: bool = False
    calendar_id: CalendarId | None = None
    constraint: ConstraintType = ConstraintType.ASAP
    constraint_date: datetime | None = None
    deadline: datetime | None = None
    actual_start: datetime | None = None
    actual_finish: datetime | None = None
    percent_complete: float = 0.0
    manual: bool = False
    manual_start: datetime | None = None
    manual_finish: datetime | None = None
    elapsed: bool = False
    lag_calendar_id: CalendarId | None = None
    #: MS Project's leveling delay, in elapsed minutes: the task starts this long after its links and
    #: the project start allow; its late dates do not move.
    leveling_delay: int = 0


@dataclass(frozen=True, slots=True)
class Link:
    """A dependency from ``predecessor`` to ``successor`` with a lag (negative for a lead)."""

    predecessor: ActivityId
    successor: ActivityId
    type: LinkType = LinkType.FS
    lag: float = 0.0
    lag_unit: LagUnit = LagUnit.WORKING


@dataclass(frozen=True, slots=True)
class CalendarException:
    """Days ``start``..``end`` (inclusive) that follow ``working_times`` instead of the week.

    Empty ``working_times`` make the days non-working (a holiday); ranges make them working days
    with those hours (a make-up working day, 调休).
    """

    start: date
    end: date
    working_times: WorkingRanges = ()
    name: str = ""


class Recurrence(enum.StrEnum):
    """How a recurring calendar exception repeats (MS Project's "Details..." patterns)."""

    DAILY = "daily"  # every ``period`` days
    WEEKLY = "weekly"  # on ``weekdays`` every ``period`` weeks (weeks start on Sunday, as in MS Project)
    MONTHLY_BY_DAY = "monthly_by_day"  # on day ``day`` of every ``period``-th month
    MONTHLY_BY_POSITION = "monthly_by_position"  # ``position``-th of ``weekdays``, every ``period`` months
    YEARLY_BY_DAY = "yearly_by_day"  # on ``day`` of ``month``, every ``period`` years
    YEARLY_BY_POSITION = "yearly_by_position"  # the ``position``-th of ``weekdays`` in ``month``


ALL_DAYS = (0, 1, 2, 3, 4, 5, 6)
"""``weekdays`` meaning "day" (the 1st day of the month, the last day...)."""
WEEKDAYS = (0, 1, 2, 3, 4)
WEEKEND_DAYS = (5, 6)


@dataclass(frozen=True, slots=True)
class RecurringException:
    """Days that repeat by a rule and follow ``working_times`` instead of the week.

    The pattern starts at ``start`` and stops after ``end`` (inclusive) or after ``occurrences``
    days, whichever comes first; with neither it repeats for ever. ``weekdays`` count from Monday
    = 0; ``position`` is 1-4, or -1 for the last one in the month; ``month`` is 1-12.

    >>> first_mondays = RecurringException(date(2026, 1, 1), Recurrence.MONTHLY_BY_POSITION,
    ...                                    weekdays=(0,), position=1, occurrences=3)
    >>> [d.isoformat() for d in first_mondays.dates()]
    ['2026-01-05', '2026-02-02', '2026-03-02']
    """

    start: date
    recurrence: Recurrence
    period: int = 1
    weekdays: tuple[int, ...] = ()
    day: int = 1
    month: int = 1
    position: int = 1
    end: date | None = None
    occurrences: int | None = None
    working_times: WorkingRanges = ()
    name: str = ""

    def __post_init__(self) -> None:
        if self.period < 1:
            raise ValueError(f"recurring exception {self.name!r}: period must be at least 1")
        if self.occurrences is not None and self.occurrences < 1:
            raise ValueError(f"recurring exception {self.name!r}: occurrences must be at least 1")
        needs_weekdays = self.recurrence in (
            Recurrence.WEEKLY,
            Recurrence.MONTHLY_BY_POSITION,
            Recurrence.YEARLY_BY_POSITION,
        )
        if needs_weekdays and (not self.weekdays or not set(self.weekdays) <= set(ALL_DAYS)):
            raise ValueError(f"recurring exception {self.name!r}: weekdays must be some of 0 (Monday) to 6")
        if not 1 <= self.month <= 12 or not 1 <= self.day <= 31 or self.position not in (1, 2, 3, 4, -1):
            raise ValueError(f"recurring exception {self.name!r}: month, day or position out of range")
        validate_working_ranges(self.working_times)

    @property
    def bounded(self) -> bool:
        """Whether the pattern stops (has an ``end`` or a number of ``occurrences``)."""
        return self.end is not None or self.occurrences is not None

    def dates(self, until: date | None = None) -> Iterator[date]:
        """The days of the pattern in order, from ``start`` up to ``end``/``occurrences``/``until``."""
        last = min((d for d in (self.end, until) if d is not None), default=None)
        if last is None and self.occurrences is None:
            raise ValueError(f"recurring exception {self.name!r} repeats for ever: give ``until``")
        count = 0
        for day in self._candidates():
            if day < self.start:
                continue
            if last is not None and day > last:
                return
            yield day
            count += 1
            if self.occurrences is not None and count >= self.occurrences:
                return

    def _candidates(self) -> Iterator[date]:
        start, period, kind = self.start, self.period, self.recurrence
        if kind is Recurrence.DAILY:
            for k in itertools.count():
                yield start + timedelta(days=k * period)
        elif kind is Recurrence.WEEKLY:
            sunday = start - timedelta(days=(start.weekday() + 1) % 7)
            for k in itertools.count():
                for offset in range(7):
                    day = sunday + timedelta(days=7 * k * period + offset)
                    if day.weekday() in self.weekdays:
                        yield day
        elif kind in (Recurrence.MONTHLY_BY_DAY, Recurrence.MONTHLY_BY_POSITION):
            for k in itertools.count():
                year, month0 = divmod(start.year * 12 + start.month - 1 + k * period, 12)
                found = self._day_in(year, month0 + 1)
                if found is not None:
                    yield found
        else:
            for k in itertools.count():
                found = self._day_in(start.year + k * period, self.month)
                if found is not None:
                    yield found

    def _day_in(self, year: int, month: int) -> date | None:
        if year > 9999:
            raise ValueError(f"recurring exception {self.name!r} runs past the year 9999")
        length = _gregorian.monthrange(year, month)[1]
        if self.recurrence in (Recurrence.MONTHLY_BY_DAY, Recurrence.YEARLY_BY_DAY):
            return date(year, month, min(self.day, length))  # the 31st is the last day of a short month
        matching = [d for d in range(1, length + 1) if date(year, month, d).weekday() in self.weekdays]
        index = self.position - 1 if self.position > 0 else -1
        return date(year, month, matching[index]) if index < len(matching) else None


STANDARD_DAY: WorkingRanges = ((8 * 60, 12 * 60), (13 * 60, 17 * 60))
"""MS Project's standard day: 08:00-12:00 and 13:00-17:00."""


@dataclass(frozen=True, slots=True)
class Calendar:
    """A working-time calendar: working ranges per weekday (Monday first) and exceptions.

    A day follows, in this order of precedence: a dated exception (the last one listed that covers
    it), a recurring exception (the last one listed), the week. A calendar built with
    :meth:`union` or :meth:`intersection` follows its parts instead.
    """

    id: CalendarId
    week: tuple[
        WorkingRanges,
        WorkingRanges,
        WorkingRanges,
        WorkingRanges,
        WorkingRanges,
        WorkingRanges,
        WorkingRanges,
    ] = (STANDARD_DAY,) * 5 + ((), ())
    exceptions: tuple[CalendarException, ...] = ()
    name: str = ""
    recurring: tuple[RecurringException, ...] = ()
    union_of: tuple[Calendar, ...] = ()
    intersection_of: tuple[Calendar, ...] = ()

    @classmethod
    def union(cls, id: CalendarId, calendars: tuple[Calendar, ...], name: str = "") -> Calendar:
        """A calendar that works whenever any of ``calendars`` works (its own week is ignored).

        MS Project schedules a task with assignments on this: the task works while any of its
        assigned resources works.
        """
        return cls(id=id, week=((),) * 7, name=name, union_of=tuple(calendars))

    @classmethod
    def intersection(cls, id: CalendarId, calendars: tuple[Calendar, ...], name: str = "") -> Calendar:
        """A calendar that works only when every one of ``calendars`` works (its own week is ignored).

        An assignment on a task that has its own calendar works when both the task's calendar and
        the resource's calendar work.
        """
        return cls(id=id, week=((),) * 7, name=name, intersection_of=tuple(calendars))

    @classmethod
    def standard(cls, id: CalendarId = "standard", name: str = "Standard") -> Calendar:
        """MS Project's Standard calendar: Monday to Friday, 08:00-12:00 and 13:00-17:00."""
        return cls(id=id, name=name)

    @classmethod
    def continuous(cls, id: CalendarId = "24x7", name: str = "24 hours") -> Calendar:
        """Every minute of every day is working time (a unit calendar for pure CPM)."""
        return cls(id=id, week=(((0, 1440),),) * 7, name=name)


def parse_working_ranges(text: str) -> WorkingRanges:
    """Parse ``"08:00-12:00,13:00-17:00"`` into working ranges; ``""`` is a non-working day.

    Raises ``ValueError`` for malformed, overlapping or unsorted ranges.

    >>> parse_working_ranges("08:00-12:00,13:00-17:00")
    ((480, 720), (780, 1020))
    """
    ranges: list[tuple[int, int]] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        start_text, _, end_text = part.partition("-")
        start = _minutes_of(start_text)
        end = _minutes_of(end_text)
        if end == 0:
            end = 1440  # "22:00-00:00" ends at midnight
        ranges.append((start, end))
    return validate_working_ranges(tuple(ranges))


def validate_working_ranges(ranges: WorkingRanges) -> WorkingRanges:
    """Check that ranges are sorted, non-empty, non-overlapping and within one day."""
    previous_end = 0
    for start, end in ranges:
        if not 0 <= start < end <= 1440 or start < previous_end:
            raise ValueError(f"invalid working ranges {ranges!r}")
        previous_end = end
    return ranges


def _minutes_of(text: str) -> int:
    value = time.fromisoformat(text.strip())
    return value.hour * 60 + value.minute


@dataclass(frozen=True, slots=True)
class Network:
    """Everything the scheduler needs: activities, links, calendars and the project's anchors.

    ``status_date`` travels with the plan but is not applied by itself: pass it to ``schedule`` to
    keep unstarted work after it (MS Project, too, only moves work to the status date on request).
    """

    activities: tuple[Activity, ...]
    links: tuple[Link, ...]
    calendars: Mapping[CalendarId, Calendar]
    calendar_id: CalendarId
    start: datetime
    status_date: datetime | None = None
    names: Mapping[ActivityId, str] = field(default_factory=dict)
