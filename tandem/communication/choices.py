"""Enumerations of delivery: chat platforms, events, delivery states and e-mail preferences."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookKind(models.TextChoices):
    """The platform a webhook posts to, which decides the message format and signing."""

    SLACK = "slack", _("Slack")
    TEAMS = "teams", _("Microsoft Teams")
    WECOM = "wecom", _("WeCom (WeChat Work)")
    DINGTALK = "dingtalk", _("DingTalk")
    FEISHU = "feishu", _("Feishu / Lark")
    GENERIC = "generic", _("Generic JSON (signed)")


class WebhookEvent(models.TextChoices):
    """What happened in a project, as told to chat and generic webhooks."""

    COMMENT_CREATED = "comment.created", _("Comment added")
    MEETING_SCHEDULED = "meeting.scheduled", _("Meeting scheduled")
    MINUTES_APPROVED = "minutes.approved", _("Minutes approved")
    REPORT_SENT = "report.sent", _("Status report sent")
    REPORT_AWAITING_APPROVAL = "report.awaiting_approval", _("Status report awaiting approval")
    WEBHOOK_TEST = "webhook.test", _("Test message")


class DeliveryStatus(models.TextChoices):
    """Where one delivery to one endpoint stands."""

    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    RETRYING = "retrying", _("Retrying")
    FAILED = "failed", _("Failed")


class EmailMode(models.TextChoices):
    """When a person receives their notifications by e-mail."""

    IMMEDIATELY = "immediately", _("Immediately")
    DAILY_DIGEST = "daily_digest", _("Daily digest")
    NEVER = "never", _("Never")
