"""Time, expenses and budgets of a project.

- A person logs **time entries** on tasks, day by day (or with the **timer**, one running per person).
  A person's entries of one ISO week on one project form a **timesheet**, submitted as a whole and
  approved by the team's PM or a lead, and — when the project asks for it — by the client.
- **Expenses** (material, travel, subcontracting) carry a receipt and are approved like time.
- The **budget** of a project is split into lines by phase and cost category; thresholds (percent of a
  line or of the whole) notify the team once when crossed.
- Costs are internal: an entry's ``cost_cents`` follows from the person's internal rate and never
  reaches a client; a client reads hours, amounts of the budget and the earned-value figures only.
"""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.core.choices import Visibility
from tandem.core.models import ShareableModel, TimeStampedModel, VersionedModel
from tandem.core.scoping import ScopedManager
from tandem.costs.choices import CostCategory, ExpenseCategory, ExpenseStatus, SheetStatus

#: The most minutes one person can log on one day (24 hours).
MINUTES_PER_DAY = 24 * 60


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s ISO week."""
    return day - datetime.timedelta(days=day.weekday())


def default_thresholds() -> list[int]:
    """Budget thresholds, in percent of a line, that notify when first crossed."""
    return [80, 100]


class CostSettings(models.Model):
    """How a project tracks time and cost (one row per project, created when first needed)."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="cost_settings", verbose_name=_("project")
    )
    client_approves_time = models.BooleanField(
        _("the client approves time"),
        default=False,
        help_text=_("After the team's approval, holders of the decision right 'approve timesheets' approve."),
    )
    actuals_from_time = models.BooleanField(
        _("approved time updates task actuals"),
        default=True,
        help_text=_("A task's actual work is the sum of its approved time."),
    )
    locked_until = models.DateField(
        _("locked until"),
        null=True,
        blank=True,
        help_text=_("No time or expense on or before this day can be added, changed or removed."),
    )
    budget_thresholds = models.JSONField(_("budget thresholds (%)"), default=default_thresholds, blank=True)

    scope_project_path: ClassVar[str] = "project"

    objects = ScopedManager()

    class Meta:
        verbose_name = _("cost settings")
        verbose_name_plural = _("cost settings")

    def __str__(self) -> str:
        return f"{self.project_id}"

    def is_locked(self, day: datetime.date) -> bool:
        """Whether ``day`` falls in the locked period."""
        return self.locked_until is not None and day <= self.locked_until


