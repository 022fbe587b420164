"""Requirements of a project: versioned content, client confirmations and trace links to the plan.

A requirement is internal or shared like every shareable record. Its versions, confirmations and
trace links follow it: a client never reads a version of an internal requirement, nor a link to an
internal task (``scope_visibility_paths`` names every record the row touches).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from tandem.core.models import ShareableModel
from tandem.core.scoping import ScopedManager
from tandem.requirements.choices import Priority, RequirementStatus, Source
from tandem.requirements.markup import render_markdown

#: Fields whose values each version snapshots.
VERSIONED_FIELDS = ("title", "background", "description", "priority", "acceptance_criteria")


class Requirement(ShareableModel):
    """One requirement: what is needed and how the client will know it is met."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="requirements")
    code = models.CharField(_("code"), max_length=20, editable=False)
    title = models.CharField(_("title"), max_length=200)
    background = models.TextField(_("background"), blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown"))
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.SHOULD
    )
    #: An ordered list of strings, one per criterion.
    acceptance_criteria = models.JSONField(_("acceptance criteria"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.OTHER)
    source_note = models.CharField(
        _("source note or link"),
        max_length=500,
        blank=True,
        help_text=_("Where it came from: a note or a link"),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requester"),
    )
    requester_name = models.CharField(_("requester name"), max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RequirementStatus.choices, default=RequirementStatus.DRAFT
    )
    #: Position in the prioritised backlog (smaller first).
    rank = models.PositiveIntegerField(_("rank"), default=0)
    #: The number of the latest version of the content.
    current_version = models.PositiveIntegerField(_("current version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tasks = models.ManyToManyField(
        "planning.Task", through="TraceLink", related_name="requirements", verbose_name=_("tasks")
    )

    objects = ScopedManager()

    class Meta:
        ordering = ["rank", "id"]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="requirement_code_unique_in_project"),
        ]
        indexes = [models.Index(fields=["project", "rank"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def description_html(self) -> SafeString:
        """The description rendered from Markdown and sanitised."""
        return render_markdown(self.description)

    @property
    def background_html(self) -> SafeString:
        """The background rendered from Markdown and sanitised."""
        return render_markdown(self.background)


class RequirementVersion(models.Model):
    """A snapshot of a requirement's content, written on creation and on every revision."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    background = models.TextField(_("background"), blank=True)
    description = models.TextField(_("description"), blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    acceptance_criteria = models.JSONField(_("acceptance criteria"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=RequirementStatus.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    #: The change request that made this version (e.g. "CR-004"), when it came from one.
    change_ref = models.CharField(_("change request"), max_length=30, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    scope_project_path: ClassVar[str] = "requirement__project"
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("requirement__visibility",)

    objects = ScopedManager["RequirementVersion"]()

    class Meta:
        ordering = ["requirement", "number"]
        verbose_name = _("requirement version")
        verbose_name_plural = _("requirement versions")
        constraints = [
            models.UniqueConstraint(fields=["requirement", "number"], name="requirement_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.requirement_id} v{self.number}"

    @property
    def description_html(self) -> SafeString:
        """The description of this version, rendered and sanitised."""
        return render_markdown(self.description)


class RequirementConfirmation(models.Model):
    """A holder of "confirm requirement" confirmed one version: who, which, when and why."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="confirmations")
    version_number = models.PositiveIntegerField(_("version"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("confirmed by")
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), auto_now_add=True)
    comment = models.CharField(_("comment"), max_length=1000, blank=True)

    scope_project_path: ClassVar[str] = "requirement__project"
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("requirement__visibility",)

    objects = ScopedManager["RequirementConfirmation"]()

    class Meta:
        ordering = ["requirement", "confirmed_at", "id"]
        verbose_name = _("requirement confirmation")
        verbose_name_plural = _("requirement confirmations")

    def __str__(self) -> str:
        return f"{self.requirement_id} v{self.version_number}"


class TraceLink(models.Model):
    """A requirement traced to a task of the plan that realises it."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="trace_links")
    task = models.ForeignKey("planning.Task", on_delete=models.CASCADE, related_name="trace_links")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    scope_project_path: ClassVar[str] = "requirement__project"
    scope_visibility_paths: ClassVar[tuple[str, ...]] = ("requirement__visibility", "task__visibility")

    objects = ScopedManager["TraceLink"]()

    class Meta:
        ordering = ["requirement", "task__outline_key", "id"]
        verbose_name = _("trace link")
        verbose_name_plural = _("trace links")
        constraints = [
            models.UniqueConstraint(fields=["requirement", "task"], name="trace_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.requirement_id} → {self.task_id}"
