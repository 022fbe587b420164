"""The communication plan and meeting pages, opened as every kind of viewer: who gets what, what a
client never reads, form errors on bad input, and query counts that do not grow with the lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tandem.core.choices import Visibility
from tandem.meetings import cadence, services
from tandem.meetings.choices import CommunicationKind, Frequency, MeetingKind, MeetingStatus
from tandem.meetings.models import CommunicationItem, Meeting
from tandem.testing.personas import World

VIEWERS = ("outsider", "other_client", "client_viewer", "client_pm", "sponsor", "member", "pm")
TEAM = ("member", "pm")
CLIENT = ("client_viewer", "client_pm", "sponsor")
SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.django_db


def as_(world: World, viewer: str) -> Client:
    client = Client()
    client.force_login(world.people[viewer])
    return client


def _at(days: int, hour: int = 10) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(dt.date.today() + dt.timedelta(days=days), dt.time(hour), tzinfo=SHANGHAI)
    return start, start + dt.timedelta(hours=1)


@dataclass
class Setup:
    world: World
    item: CommunicationItem
    secret_item: CommunicationItem
    meeting: Meeting
    secret_meeting: Meeting


def make_setup(world: World) -> Setup:
    pm, project = world.pm, world.project
    item = services.do_add_item(
        project,
        actor=pm,
        kind=CommunicationKind.STATUS_REPORT,
        title="Weekly status report",
        frequency=Frequency.WEEKLY,
        weekday=4,
        starts_on=dt.date.today() - dt.timedelta(days=30),
        audience_roles=["sponsor", "client_pm"],
        owner_id=pm.pk,
    )
    secret_item = services.do_add_item(
        project,
        actor=pm,
        title="Margin review with the account director",
        frequency=Frequency.MONTHLY,
        monthly_rule="first_working_day",
        starts_on=dt.date.today() - dt.timedelta(days=60),
        visibility=Visibility.INTERNAL,
    )
    starts, ends = _at(-1)
    meeting = services.do_schedule_meeting(
        project,
        actor=pm,
        title="Weekly status meeting",
        kind=MeetingKind.WEEKLY_STATUS,
        starts_at=starts,
        ends_at=ends,
        attendees=[{"user_id": world.client_pm.pk}, {"user_id": world.member.pk}],
    )
    services.do_add_agenda_item(meeting, actor=pm, title="Progress and next steps")
    services.do_add_agenda_item(
        meeting, actor=pm, title="Staffing cost overrun", visibility=Visibility.INTERNAL
    )
    services.do_add_action(meeting, actor=pm, title="Send the cut-over checklist")
    services.do_add_action(
        meeting, actor=pm, title="Renegotiate the day rate", visibility=Visibility.INTERNAL
    )
    secret_starts, secret_ends = _at(2)
    secret_meeting = services.do_schedule_meeting(
        project,
        actor=pm,
        title="Team retrospective",
        starts_at=secret_starts,
        ends_at=secret_ends,
        visibility=Visibility.INTERNAL,
    )
    return Setup(world, item, secret_item, meeting, secret_meeting)


@pytest.fixture
def setup(world: World) -> Setup:
    return make_setup(world)


def _url(name: str, setup: Setup, *args: object) -> str:
    return reverse(name, args=[setup.world.project.code, *args])


@pytest.mark.parametrize("viewer", VIEWERS)
def test_pages_answer_as_the_permission_model_says(setup: Setup, viewer: str) -> None:
    client = as_(setup.world, viewer)
    member = viewer in TEAM or viewer in CLIENT
    pages = [
        _url("web:communication_plan", setup),
        _url("web:meetings", setup),
        _url("web:meeting", setup, setup.meeting.pk),
        _url("web:meeting_ics", setup, setup.meeting.pk),
    ]
    for page in pages:
        assert client.get(page).status_code == (200 if member else 404), page
    for page in (
        _url("web:meeting", setup, setup.secret_meeting.pk),
        _url("web:meeting_ics", setup, setup.secret_meeting.pk),
    ):
        assert client.get(page).status_code == (200 if viewer in TEAM else 404), page
    edit_item = _url("web:communication_item_edit", setup, setup.item.pk)
    expected = 200 if viewer == "pm" else (403 if member else 404)
    assert client.get(edit_item).status_code == expected
    create_meeting = _url("web:meeting_create", setup)
    allowed = viewer in ("pm", "client_pm")
    assert client.get(create_meeting).status_code == (200 if allowed else (403 if member else 404))
    assert client.get(reverse("web:adherence_portfolio")).status_code == 200


@pytest.mark.parametrize("viewer", CLIENT)
def test_a_client_never_reads_internal_entries_agenda_or_actions(setup: Setup, viewer: str) -> None:
    client = as_(setup.world, viewer)
    plan = client.get(_url("web:communication_plan", setup)).content.decode()
    assert "Weekly status report" in plan and "Margin review" not in plan
    listing = client.get(_url("web:meetings", setup) + "?when=all").content.decode()
    assert "Weekly status meeting" in listing and "Team retrospective" not in listing
    detail = client.get(_url("web:meeting", setup, setup.meeting.pk)).content.decode()
    assert "Progress and next steps" in detail and "Send the cut-over checklist" in detail
    assert "Staffing cost overrun" not in detail and "Renegotiate the day rate" not in detail
    ics = client.get(_url("web:meeting_ics", setup, setup.meeting.pk)).content
    description = str(next(iter(Calendar.from_ical(ics).walk("VEVENT")))["DESCRIPTION"])
    assert "Progress and next steps" in description and "Staffing cost overrun" not in description
    portfolio = client.get(reverse("web:adherence_portfolio")).content.decode()
    assert "Margin review" not in portfolio


def test_the_team_reads_everything_and_the_client_preview_does_not(setup: Setup) -> None:
    client = as_(setup.world, "member")
    detail = client.get(_url("web:meeting", setup, setup.meeting.pk)).content.decode()
    assert "Staffing cost overrun" in detail and "Renegotiate the day rate" in detail
    preview = client.get(_url("web:meeting", setup, setup.meeting.pk) + "?view=client").content.decode()
    assert "Staffing cost overrun" not in preview
    plan = client.get(_url("web:communication_plan", setup)).content.decode()
    assert "Margin review with the account director" in plan
    assert "Every Friday at 16:00" in plan


def test_the_plan_speaks_chinese(setup: Setup) -> None:
    pm = setup.world.pm
    pm.language = "zh-hans"
    pm.save(update_fields=["language"])
    page = as_(setup.world, "pm").get(_url("web:communication_plan", setup)).content.decode()
    assert "每周五 16:00" in page and "每月第一个工作日 10:00" in page


def test_forms_show_errors_naming_the_field(setup: Setup) -> None:
    client = as_(setup.world, "pm")
    response = client.post(
        _url("web:communication_item_create", setup),
        {
            "title": "Steering",
            "kind": "meeting",
            "channel": "meeting",
            "frequency": "weekly",
            "starts_on": "2026-01-05",
            "visibility": "shared",
        },
    )
    assert response.status_code == 400
    assert "Choose the day of the week." in response.content.decode()
    response = client.post(
        _url("web:meeting_create", setup),
        {
            "title": "Backwards",
            "kind": "ad_hoc",
            "starts_at": "2026-05-04T10:00",
            "ends_at": "2026-05-04T09:00",
            "visibility": "shared",
        },
    )
    assert response.status_code == 400
    assert "The meeting must end after it starts." in response.content.decode()


def test_scheduling_from_the_page_takes_local_time_and_marking_held_fulfils_the_entry(setup: Setup) -> None:
    world = setup.world
    world.project.time_zone = "Asia/Shanghai"
    world.project.save(update_fields=["time_zone"])
    client = as_(world, "pm")
    response = client.post(
        _url("web:meeting_create", setup),
        {
            "title": "Demo of the POS module",
            "kind": "ad_hoc",
            "starts_at": "2026-05-04T10:00",
            "ends_at": "2026-05-04T11:00",
            "item": str(setup.item.pk),
            "visibility": "shared",
            "invite": [str(world.client_pm.pk)],
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(title="Demo of the POS module")
    assert meeting.starts_at == dt.datetime(2026, 5, 4, 2, 0, tzinfo=dt.UTC)
    assert [a.user_id for a in meeting.attendees.all()] == [world.client_pm.pk]
    response = client.post(_url("web:meeting_state", setup, meeting.pk, "held"), {"version": meeting.version})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert setup.item.fulfilments.count() == 1


@pytest.mark.parametrize("viewer", ("client_viewer", "sponsor", "member"))
def test_people_without_the_right_cannot_change_a_meeting(setup: Setup, viewer: str) -> None:
    client = as_(setup.world, viewer)
    meeting = setup.meeting
    assert (
        client.post(_url("web:meeting_state", setup, meeting.pk, "cancel"), {"version": 1}).status_code == 403
    )
    assert client.post(_url("web:meeting_agenda_add", setup, meeting.pk), {"title": "x"}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def _count(client: Client, url: str) -> int:
    """The queries of a request once process-wide caches (content types) are warm."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_query_counts_do_not_grow_with_rows(setup: Setup) -> None:
    world = setup.world
    client = as_(world, "pm")
    urls = [
        _url("web:communication_plan", setup),
        _url("web:meetings", setup) + "?when=all",
        reverse("web:adherence_portfolio"),
    ]
    before = [_count(client, u) for u in urls]
    for n in range(27):
        services.do_add_item(
            world.project,
            actor=world.pm,
            title=f"Entry {n}",
            frequency=Frequency.WEEKLY,
            weekday=n % 5,
            starts_on=dt.date.today() - dt.timedelta(days=20),
            owner_id=world.member.pk,
        )
        starts, ends = _at(n - 10)
        services.do_schedule_meeting(
            world.project, actor=world.pm, title=f"Meeting {n}", starts_at=starts, ends_at=ends
        )
    after = [_count(client, u) for u in urls]
    assert after == before


