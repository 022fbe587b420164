"""The read side of the communication plan and meetings: plan entries with their adherence, meetings
upcoming and past, a meeting with what its viewer may read, carried-over actions, what is due.

Every read goes through ``visible_to(user)``: a client member never reads an internal plan entry or
meeting, nor an internal agenda point, decision or action of a shared meeting.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, F, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core.choices import Visibility
from tandem.core.scoping import Viewer
from tandem.meetings import cadence
from tandem.meetings.cadence import Adherence
from tandem.meetings.choices import ActionStatus, AdherenceStatus, MeetingStatus
from tandem.meetings.models import (
    ActionItem,
    AgendaItem,
    Attendee,
    CommunicationItem,
    Decision,
    Fulfilment,
    Meeting,
)
from tandem.projects.models import Project
from tandem.projects.permissions import is_team
from tandem.projects.queries import projects_for


def _team_view(user: Viewer, project: Project) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and is_team(user, project)


def _shown(field: str, team: bool) -> Any:
    """A linked row's id, or None when the reader (the client) may not see that row."""
    if team:
        return F(f"{field}_id")
    return Case(
        When(**{f"{field}__visibility": Visibility.SHARED}, then=F(f"{field}_id")), default=Value(None)
    )


def _int(pk: Any) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404(_("No such record.")) from None


# ---------------------------------------------------------------- the communication plan


def items_of(user: Viewer, project: Project, *, active: bool | None = None) -> QuerySet[CommunicationItem]:
    """The plan entries the user may see, active first."""
    qs = CommunicationItem.objects.visible_to(user).filter(project=project).select_related("owner")
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("-active", "kind", "title", "id")


def access_item(user: Viewer, project: Project, pk: Any) -> CommunicationItem:
    """A plan entry of ``project`` the user may see; otherwise ``Http404``."""
    item = items_of(user, project).filter(pk=_int(pk)).first()
    if item is None:
        raise Http404(_("No such communication plan entry."))
    item.project = project
    return item


@dataclass(frozen=True)
class ItemStanding:
    """A plan entry with its cadence sentence and adherence."""

    item: CommunicationItem
    cadence: str
    adherence: Adherence


def _fulfilment_times(user: Viewer, items: list[CommunicationItem]) -> dict[int, list[dt.datetime]]:
    times: dict[int, list[dt.datetime]] = defaultdict(list)
    rows = Fulfilment.objects.visible_to(user).filter(item__in=[i.pk for i in items])
    for item_id, at in rows.values_list("item_id", "fulfilled_at"):
        times[item_id].append(at)
    return times


def standings(
    user: Viewer, items: list[CommunicationItem], now: dt.datetime | None = None
) -> list[ItemStanding]:
    """Each entry's cadence sentence and adherence at ``now`` (one query for all fulfilments)."""
    moment = now or timezone.now()
    times = _fulfilment_times(user, items)
    return [
        ItemStanding(item, cadence.describe(item), cadence.adherence(item, times.get(item.pk, []), moment))
        for item in items
    ]


def plan_of(user: Viewer, project: Project, now: dt.datetime | None = None) -> list[ItemStanding]:
    """The project's communication plan as the user may see it, with adherence."""
    items = list(items_of(user, project))
    for item in items:
        item.project = project
    return standings(user, items, now)


@dataclass(frozen=True)
class ProjectAdherence:
    """A project's communication adherence: due and fulfilled moments over its entries, overdue entries."""

    project: Project
    entries: list[ItemStanding]

    @property
    def due(self) -> int:
        """Due moments over every entry."""
        return sum(e.adherence.due for e in self.entries)

    @property
    def fulfilled(self) -> int:
        """Fulfilled due moments over every entry."""
        return sum(e.adherence.fulfilled for e in self.entries)

    @property
    def percent(self) -> int | None:
        """Fulfilled over due as a whole percentage (None before anything was due)."""
        return round(100 * self.fulfilled / self.due) if self.due else None

    @property
    def overdue(self) -> list[ItemStanding]:
        """Entries whose latest due moment passed its grace unfulfilled."""
        return [e for e in self.entries if e.adherence.status == AdherenceStatus.OVERDUE]


def project_adherence(user: Viewer, project: Project, now: dt.datetime | None = None) -> ProjectAdherence:
    """The project's adherence over the entries the user may see."""
    return ProjectAdherence(project, plan_of(user, project, now))


def portfolio_adherence(user: Viewer, now: dt.datetime | None = None) -> list[ProjectAdherence]:
    """Adherence across the user's projects (those with a communication plan), by project code."""
    projects = {p.pk: p for p in projects_for(user)}
    items = list(
        CommunicationItem.objects.visible_to(user)
        .filter(project__in=list(projects))
        .select_related("owner")
        .order_by("project_id", "-active", "kind", "title", "id")
    )
    cadence.prime_calendars(projects[pid] for pid in {item.project_id for item in items})
    by_project: dict[int, list[CommunicationItem]] = defaultdict(list)
    for item in items:
        item.project = projects[item.project_id]
        by_project[item.project_id].append(item)
    all_standings = standings(user, items, now)
    grouped: dict[int, list[ItemStanding]] = defaultdict(list)
    for standing in all_standings:
        grouped[standing.item.project_id].append(standing)
    return [
        ProjectAdherence(projects[pid], grouped[pid])
        for pid in sorted(grouped, key=lambda pid: projects[pid].code)
    ]


# ---------------------------------------------------------------- meetings


