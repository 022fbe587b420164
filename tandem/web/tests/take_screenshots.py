"""Photograph pages for docs/screenshots: the whole project home of the client sponsor and of the
team's PM in Chinese and English (``home-client-zh``, ``home-client-en``, ``home-team-zh``,
``home-team-en``), the Gantt chart, the communication plan, a meeting, a sent status report, the
quality pages (the client's overview, UAT cycle and acceptance; the team's coverage matrix), and the
client's inbox ("Waiting for me"). A third argument photographs only the pages whose file name starts
with it.

Run against a server with the demo loaded (``tandem demo``), for example::

    TANDEM_DATA_DIR=/tmp/shots tandem migrate && TANDEM_DATA_DIR=/tmp/shots tandem demo
    TANDEM_DATA_DIR=/tmp/shots TANDEM_DEBUG=1 tandem runserver 127.0.0.1:8765
    python -m tandem.web.tests.take_screenshots http://127.0.0.1:8765 docs/screenshots

It drives Debian's Chromium (``/usr/bin/chromium``) at 1366×900, a common laptop size.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

DEMO_PASSWORD = "tandem-demo-2026"
DEMO_PROJECT = "RETAIL-ERP"
VIEWS = {"team": "wang.fang@huaxin.example", "client": "liu.yang@lakeside.example"}
LANGUAGES = {"en": "en", "zh": "zh-hans"}


#: Other pages: file name, view, language, path under the project (or, starting with "/", a page
#: outside any project such as the inbox), and a link to follow from there.
PAGES = [
    ("gantt-en", "team", "en", "plan/gantt/", None),
    ("gantt-zh", "team", "zh", "plan/gantt/", None),
    ("communication-plan-en", "team", "en", "communication/", None),
    ("meeting-kickoff-zh", "team", "zh", "meetings/?when=past", "main a[href*='/meetings/'][href$='/']"),
    ("status-report-client-zh", "client", "zh", "reports/", "main a[href*='/reports/'][href$='/']"),
    ("quality-overview-client-zh", "client", "zh", "quality/", None),
    (
        "uat-cycle-client-zh",
        "client",
        "zh",
        "quality/cycles/",
        "main a[href*='/quality/cycles/']:has-text('UAT')",
    ),
    (
        "acceptance-client-zh",
        "client",
        "zh",
        "quality/acceptances/",
        "main a[href*='/quality/acceptances/'][href$='/']",
    ),
    ("coverage-team-en", "team", "en", "quality/coverage/", None),
    ("inbox-client-zh", "client", "zh", "/inbox/", None),
]


def photograph(
    browser: Browser,
    base: str,
    view: str,
    language: str,
    path: str,
    follow: str | None,
    name: str,
    target: Path,
    *,
    full_page: bool = False,
) -> None:
    """Sign in as the view's persona, switch language, open the page (and a link on it), take the picture."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", VIEWS[view])
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_load_state()
    page.goto(f"{base}/projects/{DEMO_PROJECT}/")
    page.click(f"button[name=language][value={LANGUAGES[language]}]")
    page.wait_for_load_state()
    if path:
        page.goto(f"{base}{path}" if path.startswith("/") else f"{base}/projects/{DEMO_PROJECT}/{path}")
        page.wait_for_load_state("networkidle")
    if follow:
        page.locator(follow).last.click()
        page.wait_for_load_state("networkidle")
    if "gantt" in path:
        # Month zoom from the project's start, so the bars of the first phases are in the picture.
        page.click("[data-zoom=Month]")
        page.wait_for_timeout(500)
        page.evaluate("document.querySelectorAll('.gantt-container').forEach(e => { e.scrollLeft = 0; })")
        page.wait_for_timeout(300)
    page.screenshot(path=str(target / f"{name}.png"), full_page=full_page)
    context.close()


def main(base: str, target: Path, only: str = "") -> None:
    """Photograph every page (or only those whose file name starts with ``only``)."""
    target.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        base = base.rstrip("/")
        for view in VIEWS:
            for language in LANGUAGES:
                name = f"home-{view}-{language}"
                if name.startswith(only):
                    photograph(browser, base, view, language, "", None, name, target, full_page=True)
        for name, view, language, path, follow in PAGES:
            if name.startswith(only):
                photograph(browser, base, view, language, path, follow, name, target)
        browser.close()


if __name__ == "__main__":
    main(
        sys.argv[1],
        Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screenshots"),
        sys.argv[3] if len(sys.argv) > 3 else "",
    )