def test_the_project_home_shows_the_team_what_communication_is_due(setup: Setup) -> None:
    world = setup.world
    home = reverse("web:project_home", args=[world.project.code])
    page = as_(world, "pm").get(home).content.decode()
    assert "Communication due" in page
    # nothing was ever fulfilled: the weekly report and the internal monthly review are overdue
    assert "Weekly status report" in page and "Margin review with the account director" in page
    assert "Send the cut-over checklist" in page and "Renegotiate the day rate" in page
    for viewer in CLIENT:
        assert "Communication due" not in as_(world, viewer).get(home).content.decode()
    assert "Communication due" not in as_(world, "pm").get(home + "?view=client").content.decode()
    last_due = cadence.last_slot(setup.item, timezone.now())
    assert last_due is not None
    services.do_mark_done(
        setup.item, actor=world.pm, note="Sent by hand", at=last_due + dt.timedelta(hours=1)
    )
    page = as_(world, "pm").get(home).content.decode()
    assert "Weekly status report" not in page.split("Communication due")[1].split("</section>")[0]


def test_the_home_panel_reads_the_same_queries_for_more_rows(setup: Setup) -> None:
    world = setup.world
    client = as_(world, "pm")
    home = reverse("web:project_home", args=[world.project.code])
    client.get(home)
    before = _count(client, home)
    for n in range(20):
        services.do_add_item(
            world.project,
            actor=world.pm,
            title=f"Entry {n}",
            frequency=Frequency.MONTHLY,
            monthly_rule="last_working_day",
            starts_on=dt.date.today() - dt.timedelta(days=90),
        )
        services.do_add_action(setup.meeting, actor=world.pm, title=f"Action {n}", owner_id=world.member.pk)
    assert _count(client, home) == before


