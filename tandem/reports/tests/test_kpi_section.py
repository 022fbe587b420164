"""A status report states the charter's KPIs the client reads: value, status against the thresholds
and the trend, in every format and both languages; an internal KPI never appears."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.projects import kpis
from tandem.projects import services as project_services
from tandem.projects.models import Kpi
from tandem.reports import generation, rendering, services
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 6, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _kpi(world: World, **data: Any) -> Kpi:
    values = {"name": "Client satisfaction", "target": "4.5", "unit": "/5", **data}
    kpi: Kpi = project_services.do_add_charter_item(world.project, kind="kpis", data=values, actor=world.pm)
    return kpi


def _generate(world: World, language: str = "en") -> Any:
    return services.generate_report(
        world.project,
        period_start=dt.date(2026, 3, 2),
        period_end=dt.date(2026, 3, 6),
        actor=world.pm,
        now=NOW,
        language=language,
    )


def test_a_report_states_each_shared_kpi_with_its_value_status_and_trend(world: World) -> None:
    shared = _kpi(world, warning_threshold="4.2", alarm_threshold="3.8")
    internal = _kpi(world, name="Margin on the fixed price", target="25", unit="%", visibility="internal")
    for day, value in (
        (dt.date(2026, 2, 20), "4.0"),
        (dt.date(2026, 2, 27), "4.1"),
        (dt.date(2026, 3, 6), "4.2"),
    ):
        kpis.do_record_measurement(shared, value=value, measured_on=day, actor=world.pm)
    kpis.do_record_measurement(internal, value="31", measured_on=dt.date(2026, 3, 6), actor=world.pm)
    report = _generate(world)
    stated = {k["name"]: k for k in report.facts["kpis"]}
    assert set(stated) == set(
        Kpi.objects.filter(project=world.project, visibility="shared").values_list("name", flat=True)
    )
    assert "Margin on the fixed price" not in stated
    assert stated["Client satisfaction"] == {
        "name": "Client satisfaction",
        "unit": "/5",
        "target": "4.5",
        "direction": "higher",
        "value": "4.2",
        "measured_on": "2026-03-06",
        "status": "warning",
        "trend": ["4", "4.1", "4.2"],
    }
    for text in (rendering.render_markdown_text(report), str(rendering.render_body(report))):
        assert "Client satisfaction" in text and "4 → 4.1 → 4.2" in text and "Warning" in text
        assert (
            "Margin on the fixed price" not in text and "31" not in text.split("Client satisfaction")[1][:200]
        )
    chinese = rendering.render_markdown_text(_generate(world, language="zh-hans"))
    assert "关键绩效指标" in chinese or "KPI" in chinese
    assert "4 → 4.1 → 4.2" in chinese


def test_the_kpis_take_two_queries_however_many_there_are(world: World) -> None:
    from tandem.core.scoping import ClientLens

    first = _kpi(world)
    kpis.do_record_measurement(first, value="4", measured_on=dt.date(2026, 3, 2), actor=world.pm)
    with CaptureQueriesContext(connection) as few:
        before = len(generation.kpi_facts(ClientLens(world.pm), world.project))
    for n in range(6):
        more = _kpi(world, name=f"KPI {n}")
        for day in range(1, 6):
            kpis.do_record_measurement(
                more, value=str(day), measured_on=dt.date(2026, 3, day), actor=world.pm
            )
    with CaptureQueriesContext(connection) as many:
        facts = generation.kpi_facts(ClientLens(world.pm), world.project)
    assert len(facts) == before + 6 and len(few) == len(many) == 2
