"""The requirements API, called as every kind of viewer, and what each side reads back."""

from __future__ import annotations

import json
from typing import Any

from tandem.core.choices import Visibility
from tandem.planning import services as planning
from tandem.requirements import services
from tandem.testing.api import MEMBERS_READ, TEAM_READS, Caller, Case, matrix_test, world_fixture
from tandem.testing.files import xlsx_bomb
from tandem.testing.personas import World

SUBMITTERS = "401 404 404 403 201 201 201 201"


def team_edits(ok: str) -> str:
    """Requirement editors (team members and the PM; the client PM only when the client acts as PM)."""
    return f"401 404 404 403 403 403 {ok} {ok}"


def team_edits_internal(ok: str) -> str:
    """An internal requirement: the client may not know it exists."""
    return f"401 404 404 404 404 404 {ok} {ok}"


P = "/projects/ERP"
R = f"{P}/requirements"
SURVEY = b"title,priority\nLoyalty points,must\n,should\n"
SURVEY_FILE = ("survey.csv", SURVEY, "text/csv")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CASES = [
    Case("requirements.list", "GET", f"{R}?search=sign&ordering=priority", MEMBERS_READ),
    Case("requirements.create", "POST", R, SUBMITTERS, {"title": "Export to Excel", "priority": "could"}),
    Case("requirements.detail-shared", "GET", f"{R}/REQ-001", MEMBERS_READ),
    Case("requirements.detail-internal", "GET", f"{R}/{{margin}}", TEAM_READS),
    Case("requirements.revise", "PATCH", f"{R}/{{login}}", team_edits("200"), {"version": 1, "title": "SSO"}),
    Case(
        "requirements.revise-internal",
        "PATCH",
        f"{R}/{{margin}}",
        team_edits_internal("200"),
        {"version": 1, "description": "Gross margin by store"},
    ),
    Case(
        "requirements.status",
        "POST",
        f"{R}/{{login}}/status",
        team_edits("200"),
        {"status": "in_review", "version": 1},
    ),
    # Joint preset: the client PM (and the reviewer) confirm requirements.
    Case(
        "requirements.confirm",
        "POST",
        f"{R}/{{login}}/confirm",
        "401 404 404 403 201 403 403 403",
        {"version_number": 1},
    ),
    Case("requirements.confirmations", "GET", f"{R}/{{login}}/confirmations", MEMBERS_READ),
    Case("requirements.versions", "GET", f"{R}/{{login}}/versions", MEMBERS_READ),
    Case("requirements.diff", "GET", f"{R}/{{login}}/diff?old=1&new=1", MEMBERS_READ),
    Case("requirements.tasks", "GET", f"{R}/{{login}}/tasks", MEMBERS_READ),
    Case("requirements.link", "POST", f"{R}/{{report}}/tasks", team_edits("201"), {"task_id": "{build}"}),
    Case("requirements.unlink", "DELETE", f"{R}/{{login}}/tasks/{{build}}", team_edits("204")),
    # Joint preset: the PM and the client PM prioritise the backlog.
    Case(
        "requirements.reorder",
        "POST",
        f"{R}/reorder",
        "401 404 404 403 200 403 403 200",
        {"order": ["{report}", "{login}"]},
    ),
    Case(
        "requirements.from-notes",
        "POST",
        f"{R}/from-notes",
        team_edits("201"),
        {"text": "- Stock per store\n- Transfers"},
    ),
    Case("requirements.import-preview", "POST", f"{R}/import/preview", team_edits("200"), upload=SURVEY_FILE),
    Case(
        "requirements.import",
        "POST",
        f"{R}/import",
        team_edits("201"),
        {"rows": [{"title": "Loyalty points"}]},
    ),
    Case("traceability", "GET", f"{P}/traceability", MEMBERS_READ),
    Case("requirements.pdf", "GET", f"{P}/requirements.pdf", MEMBERS_READ),
    Case("requirements.xlsx", "GET", f"{P}/requirements.xlsx", MEMBERS_READ),
]


def seed(world: World) -> dict[str, Any]:
    """Three requirements (one internal) and two tasks (one internal), both linked to single sign-on."""
    pm, project = world.pm, world.project
    login = services.do_create_requirement(
        project,
        actor=pm,
        title="Single sign-on",
        description="Sign in with AD",
        acceptance_criteria=["AD"],
    )
    report = services.do_create_requirement(project, actor=pm, title="Daily sales report")
    margin = services.do_create_requirement(
        project, actor=pm, title="Margin dashboard", visibility=Visibility.INTERNAL
    )
    build = planning.do_add_task(project, actor=pm, name="Build SSO", duration_minutes=960)
    secret = planning.do_add_task(
        project, actor=pm, name="Margin review", duration_minutes=480, visibility=Visibility.INTERNAL
    )
    services.do_link_task(login, actor=pm, task_id=build.pk)
    services.do_link_task(login, actor=pm, task_id=secret.pk)
    return {
        "login": login.pk,
        "report": report.pk,
        "margin": margin.pk,
        "build": build.pk,
        "secret": secret.pk,
    }


