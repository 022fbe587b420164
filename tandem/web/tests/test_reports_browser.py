"""In a real browser (Debian's Chromium through Playwright): the weekly status report, end to end.

The PM switches to 中文, generates the week's report from the live plan (whose go-live slipped after
the agreed baseline), edits the summary and sends it; the sponsor signs in, opens the report in the
client's view and reads the edited summary; the email reached the sponsor through SMTP.
"""

from __future__ import annotations

import re
from typing import Any

from tandem.reports.choices import ReportStatus
from tandem.reports.models import StatusReport
from tandem.reports.tests.conftest import make_plan
from tandem.testing.browser import BROWSER_MARKS, sign_in
from tandem.testing.personas import World
from tandem.testing.smtp import SMTPServer

pytestmark = BROWSER_MARKS

SUMMARY = "上线推迟一周：集成测试需要更多时间。"


def test_the_pm_sends_the_weekly_report_and_the_sponsor_reads_it(
    transactional_db: None, live_server: Any, world: World, browser: Any, smtp_server: SMTPServer
) -> None:
    make_plan(world, slip_days=7)
    base = live_server.url

    pm = sign_in(browser, base, world.pm.email)
    pm.click("button[name=language][value=zh-hans]")
    pm.wait_for_selector("html[lang=zh-Hans]")
    pm.goto(f"{base}/projects/ERP/")
    pm.click("nav.tabs >> text=沟通")
    pm.wait_for_url(re.compile(r".*/projects/ERP/reports/$"))
    pm.fill("input[name=period_start]", "2026-01-05")
    pm.fill("input[name=period_end]", "2026-01-09")
    pm.select_option("select[name=language]", "zh-hans")
    pm.click("button:has-text('生成')")
    pm.wait_for_url(re.compile(r".*/projects/ERP/reports/\d+/$"))
    report = StatusReport.objects.get(project=world.project)
    body = pm.locator("article.report-page").inner_text()
    assert "总体状态" in body and "红" in body
    assert "Go-live" in body and "Margin review" not in body  # the internal task stays out

    pm.click("text=编辑报告正文")
    pm.fill("textarea[name=summary]", SUMMARY)
    pm.click("form button[type=submit].btn-primary")
    pm.wait_for_url(re.compile(rf".*/reports/{report.pk}/$"))
    assert SUMMARY in pm.locator("article.report-page").inner_text()
    pm.click("button:has-text('发送报告')")
    pm.wait_for_selector(".report-status:has-text('已发送')")
    report.refresh_from_db()
    assert report.status == ReportStatus.SENT and SUMMARY in report.sent_html

    sponsor = sign_in(browser, base, world.sponsor.email)
    sponsor.goto(f"{base}/projects/ERP/reports/")
    sponsor.click(f"text={report.title}")
    sponsor.wait_for_url(re.compile(rf".*/reports/{report.pk}/$"))
    assert SUMMARY in sponsor.locator("article.report-page").inner_text()
    assert "Margin review" not in sponsor.content()

    smtp_server.wait_for(len(report.recipients))
    (mail,) = smtp_server.to(world.sponsor.email)
    assert SUMMARY in mail.text and "状态报告" in mail.subject
