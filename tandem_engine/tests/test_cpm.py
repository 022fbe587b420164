"""Golden cases of the critical path method: link types, lags, constraints, errors."""

from __future__ import annotations

import graphlib
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
    NetworkCycleError,
    NetworkError,
    schedule,
)

MONDAY = datetime(2026, 11, 23, 8, 0)
DAY = 480


def net(activities: list[Activity], links: list[Link]) -> Network:
    return Network(tuple(activities), tuple(links), {"std": Calendar.standard("std")}, "std", MONDAY)


def test_it_chains_finish_to_start_over_the_weekend() -> None:
    result = schedule(net([Activity("a", 4 * DAY), Activity("b", 2 * DAY)], [Link("a", "b")]))
    assert result["a"].finish == datetime(2026, 11, 26, 17, 0)
    assert result["b"].start == datetime(2026, 11, 27, 8, 0)
    assert result["b"].finish == datetime(2026, 11, 30, 17, 0)
    assert result.critical_path == ("a", "b")
    assert result["a"].critical and result["b"].critical


def test_it_computes_float_for_a_parallel_branch() -> None:
    result = schedule(
        net(
            [
                Activity("a", DAY),
                Activity("b", 3 * DAY),
                Activity("c", DAY),
                Activity("end", 0, milestone=True),
            ],
            [Link("a", "b"), Link("a", "c"), Link("b", "end"), Link("c", "end")],
        )
    )
    assert result["c"].total_float == 2 * DAY
    assert result["c"].free_float == 2 * DAY
    assert not result["c"].critical
    assert result["end"].start == datetime(2026, 11, 26, 17, 0)  # a milestone sits at the end of the day


def test_it_keeps_a_finish_driven_by_a_start_to_finish_link() -> None:
    result = schedule(net([Activity("a", DAY), Activity("b", DAY)], [Link("a", "b", LinkType.SF)]))
    # The link alone would let b finish on Monday 08:00 (start the Friday before), but the project
    # start bounds every activity, as in MS Project: b runs on Monday.
    assert result["b"].start == MONDAY
    assert result["b"].finish == datetime(2026, 11, 23, 17, 0)


def test_it_applies_lags_in_working_elapsed_and_percent_units() -> None:
    result = schedule(
        net(
            [Activity("a", 2 * DAY), Activity("w", DAY), Activity("e", DAY), Activity("p", DAY)],
            [
                Link("a", "w", LinkType.FS, DAY),
                Link("a", "e", LinkType.FS, 24 * 60, LagUnit.ELAPSED),
                Link("a", "p", LinkType.SS, 50.0, LagUnit.PERCENT),
            ],
        )
    )
    assert result["w"].start == datetime(2026, 11, 26, 8, 0)
    # Tuesday 17:00 + 24 elapsed hours = Wednesday 17:00, so work starts on Thursday morning.
    assert result["e"].start == datetime(2026, 11, 26, 8, 0)
    assert result["p"].start == datetime(2026, 11, 24, 8, 0)


def test_it_reports_an_impossible_constraint_with_the_activity() -> None:
    network = net(
        [Activity("a", 3 * DAY), Activity("b", DAY, constraint=ConstraintType.SNLT, constraint_date=MONDAY)],
        [Link("a", "b")],
    )
    result = schedule(network)
    (conflict,) = result.conflicts
    assert conflict.activity_id == "b"
    assert conflict.constraint is ConstraintType.SNLT
    assert conflict.required_date == datetime(2026, 11, 26, 8, 0)
    assert result["a"].total_float < 0  # the predecessor carries the negative slack, as in MS Project
    with pytest.raises(ConstraintConflictError) as error:
        schedule(network, strict=True)
    assert "b" in str(error.value)


def test_it_honours_must_start_on_and_start_no_earlier_than() -> None:
    result = schedule(
        net(
            [
                Activity(
                    "mso", DAY, constraint=ConstraintType.MSO, constraint_date=datetime(2026, 11, 25, 8)
                ),
                Activity(
                    "snet", DAY, constraint=ConstraintType.SNET, constraint_date=datetime(2026, 11, 28, 8)
                ),
            ],
            [],
        )
    )
    assert result["mso"].start == datetime(2026, 11, 25, 8, 0)
    assert result["snet"].start == datetime(2026, 11, 30, 8, 0)  # Saturday moves to Monday


def test_it_keeps_actuals_and_manual_dates() -> None:
    result = schedule(
        net(
            [
                Activity(
                    "done",
                    DAY,
                    actual_start=datetime(2026, 11, 23, 9),
                    actual_finish=datetime(2026, 11, 24, 10),
                ),
                Activity(
                    "manual",
                    DAY,
                    manual=True,
                    manual_start=datetime(2026, 12, 1, 8),
                    manual_finish=datetime(2026, 12, 1, 17),
                ),
                Activity("next", DAY),
            ],
            [Link("done", "next")],
        )
    )
    assert result["done"].finish == datetime(2026, 11, 24, 10, 0)
    assert result["manual"].start == datetime(2026, 12, 1, 8, 0)
    assert result["next"].start == datetime(2026, 11, 24, 10, 0)


def test_it_schedules_after_the_status_date_when_given() -> None:
    result = schedule(net([Activity("a", DAY)], []), status_date=datetime(2026, 11, 25, 8))
    assert result["a"].start == datetime(2026, 11, 25, 8, 0)


def test_it_refuses_a_cycle_and_names_it() -> None:
    network = net(
        [Activity("a", DAY), Activity("b", DAY), Activity("c", DAY), Activity("x", DAY)],
        [Link("x", "a"), Link("a", "b"), Link("b", "c"), Link("c", "a")],
    )
    with pytest.raises(NetworkCycleError) as error:
        schedule(network)
    cycle = error.value.cycle
    assert cycle[0] == cycle[-1] and set(cycle) == {"a", "b", "c"}
    assert isinstance(error.value, graphlib.CycleError)


def test_it_refuses_unknown_ids_and_duplicates() -> None:
    with pytest.raises(NetworkError, match="unknown activity 'z'"):
        schedule(net([Activity("a", DAY)], [Link("a", "z")]))
    with pytest.raises(NetworkError, match="duplicate"):
        schedule(net([Activity("a", DAY), Activity("a", DAY)], []))


def test_it_uses_each_activitys_calendar() -> None:
    weekend = Calendar("weekend", week=((),) * 5 + (((480, 1020),),) * 2)
    network = Network(
        (Activity("a", DAY), Activity("b", DAY, calendar_id="weekend")),
        (Link("a", "b"),),
        {"std": Calendar.standard("std"), "weekend": weekend},
        "std",
        MONDAY,
    )
    result = schedule(network)
    assert result["b"].start == datetime(2026, 11, 28, 8, 0)
    assert result["b"].finish == datetime(2026, 11, 28, 16, 0)  # 8 h of a 9-hour Saturday
