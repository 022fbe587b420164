"""In a real browser, under the Content-Security-Policy: the behaviour that once was inline script.

The project manager drags a requirement to the top of the priority order (SortableJS), filters the
change log by choosing a status, and reads the API documentation (django-ninja's Swagger UI served
from Tandem itself). The ``browser`` fixture fails a test whose pages report a policy violation.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tandem.changes import services as changes
from tandem.requirements import services as requirements
from tandem.requirements.models import Requirement
from tandem.testing.browser import BROWSER_MARKS, sign_in
from tandem.testing.personas import World

pytestmark = BROWSER_MARKS


def test_the_pm_drags_a_requirement_to_the_top(
    transactional_db: None, live_server: Any, world: World, browser: Any, pages: list[Any]
) -> None:
    stock = requirements.do_create_requirement(world.project, actor=world.pm, title="Store stock levels")
    loyalty = requirements.do_create_requirement(world.project, actor=world.pm, title="Loyalty points")
    page = sign_in(browser, live_server.url, world.pm.email, pages=pages)
    page.goto(f"{live_server.url}/projects/ERP/requirements/")
    rows = page.locator("tbody[data-reorder-form] tr[data-id]")
    expect(rows).to_have_count(2)
    with page.expect_navigation():
        rows.nth(1).get_by_text("Loyalty points").drag_to(rows.nth(0).get_by_text("Store stock levels"))
    expect(rows.first).to_have_attribute("data-id", str(loyalty.pk))
    assert list(Requirement.objects.order_by("rank").values_list("pk", flat=True)) == [loyalty.pk, stock.pk]


def test_the_change_log_filters_as_soon_as_a_status_is_chosen(
    transactional_db: None, live_server: Any, world: World, browser: Any, pages: list[Any]
) -> None:
    changes.do_propose_change(world.project, actor=world.pm, title="Second warehouse")
    page = sign_in(browser, live_server.url, world.pm.email, pages=pages)
    page.goto(f"{live_server.url}/projects/ERP/changes/")
    with page.expect_navigation():
        page.select_option("#status-filter", "approved")
    assert re.search(r"[?&]status=approved\b", page.url)
    expect(page.locator("#status-filter")).to_have_value("approved")


def test_the_api_documentation_works_under_the_policy(
    transactional_db: None, live_server: Any, world: World, browser: Any, pages: list[Any]
) -> None:
    page = sign_in(browser, live_server.url, world.pm.email, pages=pages)
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Tandem API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
