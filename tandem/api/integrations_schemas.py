"""Request and response shapes of integrations: webhooks, their delivery logs, e-mail preferences."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from ninja import Field, Schema

from tandem.accounts.choices import Language
from tandem.api.schemas import PersonOut, StrictBool, Version
from tandem.communication.choices import DeliveryStatus, EmailMode, WebhookEvent, WebhookKind

Name = Annotated[str, Field(min_length=1, max_length=100)]
Url = Annotated[str, Field(min_length=1, max_length=1000)]
Secret = Annotated[str, Field(max_length=200)]
Events = Annotated[list[WebhookEvent], Field(max_length=20)]


class WebhookIn(Schema):
    """A new webhook; a generic one gets a signing secret from Tandem (``secret`` is for DingTalk/Feishu)."""

    name: Name
    kind: WebhookKind
    url: Url
    secret: Secret = ""
    events: Events = Field(default_factory=list, description="Empty: every event.")
    include_internal: StrictBool = False
    language: Language | None = Field(None, description="Default: the project's language.")
    active: StrictBool = True


class WebhookPatchIn(Schema):
    """Changes to a webhook, based on the version the caller read."""

    version: Version
    name: Name | None = None
    kind: WebhookKind | None = None
    url: Url | None = None
    secret: Secret | None = None
    events: Events | None = None
    include_internal: StrictBool | None = None
    language: Language | None = None
    active: StrictBool | None = None
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

    status: DeliveryStatus | None = None


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

    email: EmailMode


class NotificationSettingsOut(Schema):
    """When one receives notifications by e-mail."""

    email: str
