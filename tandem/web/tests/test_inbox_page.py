"""The inbox page, its header count and project-home panel, its API, and the actions taken from it:
who sees what, what it costs in queries, and that an action comes back to the inbox."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.changes.models import ChangeRequest
from tandem.core import inbox
from tandem.core.choices import Visibility
from tandem.projects import services as project_services
from tandem.projects.choices import Role
from tandem.projects.models import Charter
from tandem.requirements.models import Requirement, RequirementConfirmation
from tandem.risks import services as risk_services
from tandem.risks.models import ClientDecision
from tandem.testing import inbox as seed
from tandem.testing.personas import VIEWERS, World

pytestmark = pytest.mark.django_db

INBOX = "/inbox/"
API = "/api/v1/me/inbox"


def signed_in(client: Client, world: World, persona: str) -> Client:
    user = world.viewer(persona)
    if user is not None:
        client.force_login(user)
    return client


def badge(html: str) -> int:
    """The count in the header's "Waiting for me" link (0 without a badge)."""
    found = re.search(r'class="badge inbox-badge" data-count="(\d+)"', html)
    return int(found.group(1)) if found else 0


@pytest.mark.parametrize("persona", VIEWERS)
def test_every_persona_reads_only_their_own_inbox(world: World, client: Client, persona: str) -> None:
    seed.client_decision(world, decider=world.sponsor)
    seed.requirement_in_review(world, title="Margin calculator", visibility=Visibility.INTERNAL)
    signed_in(client, world, persona)
    page = client.get(INBOX)
    api = client.get(API)
    if persona == "anonymous":
        assert page.status_code == 302 and "/login/" in page["Location"]
        assert api.status_code == 401
        return
    assert page.status_code == 200 and api.status_code == 200
    body = page.content.decode()
    expected = [i.key for i in inbox.items_for(world.people[persona])]
    assert [i["key"] for i in api.json()["items"]] == expected
    assert api.json()["count"] == len(expected) == badge(body)
    assert ("Pilot in Shanghai or Beijing?" in body) == (persona == "sponsor")
    assert "Margin calculator" not in body  # internal, and nobody on the team confirms requirements here
    if not expected:
        assert "Nothing waits on you" in body


def test_the_api_lists_each_item_with_its_facts(world: World, client: Client) -> None:
    decision = seed.client_decision(world, decider=world.sponsor)
    client.force_login(world.sponsor)
    data = client.get(API).json()
    first = data["items"][0]  # overdue first
    assert first == {
        "kind": "client_decision",
        "kind_label": "Client decision",
        "key": f"client_decision:{decision.pk}",
        "project": "ERP",
        "project_name": "ERP upgrade",
        "title": "Pilot in Shanghai or Beijing?",
        "action": "Decide",
        "url": f"/projects/ERP/client-decisions/{decision.pk}/",
        "due": seed.PAST.isoformat(),
        "since": first["since"],
        "cost_of_delay": None,
        "overdue": True,
    }
    assert [i["kind"] for i in data["items"]] == ["client_decision", "charter"]


def test_the_page_shows_due_dates_overdue_and_filters_by_project_and_kind(
    world: World, client: Client
) -> None:
    seed.client_decision(world, decider=world.sponsor)
    client.force_login(world.sponsor)
    body = client.get(INBOX).content.decode()
    assert "inbox-overdue" in body and "Overdue" in body and seed.PAST.isoformat() in body
    assert body.index("Pilot in Shanghai") < body.index("Charter revision")
    only_charter = client.get(INBOX, {"kind": "charter"}).content.decode()
    assert "Charter revision" in only_charter and "Pilot in Shanghai" not in only_charter
    elsewhere = client.get(INBOX, {"project": "OTHER"}).content.decode()
    assert "Nothing waits on you with these filters." in elsewhere
    assert client.get(INBOX, {"project": "<script>", "kind": "x" * 500}).status_code == 200


def test_deciding_from_the_inbox_comes_back_to_it(world: World, client: Client) -> None:
    plan = seed.plan_with_baseline(world)
    change = seed.change_awaiting(world, plan)
    requirement = seed.requirement_in_review(world)
    client.force_login(world.client_pm)
    assert badge(client.get(INBOX).content.decode()) == 3  # the charter, the change, the requirement
    change = ChangeRequest.objects.get(pk=change.pk)
    done = client.post(
        reverse("web:change_decide", args=["ERP", change.code]),
        {"version": change.version, "outcome": "approve", "comment": "", "next": "inbox"},
    )
    assert done.status_code == 302 and done["Location"] == INBOX
    done = client.post(
        reverse("web:requirement_confirm", args=["ERP", requirement.code]),
        {"version_number": 1, "comment": "", "next": "inbox"},
    )
    assert done.status_code == 302 and done["Location"] == INBOX
    assert RequirementConfirmation.objects.filter(requirement=requirement).exists()
    revision = Charter.objects.get(project=world.project).revision
    done = client.post(reverse("web:charter_confirm", args=["ERP"]), {"revision": revision, "next": "inbox"})
    assert done["Location"] == INBOX
    page = client.get(INBOX).content.decode()
    assert badge(page) == 0 and "Nothing waits on you" in page
    assert "You confirmed charter revision" in page  # the message of the last action, on the inbox


