"""Fixtures of the register tests: a small plan in the personas' project."""

from __future__ import annotations

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
    """Design 2d → build 3d → go-live, plus an internal task after design."""

    world: World
    design: Task
    build: Task
    secret: Task
    golive: Task


def make_plan(world: World) -> Plan:
    """ERP starts Monday 2026-01-05."""
    pm, project = world.pm, world.project
    design = planning.do_add_task(project, actor=pm, name="Design", duration_minutes=2 * DAY)
    build = planning.do_add_task(project, actor=pm, name="Build", duration_minutes=3 * DAY)
    secret = planning.do_add_task(
        project, actor=pm, name="Margin review", duration_minutes=DAY, visibility=Visibility.INTERNAL
    )
    golive = planning.do_add_task(project, actor=pm, name="Go-live", kind=TaskKind.MILESTONE)
    planning.do_add_dependency(project, predecessor_id=design.pk, successor_id=build.pk, actor=pm)
    planning.do_add_dependency(project, predecessor_id=design.pk, successor_id=secret.pk, actor=pm)
    planning.do_add_dependency(project, predecessor_id=build.pk, successor_id=golive.pk, actor=pm)
    return Plan(world, *(Task.objects.get(pk=t.pk) for t in (design, build, secret, golive)))


@pytest.fixture
def plan(world: World) -> Plan:
    """A small plan in ERP."""
    return make_plan(world)
