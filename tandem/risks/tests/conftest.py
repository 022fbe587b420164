"""Fixtures of the register tests: a small plan in the personas' project."""

from __future__ import annotations

import pytest

from tandem.testing.personas import World
from tandem.testing.plans import Plan, build_small_plan


def make_plan(world: World) -> Plan:
    """ERP starts Monday 2026-01-05."""
    return build_small_plan(world)


@pytest.fixture
def plan(world: World) -> Plan:
    """A small plan in ERP."""
    return make_plan(world)