def meetings_of(
    user: Viewer,
    project: Project,
    *,
    when: str = "",
    search: str = "",
    kind: str = "",
    now: dt.datetime | None = None,
) -> QuerySet[Meeting]:
    """The meetings the user may see: ``when`` "upcoming" (soonest first) or "past" (latest first)."""
    moment = now or timezone.now()
    qs = (
        Meeting.objects.visible_to(user)
        .filter(project=project)
        .select_related("organizer", "item")
        .annotate(shown_item_id=_shown("item", _team_view(user, project)))
    )
    if kind:
        qs = qs.filter(kind=kind)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(location__icontains=search))
    if when == "upcoming":
        return (
            qs.filter(ends_at__gte=moment).exclude(status=MeetingStatus.CANCELLED).order_by("starts_at", "id")
        )
    if when == "past":
        return qs.filter(Q(ends_at__lt=moment) | Q(status=MeetingStatus.CANCELLED)).order_by(
            "-starts_at", "-id"
        )
    return qs.order_by("-starts_at", "-id")


def access_meeting(user: Viewer, project: Project, pk: Any) -> Meeting:
    """A meeting of ``project`` the user may see; otherwise ``Http404``."""
    meeting = meetings_of(user, project).filter(pk=_int(pk)).first()
    if meeting is None:
        raise Http404(_("No such meeting."))
    meeting.project = project
    return meeting


def agenda_of(user: Viewer, meeting: Meeting) -> QuerySet[AgendaItem]:
    """The agenda points the user may read, in order."""
    return AgendaItem.objects.visible_to(user).filter(meeting=meeting).order_by("position", "id")


def attendees_of(user: Viewer, meeting: Meeting) -> QuerySet[Attendee]:
    """The meeting's attendees (whoever sees the meeting sees who is invited)."""
    return (
        Attendee.objects.visible_to(user)
        .filter(meeting=meeting)
        .select_related("user")
        .order_by("-required", "id")
    )


def decisions_of(user: Viewer, meeting: Meeting) -> QuerySet[Decision]:
    """The meeting's decisions the user may read."""
    return (
        Decision.objects.visible_to(user)
        .filter(meeting=meeting)
        .select_related("client_decision")
        .order_by("id")
    )


def _actions(user: Viewer, project: Project) -> QuerySet[ActionItem]:
    return (
        ActionItem.objects.visible_to(user)
        .filter(meeting__project=project)
        .select_related("owner", "task", "meeting")
        .annotate(shown_task_id=_shown("task", _team_view(user, project)))
    )


def actions_of(user: Viewer, meeting: Meeting) -> QuerySet[ActionItem]:
    """The meeting's action items the user may read."""
    return _actions(user, meeting.project).filter(meeting=meeting).order_by("due_date", "id")


def access_agenda_item(user: Viewer, meeting: Meeting, pk: Any) -> AgendaItem:
    """An agenda point of the meeting the user may read; otherwise ``Http404``."""
    point = agenda_of(user, meeting).filter(pk=_int(pk)).first()
    if point is None:
        raise Http404(_("No such agenda item."))
    point.meeting = meeting
    return point


def access_attendee(user: Viewer, meeting: Meeting, pk: Any) -> Attendee:
    """An attendee of the meeting; otherwise ``Http404``."""
    attendee = attendees_of(user, meeting).filter(pk=_int(pk)).first()
    if attendee is None:
        raise Http404(_("No such attendee."))
    attendee.meeting = meeting
    return attendee


def access_action(user: Viewer, project: Project, pk: Any) -> ActionItem:
    """An action item of any meeting of ``project`` the user may read; otherwise ``Http404``."""
    action = _actions(user, project).filter(pk=_int(pk)).first()
    if action is None:
        raise Http404(_("No such action item."))
    action.meeting.project = project
    return action


def previous_meetings(meeting: Meeting) -> Q:
    """Earlier meetings of the same series: the same plan entry, or else the same kind."""
    series = (
        Q(meeting__item_id=meeting.item_id) if meeting.item_id is not None else Q(meeting__kind=meeting.kind)
    )
    return series & Q(meeting__project_id=meeting.project_id, meeting__starts_at__lt=meeting.starts_at)


def carried_over(user: Viewer, meeting: Meeting) -> QuerySet[ActionItem]:
    """Open action items of earlier meetings of the series, shown (and closed) at this one."""
    return (
        _actions(user, meeting.project)
        .filter(previous_meetings(meeting), status=ActionStatus.OPEN)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .order_by("due_date", "id")
    )


def open_actions_of(user: Viewer, project: Project) -> QuerySet[ActionItem]:
    """Every open action item of the project's meetings the user may read, earliest due first."""
    return (
        ActionItem.objects.visible_to(user)
        .filter(meeting__project=project, status=ActionStatus.OPEN)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("owner", "meeting")
        .order_by("due_date", "id")
    )


@dataclass(frozen=True)
class CommunicationDue:
    """What the project home shows the team: overdue plan entries and open action items."""

    overdue: list[ItemStanding]
    actions: list[ActionItem]

    def __bool__(self) -> bool:
        return bool(self.overdue or self.actions)


def communication_due(
    user: Viewer, project: Project, now: dt.datetime | None = None, *, limit: int = 10
) -> CommunicationDue | None:
    """Overdue plan entries and open action items for a team member (None for anyone else)."""
    if not getattr(user, "is_authenticated", False) or not is_team(user, project):
        return None
    entries = [s for s in plan_of(user, project, now) if s.adherence.status == AdherenceStatus.OVERDUE]
    return CommunicationDue(entries, list(open_actions_of(user, project)[:limit]))


def with_agenda(user: Viewer, meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """``meetings`` with ``shown_agenda``: the points the user may read."""
    return meetings.prefetch_related(
        Prefetch(
            "agenda",
            queryset=AgendaItem.objects.visible_to(user).order_by("position", "id"),
            to_attr="shown_agenda",
        )
    )
