"""In a real browser (Debian's Chromium through Playwright): the client confirms the charter in Chinese.

The sponsor signs in, switches to 中文, reads the charter, cannot see the team's internal note, and
confirms the charter; the project manager then sees the confirmation in the team view.
"""

from __future__ import annotations

import re
from typing import Any

from tandem.testing.browser import BROWSER_MARKS, sign_in
from tandem.testing.personas import World

pytestmark = BROWSER_MARKS


def test_the_client_confirms_the_charter_in_chinese_and_the_team_sees_it(
    transactional_db: None, live_server: Any, world: World, browser: Any, pages: list[Any]
) -> None:
    base = live_server.url

    sponsor = sign_in(browser, base, world.sponsor.email, pages=pages)
    sponsor.goto(f"{base}/projects/ERP/")
    sponsor.click("button[name=language][value=zh-hans]")
    sponsor.wait_for_selector("html[lang=zh-Hans]")

    # The charter, in Chinese, on its own page of the overview.
    sponsor.click("nav.subtabs >> text=章程与 RACI")
    sponsor.wait_for_url(re.compile(r".*/charter/$"))
    assert sponsor.locator("h2#goals-h").inner_text() == "SMART 目标"
    assert sponsor.locator("h2#stakeholders-h").inner_text() == "干系人"
    assert "范围与变更" in sponsor.locator("body").inner_text()
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
    sponsor.click("nav.tabs >> text=概览")
    banner = sponsor.locator("#confirmation")
    assert "尚未确认" in banner.inner_text()
    sponsor.fill("#confirmation textarea[name=comment]", "同意，按此执行。")
    sponsor.click("[data-testid=confirm-charter]")
    sponsor.wait_for_selector("#confirmation.banner-ok")
    assert re.search(r"章程修订版 \d+ 已确认", banner.inner_text())

    # The project manager's team view shows who confirmed which revision.
    pm = sign_in(browser, base, world.pm.email, pages=pages)
    pm.goto(f"{base}/projects/ERP/")
    banner_text = pm.locator("#confirmation").inner_text()
    assert re.search(r"Charter revision \d+ is confirmed", banner_text)
    assert "Sam Sponsor" in banner_text
    assert "同意，按此执行。" in banner_text
    pm.goto(f"{base}/projects/ERP/charter/")
    assert "Internal goal" in pm.locator("main").inner_text(), "the team view shows internal records"
