"""The fast split of work over weeks (cumulative working minutes, one numpy pass) gives what a naive
day-by-day walk over the same calendar gives, on random small cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import tandem_engine as engine
from tandem.resources.workload import split_over_weeks
from tandem_engine.calendar import compile_calendar

#: A standard week, China's 2025–2027 holidays and make-up days, and an odd custom week with a holiday.
CALENDARS = (
    engine.Calendar.standard(),
    engine.china_calendar([2025, 2026, 2027]),
    engine.Calendar(
        id="odd",
        week=((), ((540, 600), (660, 900)), (), ((0, 1440),), ((480, 720),), ((600, 660),), ()),
        exceptions=(engine.CalendarException(dt.date(2026, 3, 12), dt.date(2026, 3, 13), (), "off"),),
    ),
)


def _day_ranges(calendar: engine.Calendar, day: dt.date) -> Sequence[tuple[int, int]]:
    ranges: Sequence[tuple[int, int]] = calendar.week[day.weekday()]
    for exception in calendar.exceptions:  # the last listed wins, as in the engine
        if exception.start <= day <= exception.end:
            ranges = exception.working_times
    return ranges


def naive_split(
    calendar: engine.Calendar,
    start: dt.datetime,
    finish: dt.datetime,
    work: float,
    monday: dt.date,
    weeks: int,
) -> list[float]:
    """Walk the task day by day, counting its working minutes per week, then share the work."""
    per_week = [0] * weeks
    total = 0
    day = start.date()
    while day <= finish.date():
        midnight = dt.datetime.combine(day, dt.time())
        for a, b in _day_ranges(calendar, day):
            lo = max(midnight + dt.timedelta(minutes=a), start)
            hi = min(midnight + dt.timedelta(minutes=b), finish)
            minutes = max(0, int((hi - lo).total_seconds() // 60))
            total += minutes
            week = (day - monday).days // 7
            if 0 <= week < weeks and (day - monday).days >= 0:
                per_week[week] += minutes
        day += dt.timedelta(days=1)
    out = [0.0] * weeks
    if total == 0:
        week = (start.date() - monday).days // 7
        if 0 <= week < weeks and start.date() >= monday:
            out[week] = work
        return out
    return [work * m / total for m in per_week]


@settings(max_examples=300, deadline=None)
@given(
    calendar_index=st.integers(0, len(CALENDARS) - 1),
    monday_offset=st.integers(0, 100),
    weeks=st.integers(1, 8),
    start_offset=st.integers(-20 * 1440, 60 * 1440),
    length=st.one_of(st.just(0), st.integers(0, 45 * 1440)),
    work=st.integers(0, 20_000),
)
def test_the_fast_split_matches_a_day_by_day_walk(
    calendar_index: int, monday_offset: int, weeks: int, start_offset: int, length: int, work: int
) -> None:
    calendar = CALENDARS[calendar_index]
    compiled = compile_calendar(calendar)
    monday = dt.date(2025, 12, 1) + dt.timedelta(weeks=monday_offset)
    origin = dt.datetime.combine(monday, dt.time())
    start = origin + dt.timedelta(minutes=start_offset)
    finish = start + dt.timedelta(minutes=length)
    bounds = [engine.to_minutes(origin) + w * 7 * 1440 for w in range(weeks + 1)]
    fast = split_over_weeks(
        np.array([compiled.wm(engine.to_minutes(start))], dtype=np.int64),
        np.array([compiled.wm(engine.to_minutes(finish))], dtype=np.int64),
        np.array([float(work)]),
        np.array([compiled.wm(m) for m in bounds], dtype=np.int64),
        np.array([(engine.to_minutes(start) - bounds[0]) // (7 * 1440)], dtype=np.int64),
    )[0]
    slow = naive_split(calendar, start, finish, float(work), monday, weeks)
    assert np.allclose(fast, slow, atol=1e-6), (list(fast), slow)
