"""The change-request pages, opened as every kind of viewer, and what each side reads on them."""

from __future__ import annotations

import pytest
from django.test import Client

from tandem.changes import services
from tandem.changes.models import ChangeRequest
from tandem.changes.tests.conftest import DAY, Plan, build_plan, reports_change
from tandem.planning import services as planning
from tandem.planning.models import Task
from tandem.testing.personas import World

VIEWERS = ("outsider", "other_client", "client_viewer", "client_pm", "sponsor", "member", "pm")


def as_(world: World, viewer: str) -> Client:
    client = Client()
    client.force_login(world.people[viewer])
    return client


@pytest.fixture
def plan(world: World) -> Plan:
    return build_plan(world)


def awaiting(plan: Plan) -> ChangeRequest:
    change = reports_change(plan)
    services.do_compute_impact(change, actor=plan.world.pm)
    change = ChangeRequest.objects.get(pk=change.pk)
    return services.do_submit_change(change, actor=plan.world.pm, version=change.version)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/projects/ERP/changes/", "404 404 200 200 200 200 200"),
        ("/projects/ERP/changes/new/", "404 404 403 200 200 200 200"),
        ("/projects/ERP/changes/{code}/", "404 404 200 200 200 200 200"),
        ("/projects/ERP/changes/{internal}/", "404 404 404 404 404 200 200"),
        ("/projects/ERP/changes/{code}/edit/", "404 404 200 200 200 200 200"),
    ],
)
def test_each_viewer_gets_the_pages_the_matrix_says(plan: Plan, path: str, expected: str) -> None:
    world = plan.world
    change = awaiting(plan)
    internal = services.do_propose_change(
        world.project, actor=world.pm, title="Margin", visibility="internal"
    )
    for viewer, status in zip(VIEWERS, expected.split(), strict=True):
        url = path.format(code=change.code, internal=internal.code)
        assert as_(world, viewer).get(url).status_code == int(status), (viewer, url)


