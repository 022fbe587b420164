"""Comments on a project's records (``?target=risk:12``) and the caller's notifications."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status

from tandem.api.auth import AUTH, actor
from tandem.api.communication_schemas import (
    CommentIn,
    CommentOut,
    CommentPatchIn,
    MarkedOut,
    MarkReadIn,
    NotificationFilter,
    NotificationOut,
)
from tandem.api.pagination import paged
from tandem.communication import queries, services
from tandem.communication.models import Comment, Notification
from tandem.communication.targets import access_target
from tandem.projects.queries import access_project

router = Router(tags=["comments"], auth=AUTH)


@router.get("/projects/{code}/comments", response=list[CommentOut], summary="Comments on a record")
@paged
def list_comments(request: HttpRequest, code: str, target: str) -> QuerySet[Comment]:
    """The comments on one record the caller may read, oldest first (``target=type:id``)."""
    user = actor(request)
    return queries.comments_of(user, access_target(user, access_project(user, code), target))


@router.post("/projects/{code}/comments", response={201: CommentOut}, summary="Comment on a record")
def add_comment(request: HttpRequest, code: str, target: str, payload: CommentIn) -> Status[Comment]:
    """Comment on a record; ``@email`` and ``@"Full Name"`` notify those members who may read it."""
    user = actor(request)
    record = access_target(user, access_project(user, code), target)
    comment = services.do_add_comment(record, actor=user, body=payload.body, visibility=payload.visibility)
    return Status(201, queries.comments_of(user, record).get(pk=comment.pk))


@router.patch("/projects/{code}/comments/{comment_id}", response=CommentOut, summary="Change a comment")
def edit_comment(request: HttpRequest, code: str, comment_id: int, payload: CommentPatchIn) -> Comment:
    """Change one's own comment, based on the version the caller read."""
    user = actor(request)
    comment = queries.access_comment(user, access_project(user, code), comment_id)
    services.do_edit_comment(comment, actor=user, body=payload.body, version=payload.version)
    return queries.comments_of(user, comment.target).get(pk=comment.pk)  # type: ignore[arg-type]


@router.delete("/projects/{code}/comments/{comment_id}", response={204: None}, summary="Delete a comment")
def delete_comment(request: HttpRequest, code: str, comment_id: int) -> Status[None]:
    """Delete a comment (its author or the project manager)."""
    user = actor(request)
    services.do_delete_comment(
        queries.access_comment(user, access_project(user, code), comment_id), actor=user
    )
    return Status(204, None)


@router.get(
    "/me/notifications", response=list[NotificationOut], tags=["notifications"], summary="My notifications"
)
@paged
def list_notifications(request: HttpRequest, filters: Query[NotificationFilter]) -> QuerySet[Notification]:
    """The caller's notifications, newest first (``unread=true`` for the unread ones only)."""
    return queries.notifications_of(actor(request), unread=filters.unread)


@router.post(
    "/me/notifications/read", response=MarkedOut, tags=["notifications"], summary="Mark notifications read"
)
def mark_read(request: HttpRequest, payload: MarkReadIn) -> MarkedOut:
    """Mark some (``ids``) or all of the caller's notifications read."""
    user = actor(request)
    marked = services.do_mark_read(user, ids=payload.ids)
    return MarkedOut(marked=marked, unread=queries.unread_count(user))