class Timesheet(VersionedModel):
    """One person's week of time on one project: submitted, approved or rejected as a whole."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="timesheets", verbose_name=_("project")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="timesheets",
        verbose_name=_("person"),
    )
    week = models.DateField(_("week"), help_text=_("The Monday of the week."))
    status = models.CharField(
        _("status"), max_length=15, choices=SheetStatus.choices, default=SheetStatus.OPEN
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    client_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by the client"),
    )
    client_approved_at = models.DateTimeField(_("approved by the client"), null=True, blank=True)
    rejected_reason = models.TextField(_("why it was rejected"), blank=True)

    #: Time is seen by the whole project (a client approver reads hours, never a cost).
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ()

    objects = ScopedManager()

    class Meta:
        ordering = ["-week", "user_id", "id"]
        verbose_name = _("timesheet")
        verbose_name_plural = _("timesheets")
        constraints = [
            models.UniqueConstraint(fields=["project", "user", "week"], name="one_timesheet_per_week"),
        ]
        indexes = [models.Index(fields=["project", "status", "week"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.week}"

    def clean(self) -> None:
        """The week is named by its Monday."""
        super().clean()
        if self.week and self.week.weekday() != 0:
            raise ValidationError({"week": [_("A week is named by its Monday.")]})


class TimeEntry(VersionedModel):
    """Minutes one person worked on one task on one day."""

    #: Fields only the delivery team reads.
    INTERNAL_FIELDS: ClassVar[tuple[str, ...]] = ("cost_cents",)

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="time_entries", verbose_name=_("project")
    )
    timesheet = models.ForeignKey(
        Timesheet, on_delete=models.CASCADE, related_name="entries", verbose_name=_("timesheet")
    )
    task = models.ForeignKey(
        "planning.Task", on_delete=models.PROTECT, related_name="time_entries", verbose_name=_("task")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="time_entries",
        verbose_name=_("person"),
    )
    #: The person's resource in the pool, whose rate prices the entry (empty when none is linked).
    resource = models.ForeignKey(
        "resources.Resource",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="time_entries",
        verbose_name=_("resource"),
    )
    day = models.DateField(_("day"))
    minutes = models.PositiveIntegerField(
        _("minutes"), validators=[MinValueValidator(1), MaxValueValidator(MINUTES_PER_DAY)]
    )
    billable = models.BooleanField(_("billable"), default=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    #: The entry's internal cost in hundredths of the project's currency (minutes × the rate in force).
    cost_cents = models.BigIntegerField(_("cost (hundredths)"), default=0, editable=False)

    scope_visibility_paths: ClassVar[tuple[str, ...]] = ()

    objects = ScopedManager()

    class Meta:
        ordering = ["day", "id"]
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1) & Q(minutes__lte=MINUTES_PER_DAY),
                name="time_entry_minutes_in_a_day",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "day"]),
            models.Index(fields=["user", "day"]),
            models.Index(fields=["task", "day"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day} {self.minutes}"


class RunningTimer(models.Model):
    """The timer a person has started: at most one per person; stopping it logs a time entry."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="running_timer",
        verbose_name=_("person"),
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    task = models.ForeignKey(
        "planning.Task", on_delete=models.CASCADE, related_name="+", verbose_name=_("task")
    )
    started_at = models.DateTimeField(_("started"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    billable = models.BooleanField(_("billable"), default=True)

    class Meta:
        verbose_name = _("running timer")
        verbose_name_plural = _("running timers")

    def __str__(self) -> str:
        return f"{self.user_id} {self.started_at}"


class Expense(ShareableModel):
    """Money spent for the project (material, travel, subcontracting), with its receipt.

    Internal unless the team shares it (an expense billed to the client with its receipt); a client
    reads the sums in the budget either way.
    """

    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="expenses", verbose_name=_("project")
    )
    task = models.ForeignKey(
        "planning.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expenses",
        verbose_name=_("task or phase"),
    )
    category = models.CharField(
        _("category"), max_length=20, choices=ExpenseCategory.choices, default=ExpenseCategory.MATERIAL
    )
    day = models.DateField(_("day"))
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    description = models.CharField(_("description"), max_length=300)
    receipt = models.FileField(_("receipt"), upload_to="receipts/%Y/%m/", blank=True)
    billable = models.BooleanField(_("billable"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ExpenseStatus.choices, default=ExpenseStatus.DRAFT
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    rejected_reason = models.TextField(_("why it was rejected"), blank=True)
    #: A note for the delivery team only (never shown to a client, even on a shared expense).
    internal_note = models.CharField(_("internal note"), max_length=500, blank=True)

    #: Fields only the delivery team reads.
    INTERNAL_FIELDS: ClassVar[tuple[str, ...]] = ("internal_note",)

    objects = ScopedManager()

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        indexes = [models.Index(fields=["project", "status", "day"])]

    def __str__(self) -> str:
        return self.description


class BudgetLine(VersionedModel):
    """A part of the project's budget: an amount for one phase (or the whole project) and one category."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="budget_lines", verbose_name=_("project")
    )
    phase = models.ForeignKey(
        "planning.Task",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="budget_lines",
        verbose_name=_("phase"),
        help_text=_("Empty: the whole project."),
    )
    category = models.CharField(
        _("category"), max_length=20, choices=CostCategory.choices, default=CostCategory.LABOUR
    )
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    scope_visibility_paths: ClassVar[tuple[str, ...]] = ()

    objects = ScopedManager()

    class Meta:
        ordering = ["phase_id", "category", "id"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "phase", "category"],
                name="one_budget_line_per_phase_and_category",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The line's phase (or the whole project) and category, as people read it."""
        phase = self.phase.name if self.phase is not None else _("Whole project")
        return f"{phase} · {self.get_category_display()}"


class BudgetAlert(TimeStampedModel):
    """A threshold a budget line (or the whole budget, with no line) crossed: notified once."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="budget_alerts", verbose_name=_("project")
    )
    line = models.ForeignKey(
        BudgetLine,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("line"),
    )
    threshold = models.PositiveSmallIntegerField(_("threshold (%)"))
    spent_cents = models.BigIntegerField(_("spent (hundredths)"))

    scope_visibility_paths: ClassVar[tuple[str, ...]] = ()

    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("budget alert")
        verbose_name_plural = _("budget alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "line", "threshold"], name="one_alert_per_threshold", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        if self.line is None:
            return _("Budget: %(threshold)s %% used") % {"threshold": self.threshold}
        return _("Budget of %(line)s: %(threshold)s %% used") % {
            "line": self.line.label,
            "threshold": self.threshold,
        }
