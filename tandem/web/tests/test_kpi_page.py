"""The KPI page and the KPI table of the project home: values, status, trend, entry and source."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tandem.projects import kpis
from tandem.projects.models import KpiMeasurement
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db


def _page(world: World) -> str:
    return reverse("web:kpi_detail", args=["ERP", world.records["kpi_shared"].pk])


def test_the_pm_enters_values_and_reads_them_on_a_chart_and_on_the_home(world: World, client: Client) -> None:
    client.force_login(world.pm)
    for day, value in ((1, "91"), (8, "94.5"), (15, "96")):
        response = client.post(
            _page(world), {"action": "value", "measured_on": f"2026-03-{day:02d}", "value": value, "note": ""}
        )
        assert response.status_code == 302
    page = client.get(_page(world)).content.decode()
    assert page.count('<circle class="dot') == 3
    assert '<polyline class="series"' in page
    assert "2026-03-15: 96" in page
    assert 'class="mark target"' in page  # the KPI's target 95 drawn across
    charter = client.get(reverse("web:charter", args=["ERP"])).content.decode()
    assert _page(world) in charter
    assert 'class="badge kpi-on_target"' in charter
    assert 'class="sparkline"' in charter


def test_a_bad_value_is_refused_with_the_fields_error_and_nothing_saved(world: World, client: Client) -> None:
    client.force_login(world.pm)
    response = client.post(_page(world), {"action": "value", "measured_on": "2026-03-02", "value": "lots"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode() or "errorlist" in response.content.decode()
    assert not KpiMeasurement.objects.exists()


def test_a_client_reads_the_values_in_chinese_but_gets_no_forms(world: World, client: Client) -> None:
    kpis.do_record_measurement(
        world.records["kpi_shared"], value="80", measured_on=dt.date(2026, 3, 2), actor=world.pm
    )
    client.force_login(world.client_pm)
    with translation.override("zh-hans"):
        page = client.get(_page(world), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<form" not in page.split('id="values-h"')[1].split("</section>")[0]
    assert 'name="action" value="value"' not in page
    assert "kpi-warning" in page or "kpi-alarm" in page  # 80 against a target of 95, no thresholds


def test_a_live_kpi_offers_no_value_form(world: World, client: Client) -> None:
    kpis.do_set_kpi_source(world.records["kpi_shared"], source="schedule.percent_complete", actor=world.pm)
    client.force_login(world.pm)
    page = client.get(_page(world)).content.decode()
    assert 'name="action" value="value"' not in page
    assert 'name="action" value="source"' in page
