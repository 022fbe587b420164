"""The communication plan (entries, fulfilments, adherence) and meetings (agenda, attendees, minutes,
decisions, action items, the iCalendar file)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from tandem.api.auth import AUTH, actor
from tandem.api.meetings_schemas import (
    ActionItemIn,
    ActionItemOut,
    ActionItemPatchIn,
    ActionItemTaskIn,
    AdherenceOut,
    AgendaIn,
    AgendaOut,
    AgendaPatchIn,
    AttendanceIn,
    AttendeeIn,
    AttendeeOut,
    FulfilmentOut,
    ItemIn,
    ItemOut,
    ItemPatchIn,
    MarkDoneIn,
    MeetingDecisionIn,
    MeetingDecisionOut,
    MeetingIn,
    MeetingOut,
    MeetingPatchIn,
    MinutesIn,
)
from tandem.api.pagination import paged
from tandem.api.routers.common import caller_and_project, payload_data
from tandem.api.schemas import VersionIn
from tandem.meetings import ical, queries, services
from tandem.meetings.choices import MeetingStatus
from tandem.meetings.models import ActionItem, AgendaItem, Attendee, Decision, Fulfilment, Meeting
from tandem.projects.models import Project

router = Router(tags=["meetings"], auth=AUTH)


# ---------------------------------------------------------------- the communication plan


def _item_out(standing: queries.ItemStanding) -> dict[str, Any]:
    item, adherence = standing.item, standing.adherence
    return {
        **{f: getattr(item, f) for f in ItemOut.model_fields if hasattr(item, f) and f != "time_of_day"},
        "time_of_day": item.local_time,
        "owner": item.owner,
        "cadence": standing.cadence,
        "status": adherence.status,
        "next_due": adherence.next_due,
        "last_due": adherence.last_due,
        "last_fulfilled": adherence.last_fulfilled,
        "due": adherence.due,
        "fulfilled": adherence.fulfilled,
        "adherence_percent": adherence.percent,
    }


def _standing(user: Any, project: Project, item_id: int) -> dict[str, Any]:
    item = queries.access_item(user, project, item_id)
    return _item_out(queries.standings(user, [item])[0])


def _item_data(payload: Schema, *exclude: str) -> dict[str, Any]:
    data = payload_data(payload, *exclude)
    if "monthly_rule" in data and data["monthly_rule"] is None:
        data["monthly_rule"] = ""
    return data


@router.get("/projects/{code}/communication-plan", response=list[ItemOut], summary="The communication plan")
def list_items(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    """Every plan entry the caller may see, with its cadence sentence and adherence now."""
    user, project = caller_and_project(request, code)
    return [_item_out(s) for s in queries.plan_of(user, project)]


@router.post("/projects/{code}/communication-plan", response={201: ItemOut}, summary="Add a plan entry")
def add_item(request: HttpRequest, code: str, payload: ItemIn) -> Status[dict[str, Any]]:
    """Add an entry (needs the right to plan communication)."""
    user, project = caller_and_project(request, code)
    data = _item_data(payload)
    if data.get("starts_on") is None:
        data.pop("starts_on", None)
    item = services.do_add_item(project, actor=user, **data)
    return Status(201, _standing(user, project, item.pk))


@router.get("/projects/{code}/communication-plan/{item_id}", response=ItemOut, summary="A plan entry")
def get_item(request: HttpRequest, code: str, item_id: int) -> dict[str, Any]:
    """One entry with its adherence."""
    user, project = caller_and_project(request, code)
    return _standing(user, project, item_id)


@router.patch(
    "/projects/{code}/communication-plan/{item_id}", response=ItemOut, summary="Change a plan entry"
)
def update_item(request: HttpRequest, code: str, item_id: int, payload: ItemPatchIn) -> dict[str, Any]:
    """Change an entry based on the version read (``active: false`` deactivates it)."""
    user, project = caller_and_project(request, code)
    item = queries.access_item(user, project, item_id)
    services.do_update_item(item, version=payload.version, actor=user, **_item_data(payload, "version"))
    return _standing(user, project, item_id)


@router.post(
    "/projects/{code}/communication-plan/{item_id}/done",
    response={201: FulfilmentOut},
    summary="Record an entry as done",
)
def mark_done(request: HttpRequest, code: str, item_id: int, payload: MarkDoneIn) -> Status[Fulfilment]:
    """Record by hand that the entry was done (a call, a demo), with a note."""
    user, project = caller_and_project(request, code)
    item = queries.access_item(user, project, item_id)
    return Status(201, services.do_mark_done(item, actor=user, note=payload.note, at=payload.at))


@router.get(
    "/projects/{code}/communication-plan/{item_id}/fulfilments",
    response=list[FulfilmentOut],
    summary="When an entry was done",
)
@paged
def list_fulfilments(request: HttpRequest, code: str, item_id: int) -> QuerySet[Fulfilment]:
    """The entry's fulfilments, latest first."""
    user, project = caller_and_project(request, code)
    item = queries.access_item(user, project, item_id)
    return (
        Fulfilment.objects.visible_to(user)
        .filter(item=item)
        .select_related("actor")
        .order_by("-fulfilled_at", "-id")
    )


