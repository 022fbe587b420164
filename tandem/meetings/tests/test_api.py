"""The communication plan and meeting API, called as every kind of viewer, and what each side reads back."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from tandem.core.choices import Visibility
from tandem.meetings import services
from tandem.meetings.choices import CommunicationKind, Frequency, MeetingKind
from tandem.testing.api import (
    ANY_USER,
    MEMBERS_READ,
    TEAM_READS,
    Caller,
    Case,
    matrix_test,
    world_fixture,
)
from tandem.testing.personas import World

SHANGHAI = ZoneInfo("Asia/Shanghai")


def planners(ok: str) -> str:
    """Only the PM (of these viewers) plans the communication."""
    return f"401 404 404 403 403 403 403 {ok}"


def runners(ok: str) -> str:
    """The PM and the client's PM run meetings; the others on the project are refused."""
    return f"401 404 404 403 {ok} 403 403 {ok}"


def internal_runners(ok: str) -> str:
    """An internal meeting: the client may not know it exists; the PM runs it."""
    return f"401 404 404 404 404 404 403 {ok}"


P = "/projects/ERP"
M = P + "/meetings/{meeting}"
V1 = {"version": 1}
SOON = dt.datetime.combine(dt.date.today() + dt.timedelta(days=3), dt.time(10), tzinfo=SHANGHAI)
SLOT = {"starts_at": SOON.isoformat(), "ends_at": (SOON + dt.timedelta(hours=1)).isoformat()}

CASES = [
    Case("plan.list", "GET", f"{P}/communication-plan", MEMBERS_READ),
    Case(
        "plan.add",
        "POST",
        f"{P}/communication-plan",
        planners("201"),
        {"title": "Steering review", "frequency": "monthly", "monthly_rule": "first_working_day"},
    ),
    Case("plan.get", "GET", f"{P}/communication-plan/{{item}}", MEMBERS_READ),
    Case("plan.get-internal", "GET", f"{P}/communication-plan/{{secret_item}}", TEAM_READS),
    Case(
        "plan.update",
        "PATCH",
        f"{P}/communication-plan/{{item}}",
        planners("200"),
        {"version": 1, "purpose": "x"},
    ),
    Case("plan.done", "POST", f"{P}/communication-plan/{{item}}/done", runners("201"), {"note": "by phone"}),
    Case("plan.fulfilments", "GET", f"{P}/communication-plan/{{item}}/fulfilments", MEMBERS_READ),
    Case("plan.adherence", "GET", f"{P}/adherence", MEMBERS_READ),
    Case("plan.portfolio", "GET", "/communication/adherence", ANY_USER),
    Case("meetings.list", "GET", f"{P}/meetings?when=upcoming&search=status", MEMBERS_READ),
    Case(
        "meetings.schedule",
        "POST",
        f"{P}/meetings",
        runners("201"),
        {"title": "Ad hoc review", **SLOT, "visibility": "shared"},
    ),
    Case("meetings.get", "GET", M, MEMBERS_READ),
    Case("meetings.get-internal", "GET", P + "/meetings/{secret_meeting}", TEAM_READS),
    Case("meetings.update", "PATCH", M, runners("200"), {"version": 1, "location": "Room 4"}),
    Case("meetings.ics", "GET", M + "/ics", MEMBERS_READ),
    Case(
        "meetings.minutes",
        "PUT",
        M.replace("{meeting}", "{held}") + "/minutes",
        runners("200"),
        {"version": 3, "minutes": "Notes"},
    ),
    Case(
        "meetings.approve",
        "POST",
        M.replace("{meeting}", "{held}") + "/minutes/approve",
        runners("200"),
        {"version": 3},
    ),
    Case("meetings.held", "POST", M.replace("{meeting}", "{past}") + "/held", runners("200"), V1),
    Case("meetings.cancel", "POST", P + "/meetings/{secret_meeting}/cancel", internal_runners("200"), V1),
    Case("agenda.list", "GET", M + "/agenda", MEMBERS_READ),
    Case("agenda.add", "POST", M + "/agenda", runners("201"), {"title": "Risks"}),
    Case(
        "agenda.update",
        "PATCH",
        M + "/agenda/{point}",
        runners("200"),
        {"version": 1, "duration_minutes": 15},
    ),
    Case("agenda.delete", "DELETE", M + "/agenda/{point}?version=1", runners("204")),
    Case(
        "agenda.internal",
        "PATCH",
        M + "/agenda/{secret_point}",
        internal_runners("200"),
        {"version": 1, "notes": "x"},
    ),
    Case("attendees.list", "GET", M + "/attendees", MEMBERS_READ),
    Case(
        "attendees.add",
        "POST",
        M + "/attendees",
        runners("201"),
        {"name": "Auditor", "email": "audit@example.com"},
    ),
    Case("attendees.remove", "DELETE", M + "/attendees/{attendee}", runners("204")),
    Case("attendees.attendance", "PUT", M + "/attendance", runners("200"), {"attended": []}),
    Case("decisions.list", "GET", M + "/decisions", MEMBERS_READ),
    Case(
        "decisions.add",
        "POST",
        M + "/decisions",
        runners("201"),
        {"text": "Keep the scope", "concerns_client": True},
    ),
    Case("actions.list", "GET", M + "/actions", MEMBERS_READ),
    Case("actions.carried", "GET", M + "/carried-over", MEMBERS_READ),
    Case("actions.add", "POST", M + "/actions", runners("201"), {"title": "Send the slides"}),
    Case(
        "actions.update",
        "PATCH",
        P + "/meeting-actions/{action}",
        runners("200"),
        {"version": 1, "status": "done"},
    ),
    Case(
        "actions.internal",
        "PATCH",
        P + "/meeting-actions/{secret_action}",
        internal_runners("200"),
        {"version": 1, "title": "y"},
    ),
    Case("actions.task", "POST", P + "/meeting-actions/{action}/task", "401 404 404 403 403 403 403 200", V1),
]


