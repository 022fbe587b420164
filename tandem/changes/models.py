"""Change requests: what and why, the plan edits in a sandbox, the impact the engine computed, decisions.

A request's sandbox edits never touch the plan until the final approval applies them (one
transaction, through the planning services). The impact is frozen JSON: what the decision was based on.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tandem.changes.choices import (
    OPEN_STATUSES,
    ApprovalRule,
    ChangeStatus,
    EditKind,
    Outcome,
    Refusal,
    Urgency,
)
from tandem.core.choices import Visibility
from tandem.core.models import ShareableModel, TimeStampedModel
from tandem.core.scoping import ScopedManager


class ChangeSettings(TimeStampedModel):
    """A project's rules for change requests: how several approvers decide, the internal day rate."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="change_settings"
    )
    approval_rule = models.CharField(
        _("approval rule"), max_length=5, choices=ApprovalRule.choices, default=ApprovalRule.ANY
    )
    #: Internal: the team's cost of one working day (8 hours), for the cost of effort without a price.
    day_rate = models.DecimalField(
        _("internal day rate"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("change settings")
        verbose_name_plural = _("change settings")

    def __str__(self) -> str:
        return f"change settings {self.project_id}"


class ChangeRequest(ShareableModel):
    """A proposed change of scope, dates or plan, decided by the holders of "approve change"."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="change_requests")
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what and why"), blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    requested_decision_date = models.DateField(_("requested decision date"), null=True, blank=True)
    decision_due_date = models.DateField(_("decision due date"), null=True, blank=True)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ChangeStatus.choices, default=ChangeStatus.DRAFT
    )
    affected_tasks = models.ManyToManyField(
        "planning.Task", blank=True, related_name="change_requests", verbose_name=_("affected tasks")
    )
    affected_deliverables = models.ManyToManyField(
        "projects.Deliverable",
        blank=True,
        related_name="change_requests",
        verbose_name=_("affected deliverables"),
    )
    affected_requirements = models.ManyToManyField(
        "requirements.Requirement",
        blank=True,
        related_name="change_requests",
        verbose_name=_("affected requirements"),
    )
    #: Who submitted the request for decision (a plan editor); the edits are applied in their name.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    #: Each submission opens a round of decisions; approvals of an earlier round do not count.
    round = models.PositiveIntegerField(default=0)
    frozen_impact = models.ForeignKey(
        "changes.Impact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("impact decided on"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    baseline = models.ForeignKey(
        "planning.Baseline",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("baseline"),
    )

    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="change_code_unique_in_project"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_open(self) -> bool:
        """Whether the request and its sandbox may still be edited."""
        return self.status in OPEN_STATUSES


class SandboxEdit(TimeStampedModel):
    """One plan edit of a request, applied in order to a copy of the plan (and to the plan on approval)."""

    request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="edits")
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=EditKind.choices)
    payload = models.JSONField(_("details"), default=dict)
    #: Effort the edit adds (working minutes); by default the duration the edit adds.
    effort_minutes = models.IntegerField(_("effort (minutes)"), null=True, blank=True)
    #: A known price of the edit; by default its effort at the project's day rate.
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=2, null=True, blank=True)
    #: Shared when every task the edit touches (or adds) is shared: what a client may read.
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.SHARED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    scope_project_path: ClassVar[str] = "request__project"
    #: A client reads an edit only when both it and its request are shared.
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("visibility", "request__visibility")

    objects = ScopedManager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("sandbox edit")
        verbose_name_plural = _("sandbox edits")

    def __str__(self) -> str:
        return f"{self.request_id}#{self.position} {self.kind}"


class Impact(models.Model):
    """The impact of a request's edits on the plan, computed by the engine (frozen JSON)."""

    request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="impacts")
    computed_at = models.DateTimeField(_("computed"), auto_now_add=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    #: A hash of the plan's rows (ids and versions) the impact was computed against.
    fingerprint = models.CharField(max_length=64)
    #: A hash of the sandbox edits the impact was computed from.
    edits_fingerprint = models.CharField(max_length=64)
    data = models.JSONField(default=dict)

    scope_project_path: ClassVar[str] = "request__project"
    #: Follows its request: a client never reads it for an internal request.
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("request__visibility",)

    objects = ScopedManager()

    class Meta:
        ordering = ["-computed_at", "-id"]
        verbose_name = _("impact")
        verbose_name_plural = _("impacts")

    def __str__(self) -> str:
        return f"impact {self.request_id} {self.computed_at:%Y-%m-%d %H:%M}"


class Decision(models.Model):
    """One approver's decision on a request, with a comment."""

    request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="decisions")
    decider = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    comment = models.TextField(_("comment"), blank=True)
    round = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    #: The impact the approver read when deciding (the one frozen for the decision then).
    impact = models.ForeignKey(
        "Impact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("impact")
    )
    #: Set when an approval was given but not applied (e.g. the plan changed under it): the history
    #: says so, never "approved".
    refusal = models.CharField(_("refused"), max_length=20, choices=Refusal.choices, blank=True, default="")

    scope_project_path: ClassVar[str] = "request__project"
    #: Follows its request: a client never reads it for an internal request.
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("request__visibility",)

    objects = ScopedManager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.request_id} {self.outcome} by {self.decider_id}"

    @property
    def label(self) -> str:
        """The decision as the history shows it: "Refused: the impact changed" for an approval that was
        not applied, the outcome otherwise."""
        return self.get_refusal_display() if self.refusal else self.get_outcome_display()


class StatusChange(models.Model):
    """One step of a request's status history."""

    request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    scope_project_path: ClassVar[str] = "request__project"
    #: Follows its request: a client never reads it for an internal request.
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("request__visibility",)

    objects = ScopedManager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status} → {self.to_status}"

    @property
    def to_label(self) -> str:
        """The status reached, in the reader's language."""
        if self.to_status in ChangeStatus.values:
            return str(ChangeStatus(self.to_status).label)
        return self.to_status


class Reminder(models.Model):
    """A reminder email sent to one approver about one request on one day (at most one a day)."""

    request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    scope_project_path: ClassVar[str] = "request__project"
    #: Follows its request: a client never reads it for an internal request.
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("request__visibility",)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "recipient", "day"], name="one_reminder_a_day")
        ]

    def __str__(self) -> str:
        return f"reminder {self.request_id} {self.recipient_id} {self.day}"
