"""Notifications by e-mail: each person's preference, the immediate message and the daily digest.

Every mail is rendered in the recipient's language and re-checks, when it is sent, that the
recipient still reads the comment and its record (the filter of the notifications list): a comment
or record that turned internal is never mailed to a client. A notification is e-mailed at most once
(``emailed_at``); a digest at most once per person and day (:class:`DigestSent`).

The digest also lists what waits on the reader (``tandem.core.inbox``: charter revisions,
requirements, change requests, client decisions… to decide), so a digest reader with nothing new
but something waiting still gets it; those who chose "immediately" or "never" get no digest.

The digest goes out once a day, at or after :data:`DIGEST_HOUR` o'clock in ``settings.TIME_ZONE``
(the instance's time zone: a person may belong to projects in several time zones, so the
instance's is the one day boundary every person shares).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.communication import queries, targets
from tandem.communication.choices import EmailMode
from tandem.communication.models import DigestSent, Notification, NotificationSettings
from tandem.core import audit, inbox
from tandem.core.choices import Visibility

#: The local hour (``settings.TIME_ZONE``) from which the day's digest is sent.
DIGEST_HOUR = 8


# ---------------------------------------------------------------- preferences


def email_mode(user: User) -> str:
    """How the user wants notifications by e-mail (immediately unless they chose otherwise)."""
    found = NotificationSettings.objects.filter(user=user).values_list("email", flat=True).first()
    return found or EmailMode.IMMEDIATELY


@transaction.atomic
def do_set_email_mode(user: User, *, email: str, actor: User) -> NotificationSettings:
    """Choose when one receives notifications by e-mail (only for oneself)."""
    if actor.pk != user.pk:
        raise PermissionDenied(_("You can only change your own notification settings."))
    if email not in EmailMode.values:
        raise ValidationError({"email": [_("Choose immediately, daily digest or never.")]})
    row, created = NotificationSettings.objects.select_for_update().get_or_create(user=user)
    before = row.email
    row.email = email
    row.save()
    if before != email or created:
        audit.record(
            actor=actor,
            verb="notification_settings_changed",
            target=row,
            visibility=Visibility.INTERNAL,
            changes={"email": [before, email]},
            label=str(user),
        )
    return row


# ---------------------------------------------------------------- rendering


def record_url(notification: Notification) -> str:
    """An absolute link to the discussion of the notification's record."""
    kind = targets.kind_of(ContentType.objects.get_for_id(notification.target_type_id))
    page = targets.notified_page(kind)
    if page:
        return settings.SITE_URL + reverse(page, args=[notification.project.code])
    path = reverse("web:comments", args=[notification.project.code, f"{kind}:{notification.target_id}"])
    anchor = f"#comment-{notification.comment_id}" if notification.comment_id else ""
    return settings.SITE_URL + path + anchor


@dataclass(frozen=True)
class Item:
    """One notification as a mail shows it."""

    project: str
    who: str
    what: str
    record: str
    excerpt: str
    url: str


def _item(notification: Notification) -> Item:
    comment = notification.comment
    target = comment.target if comment is not None else notification.target
    return Item(
        project=f"{notification.project.code} · {notification.project.name}",
        who=(notification.actor.full_name or notification.actor.email) if notification.actor else "Tandem",
        what=str(notification.get_verb_display()),
        record=str(target) if target is not None else "",
        excerpt=(comment.body[:500] if comment is not None else ""),
        url=record_url(notification),
    )


def _send(user: User, template: str, context: dict[str, Any]) -> None:
    with translation.override(user.language):
        context = {**context, "user": user, "site_url": settings.SITE_URL}
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    message.send()


def _still_visible(recipient: User, ids: list[int]) -> list[Notification]:
    return list(
        queries.notifications_of(recipient)
        .filter(pk__in=ids)
        .select_related("actor", "project", "comment", "target_type")
        .order_by("created_at", "id")
    )


# ---------------------------------------------------------------- sending


def send_notification_email(notification_id: int) -> bool:
    """Mail one notification now, if its recipient wants it immediately and still reads it."""
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if row is None:
            return False
        recipient = row.recipient
        if not recipient.is_active or not recipient.email or email_mode(recipient) != EmailMode.IMMEDIATELY:
            return False
        visible = _still_visible(recipient, [row.pk])
        if not visible:
            return False
        Notification.objects.filter(pk=row.pk).update(emailed_at=timezone.now())
    notification = visible[0]
    with translation.override(recipient.language):
        item = _item(notification)
    try:
        _send(recipient, "web/email/notification", {"item": item, "notification": notification})
    except Exception:
        Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
        raise
    return True


def digest_day(now: dt.datetime) -> dt.date | None:
    """The local day whose digest is due at ``now`` (``None`` before :data:`DIGEST_HOUR`)."""
    local = now.astimezone(ZoneInfo(settings.TIME_ZONE))
    return local.date() if local.hour >= DIGEST_HOUR else None


def digest_recipients(day: dt.date) -> list[int]:
    """Digest readers with no digest for ``day`` who may have something in it: unread notifications
    not yet e-mailed, or a project where something may wait on them (``send_digest`` reads what does)."""
    done = DigestSent.objects.filter(day=day).values("user_id")
    readers = User.objects.filter(is_active=True, notification_settings__email=EmailMode.DAILY_DIGEST)
    readers = readers.exclude(pk__in=done)
    unsent = Notification.objects.filter(read_at__isnull=True, emailed_at__isnull=True)
    pending = unsent.values("recipient_id")
    return list(
        readers.filter(Q(pk__in=pending) | Q(memberships__isnull=False))
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")
    )


@dataclass(frozen=True)
class Waiting:
    """One inbox item as the digest lists it (in the reader's language, with an absolute link)."""

    kind: str
    project: str
    title: str
    action: str
    due: dt.date | None
    overdue: bool
    cost: str
    url: str


def waiting_for(user: User, today: dt.date) -> list[Waiting]:
    """What waits on ``user``, most urgent first, as the digest lists it (call in their language)."""
    return [
        Waiting(
            kind=str(item.kind_label),
            project=f"{item.project_code} · {item.project_name}",
            title=str(item.title),
            action=str(item.action_label),
            due=item.due,
            overdue=item.overdue(today),
            cost=str(item.cost_of_delay or ""),
            url=f"{settings.SITE_URL}{item.url}",
        )
        for item in inbox.items_for(user, today=today)
    ]


def send_digest(user_id: int, day: dt.date) -> int:
    """Mail one person's digest for ``day`` (once): their new notifications and what waits on them;
    returns how many notifications and waiting items it listed."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or email_mode(user) != EmailMode.DAILY_DIGEST:
        return 0
    with transaction.atomic():
        try:
            with transaction.atomic():
                sent = DigestSent.objects.create(user=user, day=day)
        except IntegrityError:
            return 0  # already sent for that day
        pending = Notification.objects.filter(
            recipient=user, read_at__isnull=True, emailed_at__isnull=True
        ).values_list("pk", flat=True)
        notifications = _still_visible(user, list(pending))
        sent.notifications = len(notifications)
        sent.save(update_fields=["notifications"])
        with translation.override(user.language):
            items = [_item(n) for n in notifications]
            waiting = waiting_for(user, day)
        if not notifications and not waiting:
            return 0
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=timezone.now())
        # Sent inside the transaction: if the mail fails, the day is not marked done and the next
        # tick tries again.
        _send(user, "web/email/notification_digest", {"items": items, "waiting": waiting, "day": day})
    return len(notifications) + len(waiting)
