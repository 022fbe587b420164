"""What pulses put in a person's inbox: surveys waiting for their answer, and low scores to follow up."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.core.inbox import Item, register
from tandem.projects.inbox import seats_of
from tandem.pulses.choices import FollowUpStatus
from tandem.pulses.models import FollowUp, Invitation

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from tandem.accounts.models import User


def _invitations(user: User) -> QuerySet[Invitation] | None:
    """The rows of ``waiting_invitations`` (None for someone on no project)."""
    projects = list(seats_of(user))
    if not projects:
        return None
    return Invitation.objects.filter(
        user=user,
        answered_at__isnull=True,
        expires_at__gt=Now(),  # the database's clock: the count's SQL is kept (core.inbox)
        pulse__project_id__in=projects,
    )


def count_surveys(user: User) -> QuerySet[Invitation, tuple[int]] | None:
    """The rows of ``surveys``, one column (the header's count)."""
    rows = _invitations(user)
    return None if rows is None else rows.values_list("pk")


def waiting_invitations(user: User) -> list[Invitation]:
    """The user's unanswered, unexpired invitations of projects they still belong to (one query, none
    for someone on no project; the projects are the inbox's one shared read)."""
    rows = _invitations(user)
    if rows is None:
        return []
    return list(rows.select_related("pulse__project", "pulse__survey").order_by("expires_at", "id"))


def surveys(user: User) -> Iterable[Item]:
    """A survey to answer, due when its links expire."""
    language = str(getattr(user, "language", "") or "en")
    for invitation in waiting_invitations(user):
        pulse = invitation.pulse
        yield Item(
            kind="survey",
            kind_label=_("Survey"),
            key=f"survey:{invitation.pk}",
            project_code=pulse.project.code,
            project_name=pulse.project.name,
            title=pulse.survey.name_in(language) + (f" · {pulse.subject}" if pulse.subject else ""),
            action_label=_("Answer"),
            url=reverse("web:pulse_answer", args=[invitation.pk]),
            due=timezone.localtime(invitation.expires_at).date(),
            since=pulse.sent_at,
        )


def _follow_ups(user: User) -> QuerySet[FollowUp] | None:
    """The rows of ``follow_ups`` (None for someone on no project's team)."""
    projects = [pk for pk, seat in seats_of(user).items() if seat.team]
    if not projects:
        return None
    return FollowUp.objects.filter(owner=user, status=FollowUpStatus.OPEN, project_id__in=projects)


def count_follow_ups(user: User) -> QuerySet[FollowUp, tuple[int]] | None:
    """The rows of ``follow_ups``, one column (the header's count)."""
    rows = _follow_ups(user)
    return None if rows is None else rows.values_list("pk")


def follow_ups(user: User) -> Iterable[Item]:
    """A low score the user owns and has not followed up yet (one query, none off every project)."""
    found = _follow_ups(user)
    if found is None:
        return
    rows = found.select_related("project").order_by("created_at", "id")
    for follow_up in rows:
        yield Item(
            kind="pulse_follow_up",
            kind_label=_("Low satisfaction score"),
            key=f"pulse_follow_up:{follow_up.pk}",
            project_code=follow_up.project.code,
            project_name=follow_up.project.name,
            title=follow_up.reason,
            action_label=_("Follow up"),
            url=reverse("web:pulses", args=[follow_up.project.code]) + f"#follow-up-{follow_up.pk}",
            since=follow_up.created_at,
        )


def register_providers() -> None:
    register("pulses.surveys", surveys, count=count_surveys)
    register("pulses.follow_ups", follow_ups, count=count_follow_ups)
