"""In a real browser: drag a Gantt bar and a board card, and check the plan changed in the database.

Also photographs the Gantt and the board of the demo plan for docs/screenshots when asked to::

    TANDEM_SCREENSHOTS=docs/screenshots .venv/bin/pytest -m browser tandem/web/tests/test_planning_browser.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from playwright.sync_api import expect

from tandem.planning import scheduling
from tandem.planning.choices import TaskStatus
from tandem.planning.demo import load_demo_plan
from tandem.planning.models import Dependency, Task
from tandem.resources import services as resource_services
from tandem.resources.models import Assignment
from tandem.testing.browser import BROWSER_MARKS
from tandem.testing.browser import sign_in as browser_sign_in
from tandem.testing.personas import PASSWORD, World
from tandem.web.tests.test_planning_pages import build_plan

#: Scrolls the page so the plan views start at the top of the picture.
SCROLL_TO_PLAN = (
    "window.scrollTo(0, document.querySelector('.tabs').getBoundingClientRect().top + window.scrollY - 70)"
)

pytestmark = BROWSER_MARKS


def sign_in(browser: Any, base: str, email: str, password: str = PASSWORD, language: str = "en") -> Any:
    """A signed-in page in ``language`` whose script errors are kept in ``page.errors``."""
    page = browser_sign_in(browser, base, email, password=password)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.errors = errors  # checked by the tests: the plan pages run without script errors
    if page.get_attribute(f"button[name=language][value={language}]", "aria-pressed") != "true":
        page.click(f"button[name=language][value={language}]")
        page.wait_for_selector(f"button[name=language][value={language}][aria-pressed=true]")
    return page


def settled(page: Any) -> None:
    """Wait until the Gantt has drawn, decorated and scrolled everything it was asked to."""
    expect(page.locator("[data-gantt-chart]")).to_have_attribute("aria-busy", "false")


def test_dragging_a_gantt_bar_moves_the_task(world: World, live_server: Any, browser: Any) -> None:
    plan = build_plan(world)
    before = Task.objects.get(pk=plan.build.pk)
    page = sign_in(browser, live_server.url, world.pm.email)
    page.goto(f"{live_server.url}/projects/ERP/plan/gantt/")
    settled(page)
    page.click("[data-zoom=Day]")
    settled(page)
    assert page.errors == []
    bar = page.locator(f'.bar-wrapper[data-id="{plan.build.pk}"] .bar')
    box = bar.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    with page.expect_response(lambda r: "/dates/" in r.url) as answer:
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 60, y, steps=6)
        page.mouse.move(x + 7 * 34, y, steps=12)  # one week to the right in the day view
        page.mouse.up()
    assert answer.value.status == 200, (answer.value.request.post_data, answer.value.text())
    expect(page.locator(".gantt-status")).to_have_class(re.compile(r"\bis-ok\b"))
    after = Task.objects.get(pk=plan.build.pk)
    assert after.version == before.version + 1
    assert after.constraint_type == "SNET"
    assert after.start is not None and before.start is not None and after.start > before.start


def test_a_large_plan_is_drawn_a_page_of_rows_at_a_time(world: World, live_server: Any, browser: Any) -> None:
    plan = build_plan(world)
    # 230 more one-day tasks in one go, then one reschedule: the plan has 237 rows.
    Task.objects.bulk_create(
        Task(project=world.project, name=f"Row {n}", duration_minutes=480, position=100 + n)
        for n in range(230)
    )
    with transaction.atomic():
        scheduling.reschedule(world.project)
    total = Task.objects.filter(project=world.project).count()
    page = sign_in(browser, live_server.url, world.pm.email)
    page.goto(f"{live_server.url}/projects/ERP/plan/gantt/")
    settled(page)
    pager = page.locator("[data-gantt-pager]")
    expect(pager).to_be_visible()
    expect(pager.locator("[data-gantt-rows]")).to_have_text(f"Rows 1–200 of {total}")
    expect(page.locator(".gantt-tree-row")).to_have_count(200)
    expect(page.locator(".bar-wrapper")).to_have_count(200)
    expect(pager.locator("[data-page=previous]")).to_be_disabled()
    pager.locator("[data-page=next]").focus()
    page.keyboard.press("Enter")
    settled(page)
    expect(pager.locator("[data-gantt-rows]")).to_have_text(f"Rows 201–{total} of {total}")
    expect(page.locator(".gantt-tree-row")).to_have_count(total - 200)
    expect(pager.locator("[data-page=next]")).to_be_disabled()
    assert page.errors == []
    assert page.locator(f'.bar-wrapper[data-id="{plan.build.pk}"]').count() == 0


def test_drawing_a_link_and_exporting_the_gantt(world: World, live_server: Any, browser: Any) -> None:
    plan = build_plan(world)
    page = sign_in(browser, live_server.url, world.pm.email)
    page.goto(f"{live_server.url}/projects/ERP/plan/gantt/")
    settled(page)
    page.click("[data-zoom=Day]")
    page.click("[data-action=link]")
    # The chart redraws and scrolls after a zoom change: measure the bars once it has settled.
    settled(page)
    source = page.locator(f'.bar-wrapper[data-id="{plan.build.pk}"] .bar')
    target = page.locator(f'.bar-wrapper[data-id="{plan.secret.pk}"] .bar')
    source.scroll_into_view_if_needed()
    a, b = source.bounding_box(), target.bounding_box()
    assert a is not None and b is not None
    with page.expect_response(lambda r: "/plan/links/" in r.url) as answer:
        page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
        page.mouse.down()
        page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2, steps=10)
        page.mouse.up()
    assert answer.value.status == 200, answer.value.text()
    assert Dependency.objects.filter(predecessor=plan.build, successor=plan.secret).exists()
    # PNG: a real picture of the chart, made in the browser from the SVG.
    with page.expect_download() as download:
        page.click("[data-action=png]")
    path = download.value.path()
    assert download.value.suggested_filename == "ERP-gantt.png"
    if os.environ.get("TANDEM_SCREENSHOTS"):
        download.value.save_as(Path(os.environ["TANDEM_SCREENSHOTS"]) / "gantt-export-sample.png")
    content = Path(path).read_bytes()
    assert content.startswith(b"\x89PNG") and len(content) > 5000
    # PDF: the same picture laid out for the print dialog ("Save as PDF").
    page.evaluate("window.print = () => { window.printed = true; }")
    page.click("[data-action=pdf]")
    page.wait_for_function("window.printed === true")
    sources = page.evaluate(
        "[...document.querySelectorAll('[data-gantt-print-img]')].map(img => img.getAttribute('src'))"
    )
    source_url = next((src for src in sources if src), None)
    assert source_url is not None and source_url.startswith("data:image/png;base64,"), sources
    assert page.errors == []


def test_dragging_a_board_card_changes_its_status(world: World, live_server: Any, browser: Any) -> None:
    plan = build_plan(world)
    page = sign_in(browser, live_server.url, world.pm.email)
    page.goto(f"{live_server.url}/projects/ERP/plan/board/")
    card = page.locator(f'.board-card[data-task-id="{plan.design.pk}"]')
    target = page.locator('.board-cards[data-status="in_progress"]')
    with page.expect_response(lambda r: "/status/" in r.url) as answer:
        card.drag_to(target)
    assert answer.value.status == 200
    task = Task.objects.get(pk=plan.design.pk)
    assert task.status == TaskStatus.IN_PROGRESS
    assert task.version == plan.design.version + 1


# ---------------------------------------------------------------- screenshots of the demo plan


@pytest.mark.skipif(
    not os.environ.get("TANDEM_SCREENSHOTS"), reason="set TANDEM_SCREENSHOTS=<dir> to photograph"
)
def test_photograph_the_demo_plan(db: None, live_server: Any, browser: Any) -> None:
    from tandem.projects import demo

    target = Path(os.environ["TANDEM_SCREENSHOTS"])
    target.mkdir(parents=True, exist_ok=True)
    project = demo.load_demo()
    people = {p.key: p for p in demo.PEOPLE}
    load_demo_plan(project)
    for language, suffix in (("en", "en"), ("zh-hans", "zh")):
        page = sign_in(browser, live_server.url, people["pm"].email, demo.DEMO_PASSWORD, language)
        page.goto(f"{live_server.url}/projects/{project.code}/plan/gantt/")
        page.click("[data-zoom=Week]")
        settled(page)
        # Fold the finished phases and bring the current weeks into view: the work in progress, the
        # critical path and the slip against the agreed baseline.
        for wbs in ("1", "2"):
            row = page.locator(".gantt-tree-row", has=page.locator(f".wbs:text-is('{wbs}')"))
            row.locator(".toggle").click()
            settled(page)
        page.evaluate(
            "(() => { const c = document.querySelector('.gantt-container');"
            " const line = document.querySelector('.today-line');"
            " c.scrollLeft = Math.max(0, line.x1.baseVal.value - c.clientWidth * 0.45); })()"
        )
        page.evaluate(SCROLL_TO_PLAN)
        # The chart redraws its sticky date header on the next frame after a scroll.
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        page.screenshot(path=str(target / f"gantt-{suffix}.png"))

        if suffix == "en":
            page.goto(f"{live_server.url}/projects/{project.code}/plan/board/")
            page.evaluate(SCROLL_TO_PLAN)
            page.screenshot(path=str(target / "board-en.png"))
            page.goto(f"{live_server.url}/projects/{project.code}/plan/timeline/")
            page.screenshot(path=str(target / "milestones-en.png"), full_page=True)
        page.context.close()


def test_a_gantt_row_opens_the_assignment_dialog_and_comes_back(
    world: World, live_server: Any, browser: Any
) -> None:
    plan = build_plan(world)
    dev = resource_services.do_add_resource(world.vendor, actor=world.pm, name="Dana Developer")
    page = sign_in(browser, live_server.url, world.pm.email)
    page.goto(f"{live_server.url}/projects/ERP/plan/gantt/")
    settled(page)
    row = page.locator(".gantt-tree-row", has=page.locator(".label:text-is('Build')"))
    row.locator(".row-assign").click()
    page.select_option("#id_assign-resource", str(dev.pk))
    page.fill("#id_assign-units", "50")
    page.click("button[type=submit]:text-is('Assign')")
    page.wait_for_url(re.compile(r"/projects/ERP/plan/gantt/"))
    settled(page)
    assert Assignment.objects.filter(task=plan.build, resource=dev, units=50).exists()
    expect(page.locator(".gantt-tree-row .row-assign").first).to_be_visible()
    assert page.errors == []

    client = sign_in(browser, live_server.url, world.sponsor.email)
    client.goto(f"{live_server.url}/projects/ERP/plan/gantt/")
    settled(client)
    expect(client.locator(".row-assign")).to_have_count(0)
