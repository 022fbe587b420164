"""Work and cost from resources and assignments: one small hand-computed case per MS Project rule.

Every case runs on MS Project's Standard calendar (08:00-12:00, 13:00-17:00, Monday to Friday)
from Monday 23 November 2026 08:00, with one task "t" of five days (2,400 working minutes) unless
it says otherwise.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from tandem_engine import (
    Accrual,
    Activity,
    Assignment,
    Calendar,
    CalendarException,
    Link,
    LinkType,
    Network,
    Rate,
    RateEntry,
    RateUnit,
    Reassignment,
    Resource,
    ResourcePlan,
    ResourceType,
    TaskCost,
    TaskResourcing,
    TaskType,
    WorkContour,
    apply_assignments,
    china_calendar,
    cost_schedule,
    parse_working_ranges,
    reassign,
    rollup_work_cost,
    schedule,
)
from tandem_engine.cpm import fast_path_refusal

MONDAY = datetime(2026, 11, 23, 8, 0)
STD = Calendar.standard("std")
NIGHTS = Calendar("nights", week=(parse_working_ranges("22:00-00:00"),) * 5 + ((), ()), name="Nights")
NO_WEDNESDAY = Calendar("no-wed", week=(STD.week[0], STD.week[1], (), STD.week[3], STD.week[4], (), ()))
MORNINGS = Calendar("mornings", week=(parse_working_ranges("08:00-12:00"),) * 5 + ((), ()))


def ann(
    rate: float = 50.0, *, overtime: float = 0.0, per_use: float = 0.0, calendar: str | None = None
) -> Resource:
    """A work resource at ``rate`` per hour."""
    entry = RateEntry(standard=Rate(rate), overtime=Rate(overtime), cost_per_use=per_use)
    return Resource("ann", "Ann", calendar_id=calendar, rates=((entry,),))


def network(duration: int = 2400, **activity: object) -> Network:
    return Network(
        activities=(Activity("t", duration=duration, **activity),),  # type: ignore[arg-type]
        links=(),
        calendars={"std": STD, "nights": NIGHTS, "no-wed": NO_WEDNESDAY, "mornings": MORNINGS},
        calendar_id="std",
        start=MONDAY,
    )


def costed(plan: ResourcePlan, net: Network | None = None) -> tuple[TaskCost, Network]:
    shaped = apply_assignments(net or network(), plan)
    result = schedule(shaped)
    return cost_schedule(net or network(), plan, result)["t"], shaped


def plan_of(*assignments: Assignment, resources: tuple[Resource, ...] = (), **task: object) -> ResourcePlan:
    pool = {r.id: r for r in resources or (ann(),)}
    return ResourcePlan(resources=pool, assignments=assignments, tasks={"t": TaskResourcing(**task)})  # type: ignore[arg-type]


# -- work ------------------------------------------------------------------------------------------


def test_it_gives_work_as_units_times_the_working_time() -> None:
    cost, _ = costed(plan_of(Assignment("t", "ann", units=0.5)))
    assert (cost.work, cost.cost) == (1200.0, 1000.0)  # 20 h x 50.00


def test_it_sums_the_work_of_every_assignment() -> None:
    bob = replace(ann(20.0), id="bob")
    cost, _ = costed(
        plan_of(Assignment("t", "ann"), Assignment("t", "bob", units=2.0), resources=(ann(), bob))
    )
    assert cost.work == 2400 + 4800
    assert cost.cost == 40 * 50 + 80 * 20


def test_a_fixed_work_task_takes_its_duration_from_work_and_units() -> None:
    plan = plan_of(Assignment("t", "ann", units=0.5, work=2400.0), task_type=TaskType.FIXED_WORK)
    cost, shaped = costed(plan, network(duration=480))
    assert shaped.activities[0].duration == 4800  # 40 h of work at 50 % take ten days
    assert schedule(shaped)["t"].finish == datetime(2026, 12, 4, 17, 0)
    assert cost.work == 2400.0


def test_a_fixed_duration_task_keeps_its_duration_and_work_follows_the_units() -> None:
    plan = plan_of(Assignment("t", "ann", units=0.25, work=9999.0), task_type=TaskType.FIXED_DURATION)
    cost, shaped = costed(plan)
    assert schedule(shaped)["t"].finish == datetime(2026, 11, 27, 17, 0)
    assert cost.work == 600.0  # the stale 9,999 minutes are not an input for this task type


def test_a_task_runs_on_its_resource_calendar() -> None:
    plan = plan_of(Assignment("t", "ann"), resources=(ann(calendar="no-wed"),))
    shaped = apply_assignments(network(), plan)
    assert schedule(shaped)["t"].finish == datetime(2026, 11, 30, 17, 0)  # Ann is off on Wednesdays
    assert costed(plan)[0].work == 2400.0


def test_a_resource_calendar_can_come_with_the_plan() -> None:
    """A person's own calendar (the project's with two days of leave) is not among the network's."""
    leave = replace(
        STD,
        id="ann's",
        exceptions=(CalendarException(date(2026, 11, 25), date(2026, 11, 26), (), "Leave"),),
    )
    plan = replace(
        plan_of(Assignment("t", "ann"), resources=(ann(calendar="ann's"),)), calendars={"ann's": leave}
    )
    shaped = apply_assignments(network(), plan)
    assert "ann's" in shaped.calendars and "ann's" not in network().calendars
    assert schedule(shaped)["t"].finish == datetime(2026, 12, 1, 17, 0)  # two days later
    cost, _ = costed(plan)
    assert (cost.work, cost.cost) == (2400.0, 2000.0)  # the leave is not worked, nor paid


