"""Request and response shapes of discussion: comments on records and the caller's notifications."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.contrib.contenttypes.models import ContentType
from ninja import Field, Schema

from tandem.api.model_fields import model_field
from tandem.api.schemas import Id, PersonOut, Version
from tandem.communication.models import Comment
from tandem.communication.targets import kind_of
from tandem.core.choices import Visibility


def target_spec(obj: Any) -> str:
    """``"risk:12"`` for a comment or notification (the content type comes from Django's cache)."""
    return f"{kind_of(ContentType.objects.get_for_id(obj.target_type_id))}:{obj.target_id}"


class CommentIn(Schema):
    """A new comment (a client member's comments, and comments on internal records, are forced)."""

    body: str = model_field(Comment, "body")
    visibility: Visibility = model_field(Comment, "visibility", Visibility.SHARED)


class CommentPatchIn(Schema):
    """A new text for one's own comment, based on the version the caller read."""

    version: Version
    body: str = model_field(Comment, "body")


class CommentOut(Schema):
    """A comment, its Markdown body also rendered as sanitised HTML, and the members it mentions."""

    id: int
    target: str
    author: PersonOut | None
    body: str
    body_html: str
    visibility: str
    mentions: list[PersonOut]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_target(obj: Any) -> str:
        return target_spec(obj)

    @staticmethod
    def resolve_body_html(obj: Any) -> str:
        return str(obj.body_html)

    @staticmethod
    def resolve_mentions(obj: Any) -> list[Any]:
        return [mention.user for mention in obj.mentions.all()]


class NotificationOut(Schema):
    """Something for the caller to look at: who did what, on which record, and whether it was read."""

    id: int
    verb: str
    project: str
    actor: PersonOut | None
    comment_id: int | None
    target: str
    excerpt: str
    read_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_project(obj: Any) -> str:
        return str(obj.project.code)

    @staticmethod
    def resolve_target(obj: Any) -> str:
        return target_spec(obj)

    @staticmethod
    def resolve_excerpt(obj: Any) -> str:
        return obj.comment.body[:200] if obj.comment is not None else ""


class NotificationFilter(Schema):
    """Only the unread ones when ``unread`` is true."""

    unread: bool = False


class MarkReadIn(Schema):
    """The notifications to mark read; all of the caller's when ``ids`` is left out."""

    ids: Annotated[list[Id], Field(max_length=500)] | None = None


class MarkedOut(Schema):
    """How many notifications changed, and how many are still unread."""

    marked: int
    unread: int