def _adherence_out(row: queries.ProjectAdherence) -> dict[str, Any]:
    return {
        "project": row.project.code,
        "due": row.due,
        "fulfilled": row.fulfilled,
        "percent": row.percent,
        "overdue": [
            {"id": e.item.pk, "title": e.item.title, "last_due": e.adherence.last_due} for e in row.overdue
        ],
    }


@router.get("/projects/{code}/adherence", response=AdherenceOut, summary="The project's adherence")
def project_adherence(request: HttpRequest, code: str) -> dict[str, Any]:
    """Due and fulfilled communications over the entries the caller may see, and the overdue ones."""
    user, project = caller_and_project(request, code)
    return _adherence_out(queries.project_adherence(user, project))


@router.get("/communication/adherence", response=list[AdherenceOut], summary="Adherence across projects")
def portfolio_adherence(request: HttpRequest) -> list[dict[str, Any]]:
    """Every project of the caller with a communication plan, by project code."""
    return [_adherence_out(row) for row in queries.portfolio_adherence(actor(request))]


# ---------------------------------------------------------------- meetings


class MeetingFilters(Schema):
    """Filters of the meeting list."""

    when: str = ""
    search: str = ""
    kind: str = ""


@router.get("/projects/{code}/meetings", response=list[MeetingOut], summary="Meetings")
@paged
def list_meetings(request: HttpRequest, code: str, filters: Query[MeetingFilters]) -> QuerySet[Meeting]:
    """The meetings the caller may see: ``when=upcoming`` (soonest first), ``past`` or all (latest first)."""
    user, project = caller_and_project(request, code)
    if filters.when not in ("", "upcoming", "past"):
        raise ValidationError({"when": [_("Choose upcoming or past.")]})
    return queries.meetings_of(user, project, **filters.model_dump())


@router.post("/projects/{code}/meetings", response={201: MeetingOut}, summary="Schedule a meeting")
def schedule_meeting(request: HttpRequest, code: str, payload: MeetingIn) -> Status[Meeting]:
    """Schedule a meeting and invite its attendees (a kickoff's agenda comes from the charter)."""
    user, project = caller_and_project(request, code)
    data = payload_data(payload, "attendees")
    attendees = [a.model_dump(exclude_unset=True) for a in payload.attendees]
    meeting = services.do_schedule_meeting(project, actor=user, attendees=attendees, **data)
    return Status(201, queries.access_meeting(user, project, meeting.pk))


def _meeting(request: HttpRequest, code: str, meeting_id: int) -> tuple[Any, Project, Meeting]:
    user, project = caller_and_project(request, code)
    return user, project, queries.access_meeting(user, project, meeting_id)


