"""The earned value page: figures with their formulas, the verdict, the S-curve and its table, the
phases, the status date picker, the client's view and the cost of the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.planning import services as planning
from tandem.resources import services as resources
from tandem.testing.earned_value import RATE, build_worked_example, log_time
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db

PAGE = reverse("web:evm", args=["ERP"])


def test_the_pm_reads_the_figures_with_their_formulas_the_verdict_and_the_curve(
    world: World, client: Client
) -> None:
    build_worked_example(world)
    client.force_login(world.pm)
    page = client.get(PAGE, {"as_of": "2026-01-16"}).content.decode()
    for text in ("CPI = EV / AC", "SPI = EV / PV", "VAC = BAC − EAC", "TCPI = (BAC − EV) / (BAC − AC)"):
        assert text in page
    assert "¥500,000" in page and "¥525,000" in page and "0.952" in page and "1.034" in page
    assert "5 % over cost and 20 % behind plan" in page
    assert '<polyline class="pv"' in page and '<polyline class="ac"' in page
    assert page.count('<circle class="ev"') == 1
    assert "The S-curve as a table" in page and "2026-01-11" in page
    assert "Phase 1" in page and "Phase 2" in page
    assert 'value="2026-01-16"' in page  # the picker keeps the date


def test_a_client_reads_the_figures_but_no_rate_or_internal_phase(world: World, client: Client) -> None:
    build_worked_example(world)
    for persona in ("client_viewer", "client_pm", "sponsor"):
        client.force_login(world.people[persona])
        page = client.get(PAGE, {"as_of": "2026-01-16"}).content.decode()
        assert "¥525,000" in page and "0.952" in page
        assert "Phase 1" in page and "Phase 2" not in page and "Vendor work" not in page
        assert RATE not in page and "3,125" not in page


def test_a_team_member_previewing_as_client_sees_the_clients_page(world: World, client: Client) -> None:
    build_worked_example(world)
    client.force_login(world.pm)
    page = client.get(PAGE, {"as_of": "2026-01-16", "view": "client"}).content.decode()
    assert "Phase 1" in page and "Phase 2" not in page


def test_it_reads_in_chinese(world: World, client: Client) -> None:
    build_worked_example(world)
    world.client_pm.language = "zh-hans"
    world.client_pm.save(update_fields=["language"])
    client.force_login(world.client_pm)
    page = client.get(PAGE, {"as_of": "2026-01-16"}).content.decode()
    assert "挣值" in page and "超支 5 %" in page and "落后计划 20 %" in page


def test_without_a_baseline_it_says_what_to_do(world: World, client: Client) -> None:
    client.force_login(world.pm)
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "No baseline has been saved yet" in page and "Save a baseline" in page


def test_a_bad_date_is_a_form_error_not_a_failure(world: World, client: Client) -> None:
    client.force_login(world.pm)
    response = client.get(PAGE, {"as_of": "2026-02-30"})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_the_page_costs_the_same_queries_with_more_tasks(world: World, client: Client) -> None:
    example = build_worked_example(world)
    client.force_login(world.pm)

    def counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PAGE, {"as_of": "2026-01-16"}).status_code == 200
        return len(queries)

    before = counted()
    for n in range(10):
        task = planning.do_add_task(world.project, actor=world.pm, name=f"More {n}", duration_minutes=480)
        resources.do_assign(
            world.project, actor=world.pm, task_id=task.pk, resource_id=example.bob.pk, units=100
        )
        log_time(world, task, example.bob, dt.date(2026, 1, 12), 60)
    planning.do_save_baseline(world.project, name="Again", actor=world.pm)
    assert counted() == before