def test_a_task_that_ignores_resource_calendars_keeps_its_own() -> None:
    plan = plan_of(
        Assignment("t", "ann"), resources=(ann(calendar="no-wed"),), ignore_resource_calendars=True
    )
    shaped = apply_assignments(network(), plan)
    assert schedule(shaped)["t"].finish == datetime(2026, 11, 27, 17, 0)
    assert costed(plan)[0].work == 2400.0


def test_a_task_calendar_and_a_resource_calendar_both_have_to_work() -> None:
    plan = plan_of(Assignment("t", "ann"), resources=(ann(calendar="std"),))
    shaped = apply_assignments(network(calendar_id="mornings"), plan)
    # Mornings only: 40 h at 4 h a day is ten working days.
    assert schedule(shaped)["t"].finish == datetime(2026, 12, 4, 12, 0)


def _after_one_day(lag: int, **task: object) -> Network:
    """A one-day task "p" (no resources) linked FS + ``lag`` to a two-hour task "t"."""
    return Network(
        activities=(Activity("p", duration=480), Activity("t", duration=120, **task)),  # type: ignore[arg-type]
        links=(Link("p", "t", LinkType.FS, lag=lag),),
        calendars={"std": STD, "nights": NIGHTS, "mornings": MORNINGS},
        calendar_id="std",
        start=MONDAY,
    )


def test_a_lag_runs_on_the_project_calendar_not_on_the_resource_calendar() -> None:
    # MS Project counts lags on the successor's task calendar, else the project's, never on its
    # resources' (Microsoft KB 159773 "Project lag uses base calendar instead of resource calendar";
    # MPXJ's MicrosoftScheduler does the same). On Nat's nights, one day of lag would be four nights.
    nat = Resource("nat", "Nat", calendar_id="nights")
    plan = ResourcePlan(resources={"nat": nat}, assignments=(Assignment("t", "nat"),))
    shaped = apply_assignments(_after_one_day(480), plan)
    assert {a.id: a.lag_calendar_id for a in shaped.activities} == {"p": None, "t": "std"}
    result = schedule(shaped)
    # p ends Monday 17:00; one working day of the Standard calendar later is Tuesday 17:00; Nat
    # starts that night at 22:00 and works two hours.
    assert (result["t"].start, result["t"].finish) == (
        datetime(2026, 11, 24, 22, 0),
        datetime(2026, 11, 25, 0, 0),
    )
    # The backward pass takes the lag off on the same calendar: p has no float.
    assert result["p"].late_finish == datetime(2026, 11, 23, 17, 0)
    assert result["p"].total_float == 0
    assert result["t"].total_float == 0
    # A lead too: FS - 1 day from Monday 17:00 is Monday 08:00 on the Standard calendar; Nat's
    # first night is Monday's.
    led = schedule(apply_assignments(_after_one_day(-480), plan))
    assert led["t"].start == datetime(2026, 11, 23, 22, 0)


