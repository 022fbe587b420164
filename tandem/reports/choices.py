"""Enumerations of status reports: workflow statuses, RAG colours and the dimensions they grade."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    """Where a report is: draft → (awaiting approval → approved) → sent."""

    DRAFT = "draft", _("Draft")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent")


class Rag(models.TextChoices):
    """A red / amber / green rating, worst last."""

    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")


class Dimension(models.TextChoices):
    """What the overall rating is made of."""

    SCHEDULE = "schedule", _("Schedule")
    SCOPE = "scope", _("Scope")
    RISKS = "risks", _("Risks")
    ISSUES = "issues", _("Issues")
    COST = "cost", _("Cost")
    QUALITY = "quality", _("Quality")
