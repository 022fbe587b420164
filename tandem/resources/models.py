"""The resource pool of an organization, its internal rates, and assignments of resources to tasks.

A resource belongs to one organization, vendor or client: the client's reviewers, environments and
data deliveries are resources of the client, so a plan can show when the client is the bottleneck.
Rates and the cost per use are internal to the delivery team: no client-facing schema, page,
export or email carries them.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.core.models import TimeStampedModel, VersionedModel
from tandem.core.scoping import ScopedManager
from tandem.planning.choices import CalendarBase
from tandem.resources.choices import WORK_KINDS, ResourceKind

#: The highest max units of one resource (a team of 100 people at 100 %).
MAX_UNITS = 10_000


def clean_skills(value: object) -> list[str]:
    """Skills as distinct, trimmed tags in the order given, or a ValidationError on ``skills``."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValidationError({"skills": [_("Give the skills as a list of words.")]})
    tags: list[str] = []
    for raw in value:
        tag = raw.strip()
        if len(tag) > 50:
            raise ValidationError({"skills": [_("A skill has at most 50 characters.")]})
        if tag and tag.casefold() not in {t.casefold() for t in tags}:
            tags.append(tag)
    if len(tags) > 30:
        raise ValidationError({"skills": [_("A resource has at most 30 skills.")]})
    return tags


class Resource(VersionedModel):
    """A person, piece of equipment or environment, material or cost of one organization's pool."""

    #: Fields only the delivery team reads (with the rates).
    INTERNAL_FIELDS: ClassVar[tuple[str, ...]] = ("cost_per_use",)

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="resources",
        verbose_name=_("organization"),
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=ResourceKind.choices, default=ResourceKind.PERSON
    )
    name = models.CharField(_("name"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("user"),
        help_text=_("The person's account, when they sign in to Tandem."),
    )
    role = models.CharField(_("role"), max_length=100, blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    max_units = models.PositiveIntegerField(
        _("max units (%)"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_UNITS)],
        help_text=_("How much of the resource is available: 100 is one person full time."),
    )
    material_label = models.CharField(
        _("unit label"), max_length=30, blank=True, help_text=_("For material: the unit, e.g. GB or licence.")
    )
    calendar_base = models.CharField(
        _("calendar"),
        max_length=10,
        choices=CalendarBase.choices,
        blank=True,
        help_text=_("Empty: the project's calendar."),
    )
    cost_per_use = models.DecimalField(
        _("cost per use"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organization", "name", "id"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="resource_name_unique_in_organization"
            ),
        ]
        indexes = [models.Index(fields=["organization", "role"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_work(self) -> bool:
        """Whether the engine schedules this resource's time (a person, equipment or an environment)."""
        return self.kind in WORK_KINDS

    def clean(self) -> None:
        """A material has a unit label and no account; an account belongs to a person of the organization."""
        super().clean()
        errors: dict[str, list[str]] = {}
        if self.kind == ResourceKind.MATERIAL and not self.material_label:
            errors["material_label"] = [str(_("A material needs its unit label."))]
        if self.kind != ResourceKind.MATERIAL and self.material_label:
            errors["material_label"] = [str(_("Only a material has a unit label."))]
        if self.user_id is not None:
            if self.kind != ResourceKind.PERSON:
                errors["user"] = [str(_("Only a person can be linked to an account."))]
            elif self.user is not None and self.user.organization_id != self.organization_id:
                errors["user"] = [str(_("This person does not work for the resource's organization."))]
        if errors:
            raise ValidationError(errors)


class ResourceException(models.Model):
    """Days a work resource does not work (leave, holidays), with a note."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="exceptions", verbose_name=_("resource")
    )
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["resource", "start", "id"]
        verbose_name = _("resource exception")
        verbose_name_plural = _("resource exceptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="resource_exception_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.start}–{self.end}"

    def clean(self) -> None:
        """The last day is not before the first."""
        super().clean()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": [_("The last day cannot be before the first.")]})


class Rate(TimeStampedModel):
    """An internal cost rate of a resource from a date on; the rate in force is the latest started one."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="rates", verbose_name=_("resource")
    )
    effective_from = models.DateField(_("effective from"))
    standard_rate = models.DecimalField(
        _("standard rate per hour"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    overtime_rate = models.DecimalField(
        _("overtime rate per hour"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")

    class Meta:
        ordering = ["resource", "-effective_from"]
        verbose_name = _("rate")
        verbose_name_plural = _("rates")
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "effective_from"], name="one_rate_per_resource_and_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.effective_from}"


class Assignment(VersionedModel):
    """A resource assigned to a task: its units (percent of the resource) and its work in minutes.

    A client reads the assignments of shared tasks (who works on them), never a rate or a cost.
    """

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="assignments", verbose_name=_("project")
    )
    task = models.ForeignKey(
        "planning.Task", on_delete=models.CASCADE, related_name="assignments", verbose_name=_("task")
    )
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("resource")
    )
    units = models.PositiveIntegerField(
        _("units (%)"),
        default=100,
        validators=[MaxValueValidator(MAX_UNITS * 10)],
        help_text=_("The share of the resource the task takes: 100 is full time."),
    )
    work_minutes = models.PositiveIntegerField(
        _("work (minutes)"), default=0, validators=[MaxValueValidator(100_000_000)]
    )

    #: A client sees an assignment when its task is shared.
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("task__visibility",)

    objects = ScopedManager()

    class Meta:
        ordering = ["task", "resource__name", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["task", "resource"], name="one_assignment_per_task_and_resource"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} → {self.task}"