@router.get("/projects/{code}/meetings/{meeting_id}", response=MeetingOut, summary="A meeting")
def get_meeting(request: HttpRequest, code: str, meeting_id: int) -> Meeting:
    """One meeting the caller may see."""
    return _meeting(request, code, meeting_id)[2]


@router.patch("/projects/{code}/meetings/{meeting_id}", response=MeetingOut, summary="Change a meeting")
def update_meeting(request: HttpRequest, code: str, meeting_id: int, payload: MeetingPatchIn) -> Meeting:
    """Change a meeting; moving it re-sends the invitation with the next SEQUENCE."""
    user, project, meeting = _meeting(request, code, meeting_id)
    services.do_update_meeting(
        meeting, version=payload.version, actor=user, **payload_data(payload, "version")
    )
    return queries.access_meeting(user, project, meeting_id)


@router.post("/projects/{code}/meetings/{meeting_id}/held", response=MeetingOut, summary="Mark as held")
def mark_held(request: HttpRequest, code: str, meeting_id: int, payload: VersionIn) -> Meeting:
    """Record that the meeting took place (it fulfils its plan entry)."""
    user, project, meeting = _meeting(request, code, meeting_id)
    services.do_mark_held(meeting, version=payload.version, actor=user)
    return queries.access_meeting(user, project, meeting_id)


@router.post("/projects/{code}/meetings/{meeting_id}/cancel", response=MeetingOut, summary="Cancel a meeting")
def cancel_meeting(request: HttpRequest, code: str, meeting_id: int, payload: VersionIn) -> Meeting:
    """Call the meeting off; the attendees receive the cancellation."""
    user, project, meeting = _meeting(request, code, meeting_id)
    services.do_cancel_meeting(meeting, version=payload.version, actor=user)
    return queries.access_meeting(user, project, meeting_id)


@router.put("/projects/{code}/meetings/{meeting_id}/minutes", response=MeetingOut, summary="Save the minutes")
def save_minutes(request: HttpRequest, code: str, meeting_id: int, payload: MinutesIn) -> Meeting:
    """Write the draft minutes (Markdown)."""
    user, project, meeting = _meeting(request, code, meeting_id)
    services.do_save_minutes(meeting, version=payload.version, actor=user, minutes=payload.minutes)
    return queries.access_meeting(user, project, meeting_id)


@router.post(
    "/projects/{code}/meetings/{meeting_id}/minutes/approve",
    response=MeetingOut,
    summary="Approve the minutes",
)
def approve_minutes(request: HttpRequest, code: str, meeting_id: int, payload: VersionIn) -> Meeting:
    """Approve the minutes: read-only from now, mailed to the attendees."""
    user, project, meeting = _meeting(request, code, meeting_id)
    services.do_approve_minutes(meeting, version=payload.version, actor=user)
    return queries.access_meeting(user, project, meeting_id)


@router.get(
    "/projects/{code}/meetings/{meeting_id}/ics",
    summary="The meeting as an iCalendar file",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"text/calendar": {}}}}},
)
def meeting_ics(request: HttpRequest, code: str, meeting_id: int) -> HttpResponse:
    """The invitation with the agenda the caller may read."""
    user, _p, meeting = _meeting(request, code, meeting_id)
    data = ical.invitation(
        meeting,
        agenda=list(queries.agenda_of(user, meeting)),
        attendees=list(queries.attendees_of(user, meeting)),
        method=ical.METHOD_CANCEL if meeting.status == MeetingStatus.CANCELLED else ical.METHOD_REQUEST,
    )
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{code}-meeting-{meeting.pk}.ics"'
    return response


# ---------------------------------------------------------------- agenda and attendees


