"""Earned value: published worked examples, earned schedule, and planned value over working time."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem_engine import Calendar
from tandem_engine.evm import BudgetItem, EacMethod, EarnedValue, earned_schedule, planned_value, s_curve


def test_the_issues_worked_example() -> None:
    """BAC 500,000, PV 250,000, EV 200,000, AC 210,000 (the figures the issue quotes)."""
    ev = EarnedValue(bac=500_000, pv=250_000, ev=200_000, ac=210_000)
    assert ev.sv == -50_000
    assert ev.cv == -10_000
    assert ev.spi == pytest.approx(0.80)
    assert ev.cpi == pytest.approx(0.952, abs=5e-4)
    assert ev.eac == pytest.approx(525_000)
    assert ev.etc == pytest.approx(315_000)
    assert ev.vac == pytest.approx(-25_000)
    assert ev.tcpi == pytest.approx(1.034, abs=5e-4)
    assert ev.percent_complete == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("method", "eac"),
    [
        (EacMethod.TYPICAL, 125.0),  # 100 / 0.8
        (EacMethod.ATYPICAL, 110.0),  # 50 + (100 - 40)
        (EacMethod.COMPOSITE, 143.75),  # 50 + 60 / (0.8 * 0.8)
    ],
)
def test_each_forecast_method(method: EacMethod, eac: float) -> None:
    """BAC 100, PV 50, EV 40, AC 50: CPI = SPI = 0.8, the textbook case for comparing the methods."""
    ev = EarnedValue(bac=100, pv=50, ev=40, ac=50, method=method)
    assert ev.eac == pytest.approx(eac)
    assert ev.etc == pytest.approx(eac - 50)
    assert ev.vac == pytest.approx(100 - eac)
    assert ev.tcpi_eac == pytest.approx(60 / (eac - 50))


def test_a_bottom_up_estimate_is_added_to_the_actual_cost() -> None:
    ev = EarnedValue(bac=100, pv=50, ev=40, ac=50, method=EacMethod.BOTTOM_UP, etc_bottom_up=70)
    assert (ev.eac, ev.etc, ev.vac) == (120, 70, -20)
    with pytest.raises(ValueError, match="etc_bottom_up"):
        EarnedValue(bac=100, pv=50, ev=40, ac=50, method=EacMethod.BOTTOM_UP)


def test_indices_are_not_measurable_before_work_is_planned_or_paid() -> None:
    ev = EarnedValue(bac=1000, pv=0, ev=0, ac=0)
    assert (ev.spi, ev.cpi, ev.eac, ev.etc, ev.vac) == (None, None, None, None, None)
    assert ev.tcpi == 1.0
    spent = EarnedValue(bac=100, pv=100, ev=80, ac=100)
    assert spent.tcpi is None  # the budget is gone: no performance finishes on it


def test_negative_figures_are_refused() -> None:
    with pytest.raises(ValueError, match="ac"):
        EarnedValue(bac=100, pv=10, ev=10, ac=-1)


def test_earned_schedule_interpolates_within_the_period_where_ev_falls() -> None:
    es = earned_schedule([100, 200, 300, 400, 500], ev=250, at=4)
    assert es.es == pytest.approx(2.5)
    assert es.sv_t == pytest.approx(-1.5)
    assert es.spi_t == pytest.approx(0.625)
    assert es.ieac_t == pytest.approx(8.0)


def test_earned_schedule_on_an_uneven_curve() -> None:
    """Lipke's method on an S-curve: EV 340 lies between PV(3) = 300 and PV(4) = 380."""
    curve = [50, 150, 300, 380, 420, 440]
    es = earned_schedule(curve, ev=340, at=5)
    assert es.es == pytest.approx(3 + 40 / 80)
    assert es.spi_t == pytest.approx(3.5 / 5)
    assert es.planned_duration == 6


def test_a_finished_project_earns_its_whole_planned_duration() -> None:
    es = earned_schedule([100, 200, 300], ev=300, at=4)
    assert (es.es, es.sv_t, es.spi_t) == (3.0, -1.0, 0.75)


def test_a_flat_tail_does_not_lengthen_the_planned_duration() -> None:
    assert earned_schedule([100, 200, 200, 200], ev=50, at=1).planned_duration == 2


def test_a_decreasing_curve_is_refused() -> None:
    with pytest.raises(ValueError, match="never decrease"):
        earned_schedule([100, 90], ev=50, at=1)


