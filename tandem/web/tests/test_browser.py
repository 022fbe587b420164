"""In a real browser (Debian's Chromium through Playwright): the client confirms the charter in Chinese.

The sponsor signs in, switches to 中文, reads the charter, cannot see the team's internal note, and
confirms the charter; the project manager then sees the confirmation in the team view.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tandem.testing.personas import PASSWORD, World

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin/chromium)"
    ),
]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A headless Chromium; Playwright's sync API runs an event loop, so Django must allow sync calls."""
    sync_api = pytest.importorskip("playwright.sync_api")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def pages(browser: Any, request: pytest.FixtureRequest) -> Iterator[list[Any]]:
    """Pages opened by the test; each one is photographed into test-artifacts/ if the test fails."""
    opened: list[Any] = []
    yield opened
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        for i, page in enumerate(opened):
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{i}.png"), full_page=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)


def sign_in(browser: Any, pages: list[Any], base: str, email: str) -> Any:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    pages.append(page)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_url(re.compile(r".*/$"))
    return page


def test_the_client_confirms_the_charter_in_chinese_and_the_team_sees_it(
    transactional_db: None, live_server: Any, world: World, browser: Any, pages: list[Any]
) -> None:
    base = live_server.url

    sponsor = sign_in(browser, pages, base, world.sponsor.email)
    sponsor.goto(f"{base}/projects/ERP/")
    sponsor.click("button[name=language][value=zh-hans]")
    sponsor.wait_for_selector("html[lang=zh-Hans]")

    # The charter, in Chinese.
    assert sponsor.locator("h2#goals-h").inner_text() == "SMART 目标"
    assert sponsor.locator("h2#stakeholders-h").inner_text() == "干系人"
    assert "概览与章程" in sponsor.locator("body").inner_text()
    body = sponsor.locator("body").inner_text()
    assert "Shared goal" in body
    assert "Internal goal" not in body

    # The team's internal note is nowhere to be seen; the shared one is.
    sponsor.click("text=备注")
    sponsor.wait_for_url(re.compile(r".*/notes/$"))
    notes = sponsor.locator("main").inner_text()
    assert "Shared note" in notes
    assert "Internal note" not in notes
    assert "internal body" not in sponsor.content()

    # Confirm the charter (an HTMX swap of the banner).
    sponsor.click("text=概览与章程")
    banner = sponsor.locator("#confirmation")
    assert "尚未确认" in banner.inner_text()
    sponsor.fill("#confirmation textarea[name=comment]", "同意，按此执行。")
    sponsor.click("[data-testid=confirm-charter]")
    sponsor.wait_for_selector("#confirmation.banner-ok")
    assert re.search(r"章程修订版 \d+ 已确认", banner.inner_text())

    # The project manager's team view shows who confirmed which revision.
    pm = sign_in(browser, pages, base, world.pm.email)
    pm.goto(f"{base}/projects/ERP/")
    banner_text = pm.locator("#confirmation").inner_text()
    assert re.search(r"Charter revision \d+ is confirmed", banner_text)
    assert "Sam Sponsor" in banner_text
    assert "同意，按此执行。" in banner_text
    assert "Internal goal" in pm.locator("main").inner_text(), "the team view shows internal records"
