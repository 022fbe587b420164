"""The read side of discussion: comments on a record and a person's notifications, as they may see them."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.communication import targets
from tandem.communication.models import Comment, Mention, Notification
from tandem.core.scoping import Viewer


def comments_of(user: Viewer, target: models.Model) -> QuerySet[Comment]:
    """The comments on ``target`` the user may read, oldest first (a client never sees internal ones)."""
    manager: Any = type(target)._default_manager
    if not manager.visible_to(user).filter(pk=target.pk).exists():
        return Comment.objects.none()
    return (
        Comment.objects.visible_to(user)
        .filter(target_type=ContentType.objects.get_for_model(target), target_id=target.pk)
        .select_related("author", "project")
        .prefetch_related(Prefetch("mentions", queryset=Mention.objects.select_related("user")))
    )


def access_comment(user: Viewer, project: Any, pk: Any) -> Comment:
    """A comment in ``project`` the user may read; otherwise ``Http404``."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404(_("No such comment.")) from None
    found = Comment.objects.visible_to(user).filter(project=project, pk=pk).select_related("project").first()
    if found is None or found.target is None:
        raise Http404(_("No such comment."))
    manager: Any = type(found.target)._default_manager
    if not manager.visible_to(user).filter(pk=found.target_id).exists():
        raise Http404(_("No such comment."))
    return found


def notifications_of(user: User, *, unread: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first, about comments they may still read."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    found = Notification.objects.visible_to(user).filter(
        recipient=user,
        comment__in=Comment.objects.visible_to(user).filter(targets.visible_targets(user)).values("pk"),
    )
    if unread:
        found = found.filter(read_at__isnull=True)
    return found.select_related("actor", "project", "comment", "target_type")


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread."""
    return notifications_of(user, unread=True).count()
