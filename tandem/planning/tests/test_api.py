"""The plan's API, called as every kind of viewer, and what each side reads back."""

from __future__ import annotations

import io
from typing import Any

import icalendar
import openpyxl
from django.test import Client

from tandem.core.choices import Visibility
from tandem.planning import services
from tandem.planning.choices import TaskKind
from tandem.planning.models import Dependency, Task
from tandem.projects import services as project_services
from tandem.projects.choices import DecisionPreset
from tandem.testing.api import (
    MEMBERS_READ,
    TEAM_READS,
    Caller,
    Case,
    matrix_test,
    only_pm,
    world_fixture,
)
from tandem.testing.personas import World


def team_edits_internal(ok: str) -> str:
    """An internal record: the client may not know it exists; a member may not change it."""
    return f"401 404 404 404 404 404 403 {ok}"


P = "/projects/ERP"
CASES = [
    Case("tasks.list", "GET", f"{P}/tasks", MEMBERS_READ),
    Case("tasks.list-filtered", "GET", f"{P}/tasks?kind=task&critical=true&search=Bu", MEMBERS_READ),
    Case("tasks.detail-shared", "GET", f"{P}/tasks/{{build}}", MEMBERS_READ),
    Case("tasks.detail-internal", "GET", f"{P}/tasks/{{secret}}", TEAM_READS),
    Case("tasks.create", "POST", f"{P}/tasks", only_pm("201"), {"name": "Training", "duration_minutes": 960}),
    Case(
        "tasks.update-shared",
        "PATCH",
        f"{P}/tasks/{{build}}",
        only_pm("200"),
        {"version": 1, "name": "Build 2"},
    ),
    Case(
        "tasks.update-internal",
        "PATCH",
        f"{P}/tasks/{{secret}}",
        team_edits_internal("200"),
        {"version": 1, "percent_complete": 10},
    ),
    Case(
        "tasks.move",
        "POST",
        f"{P}/tasks/{{build}}/move",
        only_pm("200"),
        {"version": 1, "start": "2026-01-12T08:00:00"},
    ),
    Case("tasks.delete", "DELETE", f"{P}/tasks/{{golive}}?version=1", only_pm("204")),
    Case(
        "tasks.bulk",
        "POST",
        f"{P}/tasks/bulk",
        only_pm("200"),
        {"create": [{"ref": "a", "name": "Cutover", "duration_minutes": 480}], "links": []},
    ),
    Case("progress", "GET", f"{P}/progress", MEMBERS_READ),
    Case("dependencies.list", "GET", f"{P}/dependencies", MEMBERS_READ),
    Case(
        "dependencies.create",
        "POST",
        f"{P}/dependencies",
        only_pm("201"),
        {"predecessor_id": "{design}", "successor_id": "{golive}", "type": "SS", "lag_minutes": 60},
    ),
    Case(
        "dependencies.update-shared",
        "PATCH",
        f"{P}/dependencies/{{link_shared}}",
        only_pm("200"),
        {"lag_minutes": 480},
    ),
    Case(
        "dependencies.update-internal",
        "PATCH",
        f"{P}/dependencies/{{link_internal}}",
        team_edits_internal("200"),
        {"type": "SS"},
    ),
    Case("dependencies.delete", "DELETE", f"{P}/dependencies/{{link_shared}}", only_pm("204")),
    Case("calendar.detail", "GET", f"{P}/calendar", MEMBERS_READ),
    Case(
        "calendar.update",
        "PUT",
        f"{P}/calendar",
        only_pm("200"),
        {"exceptions": [{"name": "Founders' day", "start": "2026-01-06"}]},
    ),
    Case("calendars.list", "GET", f"{P}/calendars", MEMBERS_READ),
    Case(
        "calendars.create",
        "POST",
        f"{P}/calendars",
        only_pm("201"),
        {"name": "Cutover", "working_weekdays": [0, 1, 2, 3, 4, 5, 6]},
    ),
    Case("baselines.list", "GET", f"{P}/baselines", MEMBERS_READ),
    Case("baselines.create", "POST", f"{P}/baselines", only_pm("201"), {"name": "Re-plan", "reason": "CR-7"}),
    # Joint preset: the PM and the client PM approve baselines.
    Case(
        "baselines.approve", "POST", f"{P}/baselines/{{baseline}}/approve", "401 404 404 403 200 403 403 200"
    ),
    Case("baselines.compare", "GET", f"{P}/baselines/{{baseline}}/compare", MEMBERS_READ),
    Case("milestones", "GET", f"{P}/milestones", MEMBERS_READ),
    Case("export.mspdi", "GET", f"{P}/plan.xml", MEMBERS_READ),
    Case("export.csv", "GET", f"{P}/plan.csv", MEMBERS_READ),
    Case("export.xlsx", "GET", f"{P}/plan.xlsx", MEMBERS_READ),
    Case("feed.issue", "POST", f"{P}/calendar-feed", "401 404 404 201 201 201 201 201"),
    Case("feed.read", "GET", "/feeds/{feed_token}.ics", "200 200 200 200 200 200 200 200"),
    Case("feed.read-unknown", "GET", "/feeds/tcal_nope.ics", "404 404 404 404 404 404 404 404"),
]


