"""The one scope's hook for records whose sharing depends on a parent (``scope_visibility_paths``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tandem.core.choices import Visibility
from tandem.core.scoping import ClientLens, shared_q, visibility_paths_of
from tandem.meetings.models import AgendaItem, Attendee, Meeting
from tandem.planning.models import Dependency, Task
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db


def _meeting(world: World, visibility: str) -> Meeting:
    start = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))
    return Meeting.objects.create(
        project=world.project,
        title=f"{visibility} meeting",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        visibility=visibility,
    )


def test_paths_default_to_the_models_own_visibility_or_none() -> None:
    assert visibility_paths_of(Task) == ("visibility",)
    assert visibility_paths_of(AgendaItem) == ("visibility", "meeting__visibility")
    assert visibility_paths_of(Attendee) == ("meeting__visibility",)
    assert visibility_paths_of(Dependency) == ("predecessor__visibility", "successor__visibility")
    assert shared_q(Meeting) == shared_q(Task)


def test_a_shared_child_of_an_internal_parent_is_hidden_from_the_client(world: World) -> None:
    internal = _meeting(world, Visibility.INTERNAL)
    shared = _meeting(world, Visibility.SHARED)
    hidden = AgendaItem.objects.create(meeting=internal, title="Shared point", visibility=Visibility.SHARED)
    seen = AgendaItem.objects.create(meeting=shared, title="Shared point", visibility=Visibility.SHARED)
    own = AgendaItem.objects.create(meeting=shared, title="Internal point", visibility=Visibility.INTERNAL)

    for reader in (world.client_viewer, world.sponsor, ClientLens(world.pm)):
        assert list(AgendaItem.objects.visible_to(reader)) == [seen]
    assert set(AgendaItem.objects.visible_to(world.member)) == {hidden, seen, own}
    assert not AgendaItem.objects.visible_to(world.other_client).exists()
    assert list(AgendaItem.objects.filter(meeting__project=world.project).shared()) == [seen]


def test_a_row_without_its_own_visibility_follows_its_parent(world: World) -> None:
    internal = _meeting(world, Visibility.INTERNAL)
    shared = _meeting(world, Visibility.SHARED)
    Attendee.objects.create(meeting=internal, name="Hidden", email="hidden@example.test")
    visible = Attendee.objects.create(meeting=shared, name="Seen", email="seen@example.test")

    assert list(Attendee.objects.visible_to(world.client_pm)) == [visible]
    assert Attendee.objects.visible_to(world.pm).count() == 2
