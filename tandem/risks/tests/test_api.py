"""The registers' API, called as every kind of viewer, and what each side reads back."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.core.choices import Visibility
from tandem.projects.choices import DecisionKind
from tandem.risks import services
from tandem.risks.models import Risk
from tandem.testing.api import (
    ANY_USER,
    MEMBERS_READ,
    TEAM_READS,
    Caller,
    Case,
    matrix_test,
    only_pm,
    world_fixture,
)
from tandem.testing.personas import World

from .conftest import make_plan


def editors(ok: str) -> str:
    """The team's PM, leads and members keep the registers; viewers and the client only read."""
    return f"401 404 404 403 403 403 {ok} {ok}"


def raisers(ok: str) -> str:
    """The client's PM and sponsor may also raise risks and issues."""
    return f"401 404 404 403 {ok} {ok} {ok} {ok}"


def internal_editors(ok: str) -> str:
    """An internal record: the client may not know it exists."""
    return f"401 404 404 404 404 404 {ok} {ok}"


P = "/projects/ERP"
V1 = {"version": 1}
CASES = [
    Case("heatmap.portfolio", "GET", "/risks/heatmap?inherent=true", ANY_USER),
    Case("decisions.waiting", "GET", "/decisions/waiting", ANY_USER),
    Case("risks.list", "GET", f"{P}/risks?status=open&search=Key", MEMBERS_READ),
    Case("risks.create", "POST", f"{P}/risks", raisers("201"), {"title": "Scope creep", "probability": 2}),
    Case("risks.heatmap", "GET", f"{P}/risks/heatmap", MEMBERS_READ),
    Case("risks.overview", "GET", f"{P}/risk-overview", MEMBERS_READ),
    Case("risks.settings", "GET", f"{P}/risk-settings", MEMBERS_READ),
    Case(
        "risks.settings-update",
        "PUT",
        f"{P}/risk-settings",
        only_pm("200"),
        {"low_max": 3, "medium_max": 8, "high_max": 14, "version": 0},
    ),
    Case("risks.detail-shared", "GET", f"{P}/risks/{{risk_shared}}", MEMBERS_READ),
    Case("risks.detail-internal", "GET", f"{P}/risks/{{risk_internal}}", TEAM_READS),
    Case(
        "risks.update-shared",
        "PATCH",
        f"{P}/risks/{{risk_shared}}",
        editors("200"),
        {"version": 1, "impact": 2},
    ),
    Case(
        "risks.update-internal",
        "PATCH",
        f"{P}/risks/{{risk_internal}}",
        internal_editors("200"),
        {"version": 1, "probability": 1},
    ),
    Case("risks.delete", "DELETE", f"{P}/risks/{{risk_shared}}?version=1", editors("204")),
    # Joint preset: the PM and the client PM hold "close risk".
    Case("risks.close", "POST", f"{P}/risks/{{risk_shared}}/close", "401 404 404 403 200 403 403 200", V1),
    Case("risks.occurred", "POST", f"{P}/risks/{{risk_shared}}/occurred", editors("201"), V1),
    Case("risks.history", "GET", f"{P}/risks/{{risk_shared}}/history", MEMBERS_READ),
    Case("risks.history-internal", "GET", f"{P}/risks/{{risk_internal}}/history", TEAM_READS),
    Case("actions.list", "GET", f"{P}/risks/{{risk_shared}}/actions", MEMBERS_READ),
    Case(
        "actions.create",
        "POST",
        f"{P}/risks/{{risk_shared}}/actions",
        editors("201"),
        {"description": "Backfill plan", "due_date": "2026-02-01"},
    ),
    Case(
        "actions.update",
        "PATCH",
        f"{P}/risk-actions/{{action}}",
        editors("200"),
        {"version": 1, "done": True},
    ),
    Case(
        "actions.update-internal",
        "PATCH",
        f"{P}/risk-actions/{{action_internal}}",
        internal_editors("200"),
        {"version": 1, "done": True},
    ),
    Case("actions.delete", "DELETE", f"{P}/risk-actions/{{action}}?version=1", editors("204")),
    # Editing the plan is the PM's (a member keeps the register but not the plan).
    Case("actions.to-task", "POST", f"{P}/risk-actions/{{action_free}}/task", only_pm("200"), V1),
    Case("issues.list", "GET", f"{P}/issues?severity=high", MEMBERS_READ),
    Case(
        "issues.create",
        "POST",
        f"{P}/issues",
        raisers("201"),
        {"title": "Test server down", "severity": "high"},
    ),
    Case("issues.detail-shared", "GET", f"{P}/issues/{{issue_shared}}", MEMBERS_READ),
    Case("issues.detail-internal", "GET", f"{P}/issues/{{issue_internal}}", TEAM_READS),
    Case(
        "issues.update",
        "PATCH",
        f"{P}/issues/{{issue_shared}}",
        editors("200"),
        {"version": 1, "status": "resolved"},
    ),
    Case("issues.delete", "DELETE", f"{P}/issues/{{issue_internal}}?version=1", internal_editors("204")),
    Case("conflicts.list", "GET", f"{P}/conflicts", MEMBERS_READ),
    Case(
        "conflicts.create",
        "POST",
        f"{P}/conflicts",
        editors("201"),
        {"subject": "Test scope", "root_cause": "expectations"},
    ),
    Case("conflicts.detail-shared", "GET", f"{P}/conflicts/{{conflict_shared}}", MEMBERS_READ),
    Case("conflicts.detail-internal", "GET", f"{P}/conflicts/{{conflict_internal}}", TEAM_READS),
    Case(
        "conflicts.update-internal",
        "PATCH",
        f"{P}/conflicts/{{conflict_internal}}",
        internal_editors("200"),
        {"version": 1, "status": "resolved", "resolution_method": "mediation"},
    ),
    Case(
        "conflicts.delete",
        "DELETE",
        f"{P}/conflicts/{{conflict_internal}}?version=1",
        internal_editors("204"),
    ),
    Case("decisions.list", "GET", f"{P}/decisions?status=overdue", MEMBERS_READ),
    Case(
        "decisions.create",
        "POST",
        f"{P}/decisions",
        editors("201"),
        {"question": "Single sign-on?", "options": ["Yes", "No"], "decision_kind": "approve_change"},
    ),
    Case("decisions.detail", "GET", f"{P}/decisions/{{decision}}", MEMBERS_READ),
    Case("decisions.detail-internal", "GET", f"{P}/decisions/{{decision_internal}}", TEAM_READS),
    Case(
        "decisions.update",
        "PATCH",
        f"{P}/decisions/{{decision}}",
        editors("200"),
        {"version": 1, "due_date": "2026-03-01"},
    ),
    Case("decisions.delete", "DELETE", f"{P}/decisions/{{decision}}?version=1", editors("204")),
    # Named decider: the client PM alone.
    Case(
        "decisions.decide",
        "POST",
        f"{P}/decisions/{{decision}}/decide",
        "401 404 404 403 200 403 403 403",
        {"version": 1, "outcome": "Option B"},
    ),
    Case("decisions.withdraw", "POST", f"{P}/decisions/{{decision}}/withdraw", editors("200"), V1),
    Case("decisions.impact", "GET", f"{P}/decisions/{{decision}}/impact", MEMBERS_READ),
    Case("registers.csv", "GET", f"{P}/registers/risks.csv", MEMBERS_READ),
    Case("registers.xlsx", "GET", f"{P}/registers/conflicts.xlsx", MEMBERS_READ),
    Case("registers.unknown", "GET", f"{P}/registers/nope.csv", "401 404 404 404 404 404 404 404"),
    # Without a file: the editors get as far as the missing file.
    Case("registers.import", "POST", f"{P}/registers/risks/import", editors("422")),
]


