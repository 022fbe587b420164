"""Working-time arithmetic: MS Project's conventions, exceptions, round trips."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem_engine import (
    Calendar,
    CalendarError,
    CalendarException,
    add_working_minutes,
    parse_working_ranges,
    subtract_working_minutes,
    working_minutes_between,
)

STANDARD = Calendar.standard("std")
FRIDAY = datetime(2026, 11, 20, 8, 0)


def test_it_finishes_at_the_end_of_the_day_not_the_next_morning() -> None:
    assert add_working_minutes(STANDARD, FRIDAY, 480) == datetime(2026, 11, 20, 17, 0)
    assert add_working_minutes(STANDARD, FRIDAY, 481) == datetime(2026, 11, 23, 8, 1)


def test_it_skips_lunch_and_weekends() -> None:
    assert add_working_minutes(STANDARD, datetime(2026, 11, 20, 11, 0), 120) == datetime(2026, 11, 20, 14, 0)
    assert working_minutes_between(STANDARD, FRIDAY, datetime(2026, 11, 23, 17, 0)) == 960


def test_it_subtracts_to_the_start_of_work() -> None:
    assert subtract_working_minutes(STANDARD, datetime(2026, 11, 23, 8, 0), 480) == FRIDAY


def test_it_honours_holidays_and_extra_working_days() -> None:
    calendar = Calendar(
        "c",
        exceptions=(
            CalendarException(date(2026, 11, 23), date(2026, 11, 24)),  # Monday and Tuesday off
            CalendarException(date(2026, 11, 22), date(2026, 11, 22), parse_working_ranges("09:00-12:00")),
        ),
    )
    assert add_working_minutes(calendar, FRIDAY, 480 + 180) == datetime(2026, 11, 22, 12, 0)
    assert add_working_minutes(calendar, FRIDAY, 480 + 181) == datetime(2026, 11, 25, 8, 1)


def test_it_parses_working_ranges() -> None:
    assert parse_working_ranges("08:00-12:00, 13:00-17:00") == ((480, 720), (780, 1020))
    assert parse_working_ranges("22:00-00:00") == ((1320, 1440),)
    with pytest.raises(ValueError):
        parse_working_ranges("13:00-12:00")


def test_it_refuses_a_calendar_without_working_time() -> None:
    never = Calendar("never", week=((),) * 7)
    with pytest.raises(CalendarError):
        add_working_minutes(never, FRIDAY, 60)


def test_it_reaches_far_dates_in_both_directions() -> None:
    far = add_working_minutes(STANDARD, FRIDAY, 480 * 260 * 30)
    assert far.year in (2056, 2057)
    assert subtract_working_minutes(STANDARD, far, 480 * 260 * 30) == FRIDAY


@settings(max_examples=300, deadline=None)
@given(
    st.integers(-200_000, 200_000),
    st.integers(0, 50_000),
    st.sampled_from(
        [STANDARD, Calendar.continuous("24"), Calendar("night", week=(((0, 360), (1320, 1440)),) * 6 + ((),))]
    ),
)
def test_it_round_trips_add_and_subtract(offset: int, minutes: int, calendar: Calendar) -> None:
    anchor = subtract_working_minutes(calendar, FRIDAY + timedelta(days=offset // 1440), 1)  # a working start
    later = add_working_minutes(calendar, anchor, minutes)
    assert working_minutes_between(calendar, anchor, later) == minutes
    assert subtract_working_minutes(calendar, later, minutes) == anchor


def test_a_span_grown_year_by_year_equals_one_reached_at_once() -> None:
    # The compiled span grows a year at a time in either direction; the working minutes it counts
    # must not depend on the order in which dates were asked for (a union of calendars too).
    from tandem_engine.calendar import CompiledCalendar, to_minutes

    nights = Calendar("nights", week=(parse_working_ranges("22:00-00:00"),) * 5 + ((), ()))
    four = Calendar("four", week=(STANDARD.week[0],) * 4 + ((), (), ()))
    holiday = CalendarException(date(2090, 5, 1), date(2090, 5, 3))
    union = Calendar.union("any", (STANDARD, nights, replace(four, exceptions=(holiday,))))
    moments = [to_minutes(FRIDAY + timedelta(days=d, hours=d % 17)) for d in range(-40_000, 40_000, 997)]
    stepwise, at_once = CompiledCalendar(union), CompiledCalendar(union)
    for minute in moments:  # from the past to the future, a year or so at a time
        stepwise.wm(minute)
    at_once.wm(moments[-1])  # the far future first, then the far past
    at_once.wm(moments[0])
    assert [stepwise.between(moments[0], m) for m in moments] == [
        at_once.between(moments[0], m) for m in moments
    ]
    assert [stepwise.add(m, 600) for m in moments] == [at_once.add(m, 600) for m in moments]
