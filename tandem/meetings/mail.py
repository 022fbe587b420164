"""Invitations and minutes by e-mail: a message per attendee, in their language, with only what they may read.

A team member's mail carries the whole agenda and every action; anybody else (a client member, a
stakeholder without an account) receives the shared points, decisions and actions only. Each
invitation carries the iCalendar file (REQUEST or CANCEL) as an attachment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from tandem.core.choices import Side, Visibility
from tandem.meetings import ical
from tandem.meetings.models import ActionItem, AgendaItem, Attendee, Decision, Meeting
from tandem.planning import scheduling
from tandem.requirements.markup import render_markdown


def language_of(attendee: Attendee) -> str:
    """The recipient's language: their own, or the project's for a stakeholder without an account."""
    if attendee.user_id is not None and attendee.user is not None and attendee.user.language:
        return str(attendee.user.language)
    return str(attendee.meeting.project.language or settings.LANGUAGE_CODE)


def team_ids(meeting: Meeting) -> set[int]:
    """Ids of the project's team members."""
    return set(meeting.project.memberships.filter(side=Side.TEAM).values_list("user_id", flat=True))


def is_team(attendee: Attendee, team: set[int] | None = None) -> bool:
    """Whether the attendee is on the delivery team (and so may read internal points)."""
    if attendee.user_id is None:
        return False
    return attendee.user_id in (team if team is not None else team_ids(attendee.meeting))


@dataclass(frozen=True)
class Content:
    """What one recipient may read of a meeting."""

    agenda: list[AgendaItem]
    decisions: list[Decision]
    actions: list[ActionItem]


def content_for(meeting: Meeting, *, team: bool) -> Content:
    """The meeting's agenda, decisions and actions for the team, or their shared parts for anyone else."""
    agenda = list(meeting.agenda.order_by("position", "id"))
    decisions = list(meeting.decisions.order_by("id"))
    actions = list(meeting.actions.select_related("owner").order_by("due_date", "id"))
    if not team:
        agenda = [p for p in agenda if p.visibility == Visibility.SHARED]
        decisions = [d for d in decisions if d.visibility == Visibility.SHARED]
        actions = [a for a in actions if a.visibility == Visibility.SHARED]
    return Content(agenda, decisions, actions)


def _context(meeting: Meeting, attendee: Attendee | None, content: Content, **extra: Any) -> dict[str, Any]:
    zone = scheduling.zone_of(meeting.project)
    return {
        "meeting": meeting,
        "project": meeting.project,
        "attendee": attendee,
        "starts": meeting.starts_at.astimezone(zone),
        "ends": meeting.ends_at.astimezone(zone),
        "time_zone": meeting.project.time_zone,
        "agenda": content.agenda,
        "decisions": content.decisions,
        "actions": content.actions,
        "url": ical.meeting_url(meeting),
        **extra,
    }


def _message(template: str, context: dict[str, Any], address: str, language: str) -> EmailMultiAlternatives:
    with translation.override(language):
        subject = " ".join(render_to_string(f"meetings/email/{template}_subject.txt", context).split())
        text = render_to_string(f"meetings/email/{template}.txt", context)
        html = render_to_string(f"meetings/email/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [address])
    message.attach_alternative(html, "text/html")
    return message


def _ics(
    meeting: Meeting, content: Content, attendees: Sequence[Attendee], method: str, language: str
) -> bytes:
    with translation.override(language):
        return ical.invitation(meeting, agenda=content.agenda, attendees=attendees, method=method)


def _attach(message: EmailMultiAlternatives, data: bytes, method: str) -> None:
    message.attach("invite.ics", data, f"text/calendar; method={method}; charset=UTF-8")


def send_invitations(meeting: Meeting, method: str, attendee_ids: Sequence[int] | None = None) -> int:
    """Send the invitation (or cancellation) to every attendee, or to those listed; returns how many."""
    attendees = list(meeting.attendees.select_related("user").order_by("id"))
    team = team_ids(meeting)
    sent = 0
    for attendee in attendees:
        if attendee_ids is not None and attendee.pk not in attendee_ids:
            continue
        own_side = is_team(attendee, team)
        if not meeting.is_shared and not own_side:
            continue  # an internal meeting never reaches anyone outside the team
        content = content_for(meeting, team=own_side)
        language = language_of(attendee)
        template = "cancellation" if method == ical.METHOD_CANCEL else "invitation"
        message = _message(template, _context(meeting, attendee, content), attendee.address, language)
        _attach(message, _ics(meeting, content, attendees, method, language), method)
        message.send()
        sent += 1
    return sent


def send_cancellation_to(meeting: Meeting, address: str, name: str, language: str, team: bool) -> None:
    """Tell one person taken off the meeting that it no longer concerns them (METHOD:CANCEL)."""
    if not meeting.is_shared and not team:
        return
    person = Attendee(meeting=meeting, name=name, email=address)
    content = content_for(meeting, team=team)
    message = _message("cancellation", _context(meeting, person, content), address, language)
    _attach(message, _ics(meeting, content, [person], ical.METHOD_CANCEL, language), ical.METHOD_CANCEL)
    message.send()


def send_minutes(meeting: Meeting) -> int:
    """Mail the approved minutes to every attendee; returns how many were sent (none before approval)."""
    if not meeting.minutes_locked:
        return 0
    attendees = list(meeting.attendees.select_related("user").order_by("id"))
    team = team_ids(meeting)
    sent = 0
    for attendee in attendees:
        own_side = is_team(attendee, team)
        if not meeting.is_shared and not own_side:
            continue
        content = content_for(meeting, team=own_side)
        context = _context(
            meeting,
            attendee,
            content,
            minutes_html=render_markdown(meeting.minutes),
            present=[a for a in attendees if a.attended],
        )
        _message("minutes", context, attendee.address, language_of(attendee)).send()
        sent += 1
    return sent
