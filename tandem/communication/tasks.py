"""Background jobs of communication: webhook deliveries with retries, notification e-mails, digests.

Every job is idempotent. A delivery is claimed under a row lock (its attempt count must be the one
the job was enqueued for), so two workers, a retry tick and a "retry now" never post one attempt
twice, and a delivered delivery is never sent again.
"""

from __future__ import annotations

import logging
import time
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import httpx
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from tandem.communication import addresses, emails, webhooks
from tandem.communication.choices import DeliveryStatus
from tandem.communication.models import WebhookDelivery
from tandem.core.clock import periodic

logger = logging.getLogger(__name__)

#: Wait after the 1st, 2nd… failed attempt; after the last attempt the delivery has failed.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
TIMEOUT_SECONDS = 10.0
RESPONSE_LIMIT = 2000


def _claim(delivery_id: int, attempt: int) -> WebhookDelivery | None:
    """Lock the delivery and count this attempt, unless it is done or another job took this attempt."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED):
            return None
        if delivery.attempts != attempt:
            return None
        delivery.attempts += 1
        # Pessimistically schedule the next attempt, so a worker that dies mid-post is retried.
        delivery.status = DeliveryStatus.RETRYING
        delivery.next_attempt_at = timezone.now() + BACKOFF[min(delivery.attempts, len(BACKOFF)) - 1]
        delivery.save(update_fields=["attempts", "status", "next_attempt_at"])
        return delivery


def _record(delivery: WebhookDelivery, *, status_code: int | None, response: str, error: str) -> None:
    delivery.last_status_code = status_code
    delivery.last_response = response[:RESPONSE_LIMIT]
    delivery.last_error = error[:RESPONSE_LIMIT]
    if not error:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.status = DeliveryStatus.RETRYING
        delivery.next_attempt_at = timezone.now() + BACKOFF[delivery.attempts - 1]
    delivery.save(
        update_fields=[
            "last_status_code",
            "last_response",
            "last_error",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )


def send(delivery: WebhookDelivery) -> None:
    """Post one attempt of a claimed delivery and record how it went."""
    endpoint = delivery.endpoint
    url, headers, body = webhooks.build_request(
        kind=endpoint.kind,
        url=endpoint.url,
        secret=endpoint.secret,
        body=delivery.payload,
        event=delivery.event,
        delivery_id=str(delivery.uuid),
        now=time.time(),
    )
    if not addresses.private_allowed():
        parts = urlsplit(url)
        refused = addresses.refused_address(parts.hostname or "", parts.port)
        if refused is not None:
            error = f"refused: {parts.hostname} resolves to {refused}, a local or private address"
            _record(delivery, status_code=None, response="", error=error)
            return
    try:
        response = httpx.post(url, headers=headers, content=body, timeout=TIMEOUT_SECONDS)
    except httpx.HTTPError as failure:
        _record(delivery, status_code=None, response="", error=f"{type(failure).__name__}: {failure}")
        return
    error = webhooks.response_error(endpoint.kind, response.status_code, response.text)
    _record(delivery, status_code=response.status_code, response=response.text, error=error)


@task()
def deliver_webhook(delivery_id: int, attempt: int = 0) -> None:
    """Post attempt number ``attempt + 1`` of a webhook delivery (nothing if it is done or already taken)."""
    delivery = _claim(delivery_id, attempt)
    if delivery is not None:
        send(delivery)


@periodic("communication.retry_webhooks")
def retry_webhooks(now: datetime) -> None:
    """Enqueue every delivery whose next attempt is due (retries, and first attempts a crash left behind)."""
    due = WebhookDelivery.objects.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING], next_attempt_at__lte=now
    ).values_list("pk", "attempts")
    for delivery_id, attempts in list(due[:500]):
        deliver_webhook.enqueue(delivery_id, attempts)


# ---------------------------------------------------------------- e-mail


@task()
def email_notification(notification_id: int) -> None:
    """Mail one notification to its recipient (once, and only while they may still read it)."""
    emails.send_notification_email(notification_id)


@task()
def email_digest(user_id: int, day: str) -> None:
    """Mail one person's daily digest for ``day`` (ISO date), once."""
    emails.send_digest(user_id, date.fromisoformat(day))


@periodic("communication.email_digests")
def email_digests(now: datetime) -> None:
    """From 08:00 (settings.TIME_ZONE), enqueue the day's digest of everyone who has something in it."""
    day = emails.digest_day(now)
    if day is None:
        return
    for user_id in emails.digest_recipients(day):
        email_digest.enqueue(user_id, day.isoformat())
