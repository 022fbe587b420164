"""Change control through the API: the permission matrix, the whole flow, client visibility, query counts."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.changes import services
from tandem.changes.models import ChangeRequest
from tandem.planning import services as planning
from tandem.planning.models import Baseline, Task
from tandem.testing.api import (
    MEMBERS_READ,
    TEAM_READS,
    Caller,
    Case,
    Response,
    matrix_test,
    only_pm,
    world_fixture,
)
from tandem.testing.personas import World, build_world

from .conftest import DAY, build_plan, reports_change

P = "/projects/ERP"
D = f"{P}/changes/{{draft}}"
CASES = [
    Case("changes.list", "GET", f"{P}/changes", MEMBERS_READ),
    Case("changes.list-filtered", "GET", f"{P}/changes?status=draft&search=CR-001", MEMBERS_READ),
    Case("changes.detail-shared", "GET", D, MEMBERS_READ),
    Case("changes.detail-internal", "GET", f"{P}/changes/{{internal}}", TEAM_READS),
    Case(
        "changes.propose",
        "POST",
        f"{P}/changes",
        "401 404 404 403 201 201 201 201",
        {"title": "Loyalty card", "description": "Why: retention", "urgency": "high"},
    ),
    # The proposer (the client PM) or a plan editor.
    Case(
        "changes.update",
        "PATCH",
        D,
        "401 404 404 403 200 403 403 200",
        {"version": "{draft_version}", "title": "X"},
    ),
    Case(
        "changes.update-internal",
        "PATCH",
        f"{P}/changes/{{internal}}",
        "401 404 404 404 404 404 403 200",
        {"version": 1, "title": "Y"},
    ),
    Case(
        "changes.withdraw",
        "POST",
        f"{D}/withdraw",
        "401 404 404 403 200 403 403 200",
        {"version": "{draft_version}"},
    ),
    Case("edits.list", "GET", f"{D}/edits", MEMBERS_READ),
    Case(
        "edits.create",
        "POST",
        f"{D}/edits",
        only_pm("201"),
        {"kind": "change_task", "payload": {"task_id": "{build}", "duration_minutes": 2400}},
    ),
    Case("edits.update", "PATCH", f"{D}/edits/{{edit}}", only_pm("200"), {"cost": "500.00"}),
    Case("edits.delete", "DELETE", f"{D}/edits/{{edit}}", only_pm("204")),
    Case("impact.compute", "POST", f"{D}/impact", only_pm("201")),
    Case("impact.read", "GET", f"{D}/impact", MEMBERS_READ),
    Case("changes.submit", "POST", f"{D}/submit", only_pm("200"), {"version": "{draft_version}"}),
    # Joint preset: the sponsor and the client PM approve changes.
    Case(
        "changes.decide",
        "POST",
        f"{P}/changes/{{awaiting}}/decisions",
        "401 404 404 403 200 200 403 403",
        {"version": "{awaiting_version}", "outcome": "approve"},
    ),
    Case(
        "changes.decide-more-info",
        "POST",
        f"{P}/changes/{{awaiting}}/decisions",
        "401 404 404 403 200 200 403 403",
        {"version": "{awaiting_version}", "outcome": "more_info", "comment": "Which stores?"},
    ),
    Case("change-log", "GET", f"{P}/change-log", MEMBERS_READ),
    Case("change-scope", "GET", f"{P}/change-scope", MEMBERS_READ),
    Case("change-settings.read", "GET", f"{P}/change-settings", MEMBERS_READ),
    Case("change-settings.update", "PUT", f"{P}/change-settings", only_pm("200"), {"approval_rule": "all"}),
]


def seed(world: World) -> dict[str, Any]:
    """A draft with an edit and an impact, an awaiting request, and an internal one."""
    plan = build_plan(world)
    pm = world.pm
    draft = reports_change(plan)
    services.do_compute_impact(draft, actor=pm)
    awaiting = reports_change(plan, proposer="sponsor")
    services.do_compute_impact(awaiting, actor=pm)
    awaiting = ChangeRequest.objects.get(pk=awaiting.pk)
    awaiting = services.do_submit_change(awaiting, actor=pm, version=awaiting.version)
    internal = services.do_propose_change(world.project, actor=pm, title="Margin", visibility="internal")
    draft = ChangeRequest.objects.get(pk=draft.pk)
    return {
        "draft": draft.code,
        "draft_version": draft.version,
        "edit": draft.edits.first().pk,  # type: ignore[union-attr]
        "awaiting": awaiting.code,
        "awaiting_version": awaiting.version,
        "internal": internal.code,
        "build": plan.build.pk,
        "secret": plan.secret.pk,
        "golive": plan.golive.pk,
        "design": plan.design.pk,
    }


api_world = world_fixture(seed)


test_it_answers_each_viewer_as_the_matrix_says = matrix_test(CASES)


def _flow(world: World, ids: dict[str, Any]) -> str:
    """Propose as the client PM, express and compute as the PM, submit: the request's code."""
    client_pm, pm = Caller(world, "client_pm"), Caller(world, "pm")
    proposed = client_pm.call(
        "POST",
        f"{P}/changes",
        {"title": "Store reports", "description": "Daily sales per store", "urgency": "high"},
    )
    assert proposed.status == 201 and proposed.json["status"] == "draft"
    code = proposed.json["code"]
    added = pm.call(
        "POST",
        f"{P}/changes/{code}/edits",
        {"kind": "add_task", "payload": {"name": "Reports", "duration_minutes": 2 * DAY}},
    )
    assert added.status == 201
    ref = f"new-{added.json['id']}"
    for body in (
        {"predecessor": ids["build"], "successor": ref},
        {"predecessor": ref, "successor": ids["golive"]},
    ):
        assert (
            pm.call("POST", f"{P}/changes/{code}/edits", {"kind": "add_link", "payload": body}).status == 201
        )
    found = pm.call("POST", f"{P}/changes/{code}/impact")
    assert found.status == 201 and found.json["data"]["finish_change_minutes"] == 2 * DAY
    version = pm.get(f"{P}/changes/{code}").json["version"]
    submitted = pm.call("POST", f"{P}/changes/{code}/submit", {"version": version})
    assert submitted.status == 200 and submitted.json["status"] == "awaiting"
    return code


def test_the_whole_flow_ends_with_the_change_applied_and_a_new_baseline(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    code = _flow(world, ids)
    sponsor = Caller(world, "sponsor")
    read = sponsor.get(f"{P}/changes/{code}").json
    frozen = read["frozen_impact"]
    assert [m["name"] for m in frozen["milestones"] if m["slipped"]] == ["Go-live"]
    assert [j["name"] for j in frozen["critical_joins"]] == ["Reports"]
    assert {p["full_name"] for p in read["pending_approvers"]} == {"Sam Sponsor", "Cindy Client PM"}
    decided = sponsor.call(
        "POST",
        f"{P}/changes/{code}/decisions",
        {"version": read["version"], "outcome": "approve", "comment": "Go"},
    )
    assert decided.status == 200, decided.text
    assert decided.json["status"] == "applied" and decided.json["baseline_id"]
    assert [h["to_status"] for h in decided.json["history"]][-2:] == ["approved", "applied"]
    baselines = sponsor.get(f"{P}/baselines").json
    newest = baselines["items"][0] if isinstance(baselines, dict) else baselines[0]
    assert newest["name"].startswith(code) and newest["approved_at"]
    milestones = sponsor.get(f"{P}/milestones").json
    assert code in json.dumps(milestones)
    assert Task.objects.filter(project=world.project, name="Reports").exists()
    log = sponsor.get(f"{P}/change-log").json
    assert log["scope"]["changes"] == 1 and log["scope"]["effort_minutes"] == 2 * DAY
    entry = next(c for c in log["changes"] if c["code"] == code)
    assert entry["decisions"][0]["outcome"] == "approve" and entry["frozen_impact"]["new_finish"]


def test_a_plan_changed_after_submission_asks_to_confirm_again(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    code = _flow(world, ids)
    build = Task.objects.get(pk=ids["build"])
    planning.do_update_task(build, version=build.version, actor=world.pm, duration_minutes=6 * DAY)
    sponsor = Caller(world, "sponsor")
    read = sponsor.get(f"{P}/changes/{code}").json
    stale = sponsor.call(
        "POST", f"{P}/changes/{code}/decisions", {"version": read["version"], "outcome": "approve"}
    )
    assert stale.status == 409 and "confirm" in stale.json["detail"]
    again = sponsor.get(f"{P}/changes/{code}").json
    assert (
        again["status"] == "awaiting"
        and again["frozen_impact"]["new_finish"] > read["frozen_impact"]["new_finish"]
    )
    assert not Task.objects.filter(project=world.project, name="Reports").exists()
    assert [(d["outcome"], d["refusal"]) for d in again["decisions"]] == [("approve", "impact_changed")]
    baselines = Baseline.objects.filter(project=world.project).count()
    done = sponsor.call(
        "POST", f"{P}/changes/{code}/decisions", {"version": again["version"], "outcome": "approve"}
    )
    assert done.status == 200 and done.json["status"] == "applied"
    assert Baseline.objects.filter(project=world.project).count() == baselines + 1


def test_a_client_never_reads_internal_requests_tasks_or_rates(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    pm, sponsor = Caller(world, "pm"), Caller(world, "sponsor")
    assert pm.call("PUT", f"{P}/change-settings", {"day_rate": "3000"}).status == 200
    proposed = pm.call("POST", f"{P}/changes", {"title": "Deeper margin review"}).json
    code = proposed["code"]
    edit = {"kind": "change_task", "payload": {"task_id": ids["secret"], "duration_minutes": 10 * DAY}}
    assert pm.call("POST", f"{P}/changes/{code}/edits", edit).status == 201
    team = pm.call("POST", f"{P}/changes/{code}/impact").json["data"]
    assert "Margin review" in json.dumps(team)
    version = pm.get(f"{P}/changes/{code}").json["version"]
    assert pm.call("POST", f"{P}/changes/{code}/submit", {"version": version}).status == 200
    for path in (
        f"{P}/changes/{code}",
        f"{P}/changes/{code}/impact",
        f"{P}/changes/{code}/edits",
        f"{P}/change-log",
        f"{P}/changes",
    ):
        answer = sponsor.get(path)
        assert answer.status == 200 and "Margin review" not in answer.text, path
        assert ids["internal"] not in answer.text and "3000" not in answer.text, path
    assert sponsor.get(f"{P}/changes/{code}").json["frozen_impact"]["added_cost"] == "27000.00"
    assert sponsor.get(f"{P}/change-settings").json["day_rate"] is None
    assert pm.get(f"{P}/change-settings").json["day_rate"] == "3000.00"


def test_bad_input_names_the_field(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    pm = Caller(world, "pm")
    bad = pm.call("POST", f"{P}/changes", {"title": "", "urgency": "yesterday", "decision_due_date": "soon"})
    assert bad.status == 422
    assert {d["field"] for d in bad.json["detail"]} == {"title", "urgency", "decision_due_date"}
    edit = pm.call(
        "POST", f"{P}/changes/{ids['draft']}/edits", {"kind": "add_task", "payload": {"duration_minutes": 5}}
    )
    assert edit.status == 422 and edit.json["detail"][0]["field"] == "name"
    decide = Caller(world, "sponsor").call(
        "POST",
        f"{P}/changes/{ids['awaiting']}/decisions",
        {"version": ids["awaiting_version"], "outcome": "reject"},
    )
    assert decide.status == 422 and decide.json["detail"][0]["field"] == "comment"
    assert pm.get(f"{P}/changes/CR-999").status == 404


def test_the_list_and_the_log_take_a_fixed_number_of_queries(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, _ids = api_world
    sponsor = Caller(world, "sponsor")

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert sponsor.get(path).status == 200
        return len(queries)

    before = (count(f"{P}/changes"), count(f"{P}/change-log"))
    for n in range(4):
        services.do_propose_change(world.project, actor=world.sponsor, title=f"Idea {n}")
    assert (count(f"{P}/changes"), count(f"{P}/change-log")) == before


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)")
def test_two_approvers_at_once_give_exactly_one_outcome() -> None:
    world = build_world(with_records=False)
    ids = seed(world)
    barrier = threading.Barrier(2)
    answers: list[Response] = []

    def decide(viewer: str, outcome: str) -> None:
        try:
            caller = Caller(world, viewer)
            barrier.wait()
            body = {"version": ids["awaiting_version"], "outcome": outcome, "comment": "at once"}
            answers.append(caller.call("POST", f"{P}/changes/{ids['awaiting']}/decisions", body))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=("sponsor", "approve")),
        threading.Thread(target=decide, args=("client_pm", "reject")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status for a in answers) == [200, 409]
    winner = next(a for a in answers if a.status == 200)
    change = ChangeRequest.objects.get(project=world.project, code=ids["awaiting"])
    assert change.status == winner.json["status"] and change.status in ("applied", "rejected")
    assert change.decisions.count() == 1
    applied = Baseline.objects.filter(project=world.project, name__startswith=ids["awaiting"]).count()
    assert applied == (1 if change.status == "applied" else 0)