def test_the_meeting_page_reads_the_same_queries_for_more_rows(setup: Setup) -> None:
    world = setup.world
    client = as_(world, "pm")
    page = _url("web:meeting", setup, setup.meeting.pk)
    client.get(page)
    before = _count(client, page)
    starts, ends = _at(-8)
    earlier = services.do_schedule_meeting(
        world.project,
        actor=world.pm,
        title="Earlier",
        kind=MeetingKind.WEEKLY_STATUS,
        starts_at=starts,
        ends_at=ends,
    )
    for n in range(15):
        services.do_add_agenda_item(setup.meeting, actor=world.pm, title=f"Point {n}")
        services.do_add_action(setup.meeting, actor=world.pm, title=f"Action {n}", owner_id=world.member.pk)
        services.do_add_action(earlier, actor=world.pm, title=f"Older {n}", owner_id=world.client_pm.pk)
        services.do_add_decision(
            setup.meeting, actor=world.pm, text=f"Decision {n}", concerns_client=n % 2 == 0
        )
        services.do_add_attendee(
            setup.meeting, actor=world.pm, name=f"Guest {n}", email=f"guest{n}@example.com"
        )
    assert _count(client, page) == before


def test_meetings_take_comments_and_an_internal_one_stays_hidden_from_the_client(setup: Setup) -> None:
    from django.http import Http404

    from tandem.communication import services as comments
    from tandem.communication import targets

    world = setup.world
    shared = targets.access_target(world.client_pm, world.project, f"meeting:{setup.meeting.pk}")
    comment = comments.do_add_comment(shared, actor=world.client_pm, body="Can we start at 10:30?")
    assert comment.target == setup.meeting
    with pytest.raises(Http404):
        targets.access_target(world.client_pm, world.project, f"meeting:{setup.secret_meeting.pk}")
    page = as_(world, "client_pm").get(
        reverse("web:comments", args=[world.project.code, f"meeting:{setup.meeting.pk}"])
    )
    assert page.status_code == 200 and "Can we start at 10:30?" in page.content.decode()
    hidden = as_(world, "client_pm").get(
        reverse("web:comments", args=[world.project.code, f"meeting:{setup.secret_meeting.pk}"])
    )
    assert hidden.status_code == 404