def seed(world: World) -> dict[str, Any]:
    """A small plan: four tasks (one internal), three links (one internal), a baseline and a calendar feed."""
    pm, project = world.pm, world.project
    design = services.do_add_task(project, actor=pm, name="Design", duration_minutes=960)
    build = services.do_add_task(project, actor=pm, name="Build", duration_minutes=1440)
    secret = services.do_add_task(
        project, actor=pm, name="Margin review", duration_minutes=480, visibility=Visibility.INTERNAL
    )
    golive = services.do_add_task(project, actor=pm, name="Go-live", kind=TaskKind.MILESTONE)
    shared = services.do_add_dependency(project, predecessor_id=design.pk, successor_id=build.pk, actor=pm)
    internal = services.do_add_dependency(project, predecessor_id=design.pk, successor_id=secret.pk, actor=pm)
    services.do_add_dependency(project, predecessor_id=build.pk, successor_id=golive.pk, actor=pm)
    baseline = services.do_save_baseline(project, name="Kick-off", actor=pm)
    _feed, token = services.do_issue_calendar_feed(project, actor=world.client_viewer)
    return {
        "design": design.pk,
        "build": build.pk,
        "secret": secret.pk,
        "golive": golive.pk,
        "link_shared": shared.pk,
        "link_internal": internal.pk,
        "baseline": baseline.pk,
        "feed_token": token,
    }


api_world = world_fixture(seed)


test_it_answers_each_viewer_as_the_matrix_says = matrix_test(CASES)


