"""Fixtures of the cost tests: ERP's plan under a phase, Bob's rate, counted and uncounted time,
expenses in every state, and a budget by phase and category, with figures computed by hand.

Bob (the member, 100.00 an hour) is assigned 16 hours of Design: Design's planned cost is 1,600.00.
Counted time (an approved week): Design 8 h (800.00), Build 4 h (400.00), Go-live 1 h (100.00, outside
the phase); an open week's 8 h on Design counts nothing. Expenses: approved material 500.00 on Design
and travel 300.00 on no task; a submitted material 999.00 counts nothing.

Budget lines: Phase 1 labour 1,500.00 and material 400.00; the whole project travel 1,000.00 and
labour 3,000.00.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test.utils import override_settings

from tandem.core.choices import Visibility
from tandem.costs import services
from tandem.costs.choices import CostCategory, ExpenseCategory, SheetStatus
from tandem.costs.models import BudgetLine, Expense, TimeEntry, Timesheet
from tandem.costs.pricing import Pricer
from tandem.resources import services as resource_services
from tandem.resources.models import Resource
from tandem.testing.personas import World
from tandem.testing.plans import Plan, build_small_plan

#: A rate no client may ever read, and an internal note no client may ever read.
SECRET_RATE = "100.00"
SECRET_NOTE = "Paid from the margin reserve"
MONDAY = dt.date(2026, 1, 5)


@dataclass
class Costs:
    """The plan, Bob's resource, the expenses and the budget lines."""

    plan: Plan
    bob: Resource
    material: Expense
    travel: Expense
    submitted: Expense
    phase_labour: BudgetLine
    phase_material: BudgetLine
    whole_travel: BudgetLine
    whole_labour: BudgetLine


def log_time(
    world: World, bob: Resource, status: str, week: dt.date, rows: list[tuple[object, int, int]]
) -> None:
    """A week of the member's time in ``status``: (task, day offset, minutes), priced at the rate in force."""
    sheet = Timesheet.objects.create(project=world.project, user=world.member, week=week, status=status)
    pricer = Pricer([bob.pk])
    for task, offset, minutes in rows:
        day = week + dt.timedelta(days=offset)
        TimeEntry.objects.create(
            project=world.project,
            timesheet=sheet,
            task=task,
            user=world.member,
            resource=bob,
            day=day,
            minutes=minutes,
            cost_cents=pricer.cost_cents(bob.pk, day, minutes),
        )


def approved_expense(world: World, **data: object) -> Expense:
    """An expense filed by the member, submitted and approved by the PM."""
    expense = services.do_add_expense(world.project, actor=world.member, **data)
    expense = services.do_submit_expense(expense, version=expense.version, actor=world.member)
    return services.do_approve_expense(expense, version=expense.version, actor=world.pm)


def make_costs(world: World) -> Costs:
    """The project of the module docstring."""
    plan = build_small_plan(world, phase=True)
    pm = world.pm
    bob = resource_services.do_add_resource(
        world.vendor, actor=pm, name="Bob Member", user_id=world.member.pk
    )
    resource_services.do_add_rate(
        bob, actor=pm, effective_from=dt.date(2026, 1, 1), standard_rate=SECRET_RATE
    )
    resource_services.do_assign(
        world.project, actor=pm, task_id=plan.design.pk, resource_id=bob.pk, work_minutes=960
    )
    log_time(
        world,
        bob,
        SheetStatus.APPROVED,
        MONDAY,
        [(plan.design, 0, 480), (plan.build, 2, 240), (plan.golive, 4, 60)],
    )
    log_time(world, bob, SheetStatus.OPEN, MONDAY + dt.timedelta(days=7), [(plan.design, 0, 480)])
    material = approved_expense(
        world,
        task_id=plan.design.pk,
        category=ExpenseCategory.MATERIAL,
        day=MONDAY + dt.timedelta(days=1),
        amount=Decimal("500.00"),
        description="Test devices",
        visibility=Visibility.SHARED,
        internal_note=SECRET_NOTE,
    )
    travel = approved_expense(
        world,
        category=ExpenseCategory.TRAVEL,
        day=MONDAY + dt.timedelta(days=9),
        amount=Decimal("300.00"),
        description="Train to the client",
        internal_note=SECRET_NOTE,
    )
    submitted = services.do_add_expense(
        world.project,
        actor=world.member,
        task_id=plan.build.pk,
        category=ExpenseCategory.MATERIAL,
        day=MONDAY + dt.timedelta(days=2),
        amount=Decimal("999.00"),
        description="Licences",
    )
    submitted = services.do_submit_expense(submitted, version=submitted.version, actor=world.member)
    assert plan.phase is not None

    def line(phase: object, category: str, amount: str) -> BudgetLine:
        phase_id = getattr(phase, "pk", None)
        return services.do_add_budget_line(
            world.project, actor=pm, phase_id=phase_id, category=category, amount=Decimal(amount)
        )

    return Costs(
        plan=plan,
        bob=bob,
        material=material,
        travel=travel,
        submitted=submitted,
        phase_labour=line(plan.phase, CostCategory.LABOUR, "1500.00"),
        phase_material=line(plan.phase, CostCategory.MATERIAL, "400.00"),
        whole_travel=line(None, CostCategory.TRAVEL, "1000.00"),
        whole_labour=line(None, CostCategory.LABOUR, "3000.00"),
    )


@pytest.fixture
def costs(world: World) -> Costs:
    """The project of the module docstring, in ERP."""
    return make_costs(world)


@pytest.fixture(scope="session", autouse=True)
def _media(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Receipts go to a temporary folder (one for the session: module worlds store receipts too)."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield
