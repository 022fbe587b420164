"""The registers of a project: risks (with responses and score history), issues, conflicts, client decisions.

A client member sees shared records only (``ShareableModel`` and ``visible_to``); actions and score
rows follow their risk. Tasks linked to a record are filtered by their own visibility when read.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.core.choices import Visibility
from tandem.core.models import ShareableModel, VersionedModel
from tandem.core.scoping import ScopedManager
from tandem.projects.choices import DecisionKind
from tandem.risks.choices import (
    ConflictCause,
    ConflictStatus,
    DecisionStatus,
    EscalationLevel,
    ImpactDimension,
    IssueStatus,
    Proximity,
    ResolutionMethod,
    RiskCategory,
    RiskLevel,
    RiskStatus,
    RiskStrategy,
    Severity,
)

ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]


class RiskSettings(VersionedModel):
    """A project's thresholds from score (1–25) to level: up to ``low_max`` is low, and so on."""

    project = models.OneToOneField("projects.Project", on_delete=models.CASCADE, related_name="risk_settings")
    low_max = models.PositiveSmallIntegerField(
        _("highest low score"), default=4, validators=[MaxValueValidator(25)]
    )
    medium_max = models.PositiveSmallIntegerField(
        _("highest medium score"), default=9, validators=[MaxValueValidator(25)]
    )
    high_max = models.PositiveSmallIntegerField(
        _("highest high score"), default=15, validators=[MaxValueValidator(25)]
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("risk settings")
        verbose_name_plural = _("risk settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(low_max__lt=models.F("medium_max")) & Q(medium_max__lt=models.F("high_max")),
                name="risk_thresholds_increase",
            )
        ]

    def __str__(self) -> str:
        return f"{self.low_max}/{self.medium_max}/{self.high_max}"

    def level_of(self, score: int) -> str:
        """The level of a score under these thresholds."""
        if score <= self.low_max:
            return RiskLevel.LOW
        if score <= self.medium_max:
            return RiskLevel.MEDIUM
        if score <= self.high_max:
            return RiskLevel.HIGH
        return RiskLevel.CRITICAL


class Risk(ShareableModel):
    """Something that could go wrong, scored by probability × impact, with a response and an owner."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    cause = models.TextField(_("cause"), blank=True)
    effect = models.TextField(_("effect"), blank=True)
    category = models.CharField(
        _("category"), max_length=20, choices=RiskCategory.choices, default=RiskCategory.OTHER
    )
    probability = models.PositiveSmallIntegerField(_("probability"), default=3, validators=ONE_TO_FIVE)
    impact = models.PositiveSmallIntegerField(_("impact"), default=3, validators=ONE_TO_FIVE)
    impact_dimension = models.CharField(
        _("impact on"), max_length=20, choices=ImpactDimension.choices, default=ImpactDimension.SCHEDULE
    )
    #: Probability × impact now (the residual score, after responses), kept for ordering and the heat map.
    score = models.PositiveSmallIntegerField(_("score"), default=9, editable=False)
    #: The score before any response, as first assessed.
    inherent_probability = models.PositiveSmallIntegerField(
        _("inherent probability"), default=3, validators=ONE_TO_FIVE
    )
    inherent_impact = models.PositiveSmallIntegerField(
        _("inherent impact"), default=3, validators=ONE_TO_FIVE
    )
    inherent_score = models.PositiveSmallIntegerField(_("inherent score"), default=9, editable=False)
    proximity = models.CharField(
        _("proximity"), max_length=20, choices=Proximity.choices, default=Proximity.THIS_PROJECT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    strategy = models.CharField(
        _("response strategy"), max_length=20, choices=RiskStrategy.choices, default=RiskStrategy.MITIGATE
    )
    trigger = models.TextField(_("trigger"), blank=True)
    contingency_days = models.PositiveIntegerField(_("schedule contingency (days)"), default=0)
    contingency_money = models.DecimalField(
        _("cost contingency"), max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    status = models.CharField(_("status"), max_length=20, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    next_review = models.DateField(_("next review"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    #: Tasks or milestones of the plan this risk threatens: marked on the Gantt, and their milestones'
    #: forecast may add the risk's schedule contingency as a buffer.
    tasks = models.ManyToManyField("planning.Task", blank=True, related_name="risks", verbose_name=_("tasks"))

    objects = ScopedManager()

    class Meta:
        ordering = ["-score", "id"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        indexes = [models.Index(fields=["project", "status", "-score"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__gte=1, probability__lte=5, impact__gte=1, impact__lte=5),
                name="risk_scores_one_to_five",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def compute_scores(self) -> None:
        """Derive the residual and inherent scores from probability and impact."""
        self.score = int(self.probability or 0) * int(self.impact or 0)
        self.inherent_score = int(self.inherent_probability or 0) * int(self.inherent_impact or 0)


class RiskAction(VersionedModel):
    """One step of a risk's response plan; it may become a task of the plan."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions", verbose_name=_("risk"))
    description = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    task = models.ForeignKey(
        "planning.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="risk_actions",
        verbose_name=_("task"),
    )

    scope_project_path: ClassVar[str] = "risk__project"
    #: A client sees an action only when its risk is shared.
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("risk__visibility",)

    objects = ScopedManager["RiskAction"]()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("risk action")
        verbose_name_plural = _("risk actions")

    def __str__(self) -> str:
        return self.description


class RiskScore(models.Model):
    """A risk's probability and impact from one moment on: appended on every change, so the trend shows."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="history")
    probability = models.PositiveSmallIntegerField(_("probability"))
    impact = models.PositiveSmallIntegerField(_("impact"))
    score = models.PositiveSmallIntegerField(_("score"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("time"), default=timezone.now)

    scope_project_path: ClassVar[str] = "risk__project"
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("risk__visibility",)

    objects = ScopedManager["RiskScore"]()

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name = _("risk score")
        verbose_name_plural = _("risk scores")

    def __str__(self) -> str:
        return f"{self.risk_id}: {self.score}"


class Issue(ShareableModel):
    """Something that has gone wrong and needs resolving; an occurred risk becomes one, keeping the link."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="issues")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happened"), blank=True)
    impact = models.TextField(_("impact"), blank=True)
    severity = models.CharField(
        _("severity"), max_length=20, choices=Severity.choices, default=Severity.MEDIUM
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    escalation_level = models.CharField(
        _("escalation level"), max_length=20, choices=EscalationLevel.choices, default=EscalationLevel.TEAM
    )
    status = models.CharField(
        _("status"), max_length=20, choices=IssueStatus.choices, default=IssueStatus.OPEN
    )
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, editable=False)
    risk = models.ForeignKey(
        Risk, on_delete=models.SET_NULL, null=True, blank=True, related_name="issues", verbose_name=_("risk")
    )
    tasks = models.ManyToManyField(
        "planning.Task", blank=True, related_name="issues", verbose_name=_("tasks")
    )

    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("issue")
        verbose_name_plural = _("issues")

    def __str__(self) -> str:
        return self.title


class Conflict(ShareableModel):
    """A disagreement between people or organizations, its cause and its resolution (internal by default)."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="conflicts")
    subject = models.CharField(_("subject"), max_length=200)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    description = models.TextField(_("description"), blank=True)
    parties = models.CharField(_("parties"), max_length=300, blank=True)
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("people involved")
    )
    root_cause = models.CharField(
        _("root cause"), max_length=20, choices=ConflictCause.choices, default=ConflictCause.OTHER
    )
    resolution_method = models.CharField(
        _("resolution method"), max_length=20, choices=ResolutionMethod.choices, blank=True
    )
    outcome = models.TextField(_("outcome"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ConflictStatus.choices, default=ConflictStatus.OPEN
    )
    resolved_on = models.DateField(_("date resolved"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("conflict")
        verbose_name_plural = _("conflicts")

    def __str__(self) -> str:
        return self.subject


class ClientDecision(ShareableModel):
    """A question the client must answer: options, the team's recommendation, who decides, and by when."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="client_decisions")
    question = models.CharField(_("question"), max_length=300)
    context = models.TextField(_("context"), blank=True)
    options = models.JSONField(_("options"), default=list, blank=True)
    recommendation = models.TextField(_("recommendation"), blank=True)
    decider = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to be decided by"),
    )
    decision_kind = models.CharField(
        _("decision right"), max_length=30, choices=DecisionKind.choices, blank=True
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=[(s.value, s.label) for s in DecisionStatus if s != DecisionStatus.OVERDUE],
        default=DecisionStatus.OPEN,
    )
    outcome = models.TextField(_("outcome"), blank=True)
    rationale = models.TextField(_("rationale"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    blocked_tasks = models.ManyToManyField(
        "planning.Task", blank=True, related_name="blocking_decisions", verbose_name=_("blocked tasks")
    )

    objects = ScopedManager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("client decision")
        verbose_name_plural = _("client decisions")

    def __str__(self) -> str:
        return self.question

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Whether the decision is still open after its due date."""
        today = today or timezone.localdate()
        return self.status == DecisionStatus.OPEN and self.due_date is not None and self.due_date < today

    @property
    def shown_status(self) -> str:
        """The status as shown: an open decision past its due date is overdue."""
        return DecisionStatus.OVERDUE if self.is_overdue() else self.status


class ReminderLog(models.Model):
    """One reminder email sent to one person for one project on one day (so a rerun sends nothing)."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    items = models.PositiveIntegerField(_("items"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user", "day"], name="one_reminder_per_person_and_day")
        ]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.user_id}:{self.day}"
