"""Fixtures of the change-control tests: a small plan with an approved baseline in the personas' project."""

from __future__ import annotations

from typing import Any

import pytest

from tandem.changes import services
from tandem.changes.models import ChangeRequest
from tandem.testing.personas import World
from tandem.testing.plans import DAY, Plan, build_small_plan


def build_plan(world: World) -> Plan:
    """The plan, saved as a baseline the PM approved (joint preset: PM and client PM approve baselines)."""
    return build_small_plan(world, baseline="Kick-off")


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
