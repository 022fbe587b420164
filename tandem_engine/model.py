"""The engine's inputs: plain frozen dataclasses keyed by ids, free of any framework."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time

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
    ``actual_start`` keeps it, and one with an ``actual_finish`` is complete.
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


STANDARD_DAY: WorkingRanges = ((8 * 60, 12 * 60), (13 * 60, 17 * 60))
"""MS Project's standard day: 08:00-12:00 and 13:00-17:00."""


@dataclass(frozen=True, slots=True)
class Calendar:
    """A working-time calendar: working ranges per weekday (Monday first) and dated exceptions."""

    id: CalendarId
    week: tuple[WorkingRanges, WorkingRanges, WorkingRanges, WorkingRanges, WorkingRanges, WorkingRanges,
                WorkingRanges] = (STANDARD_DAY,) * 5 + ((), ())
    exceptions: tuple[CalendarException, ...] = ()
    name: str = ""

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
    """Everything the scheduler needs: activities, links, calendars and the project's anchors."""

    activities: tuple[Activity, ...]
    links: tuple[Link, ...]
    calendars: Mapping[CalendarId, Calendar]
    calendar_id: CalendarId
    start: datetime
    status_date: datetime | None = None
    names: Mapping[ActivityId, str] = field(default_factory=dict)
