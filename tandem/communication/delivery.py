"""Telling a project's chat and generic webhooks what happened: the one entry point other apps call.

Meetings, reports and comments call :func:`publish` inside their service's transaction. On commit,
one :class:`WebhookDelivery` row is created per endpoint that wants the event, and the
``deliver_webhook`` task is enqueued for each; a rolled-back change tells nobody. Sending, retries
and the delivery log live in :mod:`tandem.communication.tasks`.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tandem.communication import tasks, webhooks
from tandem.communication.choices import DeliveryStatus, WebhookEvent
from tandem.communication.models import WebhookDelivery, WebhookEndpoint

__all__ = ["WebhookEvent", "create_deliveries", "message_for", "publish"]


def message_for(
    endpoint: WebhookEndpoint, *, delivery_id: str, event: str, title: str, text: str, url: str
) -> webhooks.Message:
    """The message for one endpoint, with Tandem's own words in the endpoint's language."""
    project = endpoint.project
    with translation.override(endpoint.language or project.language):
        open_label = _("Open in Tandem")
    return webhooks.Message(
        id=delivery_id,
        event=event,
        occurred_at=timezone.now().isoformat(),
        project_code=project.code,
        project_name=project.name,
        title=title,
        text=text,
        url=url,
        open_label=open_label,
    )


def create_deliveries(
    project: Any,
    *,
    event: str,
    title: str,
    text: str,
    url: str,
    shared: bool,
    endpoints: list[WebhookEndpoint] | None = None,
) -> list[WebhookDelivery]:
    """A pending delivery for each endpoint of ``project`` that wants ``event``.

    Internal events (``shared=False``) go only to endpoints that include them.
    """
    if endpoints is None:
        endpoints = list(
            WebhookEndpoint.objects.filter(project=project, active=True).select_related("project")
        )
    created: list[WebhookDelivery] = []
    now = timezone.now()
    for endpoint in endpoints:
        if not endpoint.wants(event, shared=shared):
            continue
        delivery_id = uuid.uuid4()
        message = message_for(
            endpoint, delivery_id=str(delivery_id), event=event, title=title, text=text, url=url
        )
        created.append(
            WebhookDelivery.objects.create(
                uuid=delivery_id,
                endpoint=endpoint,
                event=event,
                payload=webhooks.payload(endpoint.kind, message),
                status=DeliveryStatus.PENDING,
                next_attempt_at=now,
            )
        )
    return created


def enqueue(deliveries: list[WebhookDelivery]) -> None:
    """Start sending each delivery in the background (its first attempt)."""
    for delivery in deliveries:
        tasks.deliver_webhook.enqueue(delivery.pk, delivery.attempts)


def publish(
    project: Any, *, event: str, title: str, text: str, url: str, shared: bool, actor: Any = None
) -> None:
    """Tell the project's chat and generic webhooks that ``event`` happened.

    Call it inside the service's transaction; delivery rows are created, and the sending task
    enqueued, on commit. ``shared=False`` (an event about an internal record) reaches only endpoints
    that include internal events. ``title``/``text`` are plain text (Markdown allowed in text) already
    rendered in the project's language; ``url`` is an absolute link (settings.SITE_URL + path).
    """

    def deliver() -> None:
        enqueue(create_deliveries(project, event=event, title=title, text=text, url=url, shared=shared))

    transaction.on_commit(deliver)
