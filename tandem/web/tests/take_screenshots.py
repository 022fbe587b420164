"""Photograph the project home for docs/screenshots: team and client view, English and Chinese.

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


def photograph(browser: Browser, base: str, view: str, language: str, target: Path) -> None:
    """Sign in as the view's persona, switch language, open the project home and take the picture."""
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
    page.screenshot(path=str(target / f"project-home-{view}-{language}.png"))
    context.close()


def main(base: str, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        for view in VIEWS:
            for language in LANGUAGES:
                photograph(browser, base.rstrip("/"), view, language, target)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screenshots"))
