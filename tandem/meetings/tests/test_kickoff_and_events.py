"""A kickoff's agenda from the charter (shared content only for a shared meeting, in the project's
language); webhooks told of scheduled meetings and approved minutes; a stakeholder's invitation."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tandem.core.choices import Visibility
from tandem.meetings import services
from tandem.meetings.choices import Frequency, MeetingKind
from tandem.planning import services as planning
from tandem.planning.choices import TaskKind
from tandem.projects import services as project_services
from tandem.testing.personas import World
from tandem.testing.smtp import SMTPServer

SHANGHAI = ZoneInfo("Asia/Shanghai")
KIND = "goals"


def _slot(days: int = 3) -> dict[str, dt.datetime]:
    starts = dt.datetime.combine(dt.date.today() + dt.timedelta(days=days), dt.time(10), tzinfo=SHANGHAI)
    return {"starts_at": starts, "ends_at": starts + dt.timedelta(hours=2)}


def _charter(world: World) -> None:
    project, pm = world.project, world.pm
    project_services.do_add_charter_item(
        project,
        kind=KIND,
        actor=pm,
        data={"statement": "Open 40 stores on the new POS", "visibility": Visibility.SHARED},
    )
    project_services.do_add_charter_item(
        project,
        kind=KIND,
        actor=pm,
        data={"statement": "Keep a 25% margin", "visibility": Visibility.INTERNAL},
    )
    planning.do_add_task(project, actor=pm, name="Pilot store live", kind=TaskKind.MILESTONE)
    planning.do_add_task(
        project, actor=pm, name="Internal QA gate", kind=TaskKind.MILESTONE, visibility=Visibility.INTERNAL
    )
    services.do_add_item(project, actor=pm, title="Weekly status", frequency=Frequency.WEEKLY, weekday=0)


@pytest.mark.django_db
def test_a_kickoff_agenda_comes_from_the_charter_with_shared_content_only_when_shared(world: World) -> None:
    _charter(world)
    shared = services.do_schedule_meeting(
        world.project, actor=world.pm, title="Kickoff", kind=MeetingKind.KICKOFF, **_slot()
    )
    points = {p.title: p.notes for p in shared.agenda.all()}
    assert list(points) == [
        "Goals",
        "Scope",
        "Plan and milestones",
        "Roles and RACI",
        "Communication plan",
        "Top risks",
        "Decision rights",
    ]
    assert "Open 40 stores" in points["Goals"] and "25% margin" not in points["Goals"]
    assert "Pilot store live" in points["Plan and milestones"]
    assert "Internal QA gate" not in points["Plan and milestones"]
    assert "Weekly status: Every Monday at 10:00" in points["Communication plan"]
    assert "Alice PM: Project manager" in points["Roles and RACI"]
    internal = services.do_schedule_meeting(
        world.project,
        actor=world.pm,
        title="Team kickoff",
        kind=MeetingKind.KICKOFF,
        visibility=Visibility.INTERNAL,
        **_slot(4),
    )
    goals = internal.agenda.get(title="Goals").notes
    assert "25% margin" in goals and "Open 40 stores" in goals


@pytest.mark.django_db
def test_a_kickoff_speaks_the_projects_language(world: World) -> None:
    _charter(world)
    world.project.language = "zh-hans"
    world.project.save(update_fields=["language"])
    meeting = services.do_schedule_meeting(
        world.project, actor=world.pm, title="启动会", kind=MeetingKind.KICKOFF, **_slot()
    )
    titles = [p.title for p in meeting.agenda.all()]
    assert titles[0] == "目标" and "沟通计划" in titles
    assert "每周一 10:00" in meeting.agenda.get(title="沟通计划").notes


@pytest.mark.django_db
def test_webhooks_hear_of_scheduled_meetings_and_approved_minutes(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[dict[str, Any]] = []
    monkeypatch.setattr(
        services.delivery, "publish", lambda project, **kwargs: told.append({"project": project, **kwargs})
    )
    past = _slot(-1)
    meeting = services.do_schedule_meeting(world.project, actor=world.pm, title="Weekly status", **past)
    services.do_schedule_meeting(
        world.project, actor=world.pm, title="Margin talk", visibility=Visibility.INTERNAL, **_slot()
    )
    services.do_schedule_meeting(world.project, actor=world.pm, title="Quiet", notify=False, **_slot(5))
    meeting = services.do_mark_held(meeting, version=1, actor=world.pm)
    meeting = services.do_save_minutes(meeting, version=2, actor=world.pm, minutes="Done.")
    services.do_approve_minutes(meeting, version=3, actor=world.pm)
    assert [(t["event"], t["shared"]) for t in told] == [
        ("meeting.scheduled", True),
        ("meeting.scheduled", False),
        ("minutes.approved", True),
    ]
    assert told[0]["title"] == "Meeting scheduled: Weekly status"
    assert told[0]["url"].endswith(f"/projects/ERP/meetings/{meeting.pk}/")
    assert told[2]["title"] == "Minutes approved: Weekly status"


@pytest.mark.django_db(transaction=True)
def test_a_stakeholder_without_an_account_gets_the_clients_view_in_the_projects_language(
    world: World, smtp_server: SMTPServer
) -> None:
    world.project.language = "zh-hans"
    world.project.save(update_fields=["language"])
    meeting = services.do_schedule_meeting(world.project, actor=world.pm, title="Steering", **_slot())
    services.do_add_agenda_item(meeting, actor=world.pm, title="Budget outlook")
    services.do_add_agenda_item(
        meeting, actor=world.pm, title="Vendor margin", visibility=Visibility.INTERNAL
    )
    services.do_add_attendee(meeting, actor=world.pm, name="Dora Auditor", email="dora@audit.example")
    smtp_server.wait_for(1)
    (mail,) = smtp_server.to("dora@audit.example")
    assert "会议邀请" in mail.subject
    assert "Budget outlook" in mail.text and "Vendor margin" not in mail.text + mail.html
    assert b"Vendor margin" not in mail.attachments()[0][2]
