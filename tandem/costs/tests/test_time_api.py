"""The time-tracking API, called as every kind of viewer, and what each side reads back."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.costs import timesheets as services
from tandem.costs.models import CostSettings, RunningTimer, TimeEntry
from tandem.planning.models import Task
from tandem.resources.models import Rate, Resource
from tandem.testing.api import Caller, Case, matrix_test, world_fixture
from tandem.testing.personas import World
from tandem.testing.plans import build_small_plan

P = "/projects/ERP"
MONDAY = dt.date(2026, 3, 2)
NEXT = MONDAY + dt.timedelta(days=7)
#: Who reads time: the team's members, leads and PMs, and the client approver (the client PM here).
TIME_READ = "401 404 404 403 200 403 200 200"
#: Who logs time: the team's members, leads and PMs.
TIME_LOG = "401 404 404 403 403 403 201 201"
#: An hourly rate no client may ever read in any form (hundredths of 90 minutes of it, too).
SECRET_RATE = Decimal("987.65")
SECRET_COST = "148148"  # 90 minutes at 987.65 an hour, in hundredths (rounded)

CASES = [
    Case("time-entries.list", "GET", f"{P}/time-entries?week=2026-03-02&user={{member}}", TIME_READ),
    Case(
        "time-entries.create",
        "POST",
        f"{P}/time-entries",
        TIME_LOG,
        {"task_id": "{design}", "day": "2026-03-11", "minutes": 60, "note": "Review"},
    ),
    Case("time-entries.export", "GET", f"{P}/time-entries/export?format=xlsx", TIME_READ),
    Case(
        "time-entries.update",
        "PATCH",
        "/time-entries/{entry_open}",
        "401 404 404 404 404 404 200 403",
        {"version": 1, "minutes": 30},
    ),
    Case(
        "time-entries.delete",
        "DELETE",
        "/time-entries/{entry_open}?version=1",
        "401 404 404 404 404 404 204 403",
    ),
    Case("timesheets.list", "GET", f"{P}/timesheets?status=submitted", TIME_READ),
    Case("timesheets.detail", "GET", "/timesheets/{sheet_submitted}", "401 404 404 404 200 404 200 200"),
    Case(
        "timesheets.submit-week",
        "POST",
        f"{P}/timesheets/submit",
        "401 404 404 403 403 403 200 422",
        {"week": "2026-03-11"},
    ),
    Case(
        "timesheets.submit",
        "POST",
        "/timesheets/{sheet_open}/submit",
        "401 404 404 404 404 404 200 403",
        {"version": 1},
    ),
    Case(
        "timesheets.approve",
        "POST",
        "/timesheets/{sheet_submitted}/approve",
        "401 404 404 404 403 404 403 200",
        {"version": 2},
    ),
    Case(
        "timesheets.client-approve",
        "POST",
        "/timesheets/{sheet_team_approved}/client-approve",
        "401 404 404 404 200 404 404 403",
        {"version": 3},
    ),
    Case(
        "timesheets.reject",
        "POST",
        "/timesheets/{sheet_submitted}/reject",
        "401 404 404 404 422 404 403 200",
        {"version": 2, "reason": "Design was finished the week before"},
    ),
    Case("timer.detail", "GET", "/me/timer", "401 200 200 200 200 200 200 200"),
    Case(
        "timer.start",
        "POST",
        "/me/timer",
        "401 422 422 403 403 403 422 201",
        {"project": "ERP", "task_id": "{design}"},
    ),
    Case("timer.stop", "POST", "/me/timer/stop", "401 422 422 422 422 422 200 422"),
    Case("timer.discard", "DELETE", "/me/timer", "401 422 422 422 422 422 204 422"),
    Case("cost-settings.detail", "GET", f"{P}/cost-settings", TIME_READ),
    Case(
        "cost-settings.update",
        "PATCH",
        f"{P}/cost-settings",
        "401 404 404 403 403 403 403 200",
        {"locked_until": "2026-01-31"},
    ),
]


def seed(world: World) -> dict[str, Any]:
    """Client approval on; Bob has a submitted week (priced at a secret rate) and an open one, Larry a
    week the team approved, and Bob's timer runs."""
    plan = build_small_plan(world, phase=True)
    CostSettings.objects.create(project=world.project, client_approves_time=True)
    bob = Resource.objects.create(organization=world.vendor, name="Bob", user=world.member)
    Rate.objects.create(resource=bob, effective_from=dt.date(2026, 1, 1), standard_rate=SECRET_RATE)
    member, lead, project = world.member, world.people["lead"], world.project
    services.do_log_time(
        project, actor=member, task_id=plan.design.pk, day=MONDAY, minutes=90, note="Workshop"
    )
    submitted = services.do_submit_week(project, actor=member, week=MONDAY)
    entry_open = services.do_log_time(project, actor=member, task_id=plan.build.pk, day=NEXT, minutes=60)
    services.do_log_time(project, actor=lead, task_id=plan.build.pk, day=MONDAY, minutes=120)
    team = services.do_submit_week(project, actor=lead, week=MONDAY)
    team = services.do_approve_timesheet(team, version=team.version, actor=world.pm)
    RunningTimer.objects.create(
        user=member, project=project, task=plan.design, started_at=timezone.now() - dt.timedelta(minutes=10)
    )
    return {
        "member": member.pk,
        "design": plan.design.pk,
        "build": plan.build.pk,
        "phase": plan.phase.pk,
        "entry_open": entry_open.pk,
        "sheet_open": entry_open.timesheet_id,
        "sheet_submitted": submitted.pk,
        "sheet_team_approved": team.pk,
    }