@given(
    st.lists(st.integers(0, 500), min_size=1, max_size=20),
    st.integers(0, 20),
)
def test_on_plan_means_earned_schedule_equals_actual_time(steps: list[int], at: int) -> None:
    """When EV is exactly the PV planned by the end of period AT, and the plan moved in that period
    and moves in the next, ES = AT: SPI(t) is 1 and SV(t) is 0."""
    curve = [sum(steps[: i + 1]) for i in range(len(steps))]
    if at == 0 or at > len(curve) or curve[at - 1] == (curve[at - 2] if at > 1 else 0):
        return
    if at < len(curve) and curve[at] == curve[at - 1]:
        return  # the plan pauses after AT: ES runs to the end of the pause (the test below)
    if curve[at - 1] == curve[-1] and curve.index(curve[-1]) + 1 < at:
        return
    es = earned_schedule(curve, ev=curve[at - 1], at=at)
    assert es.es == pytest.approx(at)


def test_a_pause_in_the_plan_is_earned_to_its_end() -> None:
    """Lipke's C is the last period whose PV does not exceed EV: work planned to the start of a pause
    in the plan has earned the pause too (PV 1, 1, 2 and EV 1: ES is 2, whatever the actual time)."""
    assert earned_schedule([1, 1, 2], ev=1, at=1).es == pytest.approx(2)
    assert earned_schedule([1, 1, 2], ev=1.5, at=1).es == pytest.approx(2.5)


@given(st.lists(st.integers(0, 500), min_size=1, max_size=20), st.floats(0, 10_000), st.floats(0, 10_000))
def test_more_earned_value_never_earns_less_schedule(steps: list[int], a: float, b: float) -> None:
    curve = [sum(steps[: i + 1]) for i in range(len(steps))]
    low, high = sorted((a, b))
    assert earned_schedule(curve, ev=low, at=1).es <= earned_schedule(curve, ev=high, at=1).es


STANDARD = Calendar.standard()
MONDAY = datetime(2026, 11, 23, 8)


def test_planned_value_follows_working_time_not_calendar_time() -> None:
    """A week's budget of 4,000 from Friday 08:00 to Thursday 17:00: nothing is planned over the weekend."""
    item = BudgetItem(4000, datetime(2026, 11, 20, 8), datetime(2026, 11, 26, 17))
    friday_evening = datetime(2026, 11, 20, 17)
    monday_morning = datetime(2026, 11, 23, 8)
    assert planned_value([item], STANDARD, friday_evening) == pytest.approx(800)
    assert planned_value([item], STANDARD, monday_morning) == pytest.approx(800)
    assert planned_value([item], STANDARD, datetime(2026, 11, 23, 12)) == pytest.approx(1200)
    assert planned_value([item], STANDARD, datetime(2026, 11, 27, 8)) == 4000


def test_a_milestones_budget_is_planned_at_its_date() -> None:
    item = BudgetItem(500, MONDAY, MONDAY)
    assert planned_value([item], STANDARD, MONDAY - timedelta(minutes=1)) == 0
    assert planned_value([item], STANDARD, MONDAY) == 500


@given(
    st.lists(
        st.tuples(st.integers(0, 10_000), st.integers(0, 20 * 24 * 60), st.integers(0, 20 * 24 * 60)),
        min_size=1,
        max_size=8,
    )
)
def test_the_s_curve_rises_to_the_budget(raw: list[tuple[int, int, int]]) -> None:
    items = [
        BudgetItem(budget, MONDAY + timedelta(minutes=min(a, b)), MONDAY + timedelta(minutes=max(a, b)))
        for budget, a, b in raw
    ]
    moments = [MONDAY + timedelta(hours=12 * k) for k in range(-1, 50)]
    curve = s_curve(items, STANDARD, moments)
    assert curve[0] == 0
    assert all(later >= earlier - 1e-9 for earlier, later in itertools.pairwise(curve))
    assert curve[-1] == pytest.approx(sum(item.budget for item in items))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 10_000), st.integers(0, 20_000), st.integers(0, 20_000)),
        min_size=0,
        max_size=25,
    )
)
def test_the_s_curve_is_the_planned_value_at_each_moment(raw: list[tuple[int, int, int]]) -> None:
    """The sweep of ``s_curve`` gives what ``planned_value`` gives at every moment, milestones included."""
    items = [
        BudgetItem(budget, MONDAY + timedelta(minutes=min(a, b)), MONDAY + timedelta(minutes=max(a, b)))
        for budget, a, b in raw
    ]
    moments = [MONDAY + timedelta(minutes=m) for m in (-60, 0, 1, 480, 600, 1440, 2000, 9999, 20_000, 30_000)]
    moments += [item.start for item in items] + [item.finish for item in items]
    curve = s_curve(items, STANDARD, moments)
    for moment, value in zip(moments, curve, strict=True):
        assert value == pytest.approx(planned_value(items, STANDARD, moment), abs=1e-6)
