"""The resource pages, and the proof that no page a client opens carries a rate or a cost."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tandem.planning.models import Task
from tandem.testing.personas import World

from .conftest import SECRET_COST, SECRET_OVERTIME, SECRET_RATE, Pool

#: Every page of a project that takes only its code (the plan, registers, reports, exports…).
PROJECT_PAGES = [
    "project_home",
    "activity",
    "members",
    "notes",
    "plan",
    "plan_gantt",
    "plan_gantt_data",
    "plan_board",
    "plan_list",
    "plan_timeline",
    "plan_baselines",
    "requirements",
    "requirements_traceability",
    "requirements_pdf",
    "requirements_xlsx",
    "changes",
    "risks",
    "risk_overview",
    "issues",
    "conflicts",
    "client_decisions",
    "communication_plan",
    "meetings",
    "reports",
    "project_workload",
]


def _client(world: World, who: str) -> Client:
    browser = Client()
    browser.force_login(world.people[who])
    return browser


def _pages(world: World, pool: Pool) -> list[str]:
    urls = []
    for name in PROJECT_PAGES:
        try:
            urls.append(reverse(f"web:{name}", kwargs={"code": world.project.code}))
        except NoReverseMatch:  # pragma: no cover - a page renamed elsewhere
            continue
    urls += [
        reverse("web:resources", kwargs={"org_id": world.client.pk}),
        reverse("web:resources", kwargs={"org_id": world.vendor.pk}),
        reverse("web:resource_edit", kwargs={"pk": pool.rita.pk}),
        reverse("web:resource_edit", kwargs={"pk": pool.bob.pk}),
        reverse("web:workload", kwargs={"org_id": world.client.pk}) + "?start=2026-01-05",
        reverse("web:resource_week", args=[pool.rita.pk, "2026-01-05"]),
        f"/api/v1/organizations/{world.client.pk}/workload?start=2026-01-05",
        f"/api/v1/resources/{pool.rita.pk}/workload/2026-01-05",
        reverse("web:plan_task_edit", args=[world.project.code, pool.plan.design.pk]),
        reverse("web:plan_task_edit", args=[world.project.code, pool.plan.build.pk]),
        "/api/v1/projects/ERP/assignments",
        f"/api/v1/organizations/{world.client.pk}/resources",
        f"/api/v1/resources/{pool.rita.pk}",
        f"/api/v1/resources/{pool.rita.pk}/rates",
    ]
    return urls


@pytest.mark.parametrize("who", ["client_viewer", "client_pm", "sponsor", "reviewer"])
def test_it_never_shows_a_client_a_rate_or_a_cost(world: World, pool: Pool, who: str) -> None:
    """Every page, export and answer of a project with rates, opened by a client: no rate value anywhere."""
    # The client's PM owns Build, so opens its task page (with the assignments) to report progress.
    Task.objects.filter(pk=pool.plan.build.pk).update(owner=world.client_pm)
    browser = _client(world, who)
    for url in _pages(world, pool):
        response = browser.get(url)
        assert response.status_code < 500, url
        body = response.content.decode("utf-8", errors="replace")
        for secret in (SECRET_RATE, SECRET_OVERTIME, SECRET_COST):
            assert secret not in body, f"{secret} in {url} as {who}"


def test_it_shows_the_team_the_rate_history(world: World, pool: Pool) -> None:
    """The team's PM sees the rates on the resource's page; the client's PM sees the resource, no rates."""
    url = reverse("web:resource_edit", kwargs={"pk": pool.rita.pk})
    assert SECRET_RATE in _client(world, "pm").get(url).content.decode()
    page = _client(world, "client_pm").get(url)
    assert page.status_code == 200 and "Rita Reviewer" in page.content.decode()


def test_it_lists_assigned_names_on_the_task_list(world: World, pool: Pool) -> None:
    """The task list shows who is assigned; the client sees the names on shared tasks."""
    url = reverse("web:plan_list", kwargs={"code": "ERP"})
    body = _client(world, "client_viewer").get(url).content.decode()
    assert "Bob Member" in body and "Rita Reviewer" in body


def test_it_filters_the_pool_by_role_and_search(world: World, pool: Pool) -> None:
    """The pool page finds by name and narrows to a role; an empty result says so."""
    url = reverse("web:resources", kwargs={"org_id": world.client.pk})
    browser = _client(world, "pm")
    body = browser.get(url, {"role": "Reviewer"}).content.decode()
    assert "Rita Reviewer" in body and "UAT environment" not in body
    assert "No resource matches" in browser.get(url, {"search": "zzz"}).content.decode()


def test_it_adds_a_resource_and_a_rate_from_the_pages(world: World, pool: Pool) -> None:
    """The team's PM adds a resource, then a rate; a rate without a date is refused naming the field."""
    browser = _client(world, "pm")
    response = browser.post(
        reverse("web:resource_create", kwargs={"org_id": world.vendor.pk}),
        {
            "name": "Dana Developer",
            "kind": "person",
            "role": "Developer",
            "max_units": "100",
            "cost_per_use": "0",
            "active": "on",
            "version": "0",
            "skills": "python, go",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rate_url = response.url.rstrip("/") + "/rates/"
    page = browser.post(
        rate_url, {"standard_rate": "100", "overtime_rate": "0"}, follow=True
    ).content.decode()
    assert "Effective from" in page and "not added" in page


def test_it_refuses_the_pool_to_an_outsider(world: World, pool: Pool) -> None:
    """Another client's person cannot open the pool (404)."""
    url = reverse("web:resources", kwargs={"org_id": world.client.pk})
    assert _client(world, "other_client").get(url).status_code == 404


def test_the_members_page_links_to_the_pools_each_reader_may_open(world: World, pool: Pool) -> None:
    """The team reads both sides' pools; a client its own organization's only."""
    members = reverse("web:members", kwargs={"code": "ERP"})
    client_pool = reverse("web:resources", kwargs={"org_id": world.client.pk})
    vendor_pool = reverse("web:resources", kwargs={"org_id": world.vendor.pk})
    body = _client(world, "pm").get(members).content.decode()
    assert client_pool in body and vendor_pool in body
    body = _client(world, "client_viewer").get(members).content.decode()
    assert client_pool in body and vendor_pool not in body
    # Previewing the client's view shows what a client sees.
    body = _client(world, "pm").get(members, {"view": "client"}).content.decode()
    assert vendor_pool not in body
