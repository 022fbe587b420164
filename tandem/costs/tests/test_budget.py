"""The budget summary of a small project computed by hand, in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.costs import budget, services
from tandem.costs.choices import CostCategory, SheetStatus
from tandem.planning import scheduling
from tandem.planning import services as planning_services
from tandem.planning.models import Task
from tandem.projects.models import Project
from tandem.testing.personas import World

from .conftest import MONDAY, Costs, approved_expense, log_time

pytestmark = pytest.mark.django_db


def test_it_reads_the_design_plan_cost_from_the_assignment(costs: Costs) -> None:
    """16 hours of Bob at 100.00: Design's planned cost is 1,600.00."""
    assert Task.objects.get(pk=costs.plan.design.pk).cost_cents == 160000


def test_it_computes_each_line_and_the_totals(costs: Costs, world: World) -> None:
    summary = budget.summarize(world.project)
    by_line = {f.line.pk: f for f in summary.lines}

    labour = by_line[costs.phase_labour.pk]
    assert (labour.budget_cents, labour.planned_cents, labour.actual_cents) == (150000, 160000, 120000)
    assert labour.percent == Decimal("80.0") and labour.remaining_cents == 30000
    assert labour.forecast_over  # planned 1,600.00 over 1,500.00
    assert labour.reached == 80

    material = by_line[costs.phase_material.pk]
    assert (material.budget_cents, material.planned_cents, material.actual_cents) == (40000, 40000, 50000)
    assert material.percent == Decimal("125.0") and material.remaining_cents == -10000
    assert material.forecast_over and material.reached == 100

    travel = by_line[costs.whole_travel.pk]
    assert (travel.budget_cents, travel.planned_cents, travel.actual_cents) == (100000, 100000, 30000)
    assert travel.percent == Decimal("30.0") and not travel.forecast_over and travel.reached == 0

    whole = by_line[costs.whole_labour.pk]
    assert (whole.budget_cents, whole.planned_cents, whole.actual_cents) == (300000, 160000, 130000)
    assert whole.percent == Decimal("43.3")

    # Totals: labour from the whole project's line, material from the phase's, travel from the whole's.
    totals = summary.totals
    assert (totals.budget_cents, totals.planned_cents, totals.actual_cents) == (440000, 300000, 210000)
    assert summary.project_budget_cents == 120000000 and summary.whole_cents == 120000000
    assert summary.whole_percent == Decimal("0.2")
    # The whole project's lines come first, then the phase's.
    assert [f.line.phase_id for f in summary.lines][:2] == [None, None]


def test_it_draws_the_burn_per_week(costs: Costs, world: World) -> None:
    """Counted time and the material in the first week; the travel in the second."""
    burn = budget.summarize(world.project).burn
    assert [(p.week, p.actual_cents) for p in burn] == [
        (MONDAY, 180000),
        (MONDAY + dt.timedelta(days=7), 210000),
    ]


def test_it_reads_in_the_same_number_of_queries_however_big(costs: Costs, world: World) -> None:
    def counted() -> int:
        project = Project.objects.get(pk=world.project.pk)  # nothing kept on the instance yet
        scheduling.forget_derived_from_plan()  # nor in the process: the plan's tree is read too
        with CaptureQueriesContext(connection) as queries:
            budget.summarize(project)
        return len(queries)

    before = counted()
    assert before <= 8  # the seven reads and the plan's revision
    phase = costs.plan.phase
    assert phase is not None
    for n in range(5):
        sub = planning_services.do_add_task(
            world.project, actor=world.pm, name=f"Part {n}", parent_id=phase.pk
        )
        leaf = planning_services.do_add_task(
            world.project, actor=world.pm, name=f"Leaf {n}", parent_id=sub.pk, duration_minutes=480
        )
        sub.refresh_from_db()
        for category in (CostCategory.LABOUR, CostCategory.MATERIAL, CostCategory.TRAVEL):
            services.do_add_budget_line(
                world.project, actor=world.pm, phase_id=sub.pk, category=category, amount="10"
            )
        log_time(
            world,
            costs.bob,
            SheetStatus.APPROVED,
            MONDAY + dt.timedelta(days=14 + 7 * n),
            [(leaf, 0, 60), (leaf, 1, 60)],
        )
        approved_expense(
            world, task_id=leaf.pk, category="material", day=MONDAY, amount="5", description="Cable"
        )
    assert counted() == before


def test_a_line_under_a_sub_phase_counts_its_descendants(costs: Costs, world: World) -> None:
    """Time on a task two levels under a phase counts for both phases' labour lines."""
    phase = costs.plan.phase
    assert phase is not None
    sub = planning_services.do_add_task(world.project, actor=world.pm, name="Sub", parent_id=phase.pk)
    leaf = planning_services.do_add_task(
        world.project, actor=world.pm, name="Leaf", parent_id=sub.pk, duration_minutes=480
    )
    line = services.do_add_budget_line(
        world.project, actor=world.pm, phase_id=sub.pk, category="labour", amount="100"
    )
    log_time(world, costs.bob, SheetStatus.TEAM_APPROVED, MONDAY + dt.timedelta(days=21), [(leaf, 0, 30)])
    by_line = {f.line.pk: f for f in budget.summarize(world.project).lines}
    assert by_line[line.pk].actual_cents == 5000
    assert by_line[costs.phase_labour.pk].actual_cents == 125000
