"""The plan of a project: WBS rows, dependencies, working calendars and baselines.

Dates are stored as aware datetimes; the scheduler works in the project's local time
(``Project.time_zone``) and the adapter converts both ways. The computed fields (early/late dates,
floats, critical) are written only by ``tandem.planning.scheduling.reschedule``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.core.choices import Visibility
from tandem.core.models import ShareableModel, TimeStampedModel, VersionedModel
from tandem.core.scoping import ScopedManager, ScopedQuerySet
from tandem.planning.choices import CalendarBase, ConstraintType, DependencyType, TaskKind, TaskStatus

DEFAULT_HOURS = "08:00-12:00,13:00-17:00"


class Calendar(TimeStampedModel):
    """A working-time calendar of one project: working weekdays and hours, plus dated exceptions."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="calendars")
    name = models.CharField(_("name"), max_length=100)
    base = models.CharField(
        _("based on"), max_length=10, choices=CalendarBase.choices, default=CalendarBase.STANDARD
    )
    #: Working weekdays, Monday = 0.
    working_weekdays = models.JSONField(_("working weekdays"), default=list)
    hours = models.CharField(
        _("working hours"),
        max_length=100,
        default=DEFAULT_HOURS,
        help_text=_("For example 08:00-12:00,13:00-17:00"),
    )
    is_project_calendar = models.BooleanField(_("project calendar"), default=False)

    objects = ScopedManager()

    class Meta:
        ordering = ["-is_project_calendar", "name", "id"]
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["project"], condition=Q(is_project_calendar=True), name="one_project_calendar"
            ),
            models.UniqueConstraint(fields=["project", "name"], name="calendar_name_unique_in_project"),
        ]

    def __str__(self) -> str:
        return self.name


