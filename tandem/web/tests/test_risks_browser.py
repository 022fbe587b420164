"""In a real browser (Debian's Chromium through Playwright): the client PM takes an overdue decision.

The client PM signs in, finds the decision waiting for them on the project home with its due date,
opens it, chooses an option with a rationale, and the task the decision blocked moves earlier —
on the page and in the database.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from tandem.core.choices import Visibility
from tandem.planning.models import Task
from tandem.risks import services
from tandem.risks.models import ClientDecision
from tandem.risks.tests.conftest import make_plan
from tandem.testing.browser import BROWSER_MARKS, sign_in
from tandem.testing.personas import World

pytestmark = BROWSER_MARKS


def test_the_client_pm_decides_and_the_blocked_task_moves(
    transactional_db: None, live_server: Any, world: World, browser: Any
) -> None:
    plan = make_plan(world)
    decision = services.do_add_decision(
        world.project,
        actor=world.pm,
        question="Which payment provider?",
        options=["Alipay", "WeChat Pay"],
        recommendation="Alipay: most store customers use it.",
        decider_id=world.client_pm.pk,
        due_date=dt.date(2026, 1, 9),
        visibility=Visibility.SHARED,
        blocked_task_ids=[plan.build.pk, plan.secret.pk],
    )
    held = Task.objects.get(pk=plan.build.pk)
    assert held.held_until is not None and held.start is not None
    base = live_server.url

    page = sign_in(browser, base, world.client_pm.email)
    page.goto(f"{base}/projects/ERP/")
    waiting = page.locator("#waiting-for-you")
    assert "Which payment provider?" in waiting.inner_text()
    assert "2026-01-09" in waiting.inner_text()

    page.click("#waiting-for-you >> text=Which payment provider?")
    page.wait_for_url(re.compile(rf".*/client-decisions/{decision.pk}/$"))
    row = page.locator(f"tr[data-task='{plan.build.pk}'] .task-start")
    before = row.inner_text()
    assert "Margin review" not in page.content()  # the internal blocked task is not shown
    assert "Cost of delay" in page.locator("main").inner_text()

    page.check("input[name=option][value=Alipay]")
    page.fill("textarea[name=rationale]", "Most customers pay with it.")
    page.click("text=Record my decision")
    page.wait_for_selector("#decision-outcome")
    assert "Decided" in page.locator("#decision-status").inner_text()
    after = page.locator(f"tr[data-task='{plan.build.pk}'] .task-start").inner_text()
    assert after < before, (before, after)  # ISO days compare as text

    decided = ClientDecision.objects.get(pk=decision.pk)
    assert (
        decided.status == "decided" and decided.outcome == "Alipay" and decided.decided_by == world.client_pm
    )
    build = Task.objects.get(pk=plan.build.pk)
    assert build.held_until is None and build.start is not None and build.start < held.start
    assert build.start.date().isoformat() <= after
