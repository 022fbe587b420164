"""Fixtures of the report tests: a small plan with an agreed baseline whose go-live then slips."""

from __future__ import annotations

import datetime as dt

import pytest

from tandem.planning import services as planning
from tandem.testing.personas import World
from tandem.testing.plans import DAY, Plan, build_small_plan

__all__ = ["DAY", "EARLY", "Plan", "make_plan"]


def make_plan(world: World, *, slip_days: int = 0) -> Plan:
    """ERP starts Monday 2026-01-05; after the agreed baseline, Build grows by ``slip_days`` working days."""
    plan = build_small_plan(world, secret_milestone=True, baseline="Agreed plan")
    if slip_days:
        planning.do_update_task(
            plan.build, version=plan.build.version, actor=world.pm, duration_minutes=(3 + slip_days) * DAY
        )
    return plan.refreshed()


@pytest.fixture
def plan(world: World) -> Plan:
    """A plan whose go-live slipped 7 working days after the agreed baseline."""
    return make_plan(world, slip_days=7)


#: A moment early in the plan (Design in progress), in the project's time zone.
EARLY = dt.datetime(2026, 1, 6, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
