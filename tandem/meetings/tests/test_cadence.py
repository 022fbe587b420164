"""Due moments of plan entries: weekly and every-second-week days, monthly working days on the China
calendar, in the project's time zone; adherence over constructed histories."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tandem.meetings import cadence
from tandem.meetings.choices import AdherenceStatus, CommunicationKind, Frequency, MonthlyRule
from tandem.meetings.tests.conftest import make_item
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db
UTC = dt.UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def test_it_is_due_every_friday_at_16_shanghai_time_which_is_8_utc(world: World) -> None:
    world.project.time_zone = "Asia/Shanghai"
    item = make_item(
        world.project, kind=CommunicationKind.STATUS_REPORT, weekday=4, starts_on=dt.date(2026, 3, 2)
    )
    assert item.time_of_day == dt.time(16, 0)  # the report default
    found = cadence.slots(item, utc(2026, 3, 1), utc(2026, 3, 20, 8))
    expected = [utc(2026, 3, 6, 8), utc(2026, 3, 13, 8), utc(2026, 3, 20, 8)]
    assert [s.astimezone(UTC) for s in found] == expected
    assert all(s.astimezone(SHANGHAI).hour == 16 and s.weekday() == 4 for s in found)
    # (start, end]: the start itself is excluded
    assert cadence.slots(item, utc(2026, 3, 6, 8), utc(2026, 3, 13, 8)) == [found[1]]
    assert cadence.next_slot(item, utc(2026, 3, 6, 8)) == found[1]
    assert cadence.last_slot(item, utc(2026, 3, 13, 7, 59)) == found[0]
    assert cadence.last_slot(item, utc(2026, 3, 1)) is None


def test_a_meeting_defaults_to_ten_in_the_morning_in_another_time_zone(world: World) -> None:
    world.project.time_zone = "Europe/Berlin"
    item = make_item(world.project, weekday=0, starts_on=dt.date(2026, 7, 1))
    first = cadence.next_slot(item, utc(2026, 7, 1))
    assert first is not None and first.astimezone(UTC) == utc(2026, 7, 6, 8)  # CEST is UTC+2


def test_every_second_week_counts_parity_from_the_first_occurrence(world: World) -> None:
    world.project.time_zone = "Asia/Shanghai"
    # starts on a Wednesday: the first Monday is 2026-03-09, then every 14 days
    item = make_item(world.project, frequency=Frequency.BIWEEKLY, weekday=0, starts_on=dt.date(2026, 3, 4))
    days = [s.date() for s in cadence.slots(item, utc(2026, 3, 1), utc(2026, 4, 30))]
    assert days == [dt.date(2026, 3, 9), dt.date(2026, 3, 23), dt.date(2026, 4, 6), dt.date(2026, 4, 20)]
    # a window starting in an odd week still keeps the parity
    later = [s.date() for s in cadence.slots(item, utc(2026, 3, 12), utc(2026, 4, 10))]
    assert later == [dt.date(2026, 3, 23), dt.date(2026, 4, 6)]


def test_monthly_on_the_first_working_day_skips_national_day_and_takes_a_make_up_saturday(
    world: World, china: object
) -> None:
    world.project.time_zone = "Asia/Shanghai"
    item = make_item(
        world.project,
        frequency=Frequency.MONTHLY,
        monthly_rule=MonthlyRule.FIRST_WORKING_DAY,
        weekday=None,
        starts_on=dt.date(2023, 9, 1),
    )
    days = [s.date() for s in cadence.slots(item, utc(2023, 8, 1), utc(2023, 12, 31))]
    # 2023: 1 Sep is a Friday; National Day runs 29 Sep–6 Oct and Saturday 7 Oct is a make-up working day
    assert days == [
        dt.date(2023, 9, 1),
        dt.date(2023, 10, 7),
        dt.date(2023, 11, 1),
        dt.date(2023, 12, 1),
    ]
    assert all(s.hour == 10 for s in cadence.slots(item, utc(2023, 8, 1), utc(2023, 12, 31)))


def test_monthly_around_the_spring_festival(world: World, china: object) -> None:
    first = make_item(
        world.project,
        frequency=Frequency.MONTHLY,
        monthly_rule=MonthlyRule.FIRST_WORKING_DAY,
        weekday=None,
        starts_on=dt.date(2022, 1, 1),
    )
    last = make_item(
        world.project,
        title="Month end",
        frequency=Frequency.MONTHLY,
        monthly_rule=MonthlyRule.LAST_WORKING_DAY,
        weekday=None,
        starts_on=dt.date(2022, 1, 1),
    )
    window = (utc(2021, 12, 31), utc(2022, 2, 28, 23))
    # 2022: the Spring Festival holiday is 31 Jan–6 Feb; Sunday 30 Jan is a make-up working day
    assert [s.date() for s in cadence.slots(first, *window)] == [dt.date(2022, 1, 4), dt.date(2022, 2, 7)]
    assert [s.date() for s in cadence.slots(last, *window)] == [dt.date(2022, 1, 30), dt.date(2022, 2, 28)]


def test_monthly_first_working_day_on_the_standard_calendar_is_the_first_weekday(world: World) -> None:
    item = make_item(
        world.project,
        frequency=Frequency.MONTHLY,
        monthly_rule=MonthlyRule.FIRST_WORKING_DAY,
        weekday=None,
        starts_on=dt.date(2023, 10, 1),
    )
    assert cadence.next_slot(item, utc(2023, 9, 30)).date() == dt.date(2023, 10, 2)  # type: ignore[union-attr]


def test_day_of_month_and_quarterly(world: World) -> None:
    item = make_item(
        world.project,
        frequency=Frequency.QUARTERLY,
        monthly_rule=MonthlyRule.DAY_OF_MONTH,
        day_of_month=31,
        weekday=None,
        starts_on=dt.date(2026, 1, 15),
    )
    days = [s.date() for s in cadence.slots(item, utc(2026, 1, 1), utc(2026, 12, 31, 23))]
    assert days == [dt.date(2026, 1, 31), dt.date(2026, 4, 30), dt.date(2026, 7, 31), dt.date(2026, 10, 31)]


def test_as_needed_is_never_due(world: World) -> None:
    item = make_item(world.project, frequency=Frequency.AS_NEEDED, weekday=None)
    assert cadence.slots(item, utc(2026, 1, 1), utc(2026, 12, 31)) == []
    assert cadence.next_slot(item, utc(2026, 1, 1)) is None
    status = cadence.adherence(item, [], utc(2026, 6, 1))
    assert status.status == AdherenceStatus.AS_NEEDED and status.percent is None


def test_adherence_on_a_constructed_history(world: World, china: object) -> None:
    world.project.time_zone = "Asia/Shanghai"
    # weekly, Friday 16:00 Shanghai (08:00 UTC), from Monday 2023-09-18
    item = make_item(
        world.project, kind=CommunicationKind.STATUS_REPORT, weekday=4, starts_on=dt.date(2023, 9, 18)
    )
    done = [
        utc(2023, 9, 22, 7),  # on time for 22 Sep
        # 29 Sep and 6 Oct fall in National Day (29 Sep–6 Oct): both move to the next working day,
        # Saturday 7 Oct (a make-up working day), where they are one slot
        utc(2023, 10, 7, 7, 30),
        utc(2023, 10, 13, 8, 0),  # exactly on time for 13 Oct
        # 20 Oct: missed
        # 27 Oct's grace ends Monday 30 Oct 16:00 (08:00 UTC): an hour late
        utc(2023, 10, 30, 9),
    ]
    now = utc(2023, 11, 1)
    result = cadence.adherence(item, done, now)
    assert [o.slot.date() for o in result.outcomes] == [
        dt.date(2023, 9, 22),
        dt.date(2023, 10, 7),
        dt.date(2023, 10, 13),
        dt.date(2023, 10, 20),
        dt.date(2023, 10, 27),
    ]
    met = [o.fulfilled_at is not None for o in result.outcomes]
    assert met == [True, True, True, False, False]
    assert (result.fulfilled, result.due) == (3, 5)
    assert result.percent == 60
    assert result.status == AdherenceStatus.OVERDUE
    assert result.next_due is not None and result.next_due.date() == dt.date(2023, 11, 3)


def test_a_slot_inside_its_grace_is_due_not_overdue(world: World) -> None:
    item = make_item(world.project, weekday=4, starts_on=dt.date(2026, 3, 2), time_of_day=dt.time(16, 0))
    world.project.time_zone = "UTC"
    # Friday 6 Mar 16:00; grace until Monday 9 Mar 16:00
    due = cadence.adherence(item, [], utc(2026, 3, 9, 15))
    assert due.status == AdherenceStatus.DUE and due.due == 0 and due.percent is None
    late = cadence.adherence(item, [], utc(2026, 3, 9, 16, 1))
    assert late.status == AdherenceStatus.OVERDUE and (late.fulfilled, late.due) == (0, 1)
    early = cadence.adherence(item, [utc(2026, 3, 6, 9)], utc(2026, 3, 7))
    assert early.status == AdherenceStatus.ON_TRACK and (early.fulfilled, early.due) == (1, 1)
    assert early.percent == 100


def test_a_weekly_slot_on_a_public_holiday_moves_to_the_next_working_day(world: World, china: object) -> None:
    world.project.time_zone = "Asia/Shanghai"
    item = make_item(
        world.project, kind=CommunicationKind.STATUS_REPORT, weekday=4, starts_on=dt.date(2026, 9, 26)
    )
    # 2026: National Day runs 1–7 Oct; Friday 2 Oct moves to Thursday 8 Oct, Friday 9 Oct stays.
    days = [s.date() for s in cadence.slots(item, utc(2026, 9, 20), utc(2026, 10, 20))]
    assert days == [dt.date(2026, 10, 8), dt.date(2026, 10, 9), dt.date(2026, 10, 16)]
    # Looking from inside the holiday, the next slot is the moved one, at the entry's time of day.
    assert cadence.next_slot(item, utc(2026, 10, 3)) == utc(2026, 10, 8, 8)
    # The report sent on 8 Oct keeps the plan: nothing is missed for a day nobody works.
    result = cadence.adherence(item, [utc(2026, 10, 8, 7)], utc(2026, 10, 9, 7))
    assert [o.fulfilled_at is not None for o in result.outcomes] == [True]
    assert result.status == AdherenceStatus.ON_TRACK and result.percent == 100
    # Every second Friday from the Mid-Autumn Festival (Friday 25 Sep): it moves to Monday 28 Sep.
    fortnightly = make_item(
        world.project,
        title="Steering",
        frequency=Frequency.BIWEEKLY,
        weekday=4,
        starts_on=dt.date(2026, 9, 25),
    )
    later = [s.date() for s in cadence.slots(fortnightly, utc(2026, 9, 20), utc(2026, 10, 31))]
    assert later == [dt.date(2026, 9, 28), dt.date(2026, 10, 9), dt.date(2026, 10, 23)]


def test_a_weekly_slot_on_a_usual_day_off_stays_there(world: World) -> None:
    # A Saturday slot on a Monday-to-Friday calendar is a choice, not a holiday: it does not move.
    item = make_item(world.project, weekday=5, starts_on=dt.date(2026, 3, 2))
    days = [s.date() for s in cadence.slots(item, utc(2026, 3, 1), utc(2026, 3, 15))]
    assert days == [dt.date(2026, 3, 7), dt.date(2026, 3, 14)]
