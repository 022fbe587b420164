"""In a real browser (Debian's Chromium through Playwright): the PM finds an over-allocated week on
the workload heatmap, opens it from the keyboard, and reads the tasks behind it in the panel."""

from __future__ import annotations

import os
from typing import Any

from tandem.resources import services
from tandem.resources.tests.conftest import make_pool
from tandem.testing.browser import BROWSER_MARKS, sign_in
from tandem.testing.personas import World

pytestmark = BROWSER_MARKS


def test_the_pm_opens_an_over_allocated_week_from_the_keyboard(
    transactional_db: None, live_server: Any, world: World, browser: Any
) -> None:
    pool = make_pool(world)
    services.do_update_resource(pool.bob, version=pool.bob.version, actor=world.pm, max_units=25)
    base = live_server.url
    page = sign_in(browser, base, world.pm.email)
    page.goto(f"{base}/organizations/{world.vendor.pk}/resources/")
    page.click("text=Workload")
    page.goto(f"{page.url}?start=2026-01-05&weeks=8")
    over = page.locator("td.load-over a").first
    assert "240 %" in over.inner_text()
    assert "over-allocated" in over.inner_text()
    over.focus()
    page.keyboard.press("Enter")
    panel = page.locator("#workload-week")
    panel.locator("text=Margin review").wait_for()
    assert "Design" in panel.inner_text()
    assert "/workload/2026-01-05/" not in page.url  # the panel opened in place (HTMX)
    if os.environ.get("TANDEM_SCREENSHOTS"):
        page.screenshot(path=os.environ["TANDEM_SCREENSHOTS"], full_page=True)