@router.get("/projects/{code}/meetings/{meeting_id}/agenda", response=list[AgendaOut], summary="The agenda")
def list_agenda(request: HttpRequest, code: str, meeting_id: int) -> QuerySet[AgendaItem]:
    """The points the caller may read, in order."""
    user, _p, meeting = _meeting(request, code, meeting_id)
    return queries.agenda_of(user, meeting)


@router.post(
    "/projects/{code}/meetings/{meeting_id}/agenda", response={201: AgendaOut}, summary="Add an agenda point"
)
def add_agenda(request: HttpRequest, code: str, meeting_id: int, payload: AgendaIn) -> Status[AgendaItem]:
    """Add a point (internal points never reach the client)."""
    user, _p, meeting = _meeting(request, code, meeting_id)
    data = payload_data(payload)
    if data.get("position") is None:
        data.pop("position", None)
    return Status(201, services.do_add_agenda_item(meeting, actor=user, **data))


@router.patch(
    "/projects/{code}/meetings/{meeting_id}/agenda/{point_id}", response=AgendaOut, summary="Change a point"
)
def update_agenda(
    request: HttpRequest, code: str, meeting_id: int, point_id: int, payload: AgendaPatchIn
) -> AgendaItem:
    """Change a point of the agenda."""
    user, _p, meeting = _meeting(request, code, meeting_id)
    point = queries.access_agenda_item(user, meeting, point_id)
    return services.do_update_agenda_item(
        point, version=payload.version, actor=user, **payload_data(payload, "version")
    )


@router.delete(
    "/projects/{code}/meetings/{meeting_id}/agenda/{point_id}", response={204: None}, summary="Remove a point"
)
def delete_agenda(
    request: HttpRequest, code: str, meeting_id: int, point_id: int, version: int | None = None
) -> Status[None]:
    """Remove a point (``?version=`` the caller read)."""
    user, _p, meeting = _meeting(request, code, meeting_id)
    point = queries.access_agenda_item(user, meeting, point_id)
    services.do_delete_agenda_item(point, version=version, actor=user)
    return Status(204, None)


@router.get(
    "/projects/{code}/meetings/{meeting_id}/attendees", response=list[AttendeeOut], summary="Attendees"
)
def list_attendees(request: HttpRequest, code: str, meeting_id: int) -> QuerySet[Attendee]:
    """Who is invited, and who came."""
    user, _p, meeting = _meeting(request, code, meeting_id)
    return queries.attendees_of(user, meeting)


@router.post(
    "/projects/{code}/meetings/{meeting_id}/attendees", response={201: AttendeeOut}, summary="Invite someone"
)
def add_attendee(request: HttpRequest, code: str, meeting_id: int, payload: AttendeeIn) -> Status[Attendee]:
    """Invite a member or a stakeholder by name and email (a scheduled meeting sends the invitation)."""
    user, _p, meeting = _meeting(request, code, meeting_id)
    attendee = services.do_add_attendee(meeting, actor=user, **payload_data(payload))
    return Status(201, queries.access_attendee(user, meeting, attendee.pk))


@router.delete(
    "/projects/{code}/meetings/{meeting_id}/attendees/{attendee_id}",
    response={204: None},
    summary="Take someone off a meeting",
)
def remove_attendee(request: HttpRequest, code: str, meeting_id: int, attendee_id: int) -> Status[None]:
    """Take someone off (a scheduled meeting sends them the cancellation)."""
    user, _p, meeting = _meeting(request, code, meeting_id)
    services.do_remove_attendee(queries.access_attendee(user, meeting, attendee_id), actor=user)
    return Status(204, None)


@router.put(
    "/projects/{code}/meetings/{meeting_id}/attendance",
    response=list[AttendeeOut],
    summary="Record attendance",
)
def record_attendance(
    request: HttpRequest, code: str, meeting_id: int, payload: AttendanceIn
) -> QuerySet[Attendee]:
    """The listed attendees came, the others did not."""
    user, _p, meeting = _meeting(request, code, meeting_id)
    services.do_record_attendance(meeting, actor=user, attended=payload.attended)
    return queries.attendees_of(user, meeting)


