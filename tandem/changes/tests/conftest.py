"""Fixtures of the change-control tests: a small plan with an approved baseline in the personas' project."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tandem.changes import services
from tandem.changes.models import ChangeRequest
from tandem.core.choices import Visibility
from tandem.planning import services as planning
from tandem.planning.choices import TaskKind
from tandem.planning.models import Baseline, Task
from tandem.testing.personas import World

DAY = 480


@dataclass
class Plan:
    """Design 2d → build 3d → go-live, and an internal review after design (1d, off the critical path)."""

    world: World
    design: Task
    build: Task
    secret: Task
    golive: Task
    baseline: Baseline

    def fresh(self, task: Task) -> Task:
        """The task as stored now."""
        return Task.objects.get(pk=task.pk)


def build_plan(world: World) -> Plan:
    """The plan, saved as a baseline the PM approved (joint preset: PM and client PM approve baselines)."""
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
    baseline = planning.do_approve_baseline(
        planning.do_save_baseline(project, name="Kick-off", actor=pm), actor=pm
    )
    return Plan(world, *(Task.objects.get(pk=t.pk) for t in (design, build, secret, golive)), baseline)


@pytest.fixture
def plan(world: World) -> Plan:
    """The small plan with its approved baseline."""
    return build_plan(world)


def reports_change(plan: Plan, *, proposer: str = "client_pm", **extra: Any) -> ChangeRequest:
    """A request that adds two days of reports between build and go-live, expressed by the PM."""
    world = plan.world
    request = services.do_propose_change(
        world.project,
        actor=world.people[proposer],
        title="Sales reports",
        description="Store managers need daily sales reports before go-live.",
        **extra,
    )
    pm = world.pm
    added = services.do_add_edit(
        request, actor=pm, kind="add_task", payload={"name": "Reports", "duration_minutes": 2 * DAY}
    )
    ref = f"new-{added.pk}"
    services.do_add_edit(
        request, actor=pm, kind="add_link", payload={"predecessor": plan.build.pk, "successor": ref}
    )
    services.do_add_edit(
        request, actor=pm, kind="add_link", payload={"predecessor": ref, "successor": plan.golive.pk}
    )
    return ChangeRequest.objects.get(pk=request.pk)
