"""A meeting as an iCalendar invitation (RFC 5545 / iTIP): REQUEST to invite or update, CANCEL to call off.

The UID is stable for the meeting and SEQUENCE grows with every reschedule, so a calendar replaces
the earlier invitation. Times are written in the project's time zone with its VTIMEZONE. The agenda
in DESCRIPTION is the one the recipient may read (shared points only for the client).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from tandem.planning import scheduling

if TYPE_CHECKING:
    from tandem.meetings.models import AgendaItem, Attendee, Meeting

METHOD_REQUEST = "REQUEST"
METHOD_CANCEL = "CANCEL"


def meeting_url(meeting: Meeting) -> str:
    """The absolute link to the meeting's page."""
    return settings.SITE_URL + reverse("web:meeting", args=[meeting.project.code, meeting.pk])


def agenda_text(agenda: Sequence[AgendaItem]) -> str:
    """The agenda as plain text lines: number, title, minutes."""
    lines = []
    for number, point in enumerate(agenda, start=1):
        lines.append(
            _("%(number)s. %(title)s (%(minutes)s min)")
            % {"number": number, "title": point.title, "minutes": point.duration_minutes}
        )
        if point.notes:
            lines.extend(f"   {line}" for line in point.notes.splitlines())
    return "\n".join(lines)


def _address(attendee: Attendee) -> vCalAddress:
    address = vCalAddress(f"mailto:{attendee.address}")
    address.params["CN"] = vText(attendee.display_name)
    address.params["ROLE"] = vText("REQ-PARTICIPANT" if attendee.required else "OPT-PARTICIPANT")
    address.params["PARTSTAT"] = vText("NEEDS-ACTION")
    address.params["RSVP"] = vText("TRUE")
    return address


def invitation(
    meeting: Meeting,
    *,
    agenda: Sequence[AgendaItem],
    attendees: Sequence[Attendee],
    method: str = METHOD_REQUEST,
    now: dt.datetime | None = None,
) -> bytes:
    """The meeting as an iCalendar file with one VEVENT (and the project's VTIMEZONE)."""
    zone = scheduling.zone_of(meeting.project)
    calendar = Calendar()
    calendar.add("prodid", "-//Tandem//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(Timezone.from_tzinfo(zone))
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", (now or timezone.now()).astimezone(dt.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", meeting.title)
    description = agenda_text(agenda)
    url = meeting_url(meeting)
    event.add("description", f"{description}\n\n{url}" if description else url)
    location = meeting.location or meeting.online_url
    if location:
        event.add("location", location)
    event.add("url", url)
    event.add("status", "CANCELLED" if method == METHOD_CANCEL else "CONFIRMED")
    organizer = meeting.organizer
    if organizer is not None:
        address = vCalAddress(f"mailto:{organizer.email}")
        address.params["CN"] = vText(organizer.full_name or organizer.email)
        event.add("organizer", address)
    for attendee in attendees:
        event.add("attendee", _address(attendee), encode=False)
    calendar.add_component(event)
    return bytes(calendar.to_ical())
