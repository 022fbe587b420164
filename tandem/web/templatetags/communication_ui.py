"""Template helpers of discussion: the unread count for the bell, a record's comment target."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import ngettext

from tandem.communication import queries
from tandem.communication.targets import kind_of, notified_page

register = template.Library()


@register.simple_tag
def unread_notifications(user: Any) -> int:
    """How many of the user's notifications are unread (0 when signed out)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return queries.unread_count(user)


@register.filter
def comment_target(record: Any) -> str:
    """``"task:12"`` for a commentable record."""
    return f"{kind_of(record)}:{record.pk}"


@register.simple_tag
def comment_counts(viewer: Any, records: Any) -> dict[int, int]:
    """How many comments the viewer may read on each listed record, in one query.

    ``records`` holds records of one kind, or rows whose first item is the record (``(note, editable)``).
    """
    listed = [row[0] if isinstance(row, tuple) else row for row in records or ()]
    return queries.comment_counts(viewer, listed)


@register.filter
def count_for(counts: dict[int, int] | None, record: Any) -> int:
    """The count of ``record`` in a ``comment_counts`` result (0 when it has no comment)."""
    return (counts or {}).get(record.pk, 0)


@register.simple_tag(takes_context=True)
def comments_link(context: template.Context, record: Any, counts: dict[int, int] | None) -> SafeString:
    """The "Comments (n)" button of a listed record, opening its discussion in the page's slot.

    Built here rather than by an included template: lists draw one on every row, and an include per
    row was a visible share of the project home's time.
    """
    n = count_for(counts, record)
    scope = context.get("scope")
    url = reverse("web:comments", args=[context["project"].code, comment_target(record)])
    url += scope.query_suffix if scope is not None else ""
    return format_html(
        '<a class="comments-link btn btn-xs btn-ghost" href="{}" hx-get="{}" hx-target="#comments-slot"'
        ' hx-swap="innerHTML">{}</a>',
        url,
        url,
        ngettext("Comments (%(n)s)", "Comments (%(n)s)", n) % {"n": n},
    )


@register.filter
def notification_target(notification: Any) -> str:
    """``"risk:12"`` for the record a notification is about (its content type is already loaded)."""
    return f"{kind_of(notification.target_type)}:{notification.target_id}"


#: Kinds of record with a page of their own, where a notification without a comment leads.
NOTIFICATION_PAGES = {"report": "web:report_detail", "meeting": "web:meeting", "defect": "web:defect_detail"}


@register.filter
def notification_url(notification: Any) -> str:
    """Where a notification leads: the comment in its discussion, or the record's own page."""
    kind = kind_of(notification.target_type)
    code = notification.project.code
    page = notified_page(kind)
    if page:
        return reverse(page, args=[code])
    if notification.comment_id is None and kind in NOTIFICATION_PAGES:
        return reverse(NOTIFICATION_PAGES[kind], args=[code, notification.target_id])
    path = reverse("web:comments", args=[code, f"{kind}:{notification.target_id}"])
    return f"{path}#comment-{notification.comment_id}" if notification.comment_id else path