def seed(world: World) -> dict[str, Any]:
    """A plan and a record of every register, shared and internal."""
    plan = make_plan(world)
    pm, project = world.pm, world.project
    risk = services.do_add_risk(project, actor=pm, title="Key user leaves", probability=4, impact=4)
    secret = services.do_add_risk(
        project,
        actor=pm,
        title="Subcontractor margin",
        probability=5,
        impact=5,
        visibility="internal",
    )
    action = services.do_add_risk_action(risk, actor=pm, description="Name a deputy", task_id=plan.secret.pk)
    action_free = services.do_add_risk_action(risk, actor=pm, description="Brief the deputy")
    action_internal = services.do_add_risk_action(secret, actor=pm, description="Renegotiate rates")
    issue = services.do_add_issue(
        project,
        actor=pm,
        title="Test data missing",
        severity="high",
        task_ids=[plan.build.pk, plan.secret.pk],
    )
    issue_internal = services.do_add_issue(project, actor=pm, title="Margin slip", visibility="internal")
    conflict = services.do_add_conflict(project, actor=pm, subject="Lead vs architect")
    conflict_shared = services.do_add_conflict(
        project, actor=pm, subject="Acceptance criteria", visibility=Visibility.SHARED
    )
    decision = services.do_add_decision(
        project,
        actor=pm,
        question="Which payment gateway?",
        options=["A", "B"],
        recommendation="B",
        decider_id=world.client_pm.pk,
        due_date=dt.date(2026, 1, 2),
        blocked_task_ids=[plan.build.pk, plan.secret.pk],
    )
    decision_internal = services.do_add_decision(
        project,
        actor=pm,
        question="Discount?",
        decision_kind=DecisionKind.APPROVE_CHANGE,
        visibility="internal",
    )
    return {
        "risk_shared": risk.pk,
        "risk_internal": secret.pk,
        "action": action.pk,
        "action_internal": action_internal.pk,
        "action_free": action_free.pk,
        "issue_shared": issue.pk,
        "issue_internal": issue_internal.pk,
        "conflict_internal": conflict.pk,
        "conflict_shared": conflict_shared.pk,
        "decision": decision.pk,
        "decision_internal": decision_internal.pk,
        "build": plan.build.pk,
        "secret": plan.secret.pk,
    }


