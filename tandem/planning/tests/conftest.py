"""Fixtures of the planning tests: a small plan in the personas' project."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tandem.testing.personas import World
from tandem.testing.plans import DAY, Plan, build_small_plan

__all__ = ["DAY", "SHANGHAI", "Plan", "at"]

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 8, minute: int = 0) -> dt.datetime:
    """An aware datetime in the project's time zone."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def plan(world: World) -> Plan:
    """ERP (starts Monday 2026-01-05): design 2d → build 3d → go-live; an internal review after design."""
    return build_small_plan(world, phase=True)
