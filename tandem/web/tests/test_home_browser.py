"""In a real browser, in 中文, with the demo loaded: the client sponsor's project home fits about one
and a half screens of a laptop, and on a phone the home, the charter and the decision rights fit the
screen's width (nothing scrolls sideways but the project bar, within itself)."""

from __future__ import annotations

from io import StringIO
from typing import Any

from django.core.management import call_command

from tandem.projects.demo import DEMO_CODE, DEMO_PASSWORD
from tandem.testing.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS

SPONSOR = "liu.yang@lakeside.example"
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def _size(page: Any) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")


def test_the_sponsors_home_fits_a_screen_and_a_half_and_a_phone_in_chinese(
    transactional_db: None, live_server: Any, browser: Any, pages: list[Any]
) -> None:
    call_command("demo", "--quiet-logins", stdout=StringIO())
    base = live_server.url
    project = f"{base}/projects/{DEMO_CODE}/"

    page = sign_in(browser, base, SPONSOR, password=DEMO_PASSWORD, pages=pages)
    page.goto(project)
    page.click("button[name=language][value=zh-hans]")
    page.wait_for_selector("html[lang=zh-Hans]")
    assert page.locator("#status-h").inner_text() == "状态"
    assert page.locator("#milestones-h").inner_text() == "近期里程碑"
    assert page.locator("nav.tabs a[aria-current]").inner_text() == "概览"
    width, height = _size(page)
    assert width <= LAPTOP["width"]
    assert height <= 1.5 * LAPTOP["height"], f"the sponsor's home is {height} px tall"

    page.set_viewport_size(PHONE)
    for path in ("", "charter/", "decisions/"):
        page.goto(project + path)
        page.wait_for_selector("html[lang=zh-Hans]")
        width, _height = _size(page)
        assert width <= PHONE["width"], f"/{path} is {width} px wide on a 390 px phone"
    # On a phone the RACI is one card per deliverable, the matrix is not shown.
    page.goto(project + "charter/")
    assert page.locator(".raci-cards").is_visible()
    assert not page.locator(".raci-wide").is_visible()
    # The project bar scrolls within itself: it is narrower than its links.
    bar = page.locator("nav.tabs")
    assert bar.evaluate("e => e.scrollWidth > e.clientWidth && e.clientWidth <= 390")