def seed(world: World) -> dict[str, Any]:
    """Plan entries (one internal) and scheduled, past, held and internal meetings."""
    pm, project = world.pm, world.project
    item = services.do_add_item(
        project,
        actor=pm,
        kind=CommunicationKind.MEETING,
        title="Weekly status meeting",
        frequency=Frequency.WEEKLY,
        weekday=0,
        starts_on=dt.date.today() - dt.timedelta(days=28),
    )
    secret_item = services.do_add_item(
        project,
        actor=pm,
        title="Margin review",
        frequency=Frequency.AS_NEEDED,
        visibility=Visibility.INTERNAL,
    )

    def meeting(days: int, **extra: Any) -> Any:
        starts = dt.datetime.combine(dt.date.today() + dt.timedelta(days=days), dt.time(10), tzinfo=SHANGHAI)
        values: dict[str, Any] = {"title": "Weekly status", "kind": MeetingKind.WEEKLY_STATUS}
        values.update(extra)
        return services.do_schedule_meeting(
            project, actor=pm, starts_at=starts, ends_at=starts + dt.timedelta(hours=1), **values
        )

    scheduled = meeting(2, attendees=[{"user_id": world.client_pm.pk}], item_id=item.pk)
    point = services.do_add_agenda_item(scheduled, actor=pm, title="Progress")
    secret_point = services.do_add_agenda_item(
        scheduled, actor=pm, title="Staffing cost", visibility=Visibility.INTERNAL
    )
    action = services.do_add_action(scheduled, actor=pm, title="Book the room")
    secret_action = services.do_add_action(
        scheduled, actor=pm, title="Rate review", visibility=Visibility.INTERNAL
    )
    attendee = scheduled.attendees.get()
    past = meeting(-2, item_id=item.pk)
    held = services.do_mark_held(meeting(-1), version=1, actor=pm)
    held = services.do_save_minutes(held, version=2, actor=pm, minutes="We met.")
    secret_meeting = meeting(3, title="Retro", visibility=Visibility.INTERNAL)
    return {
        "item": item.pk,
        "secret_item": secret_item.pk,
        "meeting": scheduled.pk,
        "past": past.pk,
        "held": held.pk,
        "secret_meeting": secret_meeting.pk,
        "point": point.pk,
        "secret_point": secret_point.pk,
        "action": action.pk,
        "secret_action": secret_action.pk,
        "attendee": attendee.pk,
    }


api_world = world_fixture(seed)


test_it_answers_each_viewer_as_the_matrix_says = matrix_test(CASES)


