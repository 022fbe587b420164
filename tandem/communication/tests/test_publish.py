"""publish(): deliveries on commit to endpoints that want the event; internal ones never to a shared chat."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction

from tandem.communication.choices import DeliveryStatus, WebhookEvent, WebhookKind
from tandem.communication.delivery import publish
from tandem.communication.models import WebhookDelivery, WebhookEndpoint
from tandem.communication.tests.receiver import Receiver, running_receiver
from tandem.testing.personas import World


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def endpoint(world: World, receiver: Receiver, **extra: object) -> WebhookEndpoint:
    values: dict[str, object] = {
        "project": world.project,
        "name": "Chat",
        "kind": WebhookKind.SLACK,
        "url": f"{receiver.url}/hook",
        "created_by": world.pm,
    }
    values.update(extra)
    return WebhookEndpoint.objects.create(**values)


def test_it_sends_on_commit_only(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    endpoint(world, receiver)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        publish(
            world.project,
            event=WebhookEvent.COMMENT_CREATED,
            title="New comment",
            text="Hello",
            url="http://tandem.test/x",
            shared=True,
        )
        assert not WebhookDelivery.objects.exists()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 1
    assert len(receiver.requests) == 1
    assert receiver.requests[0].path == "/hook"


def test_it_tells_nobody_when_the_change_rolls_back(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    endpoint(world, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                publish(world.project, event="comment.created", title="t", text="x", url="u", shared=True)
                raise RuntimeError
        except RuntimeError:
            pass
    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []


def test_internal_events_reach_only_endpoints_that_include_them(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    shared_chat = endpoint(world, receiver, name="Shared chat")
    team_chat = endpoint(world, receiver, name="Team chat", include_internal=True, url=f"{receiver.url}/team")
    with django_capture_on_commit_callbacks(execute=True):
        publish(world.project, event="comment.created", title="Internal", text="x", url="u", shared=False)
    assert list(WebhookDelivery.objects.values_list("endpoint", flat=True)) == [team_chat.pk]
    assert [r.path for r in receiver.requests] == ["/team"]
    assert not shared_chat.deliveries.exists()


def test_it_respects_the_event_filter_and_inactive_endpoints(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    endpoint(world, receiver, name="Meetings only", events=[WebhookEvent.MEETING_SCHEDULED])
    endpoint(world, receiver, name="Off", active=False)
    endpoint(world, receiver, name="Other project", project=world.other_project)
    everything = endpoint(world, receiver, name="All")
    with django_capture_on_commit_callbacks(execute=True):
        publish(world.project, event="comment.created", title="t", text="x", url="u", shared=True)
    assert list(WebhookDelivery.objects.values_list("endpoint", flat=True)) == [everything.pk]
