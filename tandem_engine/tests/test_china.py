"""China's calendar: public holidays, make-up working days (调休), and unpublished years."""

from __future__ import annotations

import warnings
from datetime import datetime

import pytest

from tandem_engine import (
    UnpublishedHolidaysWarning,
    add_working_minutes,
    china_calendar,
    last_published_china_year,
)


def test_it_makes_spring_festival_days_off_and_works_the_make_up_saturday() -> None:
    calendar = china_calendar([2026])
    # Friday 2026-02-13 17:00 + 1 h: Saturday 2026-02-14 is a make-up working day.
    assert add_working_minutes(calendar, datetime(2026, 2, 13, 17), 60) == datetime(2026, 2, 14, 9, 0)
    # Spring Festival 2026-02-15..02-23 is off (02-23 moved from 02-28): work resumes on the 24th.
    assert add_working_minutes(calendar, datetime(2026, 2, 14, 17), 60) == datetime(2026, 2, 24, 9, 0)


def test_it_keeps_national_day_off() -> None:
    calendar = china_calendar([2026])
    assert add_working_minutes(calendar, datetime(2026, 9, 30, 17), 60) == datetime(2026, 10, 8, 9, 0)


def test_it_warns_for_a_year_without_an_official_arrangement() -> None:
    year = last_published_china_year() + 1
    with pytest.warns(UnpublishedHolidaysWarning, match=str(year)):
        china_calendar([year])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        china_calendar([last_published_china_year()])
