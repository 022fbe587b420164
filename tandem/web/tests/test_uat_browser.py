"""In a real browser (Debian's Chromium through Playwright): the client's acceptance test, in Chinese.

Rita, the client's reviewer, opens the project, its Quality tab and the UAT run assigned to her; she
passes step 1, fails step 2 with a note, saves, raises a defect from step 2 and reads its code. Alice,
the PM, then finds that defect on the cycle's page.
"""

from __future__ import annotations

from typing import Any

from tandem.accounts.choices import Language
from tandem.accounts.models import User
from tandem.quality.models import Defect, TestRun
from tandem.quality.tests.run_fixtures import make_uat
from tandem.testing.browser import BROWSER_MARKS, sign_in
from tandem.testing.personas import World

pytestmark = BROWSER_MARKS


def test_a_client_tester_fails_a_step_and_raises_a_defect_the_pm_then_sees(
    transactional_db: None, live_server: Any, world: World, browser: Any, pages: list[Any]
) -> None:
    uat = make_uat(world)
    User.objects.filter(pk=world.reviewer.pk).update(language=Language.CHINESE)
    base = live_server.url
    run = uat.mine

    rita = sign_in(browser, base, world.reviewer.email, pages=pages)
    rita.goto(f"{base}/projects/ERP/")
    rita.click("nav a:has-text('质量')")
    rita.wait_for_selector("h2:has-text('我的测试')")
    rita.click(f"a[href='/projects/ERP/quality/cycles/{uat.cycle.pk}/runs/{run.pk}/']")
    rita.wait_for_selector("#record-form")
    rita.check("input[name=step-1-result][value=passed]")
    rita.check("input[name=step-2-result][value=failed]")
    rita.fill("#step-2-note", "点击后没有反应 Nothing happens")
    rita.click("#record-form button.btn-primary[type=submit]:not([form])")
    rita.wait_for_selector("text=结果已保存。")
    assert TestRun.objects.get(pk=run.pk).result == "failed"
    rita.click("button[form=raise-2]")
    rita.wait_for_selector("#run-defects")
    defect = Defect.objects.get(test_run=run)
    assert defect.step_number == 2 and defect.reported_by == world.reviewer
    assert defect.code in rita.locator("#run-defects").inner_text()
    assert defect.code in rita.locator("main").inner_text()

    alice = sign_in(browser, base, world.pm.email, pages=pages)
    alice.goto(f"{base}/projects/ERP/quality/cycles/{uat.cycle.pk}/")
    listed = alice.locator("#cycle-defects").inner_text()
    assert defect.code in listed and "Nothing happens" not in listed
    assert "Log in: do 2" in listed
