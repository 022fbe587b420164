"""The integrations API, called as every kind of viewer; webhooks stay team-only configuration."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.communication import integrations
from tandem.communication.choices import DeliveryStatus, WebhookKind
from tandem.communication.models import WebhookDelivery, WebhookEndpoint
from tandem.communication.tests.receiver import running_receiver
from tandem.testing.api import ANY_USER, Caller, Case, matrix_test, only_pm, world_fixture
from tandem.testing.personas import World

#: Nothing listens here: a test or retry fails fast and is recorded.
CLOSED = "http://127.0.0.1:9/hook"
P = "/projects/ERP/webhooks"
CASES = [
    Case("webhooks.list", "GET", P, only_pm("200")),
    Case(
        "webhooks.create",
        "POST",
        P,
        only_pm("201"),
        {"name": "Team chat", "kind": "slack", "url": "https://hooks.slack.test/services/T/B/X"},
    ),
    Case("webhooks.detail", "GET", f"{P}/{{webhook}}", only_pm("200")),
    Case("webhooks.update", "PATCH", f"{P}/{{webhook}}", only_pm("200"), {"version": 1, "name": "Renamed"}),
    Case("webhooks.delete", "DELETE", f"{P}/{{webhook}}", only_pm("204")),
    Case("webhooks.deliveries", "GET", f"{P}/{{webhook}}/deliveries?status=failed", only_pm("200")),
    Case("webhooks.test", "POST", f"{P}/{{webhook}}/test", only_pm("201"), {}),
    Case("webhooks.retry", "POST", f"{P}/{{webhook}}/deliveries/{{delivery}}/retry", only_pm("200"), {}),
    Case(
        "webhooks.other-project",
        "GET",
        "/projects/OTHER/webhooks/{other_webhook}",
        "401 404 403 404 404 404 404 404",
    ),
    Case("notification-settings.get", "GET", "/me/notification-settings", ANY_USER),
    Case(
        "notification-settings.put", "PUT", "/me/notification-settings", ANY_USER, {"email": "daily_digest"}
    ),
]


def seed(world: World) -> dict[str, Any]:
    """Webhook endpoints of the project."""
    webhook = integrations.do_add_endpoint(
        world.project, actor=world.pm, name="Generic", kind=WebhookKind.GENERIC, url=CLOSED
    )
    other = integrations.do_add_endpoint(
        world.other_project, actor=world.other_pm, name="Contoso", kind=WebhookKind.SLACK, url=CLOSED
    )
    failed = WebhookDelivery.objects.create(
        endpoint=webhook,
        event="comment.created",
        payload={"x": 1},
        status=DeliveryStatus.FAILED,
        attempts=6,
    )
    return {"webhook": webhook.pk, "other_webhook": other.pk, "delivery": failed.pk}


api_world = world_fixture(seed, with_records=True)


test_it_answers_each_viewer_as_the_matrix_says = matrix_test(CASES)


def test_a_manager_adds_tests_and_retries_a_webhook(
    api_world: tuple[World, dict[str, Any]], db: None, django_capture_on_commit_callbacks: Any
) -> None:
    world, _ids = api_world
    pm = Caller(world, "pm")
    with running_receiver() as receiver:
        created = pm.call("POST", P, {"name": "Ops", "kind": "generic", "url": f"{receiver.url}/in"})
        assert created.status == 201
        body = created.json
        assert body["secret"].startswith("whsec_") and body["has_secret"] is True
        assert body["language"] == "en" and body["events"] == [] and body["include_internal"] is False
        receiver.answers = [(500, "down")]
        with django_capture_on_commit_callbacks(execute=True):
            tested = pm.call("POST", f"{P}/{body['id']}/test", {})
        assert tested.status == 201
        assert tested.json["status"] == "pending"  # the worker posts it after the answer
        retry = f"{P}/{body['id']}/deliveries/{tested.json['id']}/retry"
        (logged,) = pm.get(f"{P}/{body['id']}/deliveries").json["items"]
        assert logged["status"] == "retrying" and logged["last_status_code"] == 500
        assert logged["payload"]["event"] == "webhook.test"
        with django_capture_on_commit_callbacks(execute=True):
            assert pm.call("POST", retry, {}).json["status"] == "retrying"
        (logged,) = pm.get(f"{P}/{body['id']}/deliveries").json["items"]
        assert logged["status"] == "delivered" and logged["attempts"] == 2
        assert len(receiver.requests) == 2
        with django_capture_on_commit_callbacks(execute=True):
            again = pm.call("POST", retry, {})
        assert again.json["status"] == "delivered" and len(receiver.requests) == 2
    listed = pm.get(P).json
    ops = next(item for item in listed["items"] if item["name"] == "Ops")
    assert ops["last_status"] == "delivered"
    log = pm.get(f"{P}/{body['id']}/deliveries").json
    assert log["count"] == 1 and log["items"][0]["delivery_id"] == tested.json["delivery_id"]
    assert pm.get(f"{P}/{body['id']}/deliveries?status=failed").json["count"] == 0


def test_secrets_of_chat_platforms_are_never_read_back(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, _ids = api_world
    pm = Caller(world, "pm")
    created = pm.call(
        "POST",
        P,
        {
            "name": "Ding",
            "kind": "dingtalk",
            "url": "https://oapi.dingtalk.test/robot/send?access_token=t",
            "secret": "SECabc",
        },
    ).json
    assert created["secret"] == "" and created["has_secret"] is True
    assert WebhookEndpoint.objects.get(pk=created["id"]).secret == "SECabc"


def test_bad_input_names_the_field(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    pm = Caller(world, "pm")
    for body, field in (
        ({"name": "x", "kind": "slack", "url": "ftp://files.test/x"}, "url"),
        ({"name": "x", "kind": "slack", "url": "not a url"}, "url"),
        ({"name": "x", "kind": "telegram", "url": "https://x.test"}, "kind"),
        ({"name": "", "kind": "slack", "url": "https://x.test"}, "name"),
        ({"name": "x", "kind": "slack", "url": "https://x.test", "events": ["planet.exploded"]}, "events"),
    ):
        answer = pm.call("POST", P, body)
        assert answer.status == 422, body
        assert field in str(answer.json["detail"]), answer.json
    stale = pm.call("PATCH", f"{P}/{ids['webhook']}", {"version": 99, "name": "x"})
    assert stale.status == 409
    assert pm.call("PATCH", f"{P}/{ids['webhook']}", {"name": "x"}).status == 422
    assert pm.call("GET", f"{P}/999999").status == 404
    assert pm.call("POST", f"{P}/{ids['webhook']}/deliveries/999999/retry", {}).status == 404
    assert pm.call("PUT", "/me/notification-settings", {"email": "hourly"}).status == 422


def test_rotating_the_generic_secret(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    pm = Caller(world, "pm")
    before = pm.get(f"{P}/{ids['webhook']}").json
    after = pm.call(
        "PATCH", f"{P}/{ids['webhook']}", {"version": before["version"], "rotate_secret": True}
    ).json
    assert after["secret"].startswith("whsec_") and after["secret"] != before["secret"]
    assert after["version"] == before["version"] + 1


def test_notification_settings_round_trip(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, _ids = api_world
    client = Caller(world, "client_pm")
    assert client.get("/me/notification-settings").json == {"email": "immediately"}
    assert client.call("PUT", "/me/notification-settings", {"email": "never"}).json == {"email": "never"}
    assert client.get("/me/notification-settings").json == {"email": "never"}


def test_lists_take_the_same_queries_for_3_or_30_rows(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    webhook = WebhookEndpoint.objects.get(pk=ids["webhook"])
    pm = Caller(world, "pm")
    pm.get("/me")  # warm the session

    def add(rows: int) -> None:
        for n in range(rows):
            added = WebhookEndpoint.objects.create(
                project=world.project, name=f"Hook {n}", kind="slack", url=CLOSED, created_by=world.lead
            )
            WebhookDelivery.objects.create(endpoint=added, event="comment.created", payload={})
            WebhookDelivery.objects.create(endpoint=webhook, event="comment.created", payload={})

    def measure() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as endpoints:
            pm.get(f"{P}?limit=100")
        with CaptureQueriesContext(connection) as deliveries:
            pm.get(f"{P}/{webhook.pk}/deliveries?limit=100")
        return len(endpoints), len(deliveries)

    add(3)
    few = measure()
    add(27)
    assert pm.get(f"{P}?limit=100").json["count"] == 31
    assert pm.get(f"{P}/{webhook.pk}/deliveries?limit=100").json["count"] == 31
    assert measure() == few