api_world = world_fixture(seed)


test_it_answers_each_viewer_as_the_matrix_says = matrix_test(CASES)


SECRETS = (
    "Subcontractor margin",
    "Renegotiate rates",
    "Margin slip",
    "Lead vs architect",
    "Discount?",
    "Margin review",
)


def test_a_client_never_reads_internal_records(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    client = Caller(world, "client_pm")
    paths = [
        "/projects/ERP/risks",
        "/projects/ERP/issues",
        "/projects/ERP/conflicts",
        "/projects/ERP/decisions",
        "/decisions/waiting",
        "/projects/ERP/risk-overview",
        f"/projects/ERP/issues/{ids['issue_shared']}",
        f"/projects/ERP/decisions/{ids['decision']}",
        f"/projects/ERP/decisions/{ids['decision']}/impact",
        f"/projects/ERP/risks/{ids['risk_shared']}/actions",
    ] + [f"/projects/ERP/registers/{r}.csv" for r in ("risks", "issues", "conflicts", "decisions")]
    for path in paths:
        text = client.get(path).text
        assert not any(s in text for s in SECRETS), path
    assert client.get("/projects/ERP/risks").json["count"] == 1
    assert client.get("/projects/ERP/conflicts").json["count"] == 1
    assert client.get(f"/projects/ERP/risks/{ids['risk_shared']}/actions").json[0]["task_id"] is None
    issue = client.get(f"/projects/ERP/issues/{ids['issue_shared']}").json
    assert [t["name"] for t in issue["tasks"]] == ["Build"]
    for path in ("/risks/heatmap", "/projects/ERP/risks/heatmap"):
        heat = client.get(path).json
        assert heat["total"] == 1 and heat["grid"][4][4] == 0 and heat["grid"][3][3] == 1
    team = Caller(world, "member")
    assert team.get("/risks/heatmap").json["grid"][4][4] == 1
    assert "Subcontractor margin" in team.get("/projects/ERP/registers/risks.csv").text
    assert team.get(f"/projects/ERP/risks/{ids['risk_shared']}/actions").json[0]["task_id"] == ids["secret"]
    book = openpyxl.load_workbook(io.BytesIO(client.get("/projects/ERP/registers/conflicts.xlsx").content))
    assert book.active is not None
    assert [r[0] for r in book.active.iter_rows(values_only=True)] == ["subject", "Acceptance criteria"]


def test_the_client_sees_what_waits_for_them_and_decides(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    client = Caller(world, "client_pm")
    waiting = client.get("/decisions/waiting").json
    assert [(d["question"], d["status"], d["project_code"]) for d in waiting["items"]] == [
        ("Which payment gateway?", "overdue", "ERP")
    ]
    impact = client.get(f"/projects/ERP/decisions/{ids['decision']}/impact").json
    assert [s["task"]["name"] for s in impact["blocked"]] == ["Build"]
    decided = client.call(
        "POST", f"/projects/ERP/decisions/{ids['decision']}/decide", {"version": 1, "outcome": "B"}
    )
    assert decided.status == 200 and decided.json["status"] == "decided"
    assert client.get("/decisions/waiting").json["count"] == 0
    again = client.call(
        "POST", f"/projects/ERP/decisions/{ids['decision']}/decide", {"version": 2, "outcome": "A"}
    )
    assert again.status == 422 and again.json["detail"][0]["field"] == "status"


def test_bad_input_names_the_field(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    pm = Caller(world, "pm")
    bad = pm.call("POST", "/projects/ERP/risks", {"title": "x", "probability": 7, "category": "weather"})
    assert bad.status == 422 and {d["field"] for d in bad.json["detail"]} == {"probability", "category"}
    owner = pm.call("POST", "/projects/ERP/risks", {"title": "x", "owner_id": world.outsider.pk})
    assert owner.status == 422 and owner.json["detail"][0]["field"] == "owner_id"
    stale = pm.call("PATCH", f"/projects/ERP/risks/{ids['risk_shared']}", {"version": 9, "impact": 1})
    assert stale.status == 409 and stale.json["current_version"] == 1
    decider = pm.call("POST", "/projects/ERP/decisions", {"question": "?", "decider_id": world.member.pk})
    assert decider.status == 422 and decider.json["detail"][0]["field"] == "decider_id"
    tasks = pm.call("POST", "/projects/ERP/issues", {"title": "x", "task_ids": [999999]})
    assert tasks.status == 422 and tasks.json["detail"][0]["field"] == "task_ids"
    thresholds = pm.call(
        "PUT", "/projects/ERP/risk-settings", {"low_max": 9, "medium_max": 5, "high_max": 12, "version": 0}
    )
    assert thresholds.status == 422 and thresholds.json["detail"][0]["field"] == "medium_max"


def test_import_adds_all_rows_or_none(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, _ids = api_world
    pm = Caller(world, "pm")
    before = Risk.objects.count()
    good = (
        "title,probability,impact,owner,category\n"
        "Vendor late,4,3,bob@acme.test,resource\n"
        "Rate change,2,2,,cost\n"
    )
    response = pm.upload("/projects/ERP/registers/risks/import", "risks.csv", good.encode())
    assert response.status == 201 and response.json == {"added": 2}
    assert Risk.objects.get(title="Vendor late").owner == world.member
    bad = "标题,概率,影响\nOK row,3,3\nBad row,9,3\nWorse row,x,3\n"
    response = pm.upload("/projects/ERP/registers/risks/import", "risks.csv", bad.encode())
    assert response.status == 422
    fields = {d["field"] for d in response.json["detail"]}
    assert {"row 3: probability", "row 4: probability"} <= fields
    assert not any(f.startswith("row 2") for f in fields)
    assert Risk.objects.count() == before + 2
    # The exported workbook imports back.
    exported = pm.get("/projects/ERP/registers/issues.xlsx").content
    response = pm.upload("/projects/ERP/registers/issues/import", "issues.xlsx", exported)
    assert response.status == 201 and response.json["added"] == 2
    refused = pm.upload("/projects/ERP/registers/risks/import", "risks.txt", b"x")
    assert refused.status == 422 and refused.json["detail"][0]["field"] == "file"


def test_headers_follow_the_projects_language(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, _ids = api_world
    world.project.language = "zh-hans"
    world.project.save(update_fields=["language"])
    text = Caller(world, "pm").get("/projects/ERP/registers/risks.csv").text
    assert text.splitlines()[0].startswith("标题,")


def test_lists_take_a_constant_number_of_queries(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, _ids = api_world
    pm = Caller(world, "pm")
    paths = (
        "/projects/ERP/risks",
        "/projects/ERP/issues",
        "/projects/ERP/conflicts",
        "/projects/ERP/decisions",
    )

    def counts() -> list[int]:
        out = []
        for path in paths:
            with CaptureQueriesContext(connection) as ctx:
                assert pm.get(path).status == 200
            out.append(len(ctx.captured_queries))
        return out

    first = counts()
    for n in range(5):
        services.do_add_risk(world.project, actor=world.pm, title=f"R{n}", owner_id=world.member.pk)
        services.do_add_issue(world.project, actor=world.pm, title=f"I{n}", task_ids=[_ids["build"]])
        services.do_add_conflict(world.project, actor=world.pm, subject=f"C{n}", person_ids=[world.member.pk])
        services.do_add_decision(
            world.project,
            actor=world.pm,
            question=f"D{n}",
            decider_id=world.sponsor.pk,
            blocked_task_ids=[_ids["build"]],
        )
    assert counts() == first


def test_risk_tasks_are_linked_and_scoped(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    pm, client = Caller(world, "pm"), Caller(world, "client_pm")
    made = pm.call(
        "POST", "/projects/ERP/risks", {"title": "Late kit", "task_ids": [ids["build"], ids["secret"]]}
    )
    assert made.status == 201, made.text
    assert {t["id"] for t in made.json["tasks"]} == {ids["build"], ids["secret"]}
    seen = client.get(f"/projects/ERP/risks/{made.json['id']}").json
    assert [t["id"] for t in seen["tasks"]] == [ids["build"]]
    listed = {r["id"]: r for r in client.get("/projects/ERP/risks").json["items"]}
    assert [t["id"] for t in listed[made.json["id"]]["tasks"]] == [ids["build"]]
    assert ids["risk_internal"] not in listed
    hidden = client.call("POST", "/projects/ERP/risks", {"title": "x", "task_ids": [ids["secret"]]})
    assert hidden.status == 422 and hidden.json["detail"][0]["field"] == "task_ids"
    unknown = pm.call("PATCH", f"/projects/ERP/risks/{made.json['id']}", {"version": 1, "task_ids": [999999]})
    assert unknown.status == 422 and unknown.json["detail"][0]["field"] == "task_ids"
    cleared = pm.call("PATCH", f"/projects/ERP/risks/{made.json['id']}", {"version": 1, "task_ids": []})
    assert cleared.status == 200 and cleared.json["tasks"] == []
