"""Comments on project records, the people they mention, and the notifications they raise.

A comment is internal or shared like any record; on an internal record it is always internal, and
a client's comment is always shared. A notification points at the comment that raised it, so a
client never reads one about an internal comment.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from tandem.accounts.choices import Language
from tandem.communication import addresses
from tandem.communication.choices import DeliveryStatus, EmailMode, WebhookEvent, WebhookKind
from tandem.core.models import ShareableModel, VersionedModel
from tandem.core.scoping import ScopedManager
from tandem.requirements.markup import render_markdown


class Comment(ShareableModel):
    """A Markdown message on one record of a project (the target)."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="comments")
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField(_("target id"))
    target = GenericForeignKey("target_type", "target_id")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    body = models.TextField(_("comment"), max_length=20000)
    mentioned = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Mention", related_name="+", verbose_name=_("mentioned")
    )

    objects = ScopedManager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"])]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def body_html(self) -> SafeString:
        """The body as sanitised HTML."""
        return render_markdown(self.body)


class Mention(models.Model):
    """A project member named in a comment as ``@email`` or ``@"Full Name"``."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["id"]
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="one_mention_per_user")]

    def __str__(self) -> str:
        return f"{self.comment_id} @{self.user_id}"


class NotificationVerb(models.TextChoices):
    """Why someone is told."""

    MENTIONED = "mentioned", _("mentioned you")
    COMMENTED = "commented", _("commented")
    REPORT_SENT = "report_sent", _("sent a status report")
    REPORT_AWAITING = "report_awaiting", _("asks you to approve a status report")
    REPORT_READY = "report_ready", _("prepared a status report draft for you")
    MEETING_INVITED = "meeting_invited", _("invited you to a meeting")
    BUDGET_THRESHOLD = "budget_threshold", _("warns about a budget threshold")
    DEFECT_MOVED = "defect_moved", _("moved a defect")
    ACCEPTANCE_REVIEW = "acceptance_review", _("asks you to review an acceptance")
    PULSE_FOLLOW_UP = "pulse_follow_up", _("gave a low satisfaction score to follow up")


class Notification(models.Model):
    """Something one person should look at, read or not yet read."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    verb = models.CharField(_("verb"), max_length=20, choices=NotificationVerb.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField(_("target id"))
    target = GenericForeignKey("target_type", "target_id")
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.verb}"


def validate_webhook_url(value: str) -> None:
    """A webhook URL is an absolute http or https address."""
    parts = urlsplit(value or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Enter an http:// or https:// address."), code="invalid")
    if not addresses.private_allowed() and addresses.literal_is_private(parts.hostname):
        raise ValidationError(
            _("Webhooks post to public addresses only; this one is local or private."), code="private"
        )


class WebhookEndpoint(VersionedModel):
    """A chat or generic webhook of a project: team-only configuration, never listed to clients."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("platform"), max_length=20, choices=WebhookKind.choices)
    url = models.URLField(_("webhook URL"), max_length=1000, validators=[validate_webhook_url])
    secret = models.CharField(
        _("secret"),
        max_length=200,
        blank=True,
        help_text=_(
            "Generic webhooks: generated by Tandem. DingTalk and Feishu: the optional signing secret."
        ),
    )
    events = models.JSONField(_("events"), default=list, blank=True, help_text=_("Empty: every event."))
    include_internal = models.BooleanField(
        _("include internal events"),
        default=False,
        help_text=_("Never for a chat the client shares: internal records would reach it."),
    )
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Events are known event names."""
        if not isinstance(self.events, list) or any(e not in WebhookEvent.values for e in self.events):
            raise ValidationError({"events": [_("Choose events from the list.")]})

    def wants(self, event: str, *, shared: bool) -> bool:
        """Whether this endpoint is told about ``event`` (internal events only when it includes them)."""
        if not self.active or (not shared and not self.include_internal):
            return False
        return not self.events or event in self.events or event == WebhookEvent.WEBHOOK_TEST


class WebhookDelivery(models.Model):
    """One message to one endpoint and its attempts: the endpoint's delivery log."""

    uuid = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40)
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last status code"), null=True, blank=True)
    last_response = models.TextField(_("last response"), blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["endpoint", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"


class NotificationSettings(models.Model):
    """A person's e-mail preference for notifications (one row per user, created when first needed)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    email = models.CharField(
        _("e-mail notifications"), max_length=20, choices=EmailMode.choices, default=EmailMode.IMMEDIATELY
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email}"


class DigestSent(models.Model):
    """The daily digest sent to one person for one local day: it is never sent twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    notifications = models.PositiveIntegerField(_("notifications"), default=0)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_digest_per_user_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"