def test_a_lag_into_a_task_with_its_own_calendar_runs_on_that_calendar() -> None:
    nat = Resource("nat", "Nat", calendar_id="std")
    plan = ResourcePlan(resources={"nat": nat}, assignments=(Assignment("t", "nat"),))
    shaped = apply_assignments(_after_one_day(480, calendar_id="mornings"), plan)
    assert {a.id: a.lag_calendar_id for a in shaped.activities}["t"] == "mornings"
    # Two mornings of lag after Monday 17:00 (Tuesday's and Wednesday's) end Wednesday 12:00; t
    # works mornings only: Thursday 08:00.
    assert schedule(shaped)["t"].start == datetime(2026, 11, 26, 8, 0)


def test_a_resource_on_the_project_calendar_changes_nothing() -> None:
    plan = ResourcePlan(resources={"ann": ann()}, assignments=(Assignment("t", "ann"),))
    net = _after_one_day(480)
    shaped = apply_assignments(net, plan)
    assert shaped.activities == net.activities
    assert fast_path_refusal(shaped) is None


def test_a_lag_calendar_other_than_the_project_calendar_takes_the_generic_path() -> None:
    net = _after_one_day(480)
    moved = replace(
        net, activities=(net.activities[0], replace(net.activities[1], lag_calendar_id="mornings"))
    )
    assert fast_path_refusal(moved) == "activity calendars"
    # Two mornings of lag after Monday 17:00 end Wednesday 12:00; t, on the Standard calendar,
    # starts after lunch.
    assert schedule(moved)["t"].start == datetime(2026, 11, 25, 13, 0)


def test_a_task_works_while_any_of_its_resources_works() -> None:
    night = Resource("nat", "Nat", calendar_id="nights", rates=((RateEntry(standard=Rate(10.0)),),))
    plan = plan_of(Assignment("t", "ann"), Assignment("t", "nat"), resources=(ann(), night))
    cost, shaped = costed(plan, network(duration=600))  # 10 h of day-or-night time
    row = schedule(shaped)["t"]
    assert (row.start, row.finish) == (MONDAY, datetime(2026, 11, 24, 0, 0))  # 8 h by day, 2 h that night
    by_resource = {a.resource_id: a.work for a in cost.assignments}
    assert by_resource == {"ann": 480.0, "nat": 120.0}


def test_a_delay_postpones_the_assignment() -> None:
    cost, _ = costed(plan_of(Assignment("t", "ann", delay=480)))
    assert cost.work == 1920.0  # Tuesday to Friday


@pytest.mark.parametrize(
    ("contour", "share"),
    [
        (WorkContour.BACK_LOADED, 0.6),
        (WorkContour.BELL, 0.5),
        (WorkContour.TURTLE, 0.7),
        (WorkContour.FLAT, 1.0),
    ],
)
def test_a_predefined_contour_shapes_the_work(contour: WorkContour, share: float) -> None:
    cost, _ = costed(plan_of(Assignment("t", "ann", contour=contour)))
    assert cost.work == pytest.approx(2400 * share)


def test_a_hand_edited_contour_keeps_its_entered_work() -> None:
    cost, _ = costed(plan_of(Assignment("t", "ann", units=1.25, work=3300.0, contour=WorkContour.CONTOURED)))
    assert cost.work == pytest.approx(3300.0)


# -- cost ------------------------------------------------------------------------------------------


def test_a_daily_rate_is_converted_with_the_plans_hours_per_day() -> None:
    daily = Resource("ann", rates=((RateEntry(standard=Rate(400.0, RateUnit.DAY)),),))
    assert costed(plan_of(Assignment("t", "ann"), resources=(daily,)))[0].cost == 2000.0


def test_the_rate_in_force_applies_to_the_work_done_while_it_is() -> None:
    history = (RateEntry(standard=Rate(50.0)), RateEntry(datetime(2026, 11, 25, 8, 0), standard=Rate(60.0)))
    plan = plan_of(Assignment("t", "ann"), resources=(Resource("ann", rates=(history,)),))
    assert costed(plan)[0].cost == 16 * 50 + 24 * 60  # Monday and Tuesday, then Wednesday to Friday


def test_an_assignment_uses_its_cost_rate_table() -> None:
    tables = ((RateEntry(standard=Rate(50.0)),), (RateEntry(standard=Rate(80.0)),))
    plan = plan_of(Assignment("t", "ann", rate_table=1), resources=(Resource("ann", rates=tables),))
    assert costed(plan)[0].cost == 40 * 80


