"""Request and response shapes of integrations: webhooks, their delivery logs, e-mail preferences."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from ninja import Field, Schema

from tandem.accounts.choices import Language
from tandem.api.model_fields import model_field
from tandem.api.schemas import PersonOut, StrictBool, Version
from tandem.communication.choices import DeliveryStatus, EmailMode, WebhookEvent, WebhookKind
from tandem.communication.models import NotificationSettings, WebhookDelivery, WebhookEndpoint

Events = Annotated[list[WebhookEvent], Field(max_length=20)]


class WebhookIn(Schema):
    """A new webhook; a generic one gets a signing secret from Tandem (``secret`` is for DingTalk/Feishu)."""

    name: str = model_field(WebhookEndpoint, "name")
    kind: WebhookKind = model_field(WebhookEndpoint, "kind")
    url: str = model_field(WebhookEndpoint, "url")
    secret: str = model_field(WebhookEndpoint, "secret", "")
    events: Events = model_field(WebhookEndpoint, "events", default_factory=list)
    include_internal: StrictBool = model_field(WebhookEndpoint, "include_internal", False)
    language: Language | None = model_field(
        WebhookEndpoint, "language", None, description="Default: the project's language."
    )
    active: StrictBool = model_field(WebhookEndpoint, "active", True)


class WebhookPatchIn(Schema):
    """Changes to a webhook, based on the version the caller read."""

    version: Version
    name: str | None = model_field(WebhookEndpoint, "name", None)
    kind: WebhookKind | None = model_field(WebhookEndpoint, "kind", None)
    url: str | None = model_field(WebhookEndpoint, "url", None)
    secret: str | None = model_field(WebhookEndpoint, "secret", None)
    events: Events | None = model_field(WebhookEndpoint, "events", None)
    include_internal: StrictBool | None = model_field(WebhookEndpoint, "include_internal", None)
    language: Language | None = model_field(WebhookEndpoint, "language", None)
    active: StrictBool | None = model_field(WebhookEndpoint, "active", None)
    rotate_secret: StrictBool = Field(False, description="Generic webhooks: generate a new signing secret.")


class WebhookOut(Schema):
    """A webhook as its manager sees it (a platform's signing secret is never read back)."""

    id: int
    name: str
    kind: str
    url: str
    secret: str = Field(description="The signing secret of a generic webhook; empty for the others.")
    has_secret: bool
    events: list[str]
    include_internal: bool
    language: str
    active: bool
    created_by: PersonOut | None
    last_status: str | None = Field(None, description="The status of the latest delivery.")
    last_delivery_at: dt.datetime | None = None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_secret(obj: Any) -> str:
        return str(obj.secret) if obj.kind == WebhookKind.GENERIC else ""

    @staticmethod
    def resolve_has_secret(obj: Any) -> bool:
        return bool(obj.secret)


class DeliveryFilter(Schema):
    """Which deliveries to list."""

    status: DeliveryStatus | None = model_field(WebhookDelivery, "status", None)


class DeliveryOut(Schema):
    """One delivery of the log: what was sent and how each attempt went."""

    id: int
    delivery_id: uuid.UUID = Field(alias="uuid")
    event: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_response: str
    last_error: str
    delivered_at: dt.datetime | None
    created_at: dt.datetime


class NotificationSettingsIn(Schema):
    """When to receive notifications by e-mail."""

    email: EmailMode = model_field(NotificationSettings, "email")


class NotificationSettingsOut(Schema):
    """When one receives notifications by e-mail."""

    email: str
