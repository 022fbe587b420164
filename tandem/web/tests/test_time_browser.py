"""In a real browser (Debian's Chromium through Playwright): a week of time from the timer to approval.

Bob starts the timer on Design from his week's page, sees it tick in the header, stops it; adds a
row for Build, types 2:30 on Monday, saves the week and submits it. Alice (the PM) approves it on the
approvals page, and Bob's week shows as approved with its hours. Then the client's sponsor, in
Chinese, reads the budget burn (the approved time priced at Bob's internal rate, which the sponsor
never sees) and the earned-value verdict.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tandem.costs import services as cost_services
from tandem.costs.choices import CostCategory, SheetStatus
from tandem.costs.models import RunningTimer, Timesheet, week_start
from tandem.costs.timesheets import cell_key
from tandem.planning import services as planning_services
from tandem.planning.models import Task
from tandem.resources import services as resource_services
from tandem.testing.browser import BROWSER_MARKS, sign_in
from tandem.testing.personas import World
from tandem.testing.plans import build_small_plan

pytestmark = BROWSER_MARKS


def test_a_member_times_fills_and_submits_a_week_and_the_pm_approves_it(
    transactional_db: None, live_server: Any, world: World, browser: Any, pages: list[Any]
) -> None:
    plan = build_small_plan(world)
    pm = world.pm
    # Bob costs 96.00 an hour (internal); he is assigned Build (3 days: 2,304.00), a tenth of it done.
    bob_resource = resource_services.do_add_resource(
        world.vendor, actor=pm, name="Bob Member", user_id=world.member.pk
    )
    resource_services.do_add_rate(
        bob_resource, actor=pm, effective_from=dt.date(2025, 1, 1), standard_rate="96.00"
    )
    resource_services.do_assign(world.project, actor=pm, task_id=plan.build.pk, resource_id=bob_resource.pk)
    planning_services.do_save_baseline(world.project, name="Agreed", actor=pm)
    Task.objects.filter(pk=plan.build.pk).update(percent_complete=10)
    cost_services.do_add_budget_line(
        world.project, actor=pm, category=CostCategory.LABOUR, amount=Decimal("3000")
    )
    base = live_server.url
    monday = week_start(timezone.localdate())
    week_page = f"{base}/projects/ERP/time/"

    bob = sign_in(browser, base, world.member.email, pages=pages)
    bob.goto(week_page)
    assert "No time this week yet" in bob.locator("main").inner_text()
    bob.select_option("select[name=timer-task]", str(plan.design.pk))
    bob.fill("input[name=timer-note]", "Kick-off call")
    bob.click("text=Start timer >> nth=-1")
    clock = bob.locator(".header-timer .timer-clock")
    first = clock.inner_text()
    assert re.fullmatch(r"0:00:0\d", first), first
    bob.wait_for_function(
        "first => document.querySelector('.header-timer .timer-clock').textContent !== first", arg=first
    )
    assert RunningTimer.objects.filter(user=world.member).exists()
    bob.click("[data-timer-stop]")
    bob.wait_for_selector("text=h logged.")
    assert not RunningTimer.objects.exists()

    bob.goto(week_page)
    assert bob.locator(f"tr[data-task='{plan.design.pk}']").count() == 1
    bob.select_option("#add-task", str(plan.build.pk))
    bob.click("text=Add row")
    bob.fill(f"input[name={cell_key(plan.build.pk, monday)}]", "2:30")
    bob.click("text=Save week")
    bob.wait_for_selector("text=Your week was saved.")
    bob.click("text=Submit week for approval")
    bob.wait_for_selector("text=Your week was submitted for approval.")
    assert bob.locator("[data-sheet-status]").inner_text() == "Submitted"

    alice = sign_in(browser, base, world.pm.email, pages=pages)
    alice.goto(f"{base}/projects/ERP/time/approvals/")
    row = alice.locator("tr[data-sheet]", has_text="Bob Member")
    assert "Build: 2.5 h" in row.inner_text() and row.locator("[data-total]").inner_text() == "2:31"
    row.locator("text=Approve").click()
    alice.wait_for_selector("text=The week was approved.")
    assert "No week is waiting for approval." in alice.locator("main").inner_text()

    bob.goto(week_page)
    assert bob.locator("[data-sheet-status]").inner_text() == "Approved"
    assert bob.locator("[data-week-total]").inner_text() == "2:31"
    sheet = Timesheet.objects.get(user=world.member)
    assert sheet.status == SheetStatus.APPROVED and sheet.approved_by == world.pm
    assert plan.fresh(plan.build).actual_work_minutes == 150

    # The sponsor reads the burn and the verdict in Chinese: 151 minutes at 96.00 an hour are 241.60
    # spent for 230.40 of work earned (a tenth of 2,304.00), 5 % over cost.
    sponsor = sign_in(browser, base, world.sponsor.email, pages=pages)
    sponsor.goto(f"{base}/projects/ERP/budget/")
    sponsor.click("button[name=language][value=zh-hans]")
    sponsor.wait_for_selector("html[lang=zh-Hans]")
    budget = sponsor.locator("main").inner_text()
    assert "预算" in budget and "241.60" in budget and ("3,000.00" in budget or "3000.00" in budget), budget
    assert sponsor.locator("svg.burn-chart").count() == 1
    sponsor.click("nav.subtabs >> text=挣值")
    sponsor.wait_for_selector("p.evm-verdict")
    verdict = sponsor.locator("p.evm-verdict").inner_text()
    assert "项目已花费 ¥241.60，完成了价值 ¥230.40 的工作：超支 5 %" in verdict, verdict
    for text in (budget, sponsor.locator("main").inner_text()):
        assert "96.00" not in text and "96.0" not in text
