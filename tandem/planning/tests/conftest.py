"""Fixtures of the planning tests: a small plan in the personas' project."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from tandem.core.choices import Visibility
from tandem.planning import services
from tandem.planning.choices import TaskKind
from tandem.planning.models import Task
from tandem.testing.personas import World

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = 480


def at(year: int, month: int, day: int, hour: int = 8, minute: int = 0) -> dt.datetime:
    """An aware datetime in the project's time zone."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@dataclass
class Plan:
    """A phase with two tasks and a milestone, plus an internal task linked to the shared ones."""

    world: World
    phase: Task
    design: Task
    build: Task
    secret: Task
    golive: Task


@pytest.fixture
def plan(world: World) -> Plan:
    """ERP (starts Monday 2026-01-05): design 2d → build 3d → go-live; an internal review after design."""
    pm, project = world.pm, world.project
    phase = services.do_add_task(project, actor=pm, name="Phase 1", kind=TaskKind.PHASE)
    design = services.do_add_task(
        project, actor=pm, name="Design", parent_id=phase.pk, duration_minutes=2 * DAY
    )
    build = services.do_add_task(
        project, actor=pm, name="Build", parent_id=phase.pk, duration_minutes=3 * DAY
    )
    secret = services.do_add_task(
        project,
        actor=pm,
        name="Margin review",
        parent_id=phase.pk,
        duration_minutes=DAY,
        visibility=Visibility.INTERNAL,
    )
    golive = services.do_add_task(project, actor=pm, name="Go-live", kind=TaskKind.MILESTONE)
    services.do_add_dependency(project, predecessor_id=design.pk, successor_id=build.pk, actor=pm)
    services.do_add_dependency(project, predecessor_id=design.pk, successor_id=secret.pk, actor=pm)
    services.do_add_dependency(project, predecessor_id=build.pk, successor_id=golive.pk, actor=pm)
    return Plan(world, *(Task.objects.get(pk=t.pk) for t in (phase, design, build, secret, golive)))
