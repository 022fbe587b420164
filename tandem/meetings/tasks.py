"""Background jobs of meetings: invitations and minutes by e-mail (primitive arguments only)."""

from __future__ import annotations

from django_tasks import task

from tandem.meetings import mail
from tandem.meetings.models import Meeting


def _meeting(meeting_id: int) -> Meeting | None:
    return Meeting.objects.select_related("project", "organizer").filter(pk=meeting_id).first()


@task()
def send_invitations(meeting_id: int, method: str, attendee_ids: list[int] | None = None) -> int:
    """Mail the meeting's invitation (REQUEST) or cancellation (CANCEL) to its attendees."""
    meeting = _meeting(meeting_id)
    return 0 if meeting is None else mail.send_invitations(meeting, method, attendee_ids)


@task()
def send_cancellation_to(meeting_id: int, address: str, name: str, language: str, team: bool) -> None:
    """Tell one person taken off a meeting that it was cancelled for them."""
    meeting = _meeting(meeting_id)
    if meeting is not None:
        mail.send_cancellation_to(meeting, address, name, language, team)


@task()
def send_minutes(meeting_id: int) -> int:
    """Mail the approved minutes to the attendees."""
    meeting = _meeting(meeting_id)
    return 0 if meeting is None else mail.send_minutes(meeting)
