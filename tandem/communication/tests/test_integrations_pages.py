"""The integrations pages as every kind of viewer, the manager's flow, the e-mail preference on the
profile, and query counts that do not grow with the number of webhooks or deliveries."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tandem.communication import emails, integrations
from tandem.communication.choices import DeliveryStatus, EmailMode, WebhookKind
from tandem.communication.models import WebhookDelivery, WebhookEndpoint
from tandem.communication.tests.receiver import Receiver, running_receiver
from tandem.core.models import Activity
from tandem.testing.personas import World

VIEWERS = ("outsider", "other_client", "client_viewer", "client_pm", "sponsor", "member", "pm")
CLOSED = "http://127.0.0.1:9/hook"


def as_(world: World, viewer: str) -> Client:
    client = Client()
    client.force_login(world.people[viewer])
    return client


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


@pytest.fixture
def hook(world: World) -> WebhookEndpoint:
    endpoint = integrations.do_add_endpoint(
        world.project, actor=world.pm, name="Team Slack", kind=WebhookKind.SLACK, url=CLOSED
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="comment.created",
        payload={"text": "hello"},
        status=DeliveryStatus.FAILED,
        attempts=6,
    )
    return endpoint


def test_only_managers_of_integrations_open_the_pages(world: World, hook: WebhookEndpoint) -> None:
    delivery = hook.deliveries.get()
    pages = [
        "/projects/ERP/integrations/",
        f"/projects/ERP/integrations/{hook.pk}/",
        f"/projects/ERP/integrations/{hook.pk}/delete/",
        f"/projects/ERP/integrations/{hook.pk}/deliveries/",
    ]
    expected = {"outsider": 404, "other_client": 404, "client_viewer": 403, "client_pm": 403, "sponsor": 403}
    expected |= {"member": 403, "pm": 200}
    for viewer in VIEWERS:
        client = as_(world, viewer)
        for page in pages:
            assert client.get(page).status_code == expected[viewer], (viewer, page)
        posts = [
            f"/projects/ERP/integrations/{hook.pk}/test/",
            f"/projects/ERP/integrations/{hook.pk}/deliveries/{delivery.pk}/retry/",
        ]
        for page in posts:
            status = client.post(page).status_code
            assert status == (302 if viewer == "pm" else expected[viewer]), (viewer, page)
    # The client view of the team never shows them either.
    assert as_(world, "pm").get("/projects/ERP/integrations/?view=client").status_code == 403


def test_the_tab_shows_for_managers_only(world: World) -> None:
    # Integrations is a page of the Communication section: its link shows on that section's pages.
    page = "/projects/ERP/communication/"
    assert "/projects/ERP/integrations/" in as_(world, "pm").get(page).content.decode()
    for viewer in ("member", "client_pm", "sponsor"):
        assert "/projects/ERP/integrations/" not in as_(world, viewer).get(page).content.decode()
    assert "/projects/ERP/integrations/" not in as_(world, "pm").get(page + "?view=client").content.decode()


def test_a_manager_adds_tests_edits_and_deletes_a_webhook(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    pm = as_(world, "pm")
    empty = pm.get("/projects/ERP/integrations/").content.decode()
    assert "No webhooks yet" in empty
    added = pm.post(
        "/projects/ERP/integrations/",
        {
            "name": "Ops",
            "kind": "generic",
            "url": f"{receiver.url}/in",
            "active": "on",
            "events": ["report.sent"],
        },
    )
    assert added.status_code == 302
    endpoint = WebhookEndpoint.objects.get(name="Ops")
    assert endpoint.events == ["report.sent"] and endpoint.language == "en"
    page = pm.get(added["Location"]).content.decode()
    assert endpoint.secret in page  # the generic signing secret is shown to its manager

    with django_capture_on_commit_callbacks(execute=True):
        tested = pm.post(f"/projects/ERP/integrations/{endpoint.pk}/test/", follow=True)
    # The page answers before the commit hands the message to the worker.
    assert "The test message is on its way" in tested.content.decode()
    assert endpoint.deliveries.get().status == DeliveryStatus.DELIVERED
    assert receiver.requests[0].json()["event"] == "webhook.test"
    log = pm.get(f"/projects/ERP/integrations/{endpoint.pk}/deliveries/").content.decode()
    assert "webhook.test" in log and str(endpoint.deliveries.get().uuid) in log

    listed = pm.get("/projects/ERP/integrations/").content.decode()
    assert "Ops" in listed and "Delivered" in listed

    saved = pm.post(
        f"/projects/ERP/integrations/{endpoint.pk}/",
        {"name": "Ops 2", "kind": "generic", "url": f"{receiver.url}/in", "active": "on", "version": "1"},
    )
    assert saved.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.name == "Ops 2" and endpoint.version == 2 and endpoint.events == []
    stale = pm.post(
        f"/projects/ERP/integrations/{endpoint.pk}/",
        {"name": "Ops 3", "kind": "generic", "url": f"{receiver.url}/in", "version": "1"},
    )
    assert stale.status_code == 409

    assert pm.post(f"/projects/ERP/integrations/{endpoint.pk}/delete/").status_code == 302
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    verbs = list(Activity.objects.filter(verb__startswith="webhook_").values_list("verb", "visibility"))
    assert ("webhook_added", "internal") in verbs and ("webhook_deleted", "internal") in verbs
    # Not a word of it in the client's activity feed.
    assert "Ops" not in as_(world, "client_pm").get("/projects/ERP/activity/").content.decode()


def test_bad_input_is_shown_on_the_form(world: World) -> None:
    pm = as_(world, "pm")
    answer = pm.post("/projects/ERP/integrations/", {"name": "", "kind": "slack", "url": "ftp://x.test/"})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "This field is required." in page
    bad_url = pm.post(
        "/projects/ERP/integrations/", {"name": "Files", "kind": "slack", "url": "ftp://x.test/"}
    )
    assert bad_url.status_code == 400
    assert "Enter an http:// or https:// address." in bad_url.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_failed_delivery_is_retried_from_the_log(
    world: World, hook: WebhookEndpoint, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    WebhookEndpoint.objects.filter(pk=hook.pk).update(url=f"{receiver.url}/slack")
    delivery = hook.deliveries.get()
    with django_capture_on_commit_callbacks(execute=True):
        answer = as_(world, "pm").post(
            f"/projects/ERP/integrations/{hook.pk}/deliveries/{delivery.pk}/retry/", follow=True
        )
    assert "The message is on its way" in answer.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 7
    assert receiver.requests[0].json() == {"text": "hello"}


def test_the_log_filters_and_pages(world: World, hook: WebhookEndpoint) -> None:
    for _ in range(30):
        WebhookDelivery.objects.create(
            endpoint=hook, event="report.sent", payload={}, status=DeliveryStatus.DELIVERED
        )
    pm = as_(world, "pm")
    failed = pm.get(f"/projects/ERP/integrations/{hook.pk}/deliveries/?status=failed").content.decode()
    assert failed.count("comment.created") == 1 and "report.sent" not in failed
    first = pm.get(f"/projects/ERP/integrations/{hook.pk}/deliveries/").content.decode()
    assert "Page 1 of 2" in first
    assert pm.get(f"/projects/ERP/integrations/{hook.pk}/deliveries/?status=nonsense").status_code == 200


def test_the_profile_sets_the_email_preference(world: World) -> None:
    client = as_(world, "client_pm")
    profile = client.get("/profile/").content.decode()
    assert "E-mail notifications" in profile
    assert re.search(r'value="immediately"[^>]* checked', profile)
    saved = client.post("/profile/notifications/", {"email": "daily_digest"}, follow=True)
    assert "Your notification settings were saved." in saved.content.decode()
    assert emails.email_mode(world.client_pm) == EmailMode.DAILY_DIGEST
    bad = client.post("/profile/notifications/", {"email": "hourly"}, follow=True)
    assert "Choose immediately, daily digest or never." in bad.content.decode()
    assert emails.email_mode(world.client_pm) == EmailMode.DAILY_DIGEST
    assert client.get("/profile/notifications/").status_code == 405


def test_pages_take_the_same_queries_for_3_or_30_rows(world: World, hook: WebhookEndpoint) -> None:
    pm = as_(world, "pm")
    pm.get("/projects/ERP/integrations/")

    def add(rows: int) -> None:
        for n in range(rows):
            other = WebhookEndpoint.objects.create(
                project=world.project, name=f"Hook {n}", kind="teams", url=CLOSED, created_by=world.lead
            )
            WebhookDelivery.objects.create(endpoint=other, event="report.sent", payload={})
            WebhookDelivery.objects.create(endpoint=hook, event="report.sent", payload={"n": n})

    def measure() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as listing:
            assert pm.get("/projects/ERP/integrations/").status_code == 200
        with CaptureQueriesContext(connection) as log:
            assert pm.get(f"/projects/ERP/integrations/{hook.pk}/deliveries/").status_code == 200
        return len(listing), len(log)

    add(2)
    few = measure()
    add(21)
    assert measure() == few