def test_the_clients_pm_schedules_a_shared_meeting_from_the_page(setup: Setup) -> None:
    world = setup.world
    client = as_(world, "client_pm")
    form = client.get(_url("web:meeting_create", setup)).content.decode()
    assert 'name="visibility"' not in form and "Margin review" not in form
    response = client.post(
        _url("web:meeting_create", setup),
        {
            "title": "UAT walkthrough",
            "kind": "ad_hoc",
            "starts_at": "2026-06-01T14:00",
            "ends_at": "2026-06-01T15:30",
            "invite": [str(world.member.pk), str(world.sponsor.pk)],
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(title="UAT walkthrough")
    assert meeting.visibility == Visibility.SHARED and meeting.organizer == world.client_pm
    assert {a.user_id for a in meeting.attendees.all()} == {world.member.pk, world.sponsor.pk}
    detail = client.get(_url("web:meeting", setup, meeting.pk))
    assert detail.status_code == 200 and "Add to the agenda" in detail.content.decode()


def test_portfolio_adherence_reads_the_same_queries_for_more_projects(setup: Setup) -> None:
    from tandem.projects.models import Membership

    world = setup.world
    client = as_(world, "pm")
    url = reverse("web:adherence_portfolio")
    client.get(url)
    before = _count(client, url)
    other = world.other_project
    Membership.objects.create(project=other, user=world.pm, role="pm", side="team")
    services.do_add_item(
        other,
        actor=world.pm,
        title="Contoso steering",
        frequency=Frequency.MONTHLY,
        monthly_rule="first_working_day",
        starts_on=dt.date.today() - dt.timedelta(days=90),
    )
    page = client.get(url).content.decode()
    assert "Contoso steering" in page  # never held: overdue
    assert other.code in page
    assert _count(client, url) == before
