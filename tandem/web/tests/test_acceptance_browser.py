"""In a real browser (Debian's Chromium through Playwright): the sponsor, in Chinese, opens the project's
Quality tab, goes to acceptance, marks every criterion, signs "accept with conditions" with one
condition, and sees the accepted state with the condition listed; the milestone is complete on the
plan's API; the certificate's text, read back from its PDF, states the deliverable, the condition,
the signer and the SHA-256 of what was signed, and the public verification page confirms it."""

from __future__ import annotations

from typing import Any

from tandem.accounts.choices import Language
from tandem.projects.models import Project
from tandem.quality.choices import AcceptanceStatus
from tandem.quality.models import AcceptanceRequest
from tandem.quality.tests.acceptance_setup import in_review, ready_for_acceptance
from tandem.quality.tests.certificate_support import certificate_text
from tandem.testing.browser import BROWSER_MARKS, sign_in
from tandem.testing.personas import World

pytestmark = BROWSER_MARKS


def test_the_sponsor_marks_the_criteria_and_accepts_with_a_condition(
    transactional_db: None, live_server: Any, world: World, browser: Any, pages: list[Any]
) -> None:
    Project.objects.filter(pk=world.project.pk).update(language=Language.CHINESE)
    ready = ready_for_acceptance(world)
    request = in_review(world, ready)
    base = live_server.url

    sponsor = sign_in(browser, base, world.sponsor.email, pages=pages)
    sponsor.goto(f"{base}/projects/ERP/")
    sponsor.click("button[name=language][value=zh-hans]")
    sponsor.wait_for_selector("html[lang=zh-Hans]")
    sponsor.click("nav >> text=质量")
    sponsor.click("nav.subtabs a[href*='/quality/acceptances/']")
    sponsor.wait_for_selector(f"text={request.title}")
    sponsor.click(f"text={request.title}")
    sponsor.wait_for_selector("#criteria-h")
    assert "您的决策" in sponsor.locator("#sign-h").inner_text()

    for criterion in request.criteria.order_by("position"):
        item = sponsor.locator(f"#criterion-{criterion.pk}")
        item.locator("input[value=accepted]").check()
        with sponsor.expect_navigation():
            item.locator("button[name=action][value=review]").click()
        sponsor.wait_for_selector("text=您的评定已保存。")
    results = sponsor.locator("[data-result]").all_inner_texts()
    assert len(results) == 4

    form = sponsor.locator("#sign-form")
    form.locator("input[name=decision][value=accept_with_conditions]").check()
    form.locator("input[name=condition_text]").first.fill("培训门店员工 Train store staff")
    form.locator("input[name=condition_due]").first.fill("2026-07-15")
    form.locator("textarea[name=comment]").fill("员工培训后即可 Fine once staff are trained")
    with sponsor.expect_navigation():
        form.locator("button[name=action][value=sign]").click()
    sponsor.wait_for_selector("text=您的决策已签署。")
    main = sponsor.locator("main").inner_text()
    assert "培训门店员工 Train store staff" in main and "2026-07-15" in main
    assert sponsor.locator("#sign-form").count() == 0
    assert sponsor.locator("#acceptance-status").inner_text().strip() != ""

    request.refresh_from_db()
    assert request.status == AcceptanceStatus.ACCEPTED_WITH_CONDITIONS
    assert AcceptanceRequest.objects.get(pk=request.pk).signed_by == world.sponsor
    answer = sponsor.request.get(f"{base}/api/v1/projects/ERP/tasks/{ready.milestone.pk}")
    assert answer.status == 200
    milestone = answer.json()
    assert milestone["percent_complete"] == 100 and milestone["status"] == "done"

    # The certificate, issued in the project's language when the signature was committed.
    request.refresh_from_db()
    href = sponsor.locator("#certificate-zh").get_attribute("href")
    pdf = sponsor.request.get(f"{base}{href}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    text = certificate_text(pdf.body()).replace("\n", "")
    assert "验收证书" in text and "培训门店员工" in text and world.sponsor.full_name in text
    assert request.deliverable is not None and request.deliverable.name in text
    assert request.content_sha256 in text

    # Anyone holding the certificate checks it without signing in.
    stranger = browser.new_page()
    pages.append(stranger)
    stranger.goto(f"{base}/verify/?sha256={request.content_sha256}")
    verdict = stranger.locator("main").inner_text()
    assert request.code in verdict or request.title in verdict
