"""A project's webhooks (team-only configuration), their delivery logs, and one's e-mail preference."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status

from tandem.api.auth import AUTH, actor
from tandem.api.integrations_schemas import (
    DeliveryFilter,
    DeliveryOut,
    NotificationSettingsIn,
    NotificationSettingsOut,
    WebhookIn,
    WebhookOut,
    WebhookPatchIn,
)
from tandem.api.pagination import paged
from tandem.communication import emails, integrations, queries
from tandem.communication.models import WebhookDelivery, WebhookEndpoint
from tandem.projects.queries import access_project

router = Router(tags=["integrations"], auth=AUTH)


def _endpoint(request: HttpRequest, code: str, webhook_id: int) -> tuple[Any, WebhookEndpoint]:
    user = actor(request)
    return user, queries.access_endpoint(user, access_project(user, code), webhook_id)


@router.get("/projects/{code}/webhooks", response=list[WebhookOut], summary="A project's webhooks")
@paged
def list_webhooks(request: HttpRequest, code: str) -> QuerySet[WebhookEndpoint]:
    """The project's chat and generic webhooks with their latest delivery (integration managers)."""
    user = actor(request)
    return queries.endpoints_of(user, access_project(user, code))


@router.post("/projects/{code}/webhooks", response={201: WebhookOut}, summary="Add a webhook")
def add_webhook(request: HttpRequest, code: str, payload: WebhookIn) -> Status[WebhookEndpoint]:
    """Add a webhook; a generic one answers with the signing secret Tandem generated."""
    user = actor(request)
    project = access_project(user, code)
    data = payload.model_dump()
    data["language"] = data["language"] or ""
    endpoint = integrations.do_add_endpoint(project, actor=user, **data)
    return Status(201, queries.access_endpoint(user, project, endpoint.pk))


@router.get("/projects/{code}/webhooks/{webhook_id}", response=WebhookOut, summary="One webhook")
def get_webhook(request: HttpRequest, code: str, webhook_id: int) -> WebhookEndpoint:
    """One webhook of the project."""
    return _endpoint(request, code, webhook_id)[1]


@router.patch("/projects/{code}/webhooks/{webhook_id}", response=WebhookOut, summary="Change a webhook")
def edit_webhook(
    request: HttpRequest, code: str, webhook_id: int, payload: WebhookPatchIn
) -> WebhookEndpoint:
    """Change a webhook, based on the version the caller read; ``rotate_secret`` renews a generic secret."""
    user, endpoint = _endpoint(request, code, webhook_id)
    data = payload.model_dump(exclude_unset=True, exclude={"version", "rotate_secret"})
    data = {k: v for k, v in data.items() if v is not None or k == "language"}
    if "language" in data:
        data["language"] = data["language"] or ""
    integrations.do_edit_endpoint(
        endpoint, actor=user, version=payload.version, rotate_secret=payload.rotate_secret, **data
    )
    return queries.access_endpoint(user, endpoint.project, endpoint.pk)


@router.delete("/projects/{code}/webhooks/{webhook_id}", response={204: None}, summary="Delete a webhook")
def delete_webhook(request: HttpRequest, code: str, webhook_id: int) -> Status[None]:
    """Remove a webhook and its delivery log."""
    user, endpoint = _endpoint(request, code, webhook_id)
    integrations.do_delete_endpoint(endpoint, actor=user)
    return Status(204, None)


@router.get(
    "/projects/{code}/webhooks/{webhook_id}/deliveries",
    response=list[DeliveryOut],
    summary="A webhook's delivery log",
)
@paged
def list_deliveries(
    request: HttpRequest, code: str, webhook_id: int, filters: Query[DeliveryFilter]
) -> QuerySet[WebhookDelivery]:
    """The webhook's deliveries, newest first (``status=failed`` for the failed ones)."""
    return queries.deliveries_of(_endpoint(request, code, webhook_id)[1], status=filters.status or "")


@router.post(
    "/projects/{code}/webhooks/{webhook_id}/test",
    response={201: DeliveryOut},
    summary="Send a test message",
)
def test_webhook(request: HttpRequest, code: str, webhook_id: int) -> Status[WebhookDelivery]:
    """Send a test message; the answer is its delivery, pending until the worker posts it."""
    user, endpoint = _endpoint(request, code, webhook_id)
    created = integrations.do_send_test(endpoint, actor=user)
    return Status(201, queries.access_delivery(endpoint, created.pk))


@router.post(
    "/projects/{code}/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
    response=DeliveryOut,
    summary="Retry a delivery now",
)
def retry_delivery(request: HttpRequest, code: str, webhook_id: int, delivery_id: int) -> WebhookDelivery:
    """Try a pending, retrying or failed delivery again now (a delivered one is never resent)."""
    user, endpoint = _endpoint(request, code, webhook_id)
    integrations.do_retry_delivery(queries.access_delivery(endpoint, delivery_id), actor=user)
    return queries.access_delivery(endpoint, delivery_id)


@router.get(
    "/me/notification-settings",
    response=NotificationSettingsOut,
    tags=["notifications"],
    summary="My e-mail notification settings",
)
def get_notification_settings(request: HttpRequest) -> NotificationSettingsOut:
    """When the caller receives notifications by e-mail: immediately, daily_digest or never."""
    return NotificationSettingsOut(email=emails.email_mode(actor(request)))


@router.put(
    "/me/notification-settings",
    response=NotificationSettingsOut,
    tags=["notifications"],
    summary="Change my e-mail notification settings",
)
def put_notification_settings(
    request: HttpRequest, payload: NotificationSettingsIn
) -> NotificationSettingsOut:
    """Choose when to receive notifications by e-mail."""
    user = actor(request)
    row = emails.do_set_email_mode(user, email=payload.email, actor=user)
    return NotificationSettingsOut(email=row.email)
