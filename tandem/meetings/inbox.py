"""What waits on a person in meetings: minutes of held meetings they run, written but not approved."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tandem.core import inbox
from tandem.meetings.choices import MeetingStatus, MinutesStatus
from tandem.meetings.models import Meeting
from tandem.projects.inbox import item, seats_of
from tandem.projects.permissions import ROLE_ACTIONS, Action

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from tandem.accounts.models import User

#: Roles that run any meeting of their project (``meetings.permissions.can_schedule``).
RUNNING_ROLES = frozenset(role for role, actions in ROLE_ACTIONS.items() if Action.RUN_MEETINGS in actions)


def _meetings(user: User) -> QuerySet[Meeting] | None:
    """The rows of ``minutes_to_approve`` (None for someone on no project)."""
    seats = seats_of(user)
    if not seats:
        return None
    running = [pk for pk, seat in seats.items() if seat.role in RUNNING_ROLES]
    return (
        Meeting.objects.visible_to(user)
        .filter(project_id__in=list(seats), status=MeetingStatus.HELD, minutes_status=MinutesStatus.DRAFT)
        .exclude(minutes="")
        .filter(Q(organizer_id=user.pk) | Q(organizer__isnull=True, project_id__in=running))
    )


def count_minutes(user: User) -> QuerySet[Meeting, tuple[int]] | None:
    """The rows of ``minutes_to_approve``, one column (the header's count)."""
    rows = _meetings(user)
    return None if rows is None else rows.values_list("pk")


def minutes_to_approve(user: User) -> Iterable[inbox.Item]:
    """Held meetings whose minutes are written and not approved: for their organizer, or, for a
    meeting without one, for those who run the project's meetings (a client: shared meetings only)."""
    rows = _meetings(user)
    if rows is None:
        return []
    seats = seats_of(user)
    rows = rows.only("id", "project_id", "title", "version", "starts_at", "ends_at", "updated_at").order_by(
        "project_id", "starts_at", "id"
    )
    items = []
    for meeting in rows:
        seat = seats[meeting.project_id]
        code = seat.project.code
        held = meeting.starts_at.astimezone(seat.project.zone)
        items.append(
            item(
                seat,
                kind="minutes",
                kind_label=_("Minutes"),
                key=f"minutes:{meeting.pk}",
                title=meeting.title,
                action_label=_("Approve"),
                url=reverse("web:meeting", kwargs={"code": code, "pk": meeting.pk}),
                since=meeting.ends_at,
                details=(_("Held %(date)s") % {"date": held.strftime("%Y-%m-%d %H:%M")},),
                in_place=inbox.InPlace(
                    url=reverse(
                        "web:meeting_state", kwargs={"code": code, "pk": meeting.pk, "change": "approve"}
                    ),
                    fields=(("version", str(meeting.version)),),
                    buttons=(inbox.Button("", "", _("Approve"), "primary"),),
                ),
            )
        )
    return items
