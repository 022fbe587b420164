"""Every page a client member opens, in a real browser, on the demo project, as the sponsor in 中文:
axe-core finds no serious or critical violation, each page fits a 390 × 844 phone without sideways
scrolling, and the buttons that decide (approve, confirm, sign) are tall enough for a thumb.

The pages are ``tandem.testing.client_pages.client_pages`` (the navigation's pages the sponsor sees,
the schedule's views, one detail page of each kind, the account pages, and the pages of the client's
side named by URL name as soon as they exist). The demo is loaded once (``tandem demo``, about 20 s):
a live-server test flushes the database after itself, so the checks share one test, each in its own
browser context, and the failure lists every page, rule and element at once. docs/accessibility.md
explains the checks and how to read a failure.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.management import call_command

from tandem.accounts.models import User
from tandem.projects import demo
from tandem.projects.choices import Role
from tandem.projects.models import Project
from tandem.testing.axe import BLOCKING, Violation, audit, describe
from tandem.testing.browser import BROWSER_MARKS, sign_in
from tandem.testing.client_pages import ClientPage, client_pages

pytestmark = BROWSER_MARKS

#: A common phone (iPhone 12 to 15) in CSS pixels.
PHONE = {"width": 390, "height": 844}
#: The smallest comfortable touch target (WCAG 2.5.5, Apple's and Google's guidelines).
THUMB = 44
#: The submit buttons that decide something: a change or client decision, a confirmation (charter,
#: requirement), an approval, a reviewer's verdict on an acceptance criterion, the acceptance itself.
DECISION_BUTTONS = ", ".join(
    f"main {form} button[type=submit]"
    for form in (
        'form[action$="/decide/"]',
        'form[action$="/confirm/"]',
        'form[action$="/approve/"]',
        "form.mark-form",
        "form#sign-form",
    )
)
#: The pages whose decision forms the sponsor must find on the demo (so the check cannot pass empty).
PAGES_WITH_DECISIONS = ("change_detail", "decision_detail", "acceptance_detail")

#: How wide the page is, and what sticks out: the innermost elements past the right edge that no
#: scrolling parent clips (their parents stick out only because of them).
WIDTH = """() => {
  const width = window.innerWidth;
  const clipped = e => {
    // An absolutely positioned element is clipped by its containing block's ancestors, not its parents'.
    let skip = getComputedStyle(e).position === "absolute";
    for (let p = e.parentElement; p; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (skip && style.position === "static") continue;
      skip = false;
      if (style.overflowX !== "visible") return true;
    }
    return false;
  };
  const out = new Set([...document.querySelectorAll("body *")].filter(e => {
    const r = e.getBoundingClientRect(); return r.width > 0 && r.right > width + 1 && !clipped(e); }));
  const name = e => e.tagName.toLowerCase() + (typeof e.className === "string" && e.className.trim()
    ? "." + e.className.trim().split(/\\s+/).join(".") : "");
  const innermost = [...out].filter(e => ![...e.children].some(c => out.has(c)));
  const edge = e => Math.round(e.getBoundingClientRect().right);
  return {scroll: document.documentElement.scrollWidth, inner: width,
          wide: innermost.slice(0, 6).map(e => `${name(e)} (to ${edge(e)} px)`)};
}"""


def in_chinese(page: Any) -> Any:
    """Switch the signed-in page to 中文 (a preference kept on the user for every later page)."""
    page.click("button[name=language][value=zh-hans]")
    page.wait_for_selector("button[name=language][value=zh-hans][aria-pressed=true]")
    return page


#: A page still drawing: a panel HTMX loads after the page (comments), or the Gantt at work.
LOADING = "[hx-trigger=load], .htmx-request, [data-gantt-chart][aria-busy=true]"


def visit(page: Any, base: str, target: ClientPage) -> None:
    """Open a client page and wait until what it loads after itself (comments, the Gantt) is drawn."""
    answer = page.goto(base + target.path)
    assert answer is not None and answer.status == 200, (
        f"{target.name} ({target.path}): {answer and answer.status}"
    )
    page.wait_for_function(f"() => !document.querySelector({LOADING!r})")


def audit_pages(page: Any, base: str, targets: list[ClientPage]) -> list[Violation]:
    """axe's serious and critical violations on each page."""
    found: list[Violation] = []
    for target in targets:
        visit(page, base, target)
        found += audit(page, label=target.name, impacts=BLOCKING)
    return found


def test_every_client_page_is_accessible_and_fits_a_phone(
    db: None, live_server: Any, browser: Any, pages: list[Any]
) -> None:
    call_command("demo", quiet_logins=True, stdout=io.StringIO())
    project = Project.objects.get(code=demo.DEMO_CODE)
    sponsor_login = next(p for p in demo.PEOPLE if p.role == Role.SPONSOR)
    sponsor = User.objects.get(email=sponsor_login.email)
    targets = client_pages(project, sponsor)
    names = {t.name.split()[0] for t in targets}
    assert {"project_home", "requirements", "changes", "reports", "profile"} <= names
    assert set(PAGES_WITH_DECISIONS) <= names
    base = live_server.url
    failures: list[str] = []

    # (a) axe-core on every client page, at a laptop's width.
    page = in_chinese(sign_in(browser, base, sponsor.email, password=demo.DEMO_PASSWORD, pages=pages))
    violations = audit_pages(page, base, targets)
    if violations:
        failures.append("axe-core, serious or critical:\n" + describe(violations))

    # The team's Gantt: its date header and bars are drawn by frappe-gantt, restyled in planning.css.
    pm = next(p for p in demo.PEOPLE if p.role == Role.PROJECT_MANAGER)
    page = in_chinese(sign_in(browser, base, pm.email, password=demo.DEMO_PASSWORD, pages=pages))
    gantt = ClientPage("plan_gantt (team)", f"/projects/{project.code}/plan/gantt/")
    visit(page, base, gantt)
    violations = audit(page, label=gantt.name, impacts=BLOCKING)
    if violations:
        failures.append("axe-core on the team's Gantt:\n" + describe(violations))

    # (b) No sideways scrolling on a phone, and (c) decision buttons a thumb can hit.
    page = in_chinese(sign_in(browser, base, sponsor.email, password=demo.DEMO_PASSWORD, pages=pages))
    page.set_viewport_size(PHONE)
    too_wide: list[str] = []
    too_small: list[str] = []
    with_decisions: set[str] = set()
    for target in targets:
        visit(page, base, target)
        width = page.evaluate(WIDTH)
        if width["scroll"] > width["inner"]:
            too_wide.append(
                f"{target.name}: {width['scroll']} px wide in {width['inner']}: {', '.join(width['wide'])}"
            )
        for button in page.locator(DECISION_BUTTONS).all():
            if not button.is_visible():
                continue
            with_decisions.add(target.name.split()[0])
            box = button.bounding_box()
            if box is not None and box["height"] < THUMB:
                too_small.append(
                    f"{target.name}: “{button.inner_text().strip()}” is {box['height']:.0f} px tall"
                )
    if too_wide:
        failures.append(f"Wider than a {PHONE['width']} px phone:\n" + "\n".join(too_wide))
    if too_small:
        failures.append(f"Decision buttons under {THUMB} px on a phone:\n" + "\n".join(too_small))
    missing = set(PAGES_WITH_DECISIONS) - with_decisions
    if missing:
        failures.append(f"No decision button found on: {', '.join(sorted(missing))}")

    assert not failures, "\n\n".join(failures)