def test_anonymous_visitors_are_sent_to_sign_in(plan: Plan) -> None:
    response = Client().get("/projects/ERP/changes/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_client_proposes_and_the_team_builds_the_sandbox_and_submits(plan: Plan) -> None:
    world = plan.world
    client_pm = as_(world, "client_pm")
    created = client_pm.post(
        "/projects/ERP/changes/new/",
        {"title": "Loyalty card", "description": "Retention", "urgency": "high", "visibility": "internal"},
    )
    assert created.status_code == 302
    change = ChangeRequest.objects.get(project=world.project, title="Loyalty card")
    assert change.visibility == "shared", "the client's form has no visibility field"
    base = f"/projects/ERP/changes/{change.code}/"
    assert as_(world, "member").post(base + "edits/", {"kind": "add_task", "name": "x"}).status_code == 403
    assert client_pm.post(base + "edits/", {"kind": "add_task", "name": "x"}).status_code == 403
    pm = as_(world, "pm")
    bad = pm.post(base + "edits/", {"kind": "add_task", "duration_days": "2"})
    assert bad.status_code == 400 and "This field is required." in bad.content.decode()
    assert (
        pm.post(
            base + "edits/", {"kind": "add_task", "name": "Card design", "duration_days": "2"}
        ).status_code
        == 302
    )
    edit = change.edits.get()
    link = {
        "kind": "add_link",
        "predecessor": str(plan.build.pk),
        "successor": f"new-{edit.pk}",
        "type": "FS",
    }
    assert pm.post(base + "edits/", link).status_code == 302
    link = {
        "kind": "add_link",
        "predecessor": f"new-{edit.pk}",
        "successor": str(plan.golive.pk),
        "type": "FS",
    }
    assert pm.post(base + "edits/", link).status_code == 302
    assert pm.post(base + "impact/").status_code == 302
    page = pm.get(base).content.decode()
    assert "Card design" in page and 'data-testid="new-finish"' in page
    version = ChangeRequest.objects.get(pk=change.pk).version
    assert pm.post(base + "submit/", {"version": version}).status_code == 302
    assert ChangeRequest.objects.get(pk=change.pk).status == "awaiting"
    sponsor_page = as_(world, "sponsor").get(base).content.decode()
    assert 'data-testid="decision-panel"' in sponsor_page and "Go-live" in sponsor_page
    assert 'data-testid="decision-panel"' not in as_(world, "client_viewer").get(base).content.decode()


def test_the_decision_panel_approves_and_the_log_counts_the_scope(plan: Plan) -> None:
    world = plan.world
    change = awaiting(plan)
    base = f"/projects/ERP/changes/{change.code}/"
    denied = as_(world, "pm").post(base + "decide/", {"outcome": "approve", "version": change.version})
    assert denied.status_code == 403
    missing = as_(world, "sponsor").post(base + "decide/", {"outcome": "reject", "version": change.version})
    assert missing.status_code == 400 and "Say why" in missing.content.decode()
    done = as_(world, "sponsor").post(base + "decide/", {"outcome": "approve", "version": change.version})
    assert done.status_code == 302
    assert ChangeRequest.objects.get(pk=change.pk).status == "applied"
    assert Task.objects.filter(project=world.project, name="Reports").exists()
    log = as_(world, "client_viewer").get("/projects/ERP/changes/").content.decode()
    assert change.code in log and 'data-testid="cumulative-scope"' in log
    stale = as_(world, "client_pm").post(base + "decide/", {"outcome": "approve", "version": change.version})
    assert stale.status_code == 302  # a message explains it: the request is no longer awaiting


def test_an_approval_refused_because_the_plan_changed_says_so_and_asks_again_in_place(plan: Plan) -> None:
    world = plan.world
    change = awaiting(plan)
    planning.do_update_task(plan.build, version=plan.build.version, actor=world.pm, duration_minutes=6 * DAY)
    base = f"/projects/ERP/changes/{change.code}/"
    sponsor = as_(world, "sponsor")
    refused = sponsor.post(
        base + "decide/", {"outcome": "approve", "version": change.version, "comment": "OK by me"}
    )
    page = refused.content.decode()
    # Not a redirect with a cleared form: the page explains, compares both impacts, and keeps the comment.
    assert refused.status_code == 409
    assert 'data-testid="refused-approval"' in page and 'data-testid="impact-compare"' in page
    assert "OK by me" in page and "Confirm my decision on the new impact" in page
    assert "Refused: the impact changed" in page and ">Approve</strong>" not in page
    # Reading the page later still shows it, until the approver decides again.
    assert 'data-testid="impact-compare"' in sponsor.get(base).content.decode()
    current = ChangeRequest.objects.get(pk=change.pk)
    assert current.status == "awaiting"
    done = sponsor.post(base + "decide/", {"outcome": "approve", "version": current.version})
    assert done.status_code == 302 and ChangeRequest.objects.get(pk=change.pk).status == "applied"
    after = sponsor.get(base).content.decode()
    assert 'data-testid="impact-compare"' not in after and "Refused: the impact changed" in after


def test_a_client_never_reads_internal_tasks_on_a_request_page(plan: Plan) -> None:
    world = plan.world
    change = services.do_propose_change(world.project, actor=world.pm, title="Deeper review")
    services.do_add_edit(
        change,
        actor=world.pm,
        kind="change_task",
        payload={"task_id": plan.secret.pk, "duration_minutes": 9 * DAY},
    )
    services.do_compute_impact(change, actor=world.pm)
    base = f"/projects/ERP/changes/{change.code}/"
    assert "Margin review" in as_(world, "pm").get(base).content.decode()
    for viewer in ("sponsor", "client_pm", "client_viewer"):
        page = as_(world, viewer).get(base).content.decode()
        assert "Margin review" not in page, viewer
    preview = as_(world, "pm").get(base + "?view=client").content.decode()
    assert "Margin review" not in preview and "Sandbox" not in preview
