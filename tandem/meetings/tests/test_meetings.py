"""Meetings: scheduling with invitations (.ics parsed back), the client's mail without internal content,
minutes mailed after approval only, held meetings fulfil their plan entry, actions become tasks,
decisions enter the client register, carried-over actions, bad input naming the field."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from icalendar import Calendar

from tandem.core.choices import Visibility
from tandem.meetings import queries, services
from tandem.meetings.choices import ActionStatus, CommunicationKind, MeetingKind, MeetingStatus, MinutesStatus
from tandem.meetings.models import Fulfilment, Meeting
from tandem.planning.models import Task
from tandem.risks.choices import DecisionStatus
from tandem.risks.models import ClientDecision
from tandem.testing.personas import World
from tandem.testing.smtp import SMTPServer

pytestmark = pytest.mark.django_db(transaction=True)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _when(days: int = 3, hour: int = 10) -> tuple[dt.datetime, dt.datetime]:
    day = dt.date.today() + dt.timedelta(days=days)
    start = dt.datetime.combine(day, dt.time(hour, 0), tzinfo=SHANGHAI)
    return start, start + dt.timedelta(hours=1)


def _schedule(world: World, **extra: object) -> Meeting:
    starts, ends = _when()
    data: dict[str, object] = {
        "title": "Weekly status",
        "kind": MeetingKind.WEEKLY_STATUS,
        "starts_at": starts,
        "ends_at": ends,
        "location": "Room 3",
        "online_url": "https://meet.example.com/erp",
        "attendees": [{"user_id": world.member.pk}, {"user_id": world.client_pm.pk}],
    }
    data.update(extra)
    return services.do_schedule_meeting(world.project, actor=world.pm, **data)


def _set_languages(world: World) -> None:
    world.client_pm.language = "zh-hans"
    world.client_pm.save(update_fields=["language"])
    world.member.language = "en"
    world.member.save(update_fields=["language"])


def test_it_invites_team_and_client_each_in_their_language_with_an_ics(
    world: World, smtp_server: SMTPServer
) -> None:
    world.project.time_zone = "Asia/Shanghai"
    world.project.save(update_fields=["time_zone"])
    _set_languages(world)
    meeting = _schedule(world, attendees=[])
    services.do_add_agenda_item(meeting, actor=world.pm, title="Progress since last week")
    services.do_add_agenda_item(
        meeting, actor=world.pm, title="Margin and staffing", visibility=Visibility.INTERNAL
    )
    services.do_add_attendee(meeting, actor=world.pm, user_id=world.member.pk)
    services.do_add_attendee(meeting, actor=world.pm, user_id=world.client_pm.pk)
    smtp_server.wait_for(2)
    (team_mail,) = smtp_server.to(world.member.email)
    (client_mail,) = smtp_server.to(world.client_pm.email)
    assert "Invitation" in team_mail.subject
    assert "邀请" in client_mail.subject
    assert "Margin and staffing" in team_mail.text and "Margin and staffing" in team_mail.html
    for part in (client_mail.subject, client_mail.text, client_mail.html):
        assert "Margin and staffing" not in part
    assert "Progress since last week" in client_mail.text
    (name, mimetype, data) = client_mail.attachments()[0]
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    calendar = Calendar.from_ical(data)
    assert str(calendar["METHOD"]) == "REQUEST"
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["UID"]) == meeting.uid
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == meeting.starts_at
    assert event.decoded("DTSTART").tzinfo is not None
    assert str(event["DTSTART"].params["TZID"]) == "Asia/Shanghai"
    assert event.decoded("DTEND") == meeting.ends_at
    assert str(event["SUMMARY"]) == "Weekly status"
    assert str(event["LOCATION"]) == "Room 3"
    assert f"/meetings/{meeting.pk}/" in str(event["URL"])
    assert "Progress since last week" in str(event["DESCRIPTION"])
    assert "Margin and staffing" not in str(event["DESCRIPTION"])
    assert str(event["ORGANIZER"]) == f"mailto:{world.pm.email}"
    attendees = event["ATTENDEE"]
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert {str(a) for a in attendees} == {f"mailto:{world.member.email}", f"mailto:{world.client_pm.email}"}
    assert {str(a.params["CN"]) for a in attendees} == {world.member.full_name, world.client_pm.full_name}
    assert len(calendar.walk("VTIMEZONE")) == 1
    team_ics = Calendar.from_ical(team_mail.attachments()[0][2])
    assert "Margin and staffing" in str(next(iter(team_ics.walk("VEVENT")))["DESCRIPTION"])


def test_rescheduling_resends_with_the_next_sequence_and_cancelling_sends_cancel(
    world: World, smtp_server: SMTPServer
) -> None:
    meeting = _schedule(world, attendees=[{"user_id": world.member.pk}])
    smtp_server.wait_for(1)
    starts, ends = _when(days=4)
    moved = services.do_update_meeting(meeting, version=1, actor=world.pm, starts_at=starts, ends_at=ends)
    assert moved.sequence == 1
    smtp_server.wait_for(2)
    services.do_update_meeting(moved, version=2, actor=world.pm, kind=MeetingKind.AD_HOC)  # not a move
    cancelled = services.do_cancel_meeting(moved, version=3, actor=world.pm)
    assert cancelled.status == MeetingStatus.CANCELLED and cancelled.sequence == 2
    smtp_server.wait_for(3)
    mails = smtp_server.messages
    assert len(mails) == 3
    sequences = []
    for mail in mails:
        calendar = Calendar.from_ical(mail.attachments()[0][2])
        event = next(iter(calendar.walk("VEVENT")))
        sequences.append((str(calendar["METHOD"]), int(event["SEQUENCE"]), str(event["UID"])))
    assert sequences == [("REQUEST", 0, meeting.uid), ("REQUEST", 1, meeting.uid), ("CANCEL", 2, meeting.uid)]


def test_minutes_are_mailed_after_approval_only_and_without_internal_actions(
    world: World, smtp_server: SMTPServer
) -> None:
    _set_languages(world)
    starts, ends = _when(days=-1)
    meeting = _schedule(world, starts_at=starts, ends_at=ends)
    smtp_server.wait_for(2)
    meeting = services.do_save_minutes(
        meeting, version=1, actor=world.pm, minutes="We reviewed the **plan**."
    )
    services.do_add_action(meeting, actor=world.pm, title="Send the test plan", owner_id=world.member.pk)
    services.do_add_action(
        meeting, actor=world.pm, title="Rebalance the margin", visibility=Visibility.INTERNAL
    )
    services.do_add_decision(
        meeting, actor=world.pm, text="Freeze scope internally", visibility=Visibility.INTERNAL
    )
    with pytest.raises(ValidationError) as caught:
        services.do_approve_minutes(meeting, version=2, actor=world.pm)
    assert "status" in caught.value.message_dict  # not held yet
    assert len(smtp_server.messages) == 2  # the invitations only
    meeting = services.do_mark_held(meeting, version=2, actor=world.pm)
    meeting = services.do_approve_minutes(meeting, version=3, actor=world.pm)
    assert meeting.minutes_status == MinutesStatus.APPROVED
    smtp_server.wait_for(4)
    minutes = [m for m in smtp_server.messages if "<strong>plan</strong>" in m.html]
    assert len(minutes) == 2
    client = next(m for m in minutes if world.client_pm.email in m.recipients)
    team = next(m for m in minutes if world.member.email in m.recipients)
    assert "纪要" in client.subject and "Minutes" in team.subject
    assert "Send the test plan" in client.text and "Send the test plan" in team.text
    for part in (client.text, client.html):
        assert "Rebalance the margin" not in part and "Freeze scope internally" not in part
    assert "Rebalance the margin" in team.text and "Freeze scope internally" in team.html
    with pytest.raises(ValidationError) as caught:
        services.do_save_minutes(meeting, version=4, actor=world.pm, minutes="changed")
    assert "minutes" in caught.value.message_dict


def test_an_internal_meeting_invites_only_the_team(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        _schedule(world, visibility=Visibility.INTERNAL)
    assert "user_id" in caught.value.message_dict
    meeting = _schedule(world, visibility=Visibility.INTERNAL, attendees=[{"user_id": world.member.pk}])
    with pytest.raises(ValidationError) as caught:
        services.do_add_attendee(meeting, actor=world.pm, name="Guest", email="guest@example.com")
    assert "email" in caught.value.message_dict
    assert not queries.meetings_of(world.client_pm, world.project).filter(pk=meeting.pk).exists()
    shared = _schedule(world)
    with pytest.raises(ValidationError) as caught:
        services.do_update_meeting(shared, version=1, actor=world.pm, visibility=Visibility.INTERNAL)
    assert "visibility" in caught.value.message_dict


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"ends_at": "soon"}, "ends_at"),
        ({"title": ""}, "title"),
        ({"item_id": 999999}, "item_id"),
        ({"online_url": "not a link"}, "online_url"),
        ({"attendees": [{"user_id": 999999}]}, "user_id"),
        ({"attendees": [{"name": "No address"}]}, "email"),
    ],
)
def test_bad_meeting_input_names_the_field(world: World, extra: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _schedule(world, **extra)
    assert field in caught.value.message_dict


def test_a_meeting_must_end_after_it_starts_and_attendees_must_be_members(world: World) -> None:
    starts, _ends = _when()
    with pytest.raises(ValidationError) as caught:
        _schedule(world, ends_at=starts - dt.timedelta(minutes=30))
    assert "ends_at" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        _schedule(world, attendees=[{"user_id": world.outsider.pk}])
    assert "user_id" in caught.value.message_dict
    assert not Meeting.objects.exists()


def test_only_meeting_runners_schedule(world: World) -> None:
    starts, ends = _when()
    for person in (world.member, world.sponsor, world.client_viewer, world.outsider):
        with pytest.raises(PermissionDenied):
            services.do_schedule_meeting(
                world.project, actor=person, title="x", starts_at=starts, ends_at=ends
            )


def test_marking_held_fulfils_the_plan_entry_once(world: World) -> None:
    item = services.do_add_item(
        world.project,
        actor=world.pm,
        kind=CommunicationKind.MEETING,
        title="Weekly status meeting",
        frequency="weekly",
        weekday=(dt.date.today() - dt.timedelta(days=1)).weekday(),
        starts_on=dt.date.today() - dt.timedelta(days=14),
    )
    starts, ends = _when(days=-1)
    meeting = _schedule(world, starts_at=starts, ends_at=ends, item_id=item.pk, attendees=[])
    held = services.do_mark_held(meeting, version=1, actor=world.pm)
    fulfilment = Fulfilment.objects.get(item=item)
    assert fulfilment.fulfilled_at == starts and fulfilment.source == held
    with pytest.raises(ValidationError):
        services.do_mark_held(held, version=2, actor=world.pm)
    assert Fulfilment.objects.filter(item=item).count() == 1
    assert fulfilment.label == "Weekly status"
    starts, ends = _when(days=-2)
    internal = _schedule(
        world,
        title="Margin talk",
        starts_at=starts,
        ends_at=ends,
        item_id=item.pk,
        attendees=[],
        visibility=Visibility.INTERNAL,
    )
    services.do_mark_held(internal, version=1, actor=world.pm)
    seen = Fulfilment.objects.visible_to(world.client_pm).filter(item=item)
    assert seen.count() == 2 and "Margin talk" not in {f.label for f in seen}


def test_an_action_becomes_a_task_and_a_client_decision_enters_the_register(world: World) -> None:
    meeting = _schedule(world, attendees=[])
    action = services.do_add_action(
        meeting, actor=world.pm, title="Prepare the data migration dry run", owner_id=world.member.pk
    )
    planned = services.do_make_action_a_task(action, version=1, actor=world.pm)
    task = Task.objects.get(pk=planned.task_id)
    assert task.name == "Prepare the data migration dry run" and task.owner_id == world.member.pk
    assert task.visibility == Visibility.SHARED
    with pytest.raises(ValidationError) as caught:
        services.do_make_action_a_task(planned, version=2, actor=world.pm)
    assert "task_id" in caught.value.message_dict
    decision = services.do_add_decision(
        meeting, actor=world.pm, text="Go-live moves to the second weekend of May", concerns_client=True
    )
    register = ClientDecision.objects.get(pk=decision.client_decision_id)
    assert register.status == DecisionStatus.DECIDED and register.visibility == Visibility.SHARED
    assert register.outcome == decision.text and register.decided_by == world.pm
    with pytest.raises(ValidationError) as caught:
        services.do_add_decision(
            meeting, actor=world.pm, text="x", concerns_client=True, visibility=Visibility.INTERNAL
        )
    assert "concerns_client" in caught.value.message_dict


def test_open_actions_carry_over_to_the_next_meeting_of_the_series_and_close_there(world: World) -> None:
    first_start, first_end = _when(days=-7)
    first = _schedule(world, starts_at=first_start, ends_at=first_end, attendees=[])
    done = services.do_add_action(first, actor=world.pm, title="Book the room")
    services.do_update_action(done, version=1, actor=world.pm, status=ActionStatus.DONE)
    open_one = services.do_add_action(first, actor=world.pm, title="Share the cut-over plan")
    secret = services.do_add_action(
        first, actor=world.pm, title="Margin check", visibility=Visibility.INTERNAL
    )
    other_kind = _schedule(
        world, kind=MeetingKind.AD_HOC, starts_at=first_start, ends_at=first_end, attendees=[]
    )
    services.do_add_action(other_kind, actor=world.pm, title="Unrelated")
    second = _schedule(world, attendees=[])
    carried = list(queries.carried_over(world.pm, second))
    assert [a.title for a in carried] == ["Share the cut-over plan", "Margin check"]
    assert [a.title for a in queries.carried_over(world.client_pm, second)] == ["Share the cut-over plan"]
    closed = services.do_update_action(
        open_one, version=1, actor=world.pm, status=ActionStatus.DONE, closed_in=second
    )
    assert closed.closed_in == second and closed.done_at is not None
    assert [a.pk for a in queries.carried_over(world.pm, second)] == [secret.pk]


def test_invited_members_are_told_in_the_app_and_the_notification_leads_to_the_meeting(
    world: World, client: Client
) -> None:
    from tandem.communication.queries import notifications_of

    meeting = _schedule(world)
    for person in (world.member, world.client_pm):
        (told,) = notifications_of(person).filter(target_id=meeting.pk, verb="meeting_invited")
        assert told.actor == world.pm
    assert not notifications_of(world.pm).filter(verb="meeting_invited").exists()
    services.do_add_attendee(meeting, actor=world.pm, user_id=world.sponsor.pk)
    assert notifications_of(world.sponsor).filter(target_id=meeting.pk).count() == 1
    assert notifications_of(world.client_pm).filter(target_id=meeting.pk).count() == 1  # not told twice
    client.force_login(world.client_pm)
    page = client.get("/notifications/").content.decode()
    assert f"/projects/{world.project.code}/meetings/{meeting.pk}/" in page
