"""Models of onboarding: whether a member has opened or put away the first-visit guide, and the
project's training material with who (on the client's side) has completed which item."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tandem.core.models import TimeStampedModel, VersionedModel
from tandem.core.scoping import ScopedManager


class GuideVisit(TimeStampedModel):
    """For one membership: when its person first opened the role guide, and when they dismissed the
    first-visit prompt on the project home (a membership without a row has done neither)."""

    membership = models.OneToOneField(
        "projects.Membership", on_delete=models.CASCADE, related_name="guide_visit"
    )
    seen_at = models.DateTimeField(_("guide opened"), null=True, blank=True)
    dismissed_at = models.DateTimeField(_("prompt dismissed"), null=True, blank=True)

    scope_project_path: ClassVar[str] = "membership__project"
    objects = ScopedManager["GuideVisit"]()

    class Meta:
        verbose_name = _("guide visit")
        verbose_name_plural = _("guide visits")

    def __str__(self) -> str:
        return f"guide visit {self.membership_id}"


class TrainingKind(models.TextChoices):
    """What a piece of training material is."""

    DOCUMENT = "document", _("Document")
    LINK = "link", _("Link")
    GUIDE = "guide", _("Short guide")


class TrainingItem(VersionedModel):
    """One piece of training material for the client's people: a document, a link or a short guide,
    for some client roles (all of them when none is named), in the project manager's order."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="training_items")
    kind = models.CharField(
        _("kind"), max_length=10, choices=TrainingKind.choices, default=TrainingKind.GUIDE
    )
    title = models.CharField(_("title"), max_length=200)
    #: The short guide's text, or a note on the document or link.
    body = models.TextField(_("text"), blank=True, max_length=20000)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    file = models.FileField(_("document"), upload_to="training/%Y/%m/", blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    #: Client roles (``tandem.projects.choices.Role`` values) the item is for; empty: every client role.
    audience_roles = models.JSONField(_("audience"), default=list, blank=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    objects = ScopedManager["TrainingItem"]()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("training item")
        verbose_name_plural = _("training items")

    def __str__(self) -> str:
        return self.title

    def is_for(self, role: str | None) -> bool:
        """Whether the item is meant for a member of ``role``."""
        return not self.audience_roles or role in self.audience_roles


class TrainingCompletion(models.Model):
    """A client member's record that they completed one training item."""

    item = models.ForeignKey(TrainingItem, on_delete=models.CASCADE, related_name="completions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(_("completed"), auto_now_add=True)

    scope_project_path: ClassVar[str] = "item__project"
    objects = ScopedManager["TrainingCompletion"]()

    class Meta:
        ordering = ["item", "user"]
        verbose_name = _("training completion")
        verbose_name_plural = _("training completions")
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="one_completion_per_person")]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.user_id}"
