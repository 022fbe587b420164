"""In a real browser: the client's PM files a defect, a team member confirms it with the button on its
page, and the client reads it without the team's triage note; the pages keep the Content-Security-Policy."""

from __future__ import annotations

import os
from typing import Any

from tandem.quality.choices import DefectStatus
from tandem.quality.models import Defect
from tandem.testing.browser import BROWSER_MARKS, sign_in
from tandem.testing.personas import World

pytestmark = BROWSER_MARKS

SECRET = "Triage: the cache again"


def test_a_client_files_a_defect_and_the_team_confirms_it(
    transactional_db: None, live_server: Any, world: World, browser: Any, pages: list[Any]
) -> None:
    base = live_server.url
    client = sign_in(browser, base, world.client_pm.email, pages=pages)
    client.goto(f"{base}/projects/ERP/quality/defects/")
    assert "No defects yet." in client.content()
    client.click("text=File a defect")
    assert client.locator("[name=internal_note]").count() == 0
    client.fill("[name=title]", "Invoice total is wrong")
    client.fill("[name=steps_to_reproduce]", "Open an invoice with two lines")
    client.select_option("[name=severity]", "critical")
    with client.expect_navigation():
        client.click("form.form-grid button.btn-primary")
    defect = Defect.objects.get(title="Invoice total is wrong")
    assert defect.visibility == "shared" and defect.severity == "critical"

    member = sign_in(browser, base, world.member.email, pages=pages)
    member.goto(f"{base}/projects/ERP/quality/defects/{defect.pk}/edit/")
    member.fill("[name=internal_note]", SECRET)
    with member.expect_navigation():
        member.click("form.form-grid button.btn-primary")
    assert SECRET in member.content()
    with member.expect_navigation():
        member.click("button[name=to][value=confirmed]")
    assert Defect.objects.get(pk=defect.pk).status == DefectStatus.CONFIRMED
    if os.environ.get("TANDEM_SCREENSHOTS"):
        member.screenshot(path=os.path.join(os.environ["TANDEM_SCREENSHOTS"], "defect.png"), full_page=True)

    client.goto(f"{base}/projects/ERP/quality/defects/{defect.pk}/")
    page = client.content()
    assert "Confirmed" in page and SECRET not in page
    client.goto(f"{base}/projects/ERP/quality/coverage/")
    assert "No requirements yet." in client.content()
    if os.environ.get("TANDEM_SCREENSHOTS"):
        client.goto(f"{base}/projects/ERP/quality/defects/")
        client.screenshot(path=os.path.join(os.environ["TANDEM_SCREENSHOTS"], "defects.png"), full_page=True)
