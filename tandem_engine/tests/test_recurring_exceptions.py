"""Recurring calendar exceptions: every MS Project pattern, precedence, and a real MS Project file."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime
from pathlib import Path

import pytest

from tandem_engine import (
    Calendar,
    CalendarException,
    Recurrence,
    RecurringException,
    add_working_minutes,
    parse_working_ranges,
    read_mspdi,
    working_minutes_between,
)

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "msproject"
RECURRING_FILES = (
    "mpxj/calendar-recurring-exceptions-project2016-mspdi.xml",
    "derived_mspdi/mpxj__calendar-recurring-exceptions-project2016-mpp14.mspdi.xml",
)
NS = "{http://schemas.microsoft.com/project}"


def days(rule: RecurringException, until: date | None = None) -> list[str]:
    return [d.isoformat() for d in rule.dates(until)]


def test_it_repeats_every_n_days_and_every_n_weeks() -> None:
    every_third = RecurringException(date(2026, 2, 1), Recurrence.DAILY, period=3, occurrences=4)
    assert days(every_third) == ["2026-02-01", "2026-02-04", "2026-02-07", "2026-02-10"]
    # Every second week on Tuesday and Thursday; weeks start on Sunday as in MS Project.
    fortnightly = RecurringException(
        date(2026, 11, 23), Recurrence.WEEKLY, period=2, weekdays=(1, 3), end=date(2026, 12, 10)
    )
    assert days(fortnightly) == ["2026-11-24", "2026-11-26", "2026-12-08", "2026-12-10"]


def test_it_repeats_monthly_by_day_and_by_position() -> None:
    on_the_31st = RecurringException(date(2026, 1, 1), Recurrence.MONTHLY_BY_DAY, day=31, occurrences=3)
    assert days(on_the_31st) == ["2026-01-31", "2026-02-28", "2026-03-31"]  # a short month: its last day
    last_friday = RecurringException(
        date(2026, 1, 1), Recurrence.MONTHLY_BY_POSITION, period=3, weekdays=(4,), position=-1, occurrences=3
    )
    assert days(last_friday) == ["2026-01-30", "2026-04-24", "2026-07-31"]


def test_it_repeats_yearly_by_day_and_by_position() -> None:
    christmas = RecurringException(date(2026, 1, 1), Recurrence.YEARLY_BY_DAY, month=12, day=25)
    assert days(christmas, until=date(2028, 12, 31)) == ["2026-12-25", "2027-12-25", "2028-12-25"]
    thanksgiving = RecurringException(
        date(2026, 1, 1), Recurrence.YEARLY_BY_POSITION, month=11, weekdays=(3,), position=4, occurrences=2
    )
    assert days(thanksgiving) == ["2026-11-26", "2027-11-25"]


def test_it_refuses_an_open_ended_expansion_and_bad_rules() -> None:
    christmas = RecurringException(date(2026, 1, 1), Recurrence.YEARLY_BY_DAY, month=12, day=25)
    with pytest.raises(ValueError, match="for ever"):
        list(christmas.dates())
    with pytest.raises(ValueError, match="weekdays"):
        RecurringException(date(2026, 1, 1), Recurrence.WEEKLY)
    with pytest.raises(ValueError, match="period"):
        RecurringException(date(2026, 1, 1), Recurrence.DAILY, period=0)


def test_a_calendar_skips_an_open_ended_yearly_holiday_decades_ahead() -> None:
    christmas = RecurringException(date(2000, 1, 1), Recurrence.YEARLY_BY_DAY, month=12, day=25)
    calendar = Calendar("xmas", recurring=(christmas,))
    # Thursday 2042-12-25 is off: a day of work from Wednesday 17:00 ends on Friday.
    assert add_working_minutes(calendar, datetime(2042, 12, 24, 17), 480) == datetime(2042, 12, 26, 17, 0)
    assert working_minutes_between(calendar, datetime(2042, 12, 22, 8), datetime(2042, 12, 26, 17)) == 4 * 480


def test_a_dated_exception_wins_over_a_recurring_one() -> None:
    every_monday_off = RecurringException(date(2026, 11, 1), Recurrence.WEEKLY, weekdays=(0,))
    monday = date(2026, 11, 30)
    worked_monday = CalendarException(monday, monday, parse_working_ranges("09:00-12:00"))
    calendar = Calendar("c", exceptions=(worked_monday,), recurring=(every_monday_off,))
    # Friday 17:00 + 1 h: Monday 23 is off, so Tuesday; Monday 30 is a short working day.
    assert add_working_minutes(calendar, datetime(2026, 11, 20, 17), 60) == datetime(2026, 11, 24, 9, 0)
    assert add_working_minutes(calendar, datetime(2026, 11, 27, 17), 60) == datetime(2026, 11, 30, 10, 0)


def test_a_recurring_exception_can_add_working_time() -> None:
    first_saturdays = RecurringException(
        date(2026, 1, 1),
        Recurrence.MONTHLY_BY_POSITION,
        weekdays=(5,),
        position=1,
        working_times=parse_working_ranges("09:00-13:00"),
        occurrences=12,
    )
    calendar = Calendar("c", recurring=(first_saturdays,))
    # Friday 2026-02-06 17:00 + 1 h: Saturday 2026-02-07 is the first Saturday of February.
    assert add_working_minutes(calendar, datetime(2026, 2, 6, 17), 60) == datetime(2026, 2, 7, 10, 0)
    # Friday 2026-02-13: the next Saturday is an ordinary weekend day.
    assert add_working_minutes(calendar, datetime(2026, 2, 13, 17), 60) == datetime(2026, 2, 16, 9, 0)


@pytest.mark.skipif(
    not DATA.is_dir(), reason=f"reference data not present at {DATA} (a fresh clone has no ../shared/data)"
)
@pytest.mark.parametrize("file", RECURRING_FILES)
def test_it_reads_every_recurring_pattern_ms_project_saved(file: str) -> None:
    """MS Project stored each pattern with its number of occurrences and the date of the last one."""
    saved: dict[str, tuple[int, date]] = {}
    root = ET.parse(DATA / file).getroot()  # trusted reference data; the reader under test is defused
    standard = next(c for c in root.iter(f"{NS}Calendar") if c.findtext(f"{NS}Name") == "Standard")
    for element in standard.iter(f"{NS}Exception"):
        last = datetime.fromisoformat(element.findtext(f"{NS}TimePeriod/{NS}ToDate") or "").date()
        saved[element.findtext(f"{NS}Name") or ""] = (int(element.findtext(f"{NS}Occurrences") or 0), last)
    project = read_mspdi(DATA / file)
    calendar = next(c for c in project.network.calendars.values() if c.name == "Standard")
    read = {rule.name: list(rule.dates()) for rule in calendar.recurring}
    assert len(saved) == 27
    assert set(read) == set(saved) - {"Daily 1"}  # every day of its span: an ordinary exception
    for name, dates in read.items():
        occurrences, last = saved[name]
        assert (len(dates), dates[-1]) == (occurrences, last), name
    assert not project.notes
    # "Recurring Working": the first Saturday of each month of 2010 Q1 is worked 09:00-13:00, 14:00-17:00.
    assert working_minutes_between(calendar, datetime(2010, 1, 2), datetime(2010, 1, 3)) == 7 * 60
    assert working_minutes_between(calendar, datetime(2010, 1, 9), datetime(2010, 1, 10)) == 0
