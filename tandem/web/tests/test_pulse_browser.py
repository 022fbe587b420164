"""In a real browser (Debian's Chromium through Playwright), in 中文: answering a satisfaction pulse
from the e-mail link without signing in.

The PM sends a pulse from the project's satisfaction page; the sponsor's mail (in Chinese) reaches
the SMTP server; its one-click link, opened in a fresh browser with nobody signed in, records the
score and opens the rest of the survey; the sponsor adds a comment; the same link opened again says
"already answered" and nothing is recorded twice.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tandem.accounts.choices import Language
from tandem.pulses.models import Answer, Response
from tandem.testing.browser import BROWSER_MARKS, sign_in
from tandem.testing.personas import World
from tandem.testing.smtp import SMTPServer

pytestmark = BROWSER_MARKS

COMMENT = "周报很及时，希望演示更频繁一些。"


def test_the_sponsor_answers_from_the_mail_without_signing_in(
    transactional_db: None,
    live_server: Any,
    world: World,
    browser: Any,
    pages: list[Any],
    smtp_server: SMTPServer,
    settings: pytest.FixtureRequest,
) -> None:
    base = live_server.url
    settings.SITE_URL = base  # type: ignore[attr-defined]
    world.sponsor.language = Language.CHINESE
    world.sponsor.save(update_fields=["language"])

    pm = sign_in(browser, base, world.pm.email, pages=pages)
    pm.click("button[name=language][value=zh-hans]")
    pm.wait_for_selector("html[lang=zh-Hans]")
    pm.goto(f"{base}/projects/ERP/pulses/")
    pm.click("button:has-text('立即发送满意度调查')")
    pm.wait_for_selector(".alert:has-text('满意度调查已发送')")

    smtp_server.wait_for(2)
    (mail,) = smtp_server.to(world.sponsor.email)
    assert "我们做得怎么样" in mail.subject
    one_click = re.findall(r'href="([^"]+/pulse/[^"]+/)"', mail.html)
    assert len(one_click) == 6  # scores 1–5 and the whole form
    four = one_click[3]

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    pages.append(page)
    page.goto(four)
    page.wait_for_selector(".pulse-recorded:has-text('您的评分已记录')")
    assert page.locator(".pulse-score").inner_text() == "4"
    assert Answer.objects.get(response__invitation__user=world.sponsor).score == 4
    assert "/login/" not in page.url

    page.fill("textarea[name=comment]", COMMENT)
    page.click("button:has-text('提交我的回答')")
    page.wait_for_selector("h1:has-text('谢谢')")
    assert Response.objects.get(invitation__user=world.sponsor).comment == COMMENT

    page.goto(four)
    page.wait_for_selector("h1:has-text('已经回答过了')")
    assert Answer.objects.filter(response__invitation__user=world.sponsor).count() == 1
    assert Response.objects.count() == 1
