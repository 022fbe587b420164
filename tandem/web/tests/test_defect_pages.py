"""The defect and coverage pages: who opens and posts what, the triage note kept from the client, the
moves offered as buttons, the exports, and list pages that do not grow in queries with rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.core.choices import Visibility
from tandem.quality.choices import DefectStatus, RunResult
from tandem.quality.defect_services import do_update_defect
from tandem.quality.defects import do_file_defect
from tandem.quality.models import Defect, TestCase, TestCycle, TestRun
from tandem.requirements.models import Requirement
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db

SECRET = "Triage: the vendor caching layer"
PEOPLE = (
    "outsider",
    "other_client",
    "client_viewer",
    "reviewer",
    "client_pm",
    "sponsor",
    "team_viewer",
    "member",
    "pm",
)


def as_(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.people[persona])
    return client


def url(name: str, *args: Any) -> str:
    return reverse(f"web:{name}", args=["ERP", *args])


@pytest.fixture
def defects(world: World) -> dict[str, Defect]:
    requirement = Requirement.objects.create(project=world.project, code="REQ-001", title="Invoices")
    shared = do_file_defect(
        world.project,
        actor=world.client_pm,
        data={"title": "Invoice total wrong", "requirement_id": requirement.pk},
    )
    shared = do_update_defect(shared, actor=world.pm, version=1, internal_note=SECRET)
    internal = do_file_defect(
        world.project, actor=world.member, data={"title": "Flaky build", "visibility": Visibility.INTERNAL}
    )
    return {"shared": shared, "internal": internal}


def _statuses(world: World, path: str, post: dict[str, Any] | None = None) -> str:
    found = []
    for who in PEOPLE:
        client = as_(world, who)
        response = client.post(path, post) if post is not None else client.get(path)
        found.append(str(response.status_code))
    return " ".join(found)


def test_each_persona_opens_the_pages_the_matrix_says(world: World, defects: dict[str, Defect]) -> None:
    shared, internal = defects["shared"], defects["internal"]
    # outsider other_client client_viewer reviewer client_pm sponsor team_viewer member pm
    everyone = "404 404 200 200 200 200 200 200 200"
    for path in (
        url("defects"),
        url("defects") + "?q=DEF&status=new&open=on&severity=major&mine=on",
        url("defect_export") + "?format=csv",
        url("defect_export") + "?format=xlsx",
        url("defect_detail", shared.pk),
        url("coverage"),
        url("coverage") + "?gaps=1",
        url("coverage_export") + "?format=xlsx",
    ):
        assert _statuses(world, path) == everyone, path
    assert _statuses(world, url("defect_detail", internal.pk)) == "404 404 404 404 404 404 200 200 200"
    assert _statuses(world, url("defect_new")) == "404 404 403 200 200 200 403 200 200"
    # The reporter (client PM) edits while new; the team's writers always.
    assert _statuses(world, url("defect_edit", shared.pk)) == "404 404 403 403 200 403 403 200 200"
    assert _statuses(world, url("defect_edit", internal.pk)) == "404 404 404 404 404 404 403 200 200"


def test_filing_from_either_side(world: World, defects: dict[str, Defect]) -> None:
    client_form = as_(world, "client_pm").get(url("defect_new")).content.decode()
    assert 'name="title"' in client_form
    for field in ("visibility", "internal_note", "assignee"):
        assert f'name="{field}"' not in client_form
    response = as_(world, "client_pm").post(
        url("defect_new"), {"title": "Logo blurry", "severity": "minor", "priority": "low"}
    )
    assert response.status_code == 302
    filed = Defect.objects.get(title="Logo blurry")
    assert filed.visibility == Visibility.SHARED and filed.reported_by == world.client_pm
    team_form = as_(world, "member").get(url("defect_new")).content.decode()
    assert 'name="internal_note"' in team_form and 'name="visibility"' in team_form
    bad = as_(world, "member").post(url("defect_new"), {"title": "", "severity": "minor", "priority": "low"})
    assert bad.status_code == 400
    assert Defect.objects.count() == 3


def test_the_triage_note_never_reaches_a_client(world: World, defects: dict[str, Defect]) -> None:
    shared = defects["shared"]
    for who in ("client_viewer", "reviewer", "client_pm", "sponsor"):
        client = as_(world, who)
        for path in (
            url("defects"),
            url("defect_detail", shared.pk),
            url("defect_export") + "?format=csv",
            url("coverage"),
            url("coverage_export") + "?format=csv",
            url("activity"),
        ):
            text = client.get(path).content.decode("utf-8", errors="replace")
            assert SECRET not in text and "Flaky build" not in text, (who, path)
    team = as_(world, "member")
    assert SECRET in team.get(url("defect_detail", shared.pk)).content.decode()
    assert SECRET in team.get(url("defect_export") + "?format=csv").content.decode()
    assert "Flaky build" in team.get(url("defects")).content.decode()
    assert "Flaky build" in team.get(url("activity")).content.decode()
    # The team's preview of the client view hides it too.
    assert SECRET not in team.get(url("defect_detail", shared.pk) + "?view=client").content.decode()


def test_the_moves_are_buttons_and_closing_a_new_one_needs_a_resolution(
    world: World, defects: dict[str, Defect]
) -> None:
    shared = defects["shared"]
    page = as_(world, "member").get(url("defect_detail", shared.pk)).content.decode()
    assert 'value="confirmed"' in page and 'value="closed"' in page and 'name="resolution"' in page
    client_page = as_(world, "client_pm").get(url("defect_detail", shared.pk)).content.decode()
    assert 'value="confirmed"' not in client_page and 'value="closed"' in client_page
    assert 'value="closed"' not in as_(world, "sponsor").get(url("defect_detail", shared.pk)).content.decode()
    refused = as_(world, "client_pm").post(
        url("defect_detail", shared.pk), {"to": "closed", "version": shared.version}
    )
    assert refused.status_code == 400 and "resolution" in refused.content.decode().lower()
    assert (
        as_(world, "sponsor")
        .post(url("defect_detail", shared.pk), {"to": "closed", "version": 2})
        .status_code
        == 403
    )
    done = as_(world, "member").post(
        url("defect_detail", shared.pk), {"to": "confirmed", "version": shared.version}
    )
    assert done.status_code == 302
    assert Defect.objects.get(pk=shared.pk).status == DefectStatus.CONFIRMED
    stale = as_(world, "member").post(
        url("defect_detail", shared.pk), {"to": "fixed", "version": shared.version}
    )
    assert stale.status_code == 409


def test_editing_keeps_the_client_off_the_triage(world: World, defects: dict[str, Defect]) -> None:
    shared = defects["shared"]
    form = as_(world, "client_pm").get(url("defect_edit", shared.pk)).content.decode()
    assert 'name="internal_note"' not in form and SECRET not in form
    response = as_(world, "client_pm").post(
        url("defect_edit", shared.pk),
        {
            "title": "Invoice totals wrong",
            "severity": "critical",
            "priority": "high",
            "version": shared.version,
        },
    )
    assert response.status_code == 302
    saved = Defect.objects.get(pk=shared.pk)
    assert saved.title == "Invoice totals wrong" and saved.internal_note == SECRET


def test_the_empty_states(world: World) -> None:
    client = as_(world, "client_pm")
    assert "No defects yet." in client.get(url("defects")).content.decode()
    assert "No requirements yet." in client.get(url("coverage")).content.decode()
    assert (
        "No defect matches these filters."
        in client.get(url("defects") + "?severity=trivial").content.decode()
    )


def _bulk(world: World, start: int, n: int) -> None:
    cycle = TestCycle.objects.get_or_create(project=world.project, name="System 1")[0]
    for i in range(start, start + n):
        requirement = Requirement.objects.create(
            project=world.project, code=f"REQ-{i:03d}", title=f"Need {i}"
        )
        case = TestCase.objects.create(project=world.project, code=f"TC-{i:03d}", title=f"Case {i}")
        case.requirements.set([requirement])
        TestRun.objects.create(cycle=cycle, case=case, result=RunResult.NOT_RUN)
        defect = do_file_defect(
            world.project, actor=world.pm, data={"title": f"Bulk {i}", "requirement_id": requirement.pk}
        )
        do_update_defect(defect, actor=world.pm, version=1, assignee_id=world.member.pk)


@pytest.mark.parametrize("persona", ["pm", "client_pm"])
def test_the_lists_do_not_grow_in_queries_with_rows(world: World, persona: str) -> None:
    client = as_(world, persona)
    _bulk(world, 1, 3)
    counts = {}
    for name in ("defects", "coverage"):
        with CaptureQueriesContext(connection) as few:
            assert client.get(url(name)).status_code == 200
        counts[name] = len(few)
    _bulk(world, 4, 27)
    for name in ("defects", "coverage"):
        with CaptureQueriesContext(connection) as many:
            page = client.get(url(name))
        assert page.status_code == 200
        if name == "defects":
            assert "Bulk 30" in page.content.decode()
        assert len(many) == counts[name], name


def test_a_moved_defect_notifies_and_leads_to_its_page(world: World, defects: dict[str, Defect]) -> None:
    shared = defects["shared"]
    moved = as_(world, "member").post(
        url("defect_detail", shared.pk), {"to": "confirmed", "version": shared.version}
    )
    assert moved.status_code == 302
    page = as_(world, "client_pm").get(reverse("web:notifications")).content.decode()
    assert url("defect_detail", shared.pk) in page
    assert "moved a defect" in page
