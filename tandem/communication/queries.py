"""The read side of discussion: comments on a record and a person's notifications, as they may see them."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.communication import permissions, targets
from tandem.communication.models import Comment, Mention, Notification, WebhookDelivery, WebhookEndpoint
from tandem.core.compiled import Kept, Statement, count_statement, reader_key
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


def notifications_of(
    user: User, *, unread: bool = False, kinds: Collection[int] | None = None
) -> QuerySet[Notification]:
    """The user's notifications, newest first, about records (and comments) they may still read.

    A notification raised by a comment needs the comment to be readable too; one about a record alone
    (a status report sent, a draft to approve) needs the record only.
    """
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    found = (
        Notification.objects.visible_to(user)
        .filter(recipient=user)
        .filter(targets.visible_targets(user, only=kinds, notified=True))
        .filter(
            models.Q(comment__isnull=True)
            | models.Q(comment__in=Comment.objects.visible_to(user).values("pk"))
        )
    )
    if unread:
        found = found.filter(read_at__isnull=True)
    return found.select_related("actor", "project", "comment", "target_type")


#: The unread counts' statements by reader and kinds of record named (``core.compiled``).
_kept_unread: Kept[Statement | None] = Kept()


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread (the header's badge, on every page).

    The scope is built only for the kinds of record the unread notifications name, found first with
    one small query: usually none (no further query) or one or two kinds instead of every one. The
    count's SQL depends on nothing but the reader and those kinds, so it is compiled once per both
    and kept (``core.compiled``).
    """
    if not getattr(user, "is_authenticated", False):
        return 0
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    # Without an ordering: the model's would join DISTINCT and return every unread row.
    kinds = frozenset(unread.order_by().values_list("target_type_id", flat=True).distinct())
    if not kinds:
        return 0
    statement = _kept_unread.get(
        (reader_key(user), kinds),
        lambda: count_statement(notifications_of(user, unread=True, kinds=kinds)),
    )
    return 0 if statement is None else int(statement.rows()[0][0])


def comment_counts(user: Viewer, records: Iterable[models.Model]) -> dict[int, int]:
    """How many comments the user may read on each of ``records`` (one kind), by primary key; one query.

    The records are ones the user already sees (a list page's rows); a client counts shared comments only.
    """
    return comment_counts_of(user, records)[0]


def comment_counts_of(user: Viewer, *groups: Iterable[models.Model]) -> list[dict[int, int]]:
    """``comment_counts`` of several lists of records (each list of one kind) with one query: one dict
    per list, in the order given (a page showing goals, KPIs and stakeholders counts them together)."""
    found = [[record for record in group if record is not None] for group in groups]
    wanted = models.Q()
    types: list[int | None] = []
    for group in found:
        if not group:
            types.append(None)
            continue
        type_id = ContentType.objects.get_for_model(type(group[0])).pk
        types.append(type_id)
        wanted |= models.Q(target_type_id=type_id, target_id__in=[record.pk for record in group])
    counts: list[dict[int, int]] = [{} for _group in found]
    if not wanted:
        return counts
    by_type: dict[tuple[int | None, int], int] = {
        (row["target_type_id"], row["target_id"]): row["n"]
        for row in Comment.objects.visible_to(user)
        .filter(wanted)
        .values("target_type_id", "target_id")
        .annotate(n=models.Count("id"))
        .order_by()
    }
    for index, (group, kind_id) in enumerate(zip(found, types, strict=True)):
        for record in group:
            n = by_type.get((kind_id, record.pk))
            if n:
                counts[index][record.pk] = n
    return counts


# ---------------------------------------------------------------- integrations


def _int(pk: Any, message: str) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404(message) from None


def endpoints_of(user: Viewer, project: Any) -> QuerySet[WebhookEndpoint]:
    """The project's webhooks with their latest delivery, for a manager of its integrations."""
    permissions.require_manage_integrations(user, project)
    latest = WebhookDelivery.objects.filter(endpoint=OuterRef("pk")).order_by("-created_at", "-id")
    return (
        WebhookEndpoint.objects.filter(project=project)
        .select_related("project", "created_by")
        .annotate(
            last_status=Subquery(latest.values("status")[:1]),
            last_delivery_at=Subquery(latest.values("created_at")[:1]),
        )
    )


def access_endpoint(user: Viewer, project: Any, pk: Any) -> WebhookEndpoint:
    """One webhook of ``project``, for a manager of its integrations (403 for other members)."""
    pk = _int(pk, _("No such webhook."))
    found = endpoints_of(user, project).filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such webhook."))
    return found


def deliveries_of(endpoint: WebhookEndpoint, *, status: str = "") -> QuerySet[WebhookDelivery]:
    """An endpoint's delivery log, newest first (the endpoint was fetched with ``access_endpoint``)."""
    found = WebhookDelivery.objects.filter(endpoint=endpoint).select_related("endpoint")
    if status:
        found = found.filter(status=status)
    return found


def access_delivery(endpoint: WebhookEndpoint, pk: Any) -> WebhookDelivery:
    """One delivery of an endpoint the caller manages."""
    pk = _int(pk, _("No such delivery."))
    found = deliveries_of(endpoint).filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such delivery."))
    return found
