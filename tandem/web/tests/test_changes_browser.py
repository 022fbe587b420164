"""In a real browser: a client sponsor, in Chinese, reads an impact, approves it, sees the new baseline."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from tandem.changes import services
from tandem.changes.models import ChangeRequest
from tandem.changes.tests.conftest import build_plan, reports_change
from tandem.planning.models import Task
from tandem.testing.browser import BROWSER_MARKS, sign_in
from tandem.testing.personas import World

pytestmark = BROWSER_MARKS


def test_the_sponsor_approves_a_change_in_chinese_and_sees_the_new_baseline(
    transactional_db: None,
    live_server: Any,
    world: World,
    browser: Any,
    pages: list[Any],
) -> None:
    plan = build_plan(world)
    services.do_update_change_settings(world.project, actor=world.pm, day_rate="4000")
    change = reports_change(plan)
    services.do_compute_impact(change, actor=world.pm)
    change = ChangeRequest.objects.get(pk=change.pk)
    change = services.do_submit_change(change, actor=world.pm, version=change.version)
    assert change.frozen_impact is not None
    new_finish = dt.datetime.fromisoformat(change.frozen_impact.data["new_finish"]).date().isoformat()
    base = live_server.url

    sponsor = sign_in(browser, base, world.sponsor.email, pages=pages)
    sponsor.goto(f"{base}/projects/ERP/")
    sponsor.click("button[name=language][value=zh-hans]")
    sponsor.wait_for_selector("html[lang=zh-Hans]")

    # The change log, then the request.
    sponsor.click("nav.tabs >> text=范围与变更")
    sponsor.click("nav.subtabs >> text=变更请求")
    sponsor.wait_for_url(re.compile(r".*/changes/$"))
    assert "变更日志" in sponsor.locator("main").inner_text()
    sponsor.click(f"text={change.code}")
    sponsor.wait_for_url(re.compile(rf".*/changes/{change.code}/$"))

    # The impact: the new finish date, the slipped milestone, the added cost.
    assert "影响分析" in sponsor.locator("#impact-h").inner_text()
    assert new_finish in sponsor.locator("[data-testid=new-finish]").inner_text()
    slipped = sponsor.locator("[data-testid=impact-milestones] tr[data-slipped]")
    assert slipped.count() == 1 and "Go-live" in slipped.inner_text() and "延误" in slipped.inner_text()
    assert "8,000" in sponsor.locator("[data-testid=added-cost]").inner_text()
    assert "Margin review" not in sponsor.content()

    # Approve with a comment.
    panel = sponsor.locator("[data-testid=decision-panel]")
    panel.get_by_label("批准").check()
    panel.locator("textarea[name=comment]").fill("同意，按新日期执行。")
    panel.locator("[data-testid=decide]").click()
    sponsor.wait_for_selector("[data-testid=change-status]:has-text('已实施')")
    assert Task.objects.filter(project=world.project, name="Reports").exists()

    # The milestone timeline now measures against the change's approved baseline.
    sponsor.click("a[href$='/plan/timeline/']")
    sponsor.wait_for_url(re.compile(r".*/plan/timeline/$"))
    header = sponsor.locator("section[aria-labelledby=timeline-h] .card-head").inner_text()
    assert change.code in header
    golive = sponsor.locator(f".timeline-row[data-task-id='{plan.golive.pk}']").inner_text()
    assert new_finish in golive
