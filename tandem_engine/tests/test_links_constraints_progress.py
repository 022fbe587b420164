"""Golden cases, one rule each: the four link types with leads and lags in working and elapsed time,
the eight constraints (met and impossible), and work in progress against a status date.

Plan: the standard calendar (Monday to Friday, 08:00-12:00 and 13:00-17:00) from Monday
2026-11-23 08:00; a day is 480 working minutes.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tandem_engine import (
    Activity,
    Calendar,
    ConstraintConflictError,
    ConstraintType,
    LagUnit,
    Link,
    LinkType,
    Network,
    schedule,
)
from tandem_engine.cpm import fast_path_refusal

DAY = 480
C = ConstraintType


def at(day: int, hour: int) -> datetime:
    """A moment of the week of Monday 2026-11-23 (``day`` 23 is that Monday)."""
    return datetime(2026, 11, day, hour, 0) if day <= 30 else datetime(2026, 12, day - 30, hour, 0)


def plan(activities: list[Activity], links: list[Link]) -> Network:
    return Network(tuple(activities), tuple(links), {"std": Calendar.standard("std")}, "std", at(23, 8))


def span(network: Network, activity: str, **options: datetime) -> tuple[datetime, datetime]:
    row = schedule(network, **options)[activity]
    return row.start, row.finish


@pytest.mark.parametrize(
    ("kind", "lag", "unit", "expected"),
    [
        # a runs Monday-Wednesday (3 days); b lasts one day.
        (LinkType.FS, 0, LagUnit.WORKING, (at(26, 8), at(26, 17))),
        (LinkType.FS, DAY, LagUnit.WORKING, (at(27, 8), at(27, 17))),
        (LinkType.FS, -DAY, LagUnit.WORKING, (at(25, 8), at(25, 17))),  # a one-day lead
        (LinkType.FS, -2 * DAY - 60, LagUnit.WORKING, (at(23, 16), at(24, 16))),
        (LinkType.SS, DAY, LagUnit.WORKING, (at(24, 8), at(24, 17))),
        (LinkType.SS, 90, LagUnit.WORKING, (at(23, 9).replace(minute=30), at(24, 9).replace(minute=30))),
        (LinkType.FF, 0, LagUnit.WORKING, (at(25, 8), at(25, 17))),
        (LinkType.FF, DAY, LagUnit.WORKING, (at(26, 8), at(26, 17))),
        # Wednesday 17:00 less a day of work is Wednesday 08:00 (the same working instant as Tuesday
        # 17:00); a finish driven by a link keeps the instant the link gives, as the SF links in the
        # MS Project reference files show (a finish at 08:00).
        (LinkType.FF, -DAY, LagUnit.WORKING, (at(24, 8), at(25, 8))),
        (LinkType.FF, -60, LagUnit.WORKING, (at(24, 16), at(25, 16))),
        (LinkType.SF, 2 * DAY, LagUnit.WORKING, (at(24, 8), at(24, 17))),
        (LinkType.SF, 3 * DAY, LagUnit.WORKING, (at(25, 8), at(25, 17))),
        # Elapsed lags count nights and weekends: Wednesday 17:00 + 48 h is Friday 17:00, so Monday.
        (LinkType.FS, 48 * 60, LagUnit.ELAPSED, (at(30, 8), at(30, 17))),
        # Wednesday 17:00 - 12 h is Wednesday 05:00: work starts at 08:00.
        (LinkType.FS, -12 * 60, LagUnit.ELAPSED, (at(25, 8), at(25, 17))),
        (LinkType.SS, 24 * 60, LagUnit.ELAPSED, (at(24, 8), at(24, 17))),
        # A lag in percent of the predecessor's duration: half of three days.
        (LinkType.SS, 50.0, LagUnit.PERCENT, (at(24, 13), at(25, 12))),
    ],
)
def test_each_link_type_drives_its_end_with_lags_and_leads(
    kind: LinkType, lag: float, unit: LagUnit, expected: tuple[datetime, datetime]
) -> None:
    network = plan([Activity("a", 3 * DAY), Activity("b", DAY)], [Link("a", "b", kind, lag, unit)])
    assert span(network, "b") == expected


def test_a_negative_lag_never_moves_work_before_the_project_start() -> None:
    network = plan([Activity("a", DAY), Activity("b", DAY)], [Link("a", "b", LinkType.FS, -3 * DAY)])
    assert span(network, "b") == (at(23, 8), at(23, 17))


@pytest.mark.parametrize(
    ("constraint", "date"), [(C.SNET, at(23, 8)), (C.FNET, at(23, 17))], ids=["SNET", "FNET"]
)
def test_a_no_earlier_than_date_before_the_project_start_starts_the_task_there(
    constraint: ConstraintType, date: datetime
) -> None:
    # The project starts on Wednesday; "a" is held by a date of Monday and by nothing else. MS
    # Project puts it on Monday, and "b" right after it, not on Wednesday (MPXJ's corpus: the
    # assignment and data-link files MS Project generated, DurationTest8.mpp, legacy/bug2.mpp).
    network = plan(
        [
            Activity("a", DAY, constraint=constraint, constraint_date=date),
            Activity("b", DAY),
            Activity("free", DAY),
        ],
        [Link("a", "b")],
    )
    network = Network(network.activities, network.links, network.calendars, "std", at(25, 8))
    result = schedule(network)
    assert (result["a"].start, result["a"].finish) == (at(23, 8), at(23, 17))
    assert (result["b"].start, result["b"].finish) == (at(24, 8), at(24, 17))
    assert result["free"].start == at(25, 8)  # nothing holds it: the project start does
    assert result.project_start == at(25, 8) and not result.conflicts
    # Work not started still waits for the status date.
    assert schedule(network, status_date=at(24, 8))["a"].start == at(24, 8)


def test_a_leveling_delay_postpones_the_start_in_elapsed_time_and_leaves_the_late_dates() -> None:
    # MS Project's leveling delay is elapsed time: two days from Monday 08:00 is Wednesday 08:00
    # (mpp9barstyle.mpp and its siblings: delays of 1, 2, 5, 6 and 7 elapsed days).
    network = plan(
        [Activity("a", DAY, leveling_delay=2 * 1440), Activity("long", 3 * DAY), Activity("w", DAY)],
        [],
    )
    result = schedule(network)
    a = result["a"]
    assert (a.start, a.finish) == (at(25, 8), at(25, 17))
    assert (a.late_start, a.late_finish) == (at(25, 8), at(25, 17))
    assert a.total_float == 0
    # Over a weekend: five elapsed days from Monday 08:00 is Saturday 08:00, so work starts Monday.
    later = plan([Activity("a", DAY, leveling_delay=5 * 1440)], [])
    assert span(later, "a") == (at(30, 8), at(30, 17))
    assert fast_path_refusal(network) == "leveling delays"


def test_as_soon_as_possible_and_as_late_as_possible() -> None:
    network = plan(
        [
            Activity("long", 3 * DAY),
            Activity("asap", DAY, constraint=C.ASAP),
            Activity("alap", DAY, constraint=C.ALAP),
        ],
        [],
    )
    result = schedule(network)
    assert (result["asap"].start, result["asap"].finish) == (at(23, 8), at(23, 17))
    # As late as the project finish (Wednesday 17:00) allows.
    assert (result["alap"].start, result["alap"].finish) == (at(25, 8), at(25, 17))
    assert (result["alap"].late_start, result["alap"].late_finish) == (at(25, 8), at(25, 17))


@pytest.mark.parametrize(
    ("constraint", "date", "expected"),
    [
        (C.SNET, at(25, 8), (at(25, 8), at(25, 17))),
        (C.SNET, at(24, 17), (at(25, 8), at(25, 17))),  # the end of a day: work starts the next morning
        (C.FNET, at(26, 17), (at(26, 8), at(26, 17))),
        (C.MSO, at(26, 13), (at(26, 13), at(27, 12))),
        (C.MFO, at(27, 17), (at(27, 8), at(27, 17))),
        # Met "no later than" constraints leave the activity where its links put it ...
        (C.SNLT, at(30, 8), (at(24, 8), at(24, 17))),
        (C.FNLT, at(30, 17), (at(24, 8), at(24, 17))),
    ],
)
def test_each_date_constraint_places_the_activity(
    constraint: ConstraintType, date: datetime, expected: tuple[datetime, datetime]
) -> None:
    network = plan(
        [Activity("a", DAY), Activity("b", DAY, constraint=constraint, constraint_date=date)],
        [Link("a", "b")],
    )
    result = schedule(network)
    assert (result["b"].start, result["b"].finish) == expected
    assert not result.conflicts


@pytest.mark.parametrize(
    ("constraint", "date", "late_finish"),
    [(C.SNLT, at(24, 8), at(24, 17)), (C.FNLT, at(24, 17), at(24, 17))],
)
def test_a_no_later_than_constraint_pulls_the_late_dates_in(
    constraint: ConstraintType, date: datetime, late_finish: datetime
) -> None:
    # ... but bound their late dates: b and its predecessor become critical inside a 5-day project.
    network = plan(
        [
            Activity("a", DAY),
            Activity("b", DAY, constraint=constraint, constraint_date=date),
            Activity("long", 5 * DAY),
        ],
        [Link("a", "b")],
    )
    result = schedule(network)
    assert result["b"].late_finish == late_finish
    assert result["b"].total_float == 0 and result["b"].critical
    assert result["a"].late_finish == at(23, 17) and result["a"].critical
    assert result["long"].total_float == 0


@pytest.mark.parametrize(
    ("constraint", "date", "held", "slack"),
    [
        (C.SNLT, at(24, 8), (at(24, 8), at(24, 17)), -2 * DAY),
        (C.MSO, at(24, 8), (at(24, 8), at(24, 17)), -2 * DAY),
        (C.FNLT, at(24, 17), (at(24, 8), at(24, 17)), -2 * DAY),
        (C.MFO, at(25, 17), (at(25, 8), at(25, 17)), -DAY),
    ],
)
def test_an_impossible_constraint_is_reported_with_the_activity_and_the_constraint(
    constraint: ConstraintType, date: datetime, held: tuple[datetime, datetime], slack: int
) -> None:
    # a lasts three days, so its successor cannot start before Thursday 08:00.
    network = plan(
        [Activity("a", 3 * DAY), Activity("b", DAY, constraint=constraint, constraint_date=date)],
        [Link("a", "b")],
    )
    result = schedule(network)
    assert (result["b"].start, result["b"].finish) == held  # MS Project honours the constraint
    (conflict,) = result.conflicts
    assert (conflict.activity_id, conflict.constraint, conflict.constraint_date) == ("b", constraint, date)
    assert conflict.required_date == at(26, 8)
    assert result["b"].total_float == slack and result["b"].critical
    with pytest.raises(ConstraintConflictError) as error:
        schedule(network, strict=True)
    assert f"activity 'b': {constraint.value}" in str(error.value)
    assert error.value.conflicts == result.conflicts


def test_work_in_progress_keeps_its_actual_start_and_floats_on_the_remaining_work() -> None:
    network = plan(
        [
            Activity("doing", 4 * DAY, actual_start=at(23, 8), percent_complete=50.0),
            Activity("next", DAY),
            Activity("long", 10 * DAY),
        ],
        [Link("doing", "next")],
    )
    result = schedule(network, status_date=at(25, 8))
    doing = result["doing"]
    assert (doing.start, doing.finish) == (at(23, 8), at(26, 17))  # the actual start holds
    assert doing.late_start == doing.start  # a started activity cannot start later
    assert result["next"].start == at(27, 8)
    # "long" has not started, so it waits for the status date and ends on Tuesday 2026-12-08;
    # "next" may finish then, so "doing" may finish on Monday 12-07: 7 days after its finish.
    assert result["long"].start == at(25, 8) and result.project_finish == at(38, 17)
    assert doing.late_finish == at(37, 17)
    assert doing.total_float == 7 * DAY
    # Its remaining half (two days) is what must fit before the late finish, so it stays non-critical
    # even though its late start is its actual start.
    assert not doing.critical


def test_the_status_date_holds_back_work_not_started_yet() -> None:
    network = plan(
        [
            Activity("done", DAY, actual_start=at(23, 8), actual_finish=at(23, 17), percent_complete=100.0),
            Activity("todo", DAY),
            Activity("after", DAY),
        ],
        [Link("done", "after")],
    )
    without = schedule(network)
    assert without["todo"].start == at(23, 8) and without["after"].start == at(24, 8)
    result = schedule(network, status_date=at(25, 12))
    assert result["done"].finish == at(23, 17) and not result["done"].critical  # complete: never critical
    assert result["todo"].start == at(25, 13)  # after lunch on the status date
    assert result["after"].start == at(25, 13)
