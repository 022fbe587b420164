"""Comments on project records, the people they mention, and the notifications they raise.

A comment is internal or shared like any record; on an internal record it is always internal, and
a client's comment is always shared. A notification points at the comment that raised it, so a
client never reads one about an internal comment.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from tandem.core.models import ShareableModel
from tandem.core.scoping import ScopedManager
from tandem.requirements.markup import render_markdown


class Comment(ShareableModel):
    """A Markdown message on one record of a project (the target)."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="comments")
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField(_("target id"))
    target = GenericForeignKey("target_type", "target_id")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    body = models.TextField(_("comment"), max_length=20000)
    mentioned = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Mention", related_name="+", verbose_name=_("mentioned")
    )

    objects = ScopedManager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"])]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def body_html(self) -> SafeString:
        """The body as sanitised HTML."""
        return render_markdown(self.body)


class Mention(models.Model):
    """A project member named in a comment as ``@email`` or ``@"Full Name"``."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["id"]
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="one_mention_per_user")]

    def __str__(self) -> str:
        return f"{self.comment_id} @{self.user_id}"


class NotificationVerb(models.TextChoices):
    """Why someone is told."""

    MENTIONED = "mentioned", _("mentioned you")
    COMMENTED = "commented", _("commented")


class Notification(models.Model):
    """Something one person should look at, read or not yet read."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    verb = models.CharField(_("verb"), max_length=20, choices=NotificationVerb.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField(_("target id"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.verb}"
