"""The project home, the charter page and the decision rights page, as each side reads them.

The home shows both sides where the project stands (the latest sent report's status and reasons, the
next milestones against the agreed baseline, the budget burn) and the team its internal panels; the
charter page holds the charter and its RACI with edit links for editors only; the decision rights
page is read-only, with a sentence naming who may change it, for whoever cannot change it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.projects import services as project_services
from tandem.reports import services as report_services
from tandem.reports.tests.conftest import EARLY, make_plan
from tandem.testing.personas import World
from tandem.web.tests.test_query_counts import inbox_queries

CLIENTS = ("sponsor", "client_pm", "reviewer", "client_viewer")
HOME = reverse("web:project_home", args=["ERP"])
CHARTER = reverse("web:charter", args=["ERP"])
DECISIONS = reverse("web:decisions", args=["ERP"])
#: Query budgets of the home and the charter page (measured, not raised without need): the home's
#: own 25, plus what waits on the reader (``inbox_queries()``: their projects and rights, then one
#: query per inbox provider at most), the satisfaction panel (2) and onboarding's first-visit prompt
#: and readiness checklist (6).
HOME_OWN_BUDGET = 25 + 8
CHARTER_BUDGET = 17


def as_(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.people[persona])
    return client


def read(world: World, persona: str, url: str) -> str:
    response = as_(world, persona).get(url)
    assert response.status_code == 200, (persona, url, response.status_code)
    return response.content.decode()


def section(page: str, anchor: str) -> str:
    """The HTML of the <section> with ``id=anchor`` (up to the next section of the page)."""
    start = page.index(f'id="{anchor}"')
    return page[start : page.index("</section>", start)]


# ---------------------------------------------------------------- the charter page


def test_the_charter_page_shows_a_client_the_shared_charter_only(world: World) -> None:
    for persona in CLIENTS:
        page = read(world, persona, CHARTER)
        for shared in ("Shared goal", "Shared KPI", "Shared stakeholder", "Shared deliverable"):
            assert shared in page, (persona, shared)
        for internal in ("Internal goal", "Internal KPI", "Internal stakeholder", "Internal deliverable"):
            assert internal not in page, (persona, internal)
    team = read(world, "member", CHARTER)
    assert "Internal goal" in team and "Internal deliverable" in team


def test_the_charter_page_offers_edit_links_to_editors_only(world: World) -> None:
    new_goal = reverse("web:item_create", args=["ERP", "goals"])
    raci = reverse("web:raci_edit", args=["ERP", world.records["deliverable_shared"].pk])
    section_edit = reverse("web:section_edit", args=["ERP", "scope_in"])
    pm = read(world, "pm", CHARTER)
    assert new_goal in pm and raci in pm and section_edit in pm
    for persona in (*CLIENTS, "member"):
        page = read(world, persona, CHARTER)
        assert new_goal not in page and raci not in page and section_edit not in page, persona
        assert "/delete/" not in page, persona
    # The team's preview of the client view edits nothing either.
    preview = as_(world, "pm").get(CHARTER + "?view=client").content.decode()
    assert new_goal not in preview and "Internal goal" not in preview


def test_the_raci_reads_as_a_matrix_and_as_one_card_per_deliverable(world: World) -> None:
    deliverable = world.records["deliverable_shared"]
    project_services.do_set_raci(
        deliverable,
        cells={world.records["stakeholder_shared"].pk: "A", world.records["stakeholder_internal"].pk: "R"},
        version=deliverable.version,
        actor=world.pm,
    )
    page = read(world, "sponsor", CHARTER)
    assert 'class="table raci"' in page
    cards = page[page.index('class="raci-cards"') :]
    card = cards[: cards.index("</li>")]
    assert "Shared deliverable" in card
    # Each card names the people of each letter; a client never reads the internal stakeholder.
    assert re.search(r"raci-A.*?</dt><dd>Shared stakeholder</dd>", card, re.S), card
    assert "Internal stakeholder" not in page
    team = read(world, "pm", CHARTER)
    team_card = team[team.index('class="raci-cards"') :]
    assert re.search(r"raci-R.*?</dt><dd>Internal stakeholder</dd>", team_card, re.S)


def test_charter_edits_lead_back_to_the_charter_page(world: World) -> None:
    goal = world.records["goal_shared"]
    response = as_(world, "pm").post(
        reverse("web:item_edit", args=["ERP", "goals", goal.pk]),
        {
            "statement": "Shared goal, sharper",
            "measure": "",
            "target": "",
            "due_date": "",
            "visibility": "shared",
            "version": goal.version,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == CHARTER + "#goals"


def test_the_charter_page_has_the_confirmation_banner_and_confirms_in_place(world: World) -> None:
    page = read(world, "sponsor", CHARTER)
    assert 'id="confirmation"' in page and 'name="next" value="charter"' in page
    revision = re.search(r'name="revision" value="(\d+)"', page)
    assert revision is not None
    confirm = reverse("web:charter_confirm", args=["ERP"])
    client = as_(world, "sponsor")
    # Without HTMX the sponsor comes back to the charter page...
    response = client.post(confirm, {"revision": revision.group(1), "comment": "", "next": "charter"})
    assert response.status_code == 302 and response["Location"] == CHARTER
    # ...with HTMX the banner swaps itself, confirmed.
    project_services.do_update_section(
        world.project,
        key="scope_in",
        body="Stores and the warehouse",
        version=world.records["section_scope"].version,
        actor=world.pm,
    )
    page = read(world, "sponsor", CHARTER)
    revision = re.search(r'name="revision" value="(\d+)"', page)
    assert revision is not None
    swapped = client.post(
        confirm,
        {"revision": revision.group(1), "comment": "Agreed", "next": "charter"},
        HTTP_HX_REQUEST="true",
    )
    assert swapped.status_code == 200
    body = swapped.content.decode()
    assert body.lstrip().startswith('<section id="confirmation"') and "banner-ok" in body
    assert "<html" not in body


# ---------------------------------------------------------------- the project home


@pytest.fixture
def status_world(world: World) -> World:
    """ERP (budget 1,200,000), an agreed baseline whose go-live slipped 7 working days, a sent report."""
    make_plan(world, slip_days=7)
    report = report_services.generate_report(
        world.project,
        period_start=EARLY.date(),
        period_end=EARLY.date(),
        actor=world.pm,
        now=EARLY,
    )
    report_services.do_send_report(report, actor=world.pm, version=report.version, deliver=False)
    return world


def test_the_home_shows_both_sides_status_milestones_and_budget(status_world: World) -> None:
    world = status_world
    for persona in ("sponsor", "client_viewer", "pm", "member"):
        page = read(world, persona, HOME)
        status = section(page, "status")
        assert "rag-badge" in status, persona
        assert "Schedule" in status and "Go-live" in status  # the schedule reason names the slip
        assert reverse("web:reports", args=["ERP"]) in status
        milestones = section(page, "milestones")
        assert "Agreed plan" in milestones  # against the agreed baseline
        assert "Go-live" in milestones and "+7" in milestones
        burn = section(page, "budget-burn")
        assert "CNY 0 spent of CNY 1,200,000 (0.0 %)" in burn, persona
        # The charter itself lives on its own page, linked from the banner.
        assert CHARTER in page and "Shared goal" not in page


def test_the_client_home_holds_no_internal_panel_and_no_internal_record(status_world: World) -> None:
    world = status_world
    world.project.internal_notes = "Margin target 22%"
    world.project.save(update_fields=["internal_notes"])
    for persona in CLIENTS:
        page = read(world, persona, HOME)
        assert "Subcontractor payout" not in page  # the internal milestone
        assert "Margin target 22%" not in page and 'id="internal-h"' not in page
        assert 'id="members-h"' not in page
        assert "rate" not in section(page, "budget-burn").lower()
    team = read(world, "pm", HOME)
    assert "Margin target 22%" in team and 'id="members-h"' in team
    assert "Subcontractor payout" in section(team, "milestones")
    preview = as_(world, "pm").get(HOME + "?view=client").content.decode()
    assert "Margin target 22%" not in preview and "Subcontractor payout" not in preview


def test_a_draft_report_is_never_the_home_status(world: World) -> None:
    make_plan(world)
    report_services.generate_report(
        world.project, period_start=EARLY.date(), period_end=EARLY.date(), actor=world.pm, now=EARLY
    )
    for persona in ("pm", "sponsor"):
        status = section(read(world, persona, HOME), "status")
        assert "No status report has been sent yet." in status and "rag-badge" not in status


def test_the_home_says_when_there_is_nothing_to_show_yet(world: World) -> None:
    page = read(world, "sponsor", HOME)
    assert "No status report has been sent yet." in page
    assert "No baseline has been approved yet" in page
    assert "No open milestone." in page


# ---------------------------------------------------------------- decision rights


def test_the_decision_rights_are_read_only_for_who_cannot_change_them(world: World) -> None:
    for persona in ("client_pm", "client_viewer", "reviewer", "member"):
        page = read(world, persona, DECISIONS)
        main = page[page.index("<main") :]
        assert "<form" not in main.split('id="comments-slot"')[0], persona
        assert 'type="checkbox"' not in main and "Apply preset" not in main, persona
        assert "Only these roles may change the decision rights: Project manager, Sponsor" in main
        assert "Alice PM" in main and "Sam Sponsor" in main  # who holds them in this project
        assert 'class="rights-list"' in main


def test_who_may_change_the_decision_rights_gets_the_forms(world: World) -> None:
    for persona in ("pm", "sponsor"):
        page = read(world, persona, DECISIONS)
        assert 'type="checkbox"' in page and "Apply preset" in page, persona
        assert "Only these roles may change" not in page
    # The team's preview of the client view is read-only too.
    preview = as_(world, "pm").get(DECISIONS + "?view=client").content.decode()
    assert 'type="checkbox"' not in preview


def test_a_reader_who_cannot_change_the_rights_is_refused_when_posting(world: World) -> None:
    response = as_(world, "client_pm").post(DECISIONS, {"preset": "client_as_pm"})
    assert response.status_code == 403


# ---------------------------------------------------------------- queries


def _milestones_and_reports(world: World, n: int) -> None:
    """``n`` more shared milestones, a baseline approved over them, and ``n`` more sent reports."""
    from tandem.planning import services as planning
    from tandem.planning.choices import TaskKind

    for _ in range(n):
        planning.do_add_task(
            world.project,
            actor=world.pm,
            name=f"Milestone {world.__dict__.get('_m', 0)}",
            kind=TaskKind.MILESTONE,
        )
        world.__dict__["_m"] = world.__dict__.get("_m", 0) + 1
    planning.do_approve_baseline(
        planning.do_save_baseline(world.project, name=f"Agreed {n}", actor=world.pm), actor=world.pm
    )
    for _ in range(n):
        report = report_services.generate_report(
            world.project, period_start=EARLY.date(), period_end=EARLY.date(), actor=world.pm, now=EARLY
        )
        report_services.do_send_report(report, actor=world.pm, version=report.version, deliver=False)


def _queries(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("persona", ["pm", "sponsor"])
def test_the_home_reads_the_same_queries_for_2_or_12_milestones_and_reports(
    world: World, persona: str
) -> None:
    make_plan(world)
    client = as_(world, persona)
    _milestones_and_reports(world, 2)
    few = _queries(client, HOME)
    _milestones_and_reports(world, 10)
    assert _queries(client, HOME) == few


def test_the_home_and_the_charter_stay_within_a_fixed_budget(
    status_world: World, django_assert_max_num_queries: Any
) -> None:
    client = as_(status_world, "sponsor")
    client.get(HOME)
    client.get(CHARTER)
    # The home, a client: session, user, memberships, project, decision rights, charter and its
    # confirmation (two revisions), the latest sent report, the agreed baseline with its rows and
    # milestones, the calendar, the budget's seven grouped sums, the decisions panels, the unread
    # badge, the running timer.
    with django_assert_max_num_queries(HOME_OWN_BUDGET + inbox_queries()):
        client.get(HOME)
    # The charter: the banner and the charter's lists with one count of their comments.
    with django_assert_max_num_queries(CHARTER_BUDGET + inbox_queries()):
        client.get(CHARTER)