api_world = world_fixture(seed)

test_it_answers_each_viewer_as_the_matrix_says = matrix_test(CASES)


def test_it_never_gives_the_client_a_cost(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    """The client approver reads hours, tasks and notes of submitted weeks, never a cost or a cost column."""
    world, ids = api_world
    client = Caller(world, "client_pm")
    entries = client.get(f"{P}/time-entries").json["items"]
    assert {(e["task_name"], e["minutes"], e["note"]) for e in entries} >= {("Design", 90, "Workshop")}
    assert all("cost_cents" not in e for e in entries)
    detail = client.get(f"/timesheets/{ids['sheet_submitted']}")
    assert detail.status == 200 and detail.json["entries"][0]["minutes"] == 90
    for response in (
        client.get(f"{P}/time-entries"),
        detail,
        client.get(f"{P}/timesheets"),
        client.get(f"{P}/time-entries/export?format=csv"),
    ):
        assert "cost" not in response.text.lower() and SECRET_COST not in response.text
    rows = list(
        csv.reader(io.StringIO(client.get(f"{P}/time-entries/export?format=csv").text.lstrip("\ufeff")))
    )
    assert rows[0] == ["Day", "Person", "Task", "Hours", "Minutes", "Billable", "Note", "Status"]
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{P}/time-entries/export?format=xlsx").content))
    header = [c.value for c in next(book.active.iter_rows(max_row=1))]
    assert "Cost" not in header
    # The member reads their own hours without a cost too; the PM reads the cost.
    mine = Caller(world, "member").get(f"{P}/time-entries").json["items"]
    assert mine and all("cost_cents" not in e for e in mine)
    team = Caller(world, "pm").get(f"{P}/time-entries?user={ids['member']}").json["items"]
    assert any(e["cost_cents"] == int(SECRET_COST) for e in team)
    team_csv = Caller(world, "pm").get(f"{P}/time-entries/export?format=csv").text
    assert "Cost" in team_csv.splitlines()[0] and "1481.48" in team_csv


def test_it_refuses_bad_time_naming_the_field(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    """Minutes out of a day, a phase, an unknown task, a bad date: 422 naming the field; nothing saved."""
    world, ids = api_world
    member = Caller(world, "member")
    before = TimeEntry.objects.count()
    good = {"task_id": ids["design"], "day": "2026-03-12", "minutes": 60}
    for change, field in [
        ({"minutes": 0}, "minutes"),
        ({"minutes": 1441}, "minutes"),
        ({"minutes": "sixty"}, "minutes"),
        ({"task_id": ids["phase"]}, "task_id"),
        ({"task_id": 999_999}, "task_id"),
        ({"day": "12/03/2026"}, "day"),
        ({"day": "2026-03-02"}, "timesheet"),  # the submitted week
    ]:
        response = member.call("POST", f"{P}/time-entries", {**good, **change})
        assert response.status == 422, (change, response.text)
        assert {e["field"] for e in response.json["detail"]} == {field}, (change, response.text)
    assert TimeEntry.objects.count() == before
    response = member.call("POST", "/me/timer", {"project": "ERP", "task_id": ids["design"]})
    assert response.status == 422 and response.json["detail"][0]["field"] == "timer"


def test_it_lists_in_a_constant_number_of_queries(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    """Entries and weeks cost the same number of queries with a few rows or many."""
    world, ids = api_world
    pm = Caller(world, "pm")

    def counted(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert pm.get(path).status == 200
        return len(queries)

    paths = [f"{P}/time-entries", f"{P}/timesheets", f"{P}/time-entries/export?format=csv"]
    before = [counted(path) for path in paths]
    for week in range(8):
        day = MONDAY + dt.timedelta(days=14 + 7 * week)
        for person in ("member", "lead", "pm"):
            services.do_log_time(
                world.project, actor=world.people[person], task_id=ids["build"], day=day, minutes=30
            )
    assert [counted(path) for path in paths] == before


def test_the_client_reads_no_time_on_internal_tasks(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    """Time on an internal task stays internal: neither its name, nor its entries, nor in the totals."""
    world, ids = api_world
    week = MONDAY + dt.timedelta(days=21)
    secret = Task.objects.get(project=world.project, name="Margin review")
    services.do_log_time(world.project, actor=world.member, task_id=ids["design"], day=week, minutes=60)
    services.do_log_time(world.project, actor=world.member, task_id=secret.pk, day=week, minutes=45)
    sheet = services.do_submit_week(world.project, actor=world.member, week=week)
    client = Caller(world, "client_pm")
    for path in (f"{P}/time-entries?week={week}", f"/timesheets/{sheet.pk}", f"{P}/time-entries/export"):
        assert "Margin review" not in client.get(path).text, path
    (row,) = client.get(f"{P}/timesheets?week={week}").json["items"]
    assert row["total_minutes"] == 60
    (team_row,) = Caller(world, "pm").get(f"{P}/timesheets?week={week}").json["items"]
    assert team_row["total_minutes"] == 105
