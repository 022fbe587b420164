"""Enumerations of the communication plan and of meetings."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CommunicationKind(models.TextChoices):
    """What a communication plan entry is."""

    STATUS_REPORT = "status_report", _("Status report")
    MEETING = "meeting", _("Meeting")
    DEMO = "demo", _("Demo")
    REVIEW = "review", _("Review")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    """How a communication reaches its audience."""

    EMAIL = "email", _("Email")
    MEETING = "meeting", _("Meeting")
    CHAT = "chat", _("Chat")
    PHONE = "phone", _("Phone")
    PORTAL = "portal", _("Portal")


class Frequency(models.TextChoices):
    """How often a communication is due."""

    WEEKLY = "weekly", _("Weekly")
    BIWEEKLY = "biweekly", _("Every second week")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    AS_NEEDED = "as_needed", _("As needed")


class MonthlyRule(models.TextChoices):
    """Which day of the month (or quarter) a monthly or quarterly communication is due."""

    FIRST_WORKING_DAY = "first_working_day", _("First working day")
    LAST_WORKING_DAY = "last_working_day", _("Last working day")
    DAY_OF_MONTH = "day_of_month", _("Day of the month")


class Weekday(models.IntegerChoices):
    """Days of the week, Monday first (Python's numbering)."""

    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class MeetingKind(models.TextChoices):
    """What a meeting is for."""

    KICKOFF = "kickoff", _("Kickoff")
    WEEKLY_STATUS = "weekly_status", _("Weekly status")
    MONTHLY_REVIEW = "monthly_review", _("Monthly review")
    AD_HOC = "ad_hoc", _("Ad hoc")


class MeetingStatus(models.TextChoices):
    """Where a meeting is in its life."""

    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class MinutesStatus(models.TextChoices):
    """Whether a meeting's minutes may still change."""

    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class ActionStatus(models.TextChoices):
    """Whether an action item is still to do."""

    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class AdherenceStatus(models.TextChoices):
    """How a plan entry stands against its cadence."""

    ON_TRACK = "on_track", _("On track")
    DUE = "due", _("Due")
    OVERDUE = "overdue", _("Overdue")
    AS_NEEDED = "as_needed", _("As needed")
    INACTIVE = "inactive", _("Inactive")
