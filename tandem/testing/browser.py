"""Browser tests: Debian's Chromium through Playwright, and signing a persona in.

A browser test module sets ``pytestmark = BROWSER_MARKS`` and asks for the ``browser`` fixture
(and ``pages`` for a photograph of each page when it fails), both given to tandem/web/tests by
its conftest.py; ``sign_in(browser, live_server.url, email)`` returns a signed-in page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tandem.testing.personas import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Marks of every browser test: ``-m browser`` selects them; they skip where Chromium is missing.
BROWSER_MARKS = [
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
    from django.conf import settings

    opened: list[Any] = []
    yield opened
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        artifacts = Path(settings.BASE_DIR) / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        for i, page in enumerate(opened):
            page.screenshot(path=str(artifacts / f"{request.node.name}-{i}.png"), full_page=True)


def sign_in(
    browser: Any, base: str, email: str, *, password: str = PASSWORD, pages: list[Any] | None = None
) -> Any:
    """A new 1366×900 English page signed in as ``email``, on the home page (kept in ``pages`` if given)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    if pages is not None:
        pages.append(page)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_url(re.compile(r".*/$"))
    return page
