"""The plan's live KPI sources, and the daily job that records their values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from tandem.core.choices import Visibility
from tandem.planning import services as planning
from tandem.planning.choices import TaskKind
from tandem.planning.models import Task
from tandem.projects import kpis, services
from tandem.projects.models import Kpi, KpiMeasurement
from tandem.projects.tasks import measure_kpis
from tandem.testing.personas import World
from tandem.testing.plans import build_small_plan

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)


def _kpi(world: World, **data: Any) -> Kpi:
    values = {"name": "Availability", "target": "99.5", **data}
    kpi: Kpi = services.do_add_charter_item(world.project, kind="kpis", data=values, actor=world.pm)
    return kpi


def test_percent_complete_is_the_plans_duration_weighted_progress(world: World) -> None:
    plan = build_small_plan(world)
    kpi = kpis.do_set_kpi_source(
        _kpi(world, target="100"), source="schedule.percent_complete", actor=world.pm
    )
    planning.do_update_task(plan.design, version=plan.design.version, actor=world.pm, percent_complete=100)
    assert kpis.measure_live(world.project, DAY) == 1
    # Shared rows: Design 960 minutes at 100 %, Build 1,440 at 0, Go-live a milestone (weight 1):
    # 96,000 / 2,401. The internal task (480 minutes) counts only for an internal KPI.
    assert KpiMeasurement.objects.get(kpi=kpi).value == Decimal("40.0")
    internal = kpis.do_set_kpi_source(
        _kpi(world, name="Internal progress", visibility=Visibility.INTERNAL),
        source="schedule.percent_complete",
        actor=world.pm,
    )
    kpis.measure_live(world.project, DAY + dt.timedelta(days=1))
    assert KpiMeasurement.objects.get(kpi=internal).value == Decimal("33.3")  # 96,000 / 2,881


def test_milestones_on_time_against_the_agreed_baseline(world: World) -> None:
    plan = build_small_plan(world, baseline="Agreed")
    planning.do_add_task(world.project, actor=world.pm, name="Pilot", kind=TaskKind.MILESTONE)
    kpi = kpis.do_set_kpi_source(
        _kpi(world, target="90"), source="schedule.milestones_on_time", actor=world.pm
    )
    golive = Task.objects.get(pk=plan.golive.pk)
    before = golive.finish.date() - dt.timedelta(days=1)
    assert kpis.measure_live(world.project, before) == 0  # nothing due yet: no value
    on_the_day = golive.finish.date()
    assert kpis.measure_live(world.project, on_the_day) == 1
    assert KpiMeasurement.objects.get(kpi=kpi, measured_on=on_the_day).value == Decimal("0.0")  # not reached
    planning.do_update_task(golive, version=golive.version, actor=world.pm, actual_finish=golive.finish)
    later = on_the_day + dt.timedelta(days=3)
    kpis.measure_live(world.project, later)
    # 100 %, not 50 %: the milestone added after the baseline ("Pilot", not reached) is not due in it.
    assert KpiMeasurement.objects.get(kpi=kpi, measured_on=later).value == Decimal("100.0")


def test_the_daily_job_measures_each_project_once_a_day(world: World) -> None:
    build_small_plan(world)
    kpi = kpis.do_set_kpi_source(_kpi(world), source="schedule.percent_complete", actor=world.pm)
    morning = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)
    assert measure_kpis(morning, today=DAY) == 1
    assert measure_kpis(morning, today=DAY) == 0
    assert KpiMeasurement.objects.filter(kpi=kpi).count() == 1
