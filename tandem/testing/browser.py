"""Browser tests: Debian's Chromium through Playwright, and signing a persona in.

A browser test module sets ``pytestmark = BROWSER_MARKS`` and asks for the ``browser`` fixture
(and ``pages`` for a photograph of each page when it fails), both given to tandem/web/tests by
its conftest.py; ``sign_in(browser, live_server.url, email)`` returns a signed-in page. A test fails
when any of its pages reports a Content-Security-Policy violation.
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
#: How Chromium's console reports something the Content-Security-Policy refused.
CSP_VIOLATION = re.compile(r"Content[- ]Security[- ]Policy|Refused to (execute|evaluate|load|apply|connect)")
#: Marks of every browser test: ``-m browser`` selects them; they skip where Chromium is missing.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin/chromium)"
    ),
]


def use_a_database_file_for_live_servers(
    session: pytest.Session, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """When the session runs browser tests on SQLite, the test database is a file, not memory.

    Django hands an in-memory SQLite test database to the live server's request threads as the
    test's own connection, so a page's parallel requests and the test share one transaction state
    and one lock, and a request can fail or wait on another. With a file every thread has its own
    connection, and WAL with IMMEDIATE transactions (the settings) queues writers as in production.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return
    # Tests that lock the database from a second connection need the file too (marked database_file).
    if any(
        item.get_closest_marker("browser") or item.get_closest_marker("database_file")
        for item in session.items
    ):
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("browser-db") / "test.sqlite3")


class WatchedBrowser:
    """The browser, noting every Content-Security-Policy violation its pages report."""

    def __init__(self, chromium: Any) -> None:
        self._chromium = chromium
        self.csp_violations: list[str] = []

    def new_context(self, **options: Any) -> Any:
        """A new context whose pages' console messages are watched."""
        context = self._chromium.new_context(**options)
        context.on("console", self._console)
        return context

    def new_page(self, **options: Any) -> Any:
        """A page in a new watched context."""
        return self.new_context(**options).new_page()

    def _console(self, message: Any) -> None:
        if CSP_VIOLATION.search(message.text):
            self.csp_violations.append(f"{message.location.get('url', '')}: {message.text}")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._chromium, name)


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A headless Chromium; Playwright's sync API runs an event loop, so Django must allow sync calls.

    The test fails if a page reported a Content-Security-Policy violation.
    """
    sync_api = pytest.importorskip("playwright.sync_api")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # expect() waits as long as a locator action does (30 s, not 5 s): a loaded machine is slow.
    sync_api.expect.set_options(timeout=30_000)
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        watched = WatchedBrowser(chromium)
        try:
            yield watched
        finally:
            chromium.close()
        if watched.csp_violations:
            pytest.fail("Content-Security-Policy violations:\n" + "\n".join(watched.csp_violations))


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
    # Wait for the answer's page itself: the sign-in page's own address would match any pattern.
    with page.expect_navigation():
        page.click("form button[type=submit].btn-primary")
    assert "/login/" not in page.url, f"{email} could not sign in"
    return page