def test_a_refused_action_shows_the_record_not_the_inbox(world: World, client: Client) -> None:
    seed.requirement_in_review(world)
    requirement = Requirement.objects.get()
    client.force_login(world.client_pm)
    stale = client.post(
        reverse("web:requirement_confirm", args=["ERP", requirement.code]),
        {"version_number": 7, "comment": "", "next": "inbox"},
    )
    assert stale.status_code == 302 and stale["Location"] == f"/projects/ERP/requirements/{requirement.code}/"
    assert "changed after you opened it" in client.get(stale["Location"]).content.decode()
    decision = seed.client_decision(world, decider=world.sponsor)
    client.force_login(world.sponsor)
    answer = {"version": decision.version + 5, "option": "Shanghai", "next": "inbox"}
    stale = client.post(reverse("web:decision_decide", args=["ERP", decision.pk]), answer)
    assert stale.status_code == 409
    assert ClientDecision.objects.get(pk=decision.pk).status == "open"


def test_the_other_in_place_actions_come_back_to_the_inbox(world: World, client: Client) -> None:
    baseline = seed.baseline_to_approve(world)
    report = seed.report_awaiting(world)
    meeting = seed.minutes_to_approve(world, organizer=world.pm)
    client.force_login(world.pm)
    items = {i.kind: i for i in inbox.items_for(world.pm)}
    assert set(items) >= {"baseline", "status_report", "minutes"}
    for kind in ("baseline", "status_report", "minutes"):
        action = items[kind].in_place
        assert action is not None
        done = client.post(action.url, {**dict(action.fields), "next": "inbox"})
        assert done.status_code == 302 and done["Location"] == INBOX, kind
    baseline.refresh_from_db()
    report.refresh_from_db()
    meeting.refresh_from_db()
    assert baseline.approved_at and report.status == "approved" and meeting.minutes_status == "approved"
    assert {i.kind for i in inbox.items_for(world.pm)}.isdisjoint({"baseline", "status_report", "minutes"})


def test_next_never_leaves_for_another_address(world: World, client: Client) -> None:
    client.force_login(world.sponsor)
    revision = Charter.objects.get(project=world.project).revision
    done = client.post(
        reverse("web:charter_confirm", args=["ERP"]), {"revision": revision, "next": "https://evil.test/"}
    )
    assert done["Location"] == "/projects/ERP/"


def test_the_project_home_lists_that_projects_items(world: World, client: Client) -> None:
    seed.client_decision(world, decider=world.sponsor)
    client.force_login(world.sponsor)
    home = client.get(reverse("web:project_home", args=["ERP"])).content.decode()
    assert 'id="inbox-panel-h"' in home and "Pilot in Shanghai or Beijing?" in home
    assert f"{INBOX}?project=ERP" in home
    client.force_login(world.member)
    assert 'id="inbox-panel-h"' not in client.get(reverse("web:project_home", args=["ERP"])).content.decode()


# ---------------------------------------------------------------- query counts


def queries_of(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def add_project_with_items(world: World, n: int) -> None:
    """A project where the client PM has a charter to confirm, a requirement and a client decision."""
    project = project_services.do_create_project(
        code=f"P{n}", name=f"Project {n}", client=world.client, vendor=world.vendor, actor=world.pm
    )
    project_services.do_add_member(project, user=world.client_pm, role=Role.CLIENT_PM, actor=world.pm)
    seed.requirement_in_review(world, project)
    risk_services.do_add_decision(
        project, actor=world.pm, question=f"Decide {n}", decider_id=world.client_pm.pk
    )


@pytest.mark.parametrize("url", [INBOX, API, "/"])
def test_the_inbox_costs_the_same_queries_for_1_or_6_projects_full_of_items(
    world: World, client: Client, url: str
) -> None:
    client.force_login(world.client_pm)
    seed.requirement_in_review(world)
    # Every kind the other projects bring is there from the start: the inbox asks only the providers
    # that have rows, so a kind arriving costs its provider's queries, a project more costs none.
    add_project_with_items(world, 0)
    few = queries_of(client, url)
    count: Any = len(inbox.items_for(world.client_pm))
    for n in range(1, 5):
        add_project_with_items(world, n)
    assert len(inbox.items_for(world.client_pm)) == count + 12
    assert queries_of(client, url) == few
    for _ in range(5):
        seed.requirement_in_review(world)
    assert queries_of(client, url) == few


def test_the_header_count_adds_at_most_a_fixed_number_of_queries(world: World, client: Client) -> None:
    client.force_login(world.outsider)
    with CaptureQueriesContext(connection) as captured:
        client.get(INBOX)
    # session, user, the (empty) memberships: an outsider's inbox reads nothing more.
    assert len([q for q in captured.captured_queries if "projects_membership" in q["sql"]]) == 1