def test_a_client_reads_shared_rows_links_and_counts_only(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    client = Caller(world, "client_viewer")
    tasks = client.get("/projects/ERP/tasks").json
    assert tasks["count"] == 3 and "Margin review" not in [t["name"] for t in tasks["items"]]
    assert [t["wbs"] for t in tasks["items"]] == ["1", "2", "3"]
    links = client.get("/projects/ERP/dependencies").json
    assert links["count"] == 2
    for path in (
        "/projects/ERP/plan.csv",
        "/projects/ERP/plan.xml",
        f"/feeds/{ids['feed_token']}.ics",
        f"/projects/ERP/baselines/{ids['baseline']}/compare",
    ):
        assert "Margin review" not in client.get(path).text, path
    team = Caller(world, "member")
    assert team.get("/projects/ERP/tasks").json["count"] == 4
    assert "Margin review" in team.get("/projects/ERP/plan.csv").text


def test_a_stale_version_answers_409_and_a_loop_422(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    pm = Caller(world, "pm")
    assert pm.call("PATCH", f"/projects/ERP/tasks/{ids['build']}", {"version": 1, "name": "B"}).status == 200
    stale = pm.call("PATCH", f"/projects/ERP/tasks/{ids['build']}", {"version": 1, "name": "C"})
    assert stale.status == 409 and stale.json["current_version"] == 2
    loop = pm.call(
        "POST", "/projects/ERP/dependencies", {"predecessor_id": ids["golive"], "successor_id": ids["design"]}
    )
    assert loop.status == 422
    assert (
        loop.json["detail"][0]["field"] == "predecessor_id" and "Go-live" in loop.json["detail"][0]["message"]
    )
    bad = pm.call("POST", "/projects/ERP/tasks", {"name": "x", "percent_complete": 140, "kind": "epic"})
    assert bad.status == 422
    assert {d["field"] for d in bad.json["detail"]} == {"percent_complete", "kind"}


def test_naive_times_are_the_projects_local_time(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    moved = Caller(world, "pm").call(
        "POST", f"/projects/ERP/tasks/{ids['build']}/move", {"version": 1, "start": "2026-01-12T08:00:00"}
    )
    assert moved.status == 200
    assert (
        moved.json["start"].startswith("2026-01-12T00:00:00")
        or moved.json["start"] == "2026-01-12T08:00:00+08:00"
    )
    assert Task.objects.get(pk=ids["build"]).constraint_type == "SNET"


def test_the_client_pm_edits_the_plan_when_the_client_acts_as_pm(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    project_services.do_apply_decision_preset(
        world.project, preset=DecisionPreset.CLIENT_AS_PM, actor=world.pm
    )
    client_pm = Caller(world, "client_pm")
    created = client_pm.call("POST", "/projects/ERP/tasks", {"name": "UAT", "duration_minutes": 480})
    assert created.status == 201 and created.json["visibility"] == "shared"
    assert (
        client_pm.call("PATCH", f"/projects/ERP/tasks/{ids['secret']}", {"version": 1, "name": "x"}).status
        == 404
    )
    assert client_pm.call("POST", f"/projects/ERP/baselines/{ids['baseline']}/approve").status == 200
    # Under "client acts as PM" the right is the client PM's alone.
    approve_again = Caller(world, "pm").call("POST", f"/projects/ERP/baselines/{ids['baseline']}/approve")
    assert approve_again.status == 403
    assert Dependency.objects.filter(project=world.project).count() == 3


def test_the_feed_is_rfc5545_text(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    text = Caller(world, "anonymous").get(f"/feeds/{ids['feed_token']}.ics").text
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert any(line.startswith("SUMMARY:Milestone: Go-live") for line in lines)
    assert all(len(line.encode()) <= 75 for line in lines)


def _workbook_names(world: World, viewer: str) -> list[str]:
    client = Client()
    client.force_login(world.people[viewer])
    response = client.get("/api/v1/projects/ERP/plan.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("wbs", "name", "kind")
    return [str(row[1]) for row in rows[1:]]


def test_the_excel_export_holds_the_rows_each_side_may_see(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, _ids = api_world
    team_names = _workbook_names(world, "member")
    client_names = _workbook_names(world, "client_viewer")
    assert "Margin review" in team_names and len(team_names) == 4
    assert "Margin review" not in client_names and len(client_names) == 3


def test_the_feed_parses_as_icalendar_with_each_milestone(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    text = Caller(world, "anonymous").get(f"/feeds/{ids['feed_token']}.ics").text
    calendar = icalendar.Calendar.from_ical(text)
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert "Milestone: Go-live" in summaries
    assert all(event["DTSTART"].dt.tzinfo is not None for event in calendar.walk("VEVENT"))


def test_the_comparison_lists_deleted_tasks_apart_with_their_baseline_dates(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    for key in ("golive", "secret"):
        task = Task.objects.get(pk=ids[key])
        services.do_delete_task(task, version=task.version, actor=world.pm)
    path = f"/projects/ERP/baselines/{ids['baseline']}/compare"
    team = Caller(world, "pm").get(path).json
    assert {r["name"] for r in team["removed"]} == {"Go-live", "Margin review"}
    assert "Go-live" not in [t["name"] for t in team["tasks"]]
    client = Caller(world, "client_viewer").get(path).json
    [golive] = client["removed"]
    assert (golive["task_id"], golive["kind"]) == (ids["golive"], "milestone")
    assert golive["baseline_finish"] is not None


def test_a_link_is_edited_in_place_and_bad_input_names_the_field(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    pm = Caller(world, "pm")
    path = f"/projects/ERP/dependencies/{ids['link_shared']}"
    changed = pm.call("PATCH", path, {"type": "SS", "lag_minutes": -240})
    assert changed.status == 200 and (changed.json["type"], changed.json["lag_minutes"]) == ("SS", -240)
    assert Dependency.objects.get(pk=ids["link_shared"]).type == "SS"
    too_long = pm.call("PATCH", path, {"lag_minutes": 20_000_000})
    assert too_long.status == 422 and "lag_minutes" in too_long.text
    not_a_number = pm.call("PATCH", path, {"lag_minutes": "soon"})
    assert not_a_number.status == 422 and "lag_minutes" in not_a_number.text
    bad_type = pm.call("PATCH", path, {"type": "XX"})
    assert bad_type.status == 422 and "type" in bad_type.text
    assert Caller(world, "client_pm").call("PATCH", path, {"lag_minutes": 0}).status == 403
    internal = f"/projects/ERP/dependencies/{ids['link_internal']}"
    assert Caller(world, "client_pm").call("PATCH", internal, {"lag_minutes": 0}).status == 404
