"""A task's work and planned cost follow from its assignments and the resources' rates (the engine's
``cost_schedule``), kept in step by every change of an assignment or a rate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tandem.planning import scheduling
from tandem.planning import services as planning
from tandem.planning.models import Task
from tandem.resources import services
from tandem.resources.models import Assignment
from tandem.testing.personas import World
from tandem.testing.plans import DAY, build_small_plan

from .conftest import SECRET_COST, SECRET_RATE, Pool

pytestmark = pytest.mark.django_db


def _work_cost(task: Task) -> tuple[int, int]:
    row = Task.objects.get(pk=task.pk)
    return row.work_minutes, row.cost_cents


def test_work_is_units_times_duration_and_cost_is_work_at_the_rate_plus_the_cost_per_use(pool: Pool) -> None:
    design, build, secret = pool.plan.design, pool.plan.build, pool.plan.secret
    hourly = Decimal(SECRET_RATE)
    # Design: 2 days, Bob at 100 %: 960 minutes at his rate, plus his cost per use once.
    assert _work_cost(design) == (960, round((Decimal(960) / 60 * hourly + Decimal(SECRET_COST)) * 100))
    # Build: 3 days, Rita at 50 %: 720 minutes at her rate (no cost per use).
    assert _work_cost(build) == (720, round(Decimal(720) / 60 * hourly * 100))
    assert _work_cost(secret)[0] == 480
    # Go-live, a milestone without assignments: nothing.
    assert _work_cost(pool.plan.golive) == (0, 0)


def test_a_rate_change_in_the_middle_of_a_task_costs_each_part_at_its_rate(world: World) -> None:
    plan = build_small_plan(world)  # Design: Monday 5 and Tuesday 6 January 2026
    pm = world.pm
    dev = services.do_add_resource(world.vendor, actor=pm, name="Dev")
    services.do_add_rate(dev, actor=pm, effective_from=dt.date(2025, 1, 1), standard_rate=100)
    services.do_assign(world.project, actor=pm, task_id=plan.design.pk, resource_id=dev.pk, units=100)
    assert _work_cost(plan.design) == (960, 1600_00)
    services.do_add_rate(dev, actor=pm, effective_from=dt.date(2026, 1, 6), standard_rate=150)
    assert _work_cost(plan.design) == (960, 800_00 + 1200_00)


def test_summaries_add_up_their_tasks(world: World) -> None:
    plan = build_small_plan(world, phase=True)
    pm = world.pm
    dev = services.do_add_resource(world.vendor, actor=pm, name="Dev")
    services.do_add_rate(dev, actor=pm, effective_from=dt.date(2025, 1, 1), standard_rate=60)
    for task in (plan.design, plan.build):
        services.do_assign(world.project, actor=pm, task_id=task.pk, resource_id=dev.pk, units=100)
    assert plan.phase is not None
    assert _work_cost(plan.phase) == (960 + 1440, (960 + 1440) * 100)


def test_a_longer_task_and_a_removed_assignment_are_followed(pool: Pool, world: World) -> None:
    design = Task.objects.get(pk=pool.plan.design.pk)
    planning.do_update_task(design, version=design.version, actor=world.pm, duration_minutes=3 * DAY)
    assert _work_cost(design)[0] == 3 * DAY
    assignment = Assignment.objects.get(task=design)
    services.do_update_assignment(assignment, version=assignment.version, actor=world.pm, units=50)
    assert _work_cost(design)[0] == 3 * DAY // 2
    assignment.refresh_from_db()
    services.do_unassign(assignment, version=assignment.version, actor=world.pm)
    assert _work_cost(design) == (0, 0)


def test_a_reschedule_without_memo_finds_the_work_and_cost_already_right(pool: Pool, world: World) -> None:
    before = list(
        Task.objects.filter(project=world.project).order_by("id").values_list("work_minutes", "cost_cents")
    )
    scheduling.forget_memos()
    scheduling.reschedule(world.project)
    after = list(
        Task.objects.filter(project=world.project).order_by("id").values_list("work_minutes", "cost_cents")
    )
    assert after == before


def test_a_task_waits_for_its_person_s_leave_and_a_base_of_their_own(world: World) -> None:
    plan = build_small_plan(world)  # Design: Monday 5 and Tuesday 6 January 2026
    pm = world.pm
    dev = services.do_add_resource(world.vendor, actor=pm, name="Dev")
    services.do_add_rate(dev, actor=pm, effective_from=dt.date(2025, 1, 1), standard_rate=100)
    services.do_assign(world.project, actor=pm, task_id=plan.design.pk, resource_id=dev.pk, units=100)
    zone = scheduling.zone_of(world.project)

    def design_days() -> tuple[dt.date, dt.date]:
        row = Task.objects.get(pk=plan.design.pk)
        assert row.start is not None and row.finish is not None
        return row.start.astimezone(zone).date(), row.finish.astimezone(zone).date()

    assert design_days() == (dt.date(2026, 1, 5), dt.date(2026, 1, 6))
    leave = services.do_add_leave(dev, actor=pm, start=dt.date(2026, 1, 6), end=dt.date(2026, 1, 7))
    # Dev is off on Tuesday and Wednesday: the second day of work is Thursday; the cost is unchanged.
    assert design_days() == (dt.date(2026, 1, 5), dt.date(2026, 1, 8))
    assert _work_cost(plan.design) == (960, 1600_00)
    services.do_remove_leave(leave, actor=pm)
    assert design_days() == (dt.date(2026, 1, 5), dt.date(2026, 1, 6))
    # A base of the person's own: on the Mainland China calendar, Monday 6 April 2026 is a public
    # holiday (Tomb-Sweeping Day), on the standard week an ordinary working day.
    planning.do_update_task(
        Task.objects.get(pk=plan.design.pk),
        version=Task.objects.get(pk=plan.design.pk).version,
        actor=pm,
        constraint_type="SNET",
        constraint_date=dt.datetime(2026, 4, 3, 8, 0, tzinfo=zone),
    )
    assert scheduling.ensure_project_calendar(world.project).base == "standard"
    assert design_days() == (dt.date(2026, 4, 3), dt.date(2026, 4, 6))
    dev.refresh_from_db()
    services.do_update_resource(dev, version=dev.version, actor=pm, calendar_base="china")
    assert design_days() == (dt.date(2026, 4, 3), dt.date(2026, 4, 7))
    dev.refresh_from_db()
    services.do_update_resource(dev, version=dev.version, actor=pm, calendar_base="")
    assert design_days() == (dt.date(2026, 4, 3), dt.date(2026, 4, 6))