def test_overtime_work_comes_on_top_at_the_overtime_rate() -> None:
    plan = plan_of(Assignment("t", "ann", overtime_work=600.0), resources=(ann(50.0, overtime=75.0),))
    cost, _ = costed(plan)
    assert cost.work == 3000.0
    assert cost.cost == pytest.approx(40 * 50 + 10 * 75)


def test_the_cost_per_use_counts_once_per_assignment_times_its_units() -> None:
    # MS Project 2003's sample: 200 h at 50 % of a resource with a per-use cost of 30.00 costs 2,015.00.
    plan = plan_of(Assignment("t", "ann", units=0.5), resources=(ann(10.0, per_use=30.0),))
    assert costed(plan)[0].cost == 20 * 10 + 15


def test_a_material_costs_its_units_times_its_price() -> None:
    cement = Resource(
        "cement",
        type=ResourceType.MATERIAL,
        material_label="bag",
        rates=((RateEntry(standard=Rate(3.5, RateUnit.UNIT), cost_per_use=5.0),),),
    )
    cost, _ = costed(plan_of(Assignment("t", "cement", units=12), resources=(cement,)))
    assert (cost.work, cost.cost) == (0.0, 12 * 3.5 + 5)
    assert cost.assignments[0].work == 12  # in bags, not minutes


def test_a_cost_resource_costs_its_amount() -> None:
    travel = Resource("travel", type=ResourceType.COST)
    cost, _ = costed(plan_of(Assignment("t", "travel", cost=800.0), resources=(travel,)))
    assert (cost.work, cost.cost) == (0.0, 800.0)


def test_the_fixed_cost_adds_to_the_task() -> None:
    cost, _ = costed(plan_of(Assignment("t", "ann"), fixed_cost=100.0))
    assert (cost.cost, cost.fixed_cost) == (2100.0, 100.0)


def test_a_task_without_assignments_costs_its_fixed_cost() -> None:
    cost, _ = costed(ResourcePlan(tasks={"t": TaskResourcing(fixed_cost=250.0)}))
    assert (cost.work, cost.cost) == (0.0, 250.0)


# -- progress ----------------------------------------------------------------------------------------


def test_actual_work_and_cost_follow_the_progress_and_the_rates_in_force() -> None:
    history = (
        RateEntry(standard=Rate(50.0), cost_per_use=10.0),
        RateEntry(datetime(2026, 11, 25, 8), standard=Rate(60.0)),
    )
    plan = plan_of(Assignment("t", "ann"), resources=(Resource("ann", rates=(history,)),))
    cost, _ = costed(plan, network(percent_complete=50.0, actual_start=MONDAY))
    assert cost.actual_work == 1200.0
    assert (
        cost.actual_cost == 16 * 50 + 4 * 60 + 10
    )  # Monday, Tuesday, Wednesday morning; per use once started


@pytest.mark.parametrize(
    ("accrual", "percent", "actual"),
    [
        (Accrual.START, 10.0, 100.0),
        (Accrual.START, 0.0, 0.0),
        (Accrual.END, 90.0, 0.0),
        (Accrual.END, 100.0, 100.0),
        (Accrual.PRORATED, 25.0, 25.0),
    ],
)
def test_the_fixed_cost_becomes_actual_by_its_accrual(
    accrual: Accrual, percent: float, actual: float
) -> None:
    plan = ResourcePlan(tasks={"t": TaskResourcing(fixed_cost=100.0, fixed_cost_accrual=accrual)})
    cost, _ = costed(plan, network(percent_complete=percent, actual_start=MONDAY if percent else None))
    assert cost.actual_cost == actual


# -- roll-up and the fast path --------------------------------------------------------------------


def test_summaries_add_up_their_leaves_and_the_fixed_costs_inside_them() -> None:
    leaves = {"a": TaskCost(60.0, 10.0, 30.0, 5.0), "b": TaskCost(120.0, 20.0, 0.0, 0.0)}
    plan = ResourcePlan(
        tasks={"phase": TaskResourcing(fixed_cost=7.0), "project": TaskResourcing(fixed_cost=1.0)}
    )
    rolled = rollup_work_cost(leaves, {"project": ("a", "b"), "phase": ("a",), "wrapper": ("a",)}, plan)
    assert (rolled["phase"].work, rolled["phase"].cost, rolled["phase"].actual_work) == (60.0, 17.0, 30.0)
    assert rolled["wrapper"].cost == 10.0  # it comes after 'phase', with the same leaves: inside it
    assert (rolled["project"].work, rolled["project"].cost) == (180.0, 30.0 + 7.0 + 1.0)


def test_a_plan_without_assignments_is_scheduled_unchanged() -> None:
    net = network()
    assert apply_assignments(net, ResourcePlan()) is net
    only_material = plan_of(
        Assignment("t", "cement", units=3), resources=(Resource("cement", type=ResourceType.MATERIAL),)
    )
    assert apply_assignments(net, only_material) is net


# -- effort-driven rules ----------------------------------------------------------------------------


def test_adding_a_resource_to_an_effort_driven_fixed_units_task_shortens_it() -> None:
    r = reassign(TaskType.FIXED_UNITS, True, 4800, {"ann": 1.0}, {"ann": 1.0, "bob": 1.0})
    assert (r.duration, dict(r.units), dict(r.work)) == (
        2400,
        {"ann": 1.0, "bob": 1.0},
        {"ann": 2400.0, "bob": 2400.0},
    )


def test_adding_a_resource_to_a_task_that_is_not_effort_driven_adds_work() -> None:
    r = reassign(TaskType.FIXED_UNITS, False, 4800, {"ann": 1.0}, {"ann": 1.0, "bob": 0.5})
    assert (r.duration, dict(r.work)) == (4800, {"ann": 4800.0, "bob": 2400.0})


def test_a_fixed_work_task_shares_its_work_by_units() -> None:
    r = reassign(TaskType.FIXED_WORK, False, 4800, {"ann": 1.0}, {"ann": 1.0, "bob": 3.0})
    assert (r.duration, dict(r.work)) == (1200, {"ann": 1200.0, "bob": 3600.0})


def test_an_effort_driven_fixed_duration_task_lowers_the_units_instead() -> None:
    r = reassign(TaskType.FIXED_DURATION, True, 4800, {"ann": 1.0}, {"ann": 1.0, "bob": 1.0})
    assert (r.duration, dict(r.units), dict(r.work)) == (
        4800,
        {"ann": 0.5, "bob": 0.5},
        {"ann": 2400.0, "bob": 2400.0},
    )


def test_removing_every_resource_leaves_the_duration() -> None:
    assert reassign(TaskType.FIXED_UNITS, True, 4800, {"ann": 1.0}, {}) == Reassignment(4800, {}, {})


def test_a_resources_leave_on_the_china_calendar_moves_the_task() -> None:
    china = china_calendar([2025])
    leave = replace(
        china,
        id="ann-cal",
        exceptions=(*china.exceptions, CalendarException(date(2025, 10, 9), date(2025, 10, 9))),
    )
    net = Network(
        activities=(Activity("t", duration=3 * 480),),
        links=(),
        calendars={"std": STD, "ann-cal": leave},
        calendar_id="std",
        start=datetime(2025, 9, 30, 8, 0),
    )
    plan = plan_of(Assignment("t", "ann"), resources=(ann(calendar="ann-cal"),))
    cost, shaped = costed(plan, net)
    # Tuesday 30 September; National Day 1-8 October; Ann's leave on the 9th; Friday the 10th and
    # Saturday the 11th, a make-up working day (调休).
    assert schedule(shaped)["t"].finish == datetime(2025, 10, 11, 17, 0)
    assert cost.work == 3 * 480


# -- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: Assignment("t", "ann", units=-0.5), "units"),
        (lambda: Assignment("t", "ann", work=-1.0), "work"),
        (lambda: Assignment("t", "ann", overtime_work=-60.0), "overtime_work"),
        (lambda: Assignment("t", "ann", rate_table=5), "rate_table"),
        (lambda: Rate(-10.0), "amount"),
        (lambda: RateEntry(cost_per_use=-1.0), "cost_per_use"),
        (lambda: Resource("ann", rates=()), "rates"),
        (lambda: Resource("ann", max_units=-1.0), "max_units"),
    ],
)
def test_bad_input_is_refused_naming_the_field(make: object, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        make()  # type: ignore[operator]


def test_an_elapsed_task_works_round_the_clock() -> None:
    plan = plan_of(Assignment("t", "ann", units=0.5), resources=(ann(calendar="no-wed"),))
    cost, shaped = costed(plan, network(duration=1440, elapsed=True))  # one elapsed day
    assert schedule(shaped)["t"].finish == datetime(2026, 11, 24, 8, 0)
    assert cost.work == 720.0