api_world = world_fixture(seed)


test_it_answers_each_viewer_as_the_matrix_says = matrix_test(CASES)


def test_a_client_reads_shared_requirements_and_links_only(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, _ids = api_world
    client = Caller(world, "client_viewer")
    listed = client.call("GET", R).json
    assert listed["count"] == 2 and [r["code"] for r in listed["items"]] == ["REQ-001", "REQ-002"]
    assert listed["items"][0]["task_count"] == 1
    assert [t["name"] for t in client.call("GET", f"{R}/REQ-001/tasks").json] == ["Build SSO"]
    matrix = client.call("GET", f"{P}/traceability").json
    assert "Margin review" not in json.dumps(matrix) and "Margin dashboard" not in json.dumps(matrix)
    assert "Margin dashboard" not in client.call("GET", f"{P}/requirements.xlsx").text
    team = Caller(world, "member")
    assert team.call("GET", R).json["count"] == 3
    assert team.call("GET", f"{R}/REQ-001").json["task_count"] == 2


def test_the_confirmed_lock_stale_versions_and_bad_input(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, _ids = api_world
    pm, client_pm = Caller(world, "pm"), Caller(world, "client_pm")
    assert (
        client_pm.call("POST", f"{R}/REQ-001/confirm", {"version_number": 1, "comment": "OK"}).status == 201
    )
    detail = pm.call("GET", f"{R}/REQ-001").json
    assert detail["status"] == "confirmed"
    locked = pm.call("PATCH", f"{R}/REQ-001", {"version": detail["version"], "priority": "could"})
    assert locked.status == 422 and locked.json["detail"][0]["field"] == "priority"
    assert "change request" in locked.json["detail"][0]["message"]
    stale = pm.call("PATCH", f"{R}/REQ-001", {"version": 1, "title": "SSO"})
    assert stale.status == 409 and stale.json["current_version"] == detail["version"]
    again = client_pm.call("POST", f"{R}/REQ-001/confirm", {"version_number": 1})
    assert again.status == 422
    for path, body in (
        (R, {"title": ""}),
        (R, {"title": "x", "priority": "urgent"}),
        (R, {"title": "x", "acceptance_criteria": "not a list"}),
        (R, {"title": "x", "owner_id": 0}),
        (f"{R}/reorder", {"order": []}),
        (f"{R}/REQ-002/tasks", {"task_id": 999999}),
        (f"{R}/REQ-002/status", {"status": "accepted", "version": 1}),
        (f"{R}/import", {"rows": [{"title": "ok", "priority": "soon"}]}),
    ):
        response = pm.call("POST", path, body)
        assert response.status == 422, (path, body, response.text)
    assert pm.call("GET", f"{R}/REQ-001/diff?old=1&new=7").status == 404
    assert pm.call("GET", f"{R}/nonsense").status == 404
    bad_file = pm.upload(f"{R}/import/preview", "survey.csv", b"\x00\x01", "text/csv")
    assert bad_file.status == 422


def test_a_survey_preview_saves_nothing_and_the_import_creates_drafts(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, _ids = api_world
    pm = Caller(world, "pm")
    preview = pm.upload(f"{R}/import/preview", *SURVEY_FILE).json
    assert [(c["line"], c["ok"]) for c in preview] == [(2, True), (3, False)]
    assert "title" in preview[1]["errors"]
    assert pm.call("GET", R).json["count"] == 3
    rows = [c["data"] for c in preview if c["ok"]]
    made = pm.call("POST", f"{R}/import", {"rows": rows}).json
    assert [(r["title"], r["source"], r["status"], r["priority"]) for r in made] == [
        ("Loyalty points", "survey", "draft", "must")
    ]


def test_the_pdf_is_a_pdf(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, _ids = api_world
    response = Caller(world, "sponsor").client.get("/api/v1/projects/ERP/requirements.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_a_zip_bomb_preview_is_refused_on_the_file_field(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, _ids = api_world
    response = Caller(world, "pm").upload(f"{R}/import/preview", "survey.xlsx", xlsx_bomb(), XLSX)
    assert response.status == 422 and len(response.text) < 10_000
    assert [d["field"] for d in response.json["detail"]] == ["file"]