# ---------------------------------------------------------------- decisions and action items


@router.get(
    "/projects/{code}/meetings/{meeting_id}/decisions", response=list[MeetingDecisionOut], summary="Decisions"
)
def list_decisions(request: HttpRequest, code: str, meeting_id: int) -> QuerySet[Decision]:
    """The meeting's decisions the caller may read."""
    user, _p, meeting = _meeting(request, code, meeting_id)
    return queries.decisions_of(user, meeting)


@router.post(
    "/projects/{code}/meetings/{meeting_id}/decisions",
    response={201: MeetingDecisionOut},
    summary="Record a decision",
)
def add_decision(
    request: HttpRequest, code: str, meeting_id: int, payload: MeetingDecisionIn
) -> Status[Decision]:
    """Record a decision; one that concerns the client enters the client decision register."""
    user, _p, meeting = _meeting(request, code, meeting_id)
    return Status(201, services.do_add_decision(meeting, actor=user, **payload_data(payload)))


@router.get(
    "/projects/{code}/meetings/{meeting_id}/actions", response=list[ActionItemOut], summary="Action items"
)
def list_actions(request: HttpRequest, code: str, meeting_id: int) -> QuerySet[ActionItem]:
    """The meeting's action items the caller may read."""
    user, _p, meeting = _meeting(request, code, meeting_id)
    return queries.actions_of(user, meeting)


@router.get(
    "/projects/{code}/meetings/{meeting_id}/carried-over",
    response=list[ActionItemOut],
    summary="Open actions of earlier meetings of the series",
)
def carried_over(request: HttpRequest, code: str, meeting_id: int) -> QuerySet[ActionItem]:
    """Open action items of earlier meetings of the same plan entry (or kind)."""
    user, _p, meeting = _meeting(request, code, meeting_id)
    return queries.carried_over(user, meeting)


@router.post(
    "/projects/{code}/meetings/{meeting_id}/actions",
    response={201: ActionItemOut},
    summary="Add an action item",
)
def add_action(request: HttpRequest, code: str, meeting_id: int, payload: ActionItemIn) -> Status[ActionItem]:
    """Record an action item: what, who, by when."""
    user, project, meeting = _meeting(request, code, meeting_id)
    action = services.do_add_action(meeting, actor=user, **payload_data(payload))
    return Status(201, queries.access_action(user, project, action.pk))


@router.patch(
    "/projects/{code}/meeting-actions/{action_id}",
    response=ActionItemOut,
    summary="Change or close an action item",
)
def update_action(request: HttpRequest, code: str, action_id: int, payload: ActionItemPatchIn) -> ActionItem:
    """Change an action item, or close it — its owner may too."""
    user, project = caller_and_project(request, code)
    action = queries.access_action(user, project, action_id)
    data = payload_data(payload, "version", "status", "closed_in_id")
    closed_in = None
    if payload.closed_in_id is not None:
        closed_in = queries.access_meeting(user, project, payload.closed_in_id)
    services.do_update_action(
        action, version=payload.version, actor=user, status=payload.status, closed_in=closed_in, **data
    )
    return queries.access_action(user, project, action_id)


@router.post(
    "/projects/{code}/meeting-actions/{action_id}/task",
    response=ActionItemOut,
    summary="Make an action a plan task",
)
def action_to_task(request: HttpRequest, code: str, action_id: int, payload: ActionItemTaskIn) -> ActionItem:
    """Add the action to the plan as a task and link them (needs the right to edit the plan)."""
    user, project = caller_and_project(request, code)
    action = queries.access_action(user, project, action_id)
    services.do_make_action_a_task(
        action, version=payload.version, actor=user, duration_minutes=payload.duration_minutes
    )
    return queries.access_action(user, project, action_id)
