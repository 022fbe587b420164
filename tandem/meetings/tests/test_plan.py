"""The communication plan's services: bad input names the field, permissions, one fulfilment per source."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.core.errors import ConflictError
from tandem.core.models import Activity
from tandem.meetings import services
from tandem.meetings.choices import CommunicationKind, Frequency, MonthlyRule
from tandem.meetings.models import Fulfilment
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db


def _weekly(world: World, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": CommunicationKind.STATUS_REPORT,
        "title": "Weekly status report",
        "frequency": Frequency.WEEKLY,
        "weekday": 4,
        "starts_on": dt.date(2026, 3, 2),
        "audience_roles": ["sponsor", "client_pm", "pm"],
        "owner_id": world.pm.pk,
    }
    data.update(extra)
    return data


def test_it_adds_a_weekly_report_with_the_report_time_and_audits_it(world: World) -> None:
    item = services.do_add_item(world.project, actor=world.pm, **_weekly(world))
    assert item.time_of_day == dt.time(16, 0)
    assert Activity.objects.filter(target_type="meetings.communicationitem", verb="added").count() == 1


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"weekday": None}, "weekday"),
        ({"frequency": Frequency.MONTHLY, "monthly_rule": ""}, "monthly_rule"),
        (
            {"frequency": Frequency.MONTHLY, "monthly_rule": MonthlyRule.DAY_OF_MONTH, "day_of_month": None},
            "day_of_month",
        ),
        ({"audience_roles": ["king"]}, "audience_roles"),
        ({"kind": CommunicationKind.MEETING, "auto_send": True}, "auto_send"),
        ({"title": ""}, "title"),
        ({"owner_id": 999999}, "owner_id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_names_the_field(world: World, extra: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.do_add_item(world.project, actor=world.pm, **_weekly(world, **extra))
    assert field in caught.value.message_dict


def test_only_communication_planners_add_entries(world: World) -> None:
    for person in (world.member, world.client_pm, world.client_viewer, world.sponsor):
        with pytest.raises(PermissionDenied):
            services.do_add_item(world.project, actor=person, **_weekly(world))


def test_a_stale_version_is_a_conflict(world: World) -> None:
    item = services.do_add_item(world.project, actor=world.pm, **_weekly(world))
    services.do_update_item(item, version=1, actor=world.pm, title="Friday report")
    with pytest.raises(ConflictError):
        services.do_update_item(item, version=1, actor=world.pm, title="Other")
    item.refresh_from_db()
    off = services.do_deactivate_item(item, version=2, actor=world.pm)
    assert off.active is False


def test_a_fulfilment_is_recorded_once_per_source_and_names_its_slot(world: World) -> None:
    world.project.time_zone = "UTC"
    item = services.do_add_item(world.project, actor=world.pm, **_weekly(world, time_of_day=dt.time(16, 0)))
    source = world.project  # any row stands for the report or meeting that fulfilled it
    at = dt.datetime(2026, 3, 9, 10, tzinfo=dt.UTC)  # Monday, inside Friday 6 Mar's grace
    first = services.record_fulfilment(item, at=at, source=source, label="Report 10", actor=world.pm)
    again = services.record_fulfilment(item, at=at, source=source, label="Report 10", actor=world.pm)
    assert first.pk == again.pk
    assert first.slot == dt.datetime(2026, 3, 6, 16, tzinfo=dt.UTC)
    # a second one in the same grace goes to the next slot
    other = services.record_fulfilment(item, at=at, label="call")
    assert other.slot == dt.datetime(2026, 3, 13, 16, tzinfo=dt.UTC)
    assert Fulfilment.objects.filter(item=item).count() == 2


def test_marking_done_by_hand_needs_a_planner_or_the_owner(world: World) -> None:
    item = services.do_add_item(
        world.project, actor=world.pm, **_weekly(world, kind=CommunicationKind.DEMO, owner_id=world.member.pk)
    )
    done = services.do_mark_done(item, actor=world.member, note="Demo by phone")
    assert done.label == "Demo by phone" and done.actor == world.member
    with pytest.raises(PermissionDenied):
        services.do_mark_done(item, actor=world.client_viewer, note="x")
    with pytest.raises(ValidationError) as caught:
        services.do_mark_done(item, actor=world.pm, note="x" * 301)
    assert "note" in caught.value.message_dict
