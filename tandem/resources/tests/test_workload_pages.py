"""The workload pages: the heatmap with its marked over-allocation, the week pager and filters, the
drill-down as each reader may see it, bad filters as form errors, constant queries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.resources import services
from tandem.resources.models import Resource
from tandem.testing.personas import World
from tandem.testing.plans import DAY

from .conftest import Pool

pytestmark = pytest.mark.django_db

START = "2026-01-05"


def _client(world: World, who: str) -> Client:
    browser = Client()
    browser.force_login(world.people[who])
    return browser


def test_it_marks_over_allocation_with_text_not_colour_alone(world: World, pool: Pool) -> None:
    services.do_update_resource(pool.bob, version=pool.bob.version, actor=world.pm, max_units=25)
    url = reverse("web:workload", args=[world.vendor.pk])
    body = _client(world, "pm").get(url, {"start": START, "weeks": "4"}).content.decode()
    assert "Bob Member" in body
    assert 'class="load-over"' in body
    assert "▲ 240 %" in body and "over-allocated" in body
    # The cell leads to the week's tasks without script.
    assert reverse("web:resource_week", args=[pool.bob.pk, START]) in body
    # The pager moves by the window's length.
    assert "start=2026-02-02" in body and "start=2025-12-08" in body


def test_it_groups_by_role_and_filters_by_project(world: World, pool: Pool) -> None:
    url = reverse("web:workload", args=[world.client.pk])
    browser = _client(world, "client_pm")
    roles = browser.get(url, {"start": START, "group": "role"}).content.decode()
    assert "Reviewer" in roles and "Rita Reviewer" not in roles
    project = browser.get(url, {"start": START, "project": "ERP"}).content.decode()
    assert "Rita Reviewer" in project and "UAT environment" not in project


def test_bad_filters_are_form_errors(world: World, pool: Pool) -> None:
    url = reverse("web:workload", args=[world.client.pk])
    response = _client(world, "pm").get(url, {"weeks": "500"})
    assert response.status_code == 400
    assert "Correct the filters" in response.content.decode()


def test_the_project_page_shows_both_sides_to_the_team_and_its_own_side_to_the_client(
    world: World, pool: Pool
) -> None:
    url = reverse("web:project_workload", args=["ERP"])
    team = _client(world, "pm").get(url, {"start": START}).content.decode()
    assert "Bob Member" in team and "Rita Reviewer" in team
    client = _client(world, "client_pm").get(url, {"start": START}).content.decode()
    assert "Rita Reviewer" in client and "Bob Member" not in client


def test_the_drill_down_hides_internal_tasks_from_the_client(world: World, pool: Pool) -> None:
    services.do_assign(
        world.project,
        actor=world.pm,
        task_id=pool.plan.secret.pk,
        resource_id=pool.rita.pk,
        units=100,
        work_minutes=DAY,
    )
    url = reverse("web:resource_week", args=[pool.rita.pk, "2026-01-08"])
    team = _client(world, "pm").get(url).content.decode()
    assert "Build" in team and "Margin review" in team
    for who in ("client_pm", "reviewer", "client_viewer"):
        body = _client(world, who).get(url).content.decode()
        assert "Build" in body and "Margin review" not in body
    assert (
        _client(world, "pm").get(reverse("web:resource_week", args=[pool.rita.pk, "soon"])).status_code == 404
    )


def test_it_links_the_workload_from_the_pool_page(world: World, pool: Pool) -> None:
    body = _client(world, "pm").get(reverse("web:resources", args=[world.client.pk])).content.decode()
    assert reverse("web:workload", args=[world.client.pk]) in body


def test_the_heatmap_page_reads_a_fixed_number_of_queries(world: World, pool: Pool) -> None:
    url = reverse("web:workload", args=[world.vendor.pk])
    browser = _client(world, "pm")

    def counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(url, {"start": START}).status_code == 200
        return len(queries)

    before = counted()
    for n in range(12):
        resource = Resource.objects.create(organization=world.vendor, name=f"Dev {n}", role="Developer")
        services.do_assign(
            world.project,
            actor=world.pm,
            task_id=pool.plan.build.pk,
            resource_id=resource.pk,
            work_minutes=DAY,
        )
    assert counted() == before


def test_it_pages_the_people_and_computes_only_the_page(world: World, pool: Pool) -> None:
    Resource.objects.bulk_create(
        Resource(organization=world.vendor, name=f"Dev {n:02d}", role="Developer") for n in range(55)
    )
    url = reverse("web:workload", args=[world.vendor.pk])
    browser = _client(world, "pm")
    first = browser.get(url, {"start": START}).content.decode()
    assert "Bob Member" in first and "Dev 48" in first and "Dev 49" not in first
    second = browser.get(url, {"start": START, "page": "2"}).content.decode()
    assert "Dev 49" in second and "Dev 54" in second and "Bob Member" not in second
    assert "Page 2 of 2" in second
    beyond = browser.get(url, {"start": START, "page": "9"}).content.decode()
    assert "Dev 54" in beyond


def test_the_client_preview_shows_what_the_client_sees(world: World, pool: Pool) -> None:
    services.do_assign(
        world.project,
        actor=world.pm,
        task_id=pool.plan.secret.pk,
        resource_id=pool.rita.pk,
        units=100,
        work_minutes=DAY,
    )
    browser = _client(world, "pm")
    url = reverse("web:project_workload", args=["ERP"])
    body = browser.get(url, {"start": START, "view": "client"}).content.decode()
    assert "Rita Reviewer" in body and "Bob Member" not in body
    week = reverse("web:resource_week", args=[pool.rita.pk, START])
    assert f"{week}?view=client" in body
    preview = browser.get(week, {"view": "client"}).content.decode()
    assert "Build" in preview and "Margin review" not in preview
    assert "Margin review" in browser.get(week).content.decode()


def test_the_heatmap_speaks_chinese(world: World, pool: Pool) -> None:
    world.client_pm.language = "zh-hans"
    world.client_pm.save(update_fields=["language"])
    services.do_update_resource(pool.rita, version=pool.rita.version, actor=world.pm, max_units=10)
    browser = _client(world, "client_pm")
    body = browser.get(reverse("web:workload", args=[world.client.pk]), {"start": START}).content.decode()
    assert "Northwind Retail 的工作负荷" in body and "过度分配" in body and "更晚的周" in body
    week = browser.get(reverse("web:resource_week", args=[pool.rita.pk, START])).content.decode()
    assert "工作（小时）" in week and "您可见的合计" in week


def test_the_colour_bands_meet_wcag_aa() -> None:
    """Every band's text colour on its background has a contrast ratio of 4.5:1 or more."""
    css = (Path(settings.BASE_DIR) / "tandem" / "web" / "static" / "web" / "workload.css").read_text()
    bands = re.findall(r"\.load-\w+ \{ background: (#[0-9a-f]{6}); color: (#[0-9a-f]{6});", css)
    assert len(bands) == 5

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for background, text in bands:
        light, dark = sorted((luminance(background), luminance(text)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, (background, text)
