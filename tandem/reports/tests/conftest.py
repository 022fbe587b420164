"""Fixtures of the report tests: a small plan with an agreed baseline whose go-live then slips."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tandem.core.choices import Visibility
from tandem.planning import services as planning
from tandem.planning.choices import TaskKind
from tandem.planning.models import Task
from tandem.testing.personas import World

DAY = 480


@dataclass
class Plan:
    """Design 2d → Build 3d → Go-live, an internal task and an internal milestone; baseline approved."""

    world: World
    design: Task
    build: Task
    secret: Task
    golive: Task
    secret_milestone: Task


def make_plan(world: World, *, slip_days: int = 0) -> Plan:
    """ERP starts Monday 2026-01-05; after the baseline, Build grows by ``slip_days`` working days."""
    pm, project = world.pm, world.project
    design = planning.do_add_task(project, actor=pm, name="Design", duration_minutes=2 * DAY)
    build = planning.do_add_task(project, actor=pm, name="Build", duration_minutes=3 * DAY)
    secret = planning.do_add_task(
        project, actor=pm, name="Margin review", duration_minutes=DAY, visibility=Visibility.INTERNAL
    )
    golive = planning.do_add_task(project, actor=pm, name="Go-live", kind=TaskKind.MILESTONE)
    hidden = planning.do_add_task(
        project,
        actor=pm,
        name="Subcontractor payout",
        kind=TaskKind.MILESTONE,
        visibility=Visibility.INTERNAL,
    )
    planning.do_add_dependency(project, predecessor_id=design.pk, successor_id=build.pk, actor=pm)
    planning.do_add_dependency(project, predecessor_id=design.pk, successor_id=secret.pk, actor=pm)
    planning.do_add_dependency(project, predecessor_id=build.pk, successor_id=golive.pk, actor=pm)
    planning.do_add_dependency(project, predecessor_id=secret.pk, successor_id=hidden.pk, actor=pm)
    baseline = planning.do_save_baseline(project, name="Agreed plan", actor=pm)
    planning.do_approve_baseline(baseline, actor=pm)
    if slip_days:
        build = Task.objects.get(pk=build.pk)
        planning.do_update_task(
            build, version=build.version, actor=pm, duration_minutes=(3 + slip_days) * DAY
        )
    return Plan(world, *(Task.objects.get(pk=t.pk) for t in (design, build, secret, golive, hidden)))


@pytest.fixture
def plan(world: World) -> Plan:
    """A plan whose go-live slipped 7 working days after the agreed baseline."""
    return make_plan(world, slip_days=7)


#: A moment early in the plan (Design in progress), in the project's time zone.
EARLY = dt.datetime(2026, 1, 6, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
