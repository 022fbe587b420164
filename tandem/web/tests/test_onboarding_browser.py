"""In a real browser (Debian's Chromium through Playwright), in Chinese: a new client member signs in,
sees the first-visit prompt on the project home, opens their guide, follows a glossary link to the
term's entry, comes back and dismisses the prompt, which stays dismissed."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tandem.accounts.choices import Language
from tandem.onboarding.models import GuideVisit
from tandem.projects import services
from tandem.projects.choices import Role
from tandem.testing.browser import BROWSER_MARKS, sign_in
from tandem.testing.personas import World, make_user

pytestmark = BROWSER_MARKS


def test_a_new_client_member_finds_the_guide_and_the_glossary_then_dismisses_the_prompt(
    transactional_db: None, live_server: Any, world: World, browser: Any, pages: list[Any]
) -> None:
    newcomer = make_user("nina@northwind.test", "Nina Newcomer", world.client, language=Language.CHINESE)
    services.do_add_member(world.project, user=newcomer, role=Role.CLIENT_PM, actor=world.pm)
    base = live_server.url

    page = sign_in(browser, base, newcomer.email, pages=pages)
    page.goto(f"{base}/projects/ERP/")
    page.wait_for_selector("html[lang=zh-Hans]")
    prompt = page.locator("#first-visit")
    expect(prompt).to_be_visible()
    expect(prompt).to_contain_text("初来乍到")

    page.click("#open-guide")
    page.wait_for_url(re.compile(r".*/projects/ERP/guide/$"))
    expect(page.locator("#guide-h")).to_contain_text("客户项目经理")
    decides = page.locator("#you-decide")
    expect(decides).to_contain_text("批准变更")
    expect(decides).to_contain_text("会发生什么")

    term = decides.locator("a.glossary-term[href$='#term-change_request']").first
    expect(term).to_have_attribute("title", re.compile(r"^变更请求 · Change request: "))
    term.click()
    page.wait_for_url(re.compile(r".*/glossary/#term-change_request$"))
    entry = page.locator("#term-change_request")
    expect(entry).to_be_visible()
    expect(entry).to_contain_text("变更请求")
    expect(entry).to_contain_text("Change request")
    expect(entry).to_be_in_viewport()

    page.goto(f"{base}/projects/ERP/")
    expect(page.locator("#first-visit")).to_be_visible()  # opening the guide does not put it away
    with page.expect_navigation():
        page.click("#dismiss-guide")
    expect(page.locator("#first-visit")).to_have_count(0)
    expect(page.locator(".messages")).to_contain_text("指南随时可在")

    page.reload()
    expect(page.locator("#first-visit")).to_have_count(0)
    page.goto(f"{base}/projects/ERP/guide/")
    page.goto(f"{base}/projects/ERP/")
    expect(page.locator("#first-visit")).to_have_count(0)
    visit = GuideVisit.objects.get(membership__user=newcomer)
    assert visit.seen_at is not None and visit.dismissed_at is not None
