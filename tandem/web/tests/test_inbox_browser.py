"""In a real browser, in 中文: the client PM opens 待我处理 from the header, approves a change request and
confirms a requirement right there, and sees each leave the list and the header's count drop; then
the inbox on a phone (390 px) fits without sideways scrolling and its buttons take a thumb."""

from __future__ import annotations

import re
from typing import Any

from tandem.changes.models import ChangeRequest
from tandem.requirements.models import RequirementConfirmation
from tandem.testing import inbox as seed
from tandem.testing.browser import BROWSER_MARKS, sign_in
from tandem.testing.personas import World

pytestmark = BROWSER_MARKS


def count_in_header(page: Any) -> int:
    badge = page.locator("header .inbox-badge")
    return int(badge.inner_text()) if badge.count() else 0


def test_the_client_pm_decides_two_kinds_of_item_from_the_inbox_in_chinese(
    transactional_db: None,
    live_server: Any,
    world: World,
    browser: Any,
    pages: list[Any],
) -> None:
    plan = seed.plan_with_baseline(world)
    change = seed.change_awaiting(world, plan)
    requirement = seed.requirement_in_review(world)
    base = live_server.url

    page = sign_in(browser, base, world.client_pm.email, pages=pages)
    page.click("button[name=language][value=zh-hans]")
    page.wait_for_selector("html[lang=zh-Hans]")
    assert count_in_header(page) == 3  # the charter, the change request, the requirement

    page.click("header >> text=待我处理")
    page.wait_for_url(re.compile(r".*/inbox/$"))
    assert page.locator("h1").inner_text() == "待我处理"
    cards = page.locator("li.inbox-item")
    assert cards.count() == 3
    # Overdue first: the change request is due in the past.
    first = cards.first
    assert change.code in first.inner_text() and "已逾期" in first.inner_text()
    assert "变更请求" in first.inner_text()

    # Approve the change request in place.
    with page.expect_navigation():
        first.locator("button", has_text="批准").click()
    page.wait_for_url(re.compile(r".*/inbox/$"))
    assert count_in_header(page) == 2
    assert change.code not in page.locator("main .inbox-list").inner_text()
    assert ChangeRequest.objects.get(pk=change.pk).status == "applied"

    # Confirm the requirement in place.
    card = page.locator("li.inbox-item", has_text=requirement.code)
    assert "需求" in card.inner_text()
    card.locator("textarea").fill("已确认")
    with page.expect_navigation():
        card.locator("button", has_text="确认").click()
    assert count_in_header(page) == 1
    assert requirement.code not in page.locator("main .inbox-list").inner_text()
    assert RequirementConfirmation.objects.get(requirement=requirement).comment == "已确认"
    assert page.locator("li.inbox-item").count() == 1  # the charter still waits

    # On a phone: no sideways scrolling, thumb-size buttons.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
    heights = page.eval_on_selector_all(
        "li.inbox-item .inbox-buttons .btn", "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44, heights
