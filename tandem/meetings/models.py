"""The communication plan (what is told to whom, how often, by whom), its fulfilments, and meetings.

A plan entry (``CommunicationItem``) is internal or shared like any record; its fulfilments follow
it. A meeting is internal or shared; its agenda items, decisions and action items may be marked
internal even in a shared meeting, and a client reads one only when both it and its meeting are
shared. Attendees follow their meeting.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from tandem.core.choices import Visibility
from tandem.core.models import ShareableModel, TimeStampedModel, VersionedModel
from tandem.core.scoping import ScopedManager
from tandem.meetings.choices import (
    ActionStatus,
    Channel,
    CommunicationKind,
    Frequency,
    MeetingKind,
    MeetingStatus,
    MinutesStatus,
    MonthlyRule,
    Weekday,
)
from tandem.requirements.markup import render_markdown

#: Local time a plan entry is due at when none is given: reports at the end of the day, meetings mid-morning.
DEFAULT_REPORT_TIME = dt.time(16, 0)
DEFAULT_MEETING_TIME = dt.time(10, 0)


def default_time_for(kind: str) -> dt.time:
    """The local time a plan entry of ``kind`` is due at unless it says otherwise."""
    return DEFAULT_REPORT_TIME if kind == CommunicationKind.STATUS_REPORT else DEFAULT_MEETING_TIME


class CommunicationItem(ShareableModel):
    """One entry of the communication plan: what, for whom on both sides, through which channel, how often."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="communication_items"
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=CommunicationKind.choices, default=CommunicationKind.MEETING
    )
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    #: Roles (``tandem.projects.choices.Role`` values, either side) the communication is for.
    audience_roles = models.JSONField(_("audience"), default=list, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.MEETING)
    frequency = models.CharField(
        _("frequency"), max_length=20, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    #: For weekly and every-second-week entries: the day (Monday = 0).
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, null=True, blank=True)
    #: The first occurrence falls on or after this day; every-second-week parity counts from its week.
    starts_on = models.DateField(_("starts on"))
    monthly_rule = models.CharField(
        _("day of the month"), max_length=20, choices=MonthlyRule.choices, blank=True
    )
    day_of_month = models.PositiveSmallIntegerField(
        _("day number"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    #: Local time in the project's time zone (16:00 for reports, 10:00 otherwise when left empty).
    time_of_day = models.TimeField(_("time"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    template = models.TextField(_("content template"), blank=True)
    #: Status reports of this entry are sent without a review.
    auto_send = models.BooleanField(_("send without review"), default=False)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    objects = ScopedManager()

    class Meta:
        ordering = ["-active", "kind", "title", "id"]
        verbose_name = _("communication plan entry")
        verbose_name_plural = _("communication plan entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__isnull=True) | Q(weekday__gte=0, weekday__lte=6),
                name="communication_weekday_range",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def local_time(self) -> dt.time:
        """The local time the entry is due at."""
        return self.time_of_day if self.time_of_day is not None else default_time_for(self.kind)

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Store the default local time for the kind when none was given."""
        if self.time_of_day is None:
            self.time_of_day = default_time_for(self.kind)
        super().save(*args, **kwargs)


class Fulfilment(models.Model):
    """One time a plan entry was done: a report sent, a meeting held, a call made (``slot`` is the due
    moment it fulfils, or null for an ad hoc one)."""

    item = models.ForeignKey(CommunicationItem, on_delete=models.CASCADE, related_name="fulfilments")
    slot = models.DateTimeField(_("due"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("done at"))
    source_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    label = models.CharField(_("note"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_project_path: ClassVar[str] = "item__project"
    #: A client sees a fulfilment only when its plan entry is shared.
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("item__visibility",)

    objects = ScopedManager["Fulfilment"]()

    class Meta:
        ordering = ["-fulfilled_at", "-id"]
        verbose_name = _("fulfilment")
        verbose_name_plural = _("fulfilments")
        indexes = [models.Index(fields=["item", "fulfilled_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "source_type", "source_id"],
                condition=Q(source_type__isnull=False, source_id__isnull=False),
                name="one_fulfilment_per_item_and_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id}@{self.fulfilled_at:%Y-%m-%d %H:%M}"


class Meeting(ShareableModel):
    """A meeting of the project: when and where, who comes, the agenda, and afterwards the minutes."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.AD_HOC)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organizer"),
    )
    item = models.ForeignKey(
        CommunicationItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("communication plan entry"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_status = models.CharField(
        _("minutes status"), max_length=20, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    minutes_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    minutes_approved_at = models.DateTimeField(_("minutes approved"), null=True, blank=True)
    #: The iCalendar SEQUENCE: raised on every reschedule so calendars replace the old invitation.
    sequence = models.PositiveIntegerField(_("sequence"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    objects = ScopedManager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["project", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def uid(self) -> str:
        """The stable iCalendar UID of the meeting."""
        host = urlsplit(getattr(settings, "SITE_URL", "")).hostname or "tandem.invalid"
        return f"tandem-meeting-{self.pk}@{host}"

    @property
    def minutes_html(self) -> SafeString:
        """The minutes as sanitised HTML."""
        return render_markdown(self.minutes)

    @property
    def minutes_locked(self) -> bool:
        """Approved minutes are read-only."""
        return self.minutes_status == MinutesStatus.APPROVED


#: A part of a meeting with its own visibility is shared only when its meeting is shared too.
MEETING_PART_PATHS: tuple[str, ...] = ("visibility", "meeting__visibility")


def _visibility_field() -> models.CharField[Any, Any]:
    return models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.SHARED
    )


class AgendaItem(VersionedModel):
    """One point of a meeting's agenda; an internal point is never shown or sent to the client."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), default=10, validators=[MaxValueValidator(24 * 60)]
    )
    visibility = _visibility_field()

    scope_project_path: ClassVar[str] = "meeting__project"
    #: A client reads it only when both it and its meeting are shared.
    scope_visibility_paths: ClassVar[tuple[str, ...]] = MEETING_PART_PATHS

    objects = ScopedManager["AgendaItem"]()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.title

    @property
    def is_shared(self) -> bool:
        """Whether the client may see this point (when the meeting is shared too)."""
        return bool(self.visibility == Visibility.SHARED)


class Attendee(TimeStampedModel):
    """Someone invited to a meeting: a project member (either side) or a stakeholder by name and email.

    A stakeholder without an account counts as outside the team: an internal meeting cannot invite
    one, and their mail carries only what the client may read.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    required = models.BooleanField(_("required"), default=True)
    attended = models.BooleanField(_("attended"), default=False)

    scope_project_path: ClassVar[str] = "meeting__project"
    #: Attendees follow their meeting.
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("meeting__visibility",)

    objects = ScopedManager["Attendee"]()

    class Meta:
        ordering = ["-required", "id"]
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"], condition=Q(user__isnull=False), name="one_attendance_per_member"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(email=""), name="attendee_member_or_email"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The member's name, or the stakeholder's name or email."""
        if self.user_id is not None and self.user is not None:
            return str(self.user.get_full_name() or self.user.email)
        return self.name or self.email

    @property
    def address(self) -> str:
        """Where the invitation goes."""
        if self.user_id is not None and self.user is not None:
            return str(self.user.email)
        return self.email


class Decision(VersionedModel):
    """A decision taken in a meeting; one that concerns the client is also entered in the client decision
    register (decided), and linked back."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    concerns_client = models.BooleanField(_("concerns the client"), default=False)
    client_decision = models.ForeignKey(
        "risks.ClientDecision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("client decision"),
    )
    visibility = _visibility_field()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    scope_project_path: ClassVar[str] = "meeting__project"
    #: A client reads it only when both it and its meeting are shared.
    scope_visibility_paths: ClassVar[tuple[str, ...]] = MEETING_PART_PATHS

    objects = ScopedManager["Decision"]()

    class Meta:
        ordering = ["id"]
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_shared(self) -> bool:
        """Whether the client may see this decision (when the meeting is shared too)."""
        return bool(self.visibility == Visibility.SHARED)


class ActionItem(VersionedModel):
    """Something a meeting asked someone to do by a date; it may become a task of the plan."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    task = models.ForeignKey(
        "planning.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_actions",
        verbose_name=_("task"),
    )
    visibility = _visibility_field()
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    #: The meeting where a carried-over action was closed (null when closed where it was raised or elsewhere).
    closed_in = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="closed_actions"
    )

    scope_project_path: ClassVar[str] = "meeting__project"
    #: A client reads it only when both it and its meeting are shared.
    scope_visibility_paths: ClassVar[tuple[str, ...]] = MEETING_PART_PATHS

    objects = ScopedManager["ActionItem"]()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")

    def __str__(self) -> str:
        return self.title

    @property
    def is_shared(self) -> bool:
        """Whether the client may see this action (when the meeting is shared too)."""
        return bool(self.visibility == Visibility.SHARED)