class CalendarException(models.Model):
    """Days that differ from the calendar's week: a holiday, or an extra working day with its hours."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="exceptions")
    name = models.CharField(_("name"), max_length=100, blank=True)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    working = models.BooleanField(_("working"), default=False)
    hours = models.CharField(_("working hours"), max_length=100, blank=True)

    scope_project_path: ClassVar[str] = "calendar__project"

    objects = ScopedManager()

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="exception_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.start}"


class Task(ShareableModel):
    """A row of the work breakdown structure: a phase, work package, task or milestone."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="tasks")
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    #: Outline number among all rows ("1.2.3"), and among shared rows only (what the client sees).
    wbs = models.CharField(_("WBS"), max_length=60, blank=True, editable=False)
    shared_wbs = models.CharField(_("WBS"), max_length=60, blank=True, editable=False)
    #: Sort key of the outline (zero-padded positions), so one ORDER BY yields the tree.
    outline_key = models.CharField(max_length=255, blank=True, editable=False, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=TaskKind.choices, default=TaskKind.TASK)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    duration_minutes = models.PositiveIntegerField(_("duration (working minutes)"), default=0)
    optimistic_minutes = models.PositiveIntegerField(_("optimistic estimate"), null=True, blank=True)
    most_likely_minutes = models.PositiveIntegerField(_("most likely estimate"), null=True, blank=True)
    pessimistic_minutes = models.PositiveIntegerField(_("pessimistic estimate"), null=True, blank=True)
    start = models.DateTimeField(_("start"), null=True, blank=True)
    finish = models.DateTimeField(_("finish"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    percent_complete = models.PositiveSmallIntegerField(
        _("percent complete"), default=0, validators=[MaxValueValidator(100)]
    )
    actual_start = models.DateTimeField(_("actual start"), null=True, blank=True)
    actual_finish = models.DateTimeField(_("actual finish"), null=True, blank=True)
    manual = models.BooleanField(_("manually scheduled"), default=False)
    constraint_type = models.CharField(
        _("constraint"), max_length=4, choices=ConstraintType.choices, default=ConstraintType.ASAP
    )
    constraint_date = models.DateTimeField(_("constraint date"), null=True, blank=True)
    calendar = models.ForeignKey(
        Calendar,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("calendar"),
    )
    #: A hold from outside the plan (an open client decision blocking the task): the scheduler treats it
    #: as an extra "start no earlier than" (see ``scheduling.build_network``). Set by the registers only.
    held_until = models.DateTimeField(_("held until"), null=True, blank=True, editable=False)
    hold_reason = models.CharField(_("why it is held"), max_length=300, blank=True, editable=False)
    #: Computed from the task's assignments by the engine (``scheduling.reschedule``): the work of its
    #: work resources, and its planned cost in hundredths of the project's currency. The cost follows
    #: from internal rates: it is the delivery team's figure, never shown to a client.
    work_minutes = models.PositiveIntegerField(_("work (minutes)"), default=0, editable=False)
    cost_cents = models.BigIntegerField(_("planned cost (hundredths)"), default=0, editable=False)
    #: The task's approved actual work, from approved time when the project chooses so (``costs``).
    actual_work_minutes = models.PositiveIntegerField(_("actual work (minutes)"), default=0, editable=False)
    deliverable = models.ForeignKey(
        "projects.Deliverable",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("deliverable"),
    )
    #: An external key (the MS Project UID of an imported task), kept for round trips.
    external_uid = models.IntegerField(_("external id"), null=True, blank=True)
    # Computed by the scheduler.
    early_start = models.DateTimeField(_("early start"), null=True, blank=True, editable=False)
    early_finish = models.DateTimeField(_("early finish"), null=True, blank=True, editable=False)
    late_start = models.DateTimeField(_("late start"), null=True, blank=True, editable=False)
    late_finish = models.DateTimeField(_("late finish"), null=True, blank=True, editable=False)
    total_float_minutes = models.IntegerField(_("total float"), null=True, blank=True, editable=False)
    free_float_minutes = models.IntegerField(_("free float"), null=True, blank=True, editable=False)
    critical = models.BooleanField(_("critical"), default=False, editable=False)
    is_summary = models.BooleanField(_("summary"), default=False, editable=False)

    objects = ScopedManager()

    class Meta:
        ordering = ["outline_key", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [models.Index(fields=["project", "outline_key"])]
        constraints = [
            models.CheckConstraint(condition=Q(percent_complete__lte=100), name="task_percent_at_most_100"),
            models.CheckConstraint(
                condition=Q(optimistic_minutes__isnull=True)
                | Q(most_likely_minutes__isnull=True)
                | Q(optimistic_minutes__lte=models.F("most_likely_minutes")),
                name="task_optimistic_le_most_likely",
            ),
            models.CheckConstraint(
                condition=Q(pessimistic_minutes__isnull=True)
                | Q(most_likely_minutes__isnull=True)
                | Q(most_likely_minutes__lte=models.F("pessimistic_minutes")),
                name="task_most_likely_le_pessimistic",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wbs} {self.name}".strip()

    @property
    def is_milestone(self) -> bool:
        """Whether the row is a milestone (zero duration, a point in time)."""
        return self.kind == TaskKind.MILESTONE

    @property
    def pert_minutes(self) -> float | None:
        """The three-point (PERT) expected duration, when the three estimates are given."""
        o, m, p = self.optimistic_minutes, self.most_likely_minutes, self.pessimistic_minutes
        if o is None or m is None or p is None:
            return None
        return (o + 4 * m + p) / 6


class Dependency(TimeStampedModel):
    """A link from a predecessor task to a successor task, with a lag (negative for a lead)."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="dependencies")
    predecessor = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="successor_links", verbose_name=_("predecessor")
    )
    successor = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="predecessor_links", verbose_name=_("successor")
    )
    type = models.CharField(
        _("type"), max_length=2, choices=DependencyType.choices, default=DependencyType.FS
    )
    lag_minutes = models.IntegerField(_("lag (minutes)"), default=0)
    #: Elapsed lags count wall-clock minutes (nights and weekends); otherwise working minutes.
    elapsed = models.BooleanField(_("elapsed lag"), default=False)

    #: A client sees a link only when both its tasks are shared.
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("predecessor__visibility", "successor__visibility")

    objects = ScopedManager["Dependency"]()

    class Meta:
        ordering = ["id"]
        verbose_name = _("dependency")
        verbose_name_plural = _("dependencies")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="one_link_per_pair"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="no_self_link"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} {self.type} {self.successor_id}"


class Baseline(TimeStampedModel):
    """A named snapshot of the plan's dates; the latest approved one is "the plan we agreed"."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="baselines")
    name = models.CharField(_("name"), max_length=200)
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("saved by"),
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
    project_finish = models.DateTimeField(_("project finish"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")

    def __str__(self) -> str:
        return self.name

    @property
    def is_approved(self) -> bool:
        """Whether someone holding the decision right approved this baseline."""
        return self.approved_at is not None


class BaselineRowQuerySet(ScopedQuerySet["BaselineTask"]):
    """Baseline rows: scoped like other task rows, and never changed in bulk (a baseline is a snapshot)."""

    def update(self, **kwargs: object) -> int:
        """Refused: a saved baseline is the plan as it was agreed, so its rows never change."""
        raise TypeError("baseline rows are immutable")


class BaselineRowManager(ScopedManager["BaselineTask"]):
    """The manager of baseline rows (see ``BaselineRowQuerySet``)."""

    def get_queryset(self) -> BaselineRowQuerySet:
        """All rows, as a queryset that scopes itself and refuses bulk updates."""
        return BaselineRowQuerySet(self.model, using=self._db)


class BaselineTask(models.Model):
    """One task as it was when the baseline was saved: its own copy of the dates, name and outline.

    The row outlives its task: deleting a task keeps the row (``task`` becomes empty, ``task_uid``
    still names it), because a baseline is what the client agreed, not what the plan is now.
    """

    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="rows")
    task = models.ForeignKey(
        Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="baseline_rows"
    )
    #: The task's id when the baseline was saved; stays when the task is deleted.
    task_uid = models.PositiveIntegerField(_("task id"))
    wbs = models.CharField(_("WBS"), max_length=60, blank=True)
    shared_wbs = models.CharField(_("WBS"), max_length=60, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=TaskKind.choices, default=TaskKind.TASK)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    start = models.DateTimeField(_("baseline start"), null=True)
    finish = models.DateTimeField(_("baseline finish"), null=True)
    duration_minutes = models.PositiveIntegerField(_("baseline duration"), default=0)
    #: The task's work and planned cost (hundredths, internal) when the baseline was saved: the
    #: planned value of earned value follows from them.
    work_minutes = models.PositiveIntegerField(_("baseline work (minutes)"), default=0)
    cost_cents = models.BigIntegerField(_("baseline cost (hundredths)"), default=0)

    scope_project_path: ClassVar[str] = "baseline__project"

    objects = BaselineRowManager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["baseline", "task_uid"], name="one_row_per_task_uid_in_baseline")
        ]

    def __str__(self) -> str:
        return f"{self.baseline_id}:{self.task_uid}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only: a saved baseline row is never changed."""
        if self.pk is not None:
            raise TypeError("baseline rows are immutable")
        super().save(*args, **kwargs)

    @classmethod
    def scope_shared_q(cls, prefix: str = "") -> Q:
        """A client sees a row of a shared task, or of a removed task that was shared when saved."""
        return Q(**{f"{prefix}task__visibility": Visibility.SHARED}) | Q(
            **{f"{prefix}task__isnull": True, f"{prefix}visibility": Visibility.SHARED}
        )

    @property
    def is_milestone(self) -> bool:
        """Whether the task was a milestone when the baseline was saved."""
        return self.kind == TaskKind.MILESTONE

    @property
    def task_deleted(self) -> bool:
        """Whether the task has been deleted from the plan since the baseline was saved."""
        return self.task_id is None


class CalendarFeed(VersionedModel):
    """A person's secret iCalendar address for one project's milestones and deadlines."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)

    objects = ScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="one_feed_per_person_and_project")
        ]

    def __str__(self) -> str:
        return f"feed {self.project_id}:{self.user_id}"


class PlanStamp(models.Model):
    """Which reschedule last wrote a plan's computed columns: a random number each one draws.

    Written only by ``tandem.planning.scheduling.reschedule``, in the transaction that writes the
    computed columns (a rolled-back reschedule leaves the previous stamp). A process whose memo of
    the plan carries the stamp the database holds knows the computed columns are what it wrote, so
    it need not read them again (see ``docs/architecture.md``, "Writing a plan"). Kept apart from
    ``Project`` so that no save of a project row, however stale, can write a stamp back.
    """

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    stamp = models.BigIntegerField()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("plan stamp")
        verbose_name_plural = _("plan stamps")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.stamp}"
