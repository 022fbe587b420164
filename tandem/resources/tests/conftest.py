"""Fixtures of the resource tests: a pool on both sides of ERP, with rates, and the small plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tandem.resources import services
from tandem.resources.choices import ResourceKind
from tandem.resources.models import Rate, Resource
from tandem.testing.personas import World
from tandem.testing.plans import Plan, build_small_plan

#: Rate figures no page or answer for the client may ever carry.
SECRET_RATE = "987.65"
SECRET_OVERTIME = "1234.56"
SECRET_COST = "4321.09"


@dataclass
class Pool:
    """ERP's small plan and a pool on both sides, with rates."""

    plan: Plan
    bob: Resource
    rita: Resource
    uat_env: Resource
    rate: Rate


def make_pool(world: World) -> Pool:
    """Bob (vendor developer), Rita (client reviewer, both with rates), the UAT environment; ERP's plan."""
    plan = build_small_plan(world)
    pm = world.pm
    bob = services.do_add_resource(
        world.vendor,
        actor=pm,
        name="Bob Member",
        user_id=world.member.pk,
        role="Developer",
        skills=["python", "sql"],
        cost_per_use=SECRET_COST,
    )
    rate = services.do_add_rate(
        bob,
        actor=pm,
        effective_from=dt.date(2026, 1, 1),
        standard_rate=SECRET_RATE,
        overtime_rate=SECRET_OVERTIME,
    )
    rita = services.do_add_resource(
        world.client, actor=pm, name="Rita Reviewer", user_id=world.reviewer.pk, role="Reviewer"
    )
    services.do_add_rate(rita, actor=pm, effective_from=dt.date(2026, 1, 1), standard_rate=SECRET_RATE)
    uat_env = services.do_add_resource(
        world.client, actor=pm, name="UAT environment", kind=ResourceKind.EQUIPMENT, role="Environment"
    )
    project = world.project
    services.do_assign(
        project, actor=pm, task_id=plan.design.pk, resource_id=bob.pk, units=100, work_minutes=960
    )
    services.do_assign(
        project, actor=pm, task_id=plan.build.pk, resource_id=rita.pk, units=50, work_minutes=720
    )
    services.do_assign(
        project, actor=pm, task_id=plan.secret.pk, resource_id=bob.pk, units=100, work_minutes=480
    )
    return Pool(plan, bob, rita, uat_env, rate)


@pytest.fixture
def pool(world: World) -> Pool:
    """A pool with rates and assignments in ERP."""
    return make_pool(world)