def test_a_client_reads_no_internal_entry_point_or_action(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    for viewer in ("client_viewer", "client_pm", "sponsor"):
        caller = Caller(world, viewer)
        plan = caller.get("/projects/ERP/communication-plan").json
        assert [row["title"] for row in plan] == ["Weekly status meeting"]
        agenda = caller.get(f"/projects/ERP/meetings/{ids['meeting']}/agenda").json
        assert [row["title"] for row in agenda] == ["Progress"]
        actions = caller.get(f"/projects/ERP/meetings/{ids['meeting']}/actions").json
        assert [row["title"] for row in actions] == ["Book the room"]
        meetings = caller.get("/projects/ERP/meetings").json
        assert ids["secret_meeting"] not in [row["id"] for row in meetings["items"]]
        ics = caller.client.get(f"/api/v1/projects/ERP/meetings/{ids['meeting']}/ics").content
        event = next(iter(Calendar.from_ical(ics).walk("VEVENT")))
        assert "Progress" in str(event["DESCRIPTION"]) and "Staffing cost" not in str(event["DESCRIPTION"])
    team = Caller(world, "member").get(f"/projects/ERP/meetings/{ids['meeting']}/agenda").json
    assert [row["title"] for row in team] == ["Progress", "Staffing cost"]


def test_the_plan_reports_cadence_and_adherence(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    row = Caller(world, "pm").get(f"/projects/ERP/communication-plan/{ids['item']}").json
    assert row["cadence"] == "Every Monday at 10:00"
    assert row["status"] in ("on_track", "due", "overdue")
    assert row["due"] >= 3 and row["next_due"] is not None
    adherence = Caller(world, "pm").get("/projects/ERP/adherence").json
    assert adherence["project"] == "ERP" and adherence["due"] == row["due"]


def test_bad_input_names_the_field(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    pm = Caller(world, "pm")
    backwards = pm.call(
        "POST",
        "/projects/ERP/meetings",
        {"title": "x", "starts_at": "2026-05-04T10:00:00", "ends_at": "2026-05-04T09:00:00"},
    )
    assert backwards.status == 422 and "ends_at" in backwards.text
    stranger = pm.call(
        "POST", f"/projects/ERP/meetings/{ids['meeting']}/attendees", {"user_id": world.outsider.pk}
    )
    assert stranger.status == 422 and "user_id" in stranger.text
    no_day = pm.call("POST", "/projects/ERP/communication-plan", {"title": "x", "frequency": "weekly"})
    assert no_day.status == 422 and "weekday" in no_day.text
    bad_kind = pm.call("POST", "/projects/ERP/communication-plan", {"title": "x", "kind": "party"})
    assert bad_kind.status == 422 and "kind" in bad_kind.text
    bad_when = pm.get("/projects/ERP/meetings?when=tomorrow")
    assert bad_when.status == 422 and "when" in bad_when.text
    stale = pm.call("PATCH", f"/projects/ERP/meetings/{ids['meeting']}", {"version": 99, "title": "x"})
    assert stale.status == 409
    for path, body, field in (
        (f"/projects/ERP/communication-plan/{ids['item']}", {"version": 1, "title": None}, "title"),
        (
            f"/projects/ERP/communication-plan/{ids['item']}",
            {"version": 1, "audience_roles": ["king"]},
            "audience",
        ),
        (f"/projects/ERP/meetings/{ids['meeting']}", {"version": 1, "starts_at": None}, "starts_at"),
        (
            f"/projects/ERP/meetings/{ids['meeting']}/agenda/{ids['point']}",
            {"version": 1, "position": None},
            "position",
        ),
        (f"/projects/ERP/meeting-actions/{ids['action']}", {"version": 1, "title": None}, "title"),
    ):
        answer = pm.call("PATCH", path, body)
        assert answer.status == 422 and field in answer.text, (path, answer.text)
    naive = pm.call(
        "POST", f"/projects/ERP/communication-plan/{ids['item']}/done", {"at": "2020-01-06T10:05:00"}
    )
    assert naive.status == 201
    future = pm.call(
        "POST", f"/projects/ERP/communication-plan/{ids['item']}/done", {"at": "2999-01-01T10:00:00Z"}
    )
    assert future.status == 422 and "at" in future.text
    empty = pm.call("POST", f"/projects/ERP/meetings/{ids['meeting']}/decisions", {"text": ""})
    assert empty.status == 422 and "text" in empty.text


def test_lists_take_a_constant_number_of_queries(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    pm = Caller(world, "pm")
    paths = [
        "/projects/ERP/communication-plan",
        "/projects/ERP/meetings",
        f"/projects/ERP/meetings/{ids['meeting']}/actions",
        "/communication/adherence",
    ]

    def counts() -> list[int]:
        out = []
        for path in paths:
            with CaptureQueriesContext(connection) as captured:
                assert pm.get(path).status == 200
            out.append(len(captured))
        return out

    before = counts()
    meeting = world.project.meetings.get(pk=ids["meeting"])
    for n in range(25):
        services.do_add_item(
            world.project, actor=world.pm, title=f"Entry {n}", frequency=Frequency.WEEKLY, weekday=n % 5
        )
        services.do_add_action(meeting, actor=world.pm, title=f"Action {n}", owner_id=world.member.pk)
        starts = dt.datetime.combine(dt.date.today() + dt.timedelta(days=n + 5), dt.time(9), tzinfo=SHANGHAI)
        services.do_schedule_meeting(
            world.project,
            actor=world.pm,
            title=f"M{n}",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
        )
    assert counts() == before
