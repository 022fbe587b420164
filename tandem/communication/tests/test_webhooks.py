"""Webhook deliveries as each platform receives them: shapes, signatures, retries and refusals."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest
from django.utils import timezone

from tandem.communication import integrations, tasks
from tandem.communication.choices import DeliveryStatus, WebhookEvent, WebhookKind
from tandem.communication.delivery import publish
from tandem.communication.models import WebhookDelivery, WebhookEndpoint
from tandem.communication.services import do_add_comment
from tandem.communication.tests.receiver import Receiver, running_receiver
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def add(world: World, receiver: Receiver, kind: str, **extra: object) -> WebhookEndpoint:
    return integrations.do_add_endpoint(
        world.project,
        actor=world.pm,
        name=f"{kind} chat",
        kind=kind,
        url=f"{receiver.url}/{kind}?access_token=abc",
        **extra,
    )


def announce(capture, world: World, *, shared: bool = True, event: str = WebhookEvent.REPORT_SENT) -> None:
    with capture(execute=True):
        publish(
            world.project,
            event=event,
            title="Weekly report 12",
            text="All **green** <b>",
            url="https://tandem.example/projects/ERP/reports/12/",
            shared=shared,
        )


def test_slack_gets_text_and_a_mrkdwn_section(world, receiver, django_capture_on_commit_callbacks) -> None:
    add(world, receiver, WebhookKind.SLACK)
    announce(django_capture_on_commit_callbacks, world)
    body = receiver.requests[0].json()
    assert body["text"] == "[ERP] Weekly report 12"
    section = body["blocks"][0]
    assert section["type"] == "section"
    assert section["text"]["type"] == "mrkdwn"
    assert section["text"]["text"] == "*Weekly report 12*\nAll **green** &lt;b&gt;"
    context = body["blocks"][1]["elements"][0]["text"]
    assert "<https://tandem.example/projects/ERP/reports/12/|Open in Tandem>" in context


def test_teams_gets_an_adaptive_card(world, receiver, django_capture_on_commit_callbacks) -> None:
    add(world, receiver, WebhookKind.TEAMS)
    receiver.default = (202, "")
    announce(django_capture_on_commit_callbacks, world)
    body = receiver.requests[0].json()
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.4"
    assert card["body"][0] == {
        "type": "TextBlock",
        "text": "Weekly report 12",
        "weight": "Bolder",
        "size": "Medium",
        "wrap": True,
    }
    assert card["body"][1]["text"] == "All **green** <b>"
    assert card["actions"] == [
        {
            "type": "Action.OpenUrl",
            "title": "Open in Tandem",
            "url": "https://tandem.example/projects/ERP/reports/12/",
        }
    ]
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


def test_wecom_gets_markdown_and_errcode_decides(world, receiver, django_capture_on_commit_callbacks) -> None:
    add(world, receiver, WebhookKind.WECOM)
    receiver.default = (200, '{"errcode":0,"errmsg":"ok"}')
    announce(django_capture_on_commit_callbacks, world)
    body = receiver.requests[0].json()
    assert body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert content.startswith("**Weekly report 12**\n\nAll **green** <b>")
    assert "[Open in Tandem](https://tandem.example/projects/ERP/reports/12/)" in content
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


def test_a_200_with_an_error_code_is_a_failure(world, receiver, django_capture_on_commit_callbacks) -> None:
    add(world, receiver, WebhookKind.WECOM)
    receiver.default = (200, '{"errcode":93000,"errmsg":"invalid webhook url"}')
    announce(django_capture_on_commit_callbacks, world)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.last_status_code == 200
    assert "93000" in delivery.last_error
    assert delivery.delivered_at is None


def test_dingtalk_is_signed_in_the_query(world, receiver, django_capture_on_commit_callbacks) -> None:
    secret = "SEC0123456789abcdef"
    add(world, receiver, WebhookKind.DINGTALK, secret=secret)
    receiver.default = (200, '{"errcode":0,"errmsg":"ok"}')
    before = int(time.time() * 1000)
    announce(django_capture_on_commit_callbacks, world)
    request = receiver.requests[0]
    query = parse_qs(urlsplit(request.path).query)
    assert query["access_token"] == ["abc"]
    timestamp = query["timestamp"][0]
    assert before <= int(timestamp) <= int(time.time() * 1000)
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected]  # parse_qs undid the URL encoding
    assert f"sign={quote_plus(expected)}" in request.path  # base64 URL-encoded in the query
    body = request.json()
    assert body == {
        "msgtype": "markdown",
        "markdown": {"title": "Weekly report 12", "text": body["markdown"]["text"]},
    }
    assert body["markdown"]["text"].startswith("**Weekly report 12**")
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


def test_feishu_is_signed_in_the_body(world, receiver, django_capture_on_commit_callbacks) -> None:
    secret = "feishu-secret"
    add(world, receiver, WebhookKind.FEISHU, secret=secret)
    receiver.default = (200, '{"code":19021,"msg":"sign match fail or timestamp is not within one hour"}')
    announce(django_capture_on_commit_callbacks, world)
    body = receiver.requests[0].json()
    timestamp = body["timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    key = f"{timestamp}\n{secret}".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body["msg_type"] == "post"
    post = body["content"]["post"]["zh_cn"]
    assert post["title"] == "Weekly report 12"
    assert post["content"][0] == [{"tag": "text", "text": "All **green** <b>"}]
    assert post["content"][-1][-1] == {
        "tag": "a",
        "text": "Open in Tandem",
        "href": "https://tandem.example/projects/ERP/reports/12/",
    }
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING  # code 19021 refused it
    assert "19021" in delivery.last_error


def test_generic_is_signed_and_keeps_its_id_across_retries(
    world, receiver, django_capture_on_commit_callbacks
) -> None:
    endpoint = add(world, receiver, WebhookKind.GENERIC)
    assert endpoint.secret.startswith("whsec_")
    receiver.answers = [(500, "boom")]
    announce(django_capture_on_commit_callbacks, world)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.attempts == 1
    assert delivery.last_status_code == 500
    assert delivery.next_attempt_at is not None
    wait = delivery.next_attempt_at - timezone.now()
    assert dt.timedelta(seconds=50) < wait <= dt.timedelta(minutes=1)

    tasks.retry_webhooks(timezone.now())  # not due yet
    assert len(receiver.requests) == 1
    tasks.retry_webhooks(timezone.now() + dt.timedelta(minutes=2))
    assert len(receiver.requests) == 2
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 2
    tasks.retry_webhooks(timezone.now() + dt.timedelta(days=1))  # delivered: never again
    tasks.deliver_webhook.enqueue(delivery.pk, delivery.attempts)
    assert len(receiver.requests) == 2

    first, second = receiver.requests
    assert first.headers["x-tandem-delivery"] == second.headers["x-tandem-delivery"] == str(delivery.uuid)
    for request in (first, second):
        assert request.headers["x-tandem-event"] == "report.sent"
        timestamp = request.headers["x-tandem-timestamp"]
        signed = timestamp.encode() + b"." + request.body
        expected = hmac.new(endpoint.secret.encode(), signed, hashlib.sha256).hexdigest()
        assert request.headers["x-tandem-signature"] == f"sha256={expected}"
    body = second.json()
    assert body["id"] == str(delivery.uuid)
    assert body["event"] == "report.sent"
    assert body["project"] == {"code": "ERP", "name": world.project.name}
    assert body["title"] == "Weekly report 12"
    assert body["text"] == "All **green** <b>"
    assert body["url"] == "https://tandem.example/projects/ERP/reports/12/"
    assert dt.datetime.fromisoformat(body["occurred_at"])


def test_it_fails_after_the_last_attempt(world, receiver, django_capture_on_commit_callbacks) -> None:
    add(world, receiver, WebhookKind.SLACK)
    receiver.default = (503, "unavailable")
    announce(django_capture_on_commit_callbacks, world)
    now = timezone.now()
    for hours in range(1, 20):
        tasks.retry_webhooks(now + dt.timedelta(hours=hours * 7))
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == tasks.MAX_ATTEMPTS == 6
    assert len(receiver.requests) == 6
    assert delivery.next_attempt_at is None


def test_backoff_follows_the_schedule(world, receiver, django_capture_on_commit_callbacks) -> None:
    add(world, receiver, WebhookKind.SLACK)
    receiver.default = (500, "no")
    announce(django_capture_on_commit_callbacks, world)
    delivery = WebhookDelivery.objects.get()
    waits = []
    for _ in range(5):
        delivery.refresh_from_db()
        waits.append(round((delivery.next_attempt_at - timezone.now()).total_seconds() / 60))
        tasks.deliver_webhook.enqueue(delivery.pk, delivery.attempts)
    assert waits == [1, 5, 30, 120, 360]


def test_an_unreachable_endpoint_is_retried(world, django_capture_on_commit_callbacks) -> None:
    with running_receiver() as gone:
        url = gone.url
    integrations.do_add_endpoint(world.project, actor=world.pm, name="Gone", kind="slack", url=url)
    announce(django_capture_on_commit_callbacks, world)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.last_status_code is None
    assert "Connect" in delivery.last_error


def test_internal_events_never_reach_a_shared_chat(
    world, receiver, django_capture_on_commit_callbacks
) -> None:
    add(world, receiver, WebhookKind.SLACK)
    add(world, receiver, WebhookKind.GENERIC, include_internal=True)
    announce(django_capture_on_commit_callbacks, world, shared=False)
    assert [urlsplit(r.path).path for r in receiver.requests] == ["/generic"]


def test_a_new_comment_is_published(world, receiver, django_capture_on_commit_callbacks) -> None:
    add(world, receiver, WebhookKind.GENERIC)
    shared_risk = world.records["goal_shared"]
    internal_risk = world.records["goal_internal"]
    with django_capture_on_commit_callbacks(execute=True):
        do_add_comment(shared_risk, actor=world.pm, body="Shared thought", visibility="shared")
    with django_capture_on_commit_callbacks(execute=True):
        do_add_comment(internal_risk, actor=world.pm, body="Secret thought", visibility="shared")
    (request,) = receiver.requests
    body = request.json()
    assert body["event"] == "comment.created"
    assert body["text"] == "Shared thought"
    assert body["title"] == f"Alice PM commented on {shared_risk}"
    assert f"/comments/goal:{shared_risk.pk}/" in body["url"]
    assert b"Secret" not in request.body


def test_changing_the_platform_never_reuses_a_secret(world, receiver) -> None:
    ding = add(world, receiver, WebhookKind.DINGTALK, secret="SECfromDingTalk")
    generic = integrations.do_edit_endpoint(ding, actor=world.pm, version=1, kind=WebhookKind.GENERIC)
    assert generic.secret.startswith("whsec_")
    kept = integrations.do_edit_endpoint(generic, actor=world.pm, version=2, name="Renamed", secret="ignored")
    assert kept.secret == generic.secret
    feishu = integrations.do_edit_endpoint(kept, actor=world.pm, version=3, kind=WebhookKind.FEISHU)
    assert feishu.secret == ""
    signed = integrations.do_edit_endpoint(feishu, actor=world.pm, version=4, secret="feishu-secret")
    assert signed.secret == "feishu-secret"
    unchanged = integrations.do_edit_endpoint(signed, actor=world.pm, version=5, name="Lark")
    assert unchanged.secret == "feishu-secret"


def test_one_attempt_is_posted_once_however_often_it_is_enqueued(
    world, receiver, django_capture_on_commit_callbacks
) -> None:
    add(world, receiver, WebhookKind.SLACK)
    receiver.answers = [(500, "down")]
    announce(django_capture_on_commit_callbacks, world)
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1
    # Two workers (or a tick and "retry now") pick up the same second attempt.
    tasks.deliver_webhook.enqueue(delivery.pk, 1)
    tasks.deliver_webhook.enqueue(delivery.pk, 1)
    tasks.deliver_webhook.enqueue(delivery.pk, 0)  # a stale first attempt
    assert len(receiver.requests) == 2
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2


def test_private_addresses_are_refused_unless_the_operator_allows_them(
    world, receiver, django_capture_on_commit_callbacks, settings
) -> None:
    """A manager cannot aim Tandem at its own network: refused when saved, and again when sent."""
    from django.core.exceptions import ValidationError

    endpoint = add(world, receiver, WebhookKind.GENERIC)  # saved while private addresses were allowed
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    for url in (
        "http://127.0.0.1:8000/x",
        "http://localhost/x",
        "http://10.1.2.3/x",
        "http://[::1]/x",
        "http://169.254.169.254/latest/meta-data/",
    ):
        with pytest.raises(ValidationError) as refused:
            integrations.do_add_endpoint(world.project, actor=world.pm, name="x", kind="generic", url=url)
        assert "url" in refused.value.message_dict, url
    announce(django_capture_on_commit_callbacks, world)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert receiver.requests == []  # resolved to 127.0.0.1 at send time: nothing was posted
    assert delivery.status != DeliveryStatus.DELIVERED
    assert "127.0.0.1" in delivery.last_error and "private" in delivery.last_error
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    public = integrations.do_add_endpoint(
        world.project, actor=world.pm, name="y", kind="generic", url="https://hooks.example.com/x"
    )
    assert public.pk
