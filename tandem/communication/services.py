"""The write side of discussion: each change is one transaction, validated, versioned and audited."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.communication import delivery, permissions, tasks
from tandem.communication.choices import WebhookEvent
from tandem.communication.models import Comment, Mention, Notification, NotificationVerb
from tandem.communication.targets import is_commentable, kind_of
from tandem.core import audit, updates
from tandem.core.choices import Side, Visibility
from tandem.core.validation import full_clean
from tandem.projects import permissions as project_permissions
from tandem.projects.models import Membership

#: ``@"Full Name"`` or ``@someone@example.com``.
MENTION_RE = re.compile(r'@"([^"\n]{1,150})"|(?<![\w.+-])@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)')


def mentioned_members(project: Any, body: str) -> list[Membership]:
    """The members of ``project`` named in ``body``, in order, each once."""
    names: list[tuple[str, str]] = []
    for match in MENTION_RE.finditer(body or ""):
        if match.group(1):
            names.append(("name", match.group(1).strip().casefold()))
        else:
            names.append(("email", match.group(2).rstrip(".").casefold()))
    if not names:
        return []
    members = list(Membership.objects.filter(project=project).select_related("user"))
    found: list[Membership] = []
    for key, value in names:
        for membership in members:
            user = membership.user
            matched = (
                user.email.casefold() if key == "email" else (user.full_name or "").casefold()
            ) == value
            if matched and user.is_active and membership not in found:
                found.append(membership)
    return found


def _sees_target(user: User, target: models.Model) -> bool:
    manager: Any = type(target)._default_manager
    return bool(manager.visible_to(user).filter(pk=target.pk).exists())


def _record_mentions(comment: Comment, *, actor: User, already: set[int]) -> list[User]:
    """Record the members mentioned in the comment who may read it; notify the new ones."""
    told: list[User] = []
    target = comment.target
    for membership in mentioned_members(comment.project, comment.body):
        user = membership.user
        if user.pk in already:
            continue
        if comment.visibility == Visibility.INTERNAL and membership.side != Side.TEAM:
            continue  # a client never learns of an internal comment
        if target is None or not _sees_target(user, target):
            continue
        Mention.objects.create(comment=comment, user=user)
        already.add(user.pk)
        if user.pk != actor.pk:
            notification = Notification.objects.create(
                recipient=user,
                project=comment.project,
                verb=NotificationVerb.MENTIONED,
                actor=actor,
                comment=comment,
                target_type_id=comment.target_type_id,
                target_id=comment.target_id,
            )
            _email_on_commit(notification.pk)
            told.append(user)
    return told


def _email_on_commit(notification_id: int) -> None:
    """Mail the notification after commit (the task itself checks the recipient's preference)."""
    transaction.on_commit(lambda: tasks.email_notification.enqueue(notification_id))


def _publish_comment(comment: Comment, target: models.Model, actor: User) -> None:
    """Tell the project's webhooks about a new comment, in the project's language."""
    project = comment.project
    spec = f"{kind_of(target)}:{target.pk}"
    with translation.override(project.language):
        title = _("%(person)s commented on %(record)s") % {
            "person": actor.full_name or actor.email,
            "record": str(target),
        }
    delivery.publish(
        project,
        event=WebhookEvent.COMMENT_CREATED,
        title=title,
        text=comment.body,
        url=f"{settings.SITE_URL}{reverse('web:comments', args=[project.code, spec])}#comment-{comment.pk}",
        shared=comment.visibility == Visibility.SHARED,
        actor=actor,
    )


def _visibility_for(target: models.Model, actor: User, requested: str) -> str:
    if getattr(target, "visibility", Visibility.SHARED) == Visibility.INTERNAL:
        return Visibility.INTERNAL
    if not project_permissions.is_team(actor, target.project):  # type: ignore[attr-defined]
        return Visibility.SHARED
    if requested not in Visibility.values:
        raise ValidationError({"visibility": [_("Choose internal or shared.")]})
    return requested


@transaction.atomic
def do_add_comment(
    target: models.Model, *, actor: User, body: str, visibility: str = Visibility.SHARED
) -> Comment:
    """Add a comment to a record the actor sees; members it mentions are told."""
    if not is_commentable(target):
        raise ValidationError({"target": [_("Comments cannot be added to this kind of record.")]})
    project = target.project  # type: ignore[attr-defined]
    if not _sees_target(actor, target):
        raise Http404(_("No such record."))
    permissions.require_comment(actor, project)
    comment = Comment(
        project=project,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        author=actor,
        body=(body or "").strip(),
        visibility=_visibility_for(target, actor, visibility),
    )
    comment.target = target
    full_clean(comment)
    comment.save()
    _record_mentions(comment, actor=actor, already=set())
    _publish_comment(comment, target, actor)
    audit.record(
        actor=actor,
        verb="commented",
        target=target,
        project=project,
        visibility=comment.visibility,
        changes={"comment": comment.pk},
    )
    return comment


def _locked(comment: Comment) -> Comment:
    current = Comment.objects.select_for_update().select_related("project").get(pk=comment.pk)
    return current


@transaction.atomic
def do_edit_comment(comment: Comment, *, actor: User, body: str, version: int | None) -> Comment:
    """Change the text of one's own comment; members newly mentioned are told."""
    current = _locked(comment)
    if not permissions.can_edit(actor, current):
        raise PermissionDenied(_("Only the author may edit a comment."))
    how: dict[str, Any] = {
        "verb": "comment_edited",
        "lock": False,
        "record_unchanged": True,
        "fields": ("body",),
    }
    current = updates.update_versioned(
        current, {"body": (body or "").strip()}, version=version, actor=actor, **how
    ).instance
    already = set(current.mentions.values_list("user_id", flat=True))
    _record_mentions(current, actor=actor, already=already)
    return current


@transaction.atomic
def do_delete_comment(comment: Comment, *, actor: User) -> None:
    """Remove a comment (its author or the project manager), with its mentions and notifications."""
    current = _locked(comment)
    if not permissions.can_delete(actor, current):
        raise PermissionDenied(_("Only the author or the project manager may delete a comment."))
    audit.record(
        actor=actor,
        verb="comment_deleted",
        target=current,
        project=current.project,
        visibility=current.visibility,
    )
    current.delete()


@transaction.atomic
def do_mark_read(recipient: User, *, ids: list[int] | None = None) -> int:
    """Mark the recipient's notifications read (those in ``ids``, or all); returns how many changed."""
    unread = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
