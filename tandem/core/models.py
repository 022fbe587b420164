"""Base models and the append-only activity record (the audit trail)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tandem.core.choices import JobStatus, Visibility
from tandem.core.scoping import ScopedManager, ScopedQuerySet
from tandem.core.validation import text_errors


class TimeStampedModel(models.Model):
    """Adds creation and modification times."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        """Django's field checks plus the text rule of ``validation``, for every ``full_clean`` caller.

        Services that call ``Model.full_clean`` directly and model forms get the same refusal of
        control characters as those that call ``validation.full_clean``.
        """
        errors: dict[str, list[Any]] = dict(text_errors(self, exclude))
        try:
            super().clean_fields(exclude={*(exclude or ()), *errors})
        except ValidationError as exc:
            for name, messages in exc.error_dict.items():
                errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)


class VersionedModel(TimeStampedModel):
    """A record edited concurrently: every update must name the version it was based on."""

    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        abstract = True


class ShareableModel(VersionedModel):
    """A project record that is either internal to the team or shared with the client."""

    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.SHARED
    )

    class Meta:
        abstract = True

    @property
    def is_shared(self) -> bool:
        """Whether the client may see this record."""
        return self.visibility == Visibility.SHARED


class AppendOnlyQuerySet(ScopedQuerySet["Activity"]):
    """Activity rows are never changed or removed in bulk either."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError("activity records are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("activity records are append-only")


class AppendOnlyManager(ScopedManager["Activity"]):
    """The activity manager: scoped to what a user may see, and never updated or deleted in bulk."""

    def get_queryset(self) -> AppendOnlyQuerySet:
        """All activity rows, as an append-only queryset."""
        return AppendOnlyQuerySet(self.model, using=self._db)


class Activity(models.Model):
    """One change made through a service: who did what to which record, with old and new values."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="activities"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(_("verb"), max_length=40)
    target_type = models.CharField(_("target type"), max_length=40)
    target_id = models.CharField(_("target id"), max_length=40, blank=True)
    target_label = models.CharField(_("target"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.SHARED
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    objects = AppendOnlyManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "-created_at"])]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return f"{self.verb} {self.target_type} {self.target_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only: an activity record, once written, is never changed."""
        if self.pk is not None:
            raise TypeError("activity records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("activity records are append-only")


class PeriodicRun(models.Model):
    """A periodic job's work for one key (a project, say) on one day, done: a second clock skips it."""

    job = models.CharField(_("job"), max_length=100)
    key = models.CharField(_("key"), max_length=100, blank=True)
    day = models.DateField(_("day"))
    done_at = models.DateTimeField(_("done at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "key", "day"], name="periodic_run_once_a_day"),
        ]
        verbose_name = _("periodic run")
        verbose_name_plural = _("periodic runs")

    def __str__(self) -> str:
        return f"{self.job}:{self.key}:{self.day}"


class Job(models.Model):
    """Long work done for one person in the background: its progress, then its file or its error.

    A job belongs to the person who asked for it; only they see it and its file, and only while they
    belong to its project. The file is kept until ``expires_at``, then the clock removes job and file.
    """

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="jobs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(_("kind"), max_length=40)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    #: Built through the client's eyes (a team member previewing the client view asked for it).
    as_client = models.BooleanField(_("as the client sees it"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to="jobs/%Y/%m/", blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "project", "-created_at"])]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        """How far along the job is, 0–100 (100 once done)."""
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)

    @property
    def finished(self) -> bool:
        """Whether the job has stopped (with a file or an error)."""
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
