"""The communication plan and meeting pages: the plan with cadence and adherence, adherence across the
portfolio, the meeting list (upcoming and past), a meeting with agenda, attendees, minutes, decisions,
actions and the actions carried over from the series, and its ``.ics`` file.

Reads go through ``tandem.meetings.queries`` with the scope's viewer, so a client (or a team member
previewing the client view) never receives an internal entry, meeting, agenda point or action: a
direct link to one answers 404. Writes call the same ``do_*`` services as the API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tandem.meetings import ical, permissions, queries, services
from tandem.meetings.choices import ActionStatus, MeetingStatus
from tandem.meetings.models import Meeting
from tandem.planning import scheduling
from tandem.projects.permissions import Action, can
from tandem.web.meetings_forms import (
    ActionForm,
    AgendaForm,
    AttendanceForm,
    AttendeeForm,
    DecisionForm,
    ItemForm,
    MarkDoneForm,
    MeetingFilterForm,
    MeetingForm,
    MinutesForm,
    ScheduleForm,
    VersionForm,
)
from tandem.web.views.base import (
    ProjectScope,
    back_to_inbox,
    flash_errors,
    project_view,
    render_page,
    require_allowed,
    submit_form,
)

PAGE_SIZE = 25


# ---------------------------------------------------------------- helpers


def _can_plan(scope: ProjectScope) -> bool:
    return not scope.preview and permissions.can_plan(scope.user, scope.project)


def _can_schedule(scope: ProjectScope) -> bool:
    return not scope.preview and permissions.can_schedule(scope.user, scope.project)


def _can_run(scope: ProjectScope, meeting: Meeting) -> bool:
    return not scope.preview and permissions.can_run(scope.user, meeting)


def _context(scope: ProjectScope, **extra: Any) -> dict[str, Any]:
    return {
        "scope": scope,
        "project": scope.project,
        "can_plan": _can_plan(scope),
        "can_schedule": _can_schedule(scope),
        "zone": scope.project.time_zone,
        **extra,
    }


def _small_post(request: HttpRequest, form: forms.Form, call: Callable[[], Any], success: str) -> Any:
    """Run a small form's service; its errors become messages on the page it returns to."""
    result, _status = submit_form(form, call)
    if result is None:
        flash_errors(request, form, labelled=True)
    else:
        messages.success(request, success)
    return result


def _versioned_post(
    request: HttpRequest, scope: ProjectScope, record: Any, service: Callable[..., Any], success: str
) -> Any:
    """Run ``service(record, version=, actor=)`` with the version the page read (a service that returns
    nothing, such as a delete, succeeded too); its result, None when refused."""
    form = VersionForm(request.POST)
    return _small_post(
        request,
        form,
        lambda: service(record, version=form.cleaned_data["version"], actor=scope.user) or True,
        success,
    )


def _meeting_url(scope: ProjectScope, meeting: Meeting) -> HttpResponse:
    return redirect("web:meeting", code=scope.project.code, pk=meeting.pk)


def _add_to_meeting(
    request: HttpRequest,
    scope: ProjectScope,
    pk: int,
    form_class: Callable[..., Any],
    service: Callable[..., Any],
    success: str,
) -> HttpResponse:
    """Add an agenda point, attendee, decision or action to a meeting whoever runs it may change: the form
    of the project's choices, then ``service(meeting, actor=, **form.data_for_service())``."""
    meeting = queries.access_meeting(scope.viewer, scope.project, pk)
    require_allowed(_can_run(scope, meeting))
    form = form_class(request.POST, project=scope.project, team=scope.team)
    _small_post(
        request,
        form,
        lambda: service(meeting, actor=scope.user, **form.data_for_service()),
        success,
    )
    return _meeting_url(scope, meeting)


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def home_panel(scope: ProjectScope) -> dict[str, Any]:
    """The project home's "Communication due" panel: overdue plan entries, open action items (team only)."""
    return {
        "communication_due": None if scope.preview else queries.communication_due(scope.viewer, scope.project)
    }


# ---------------------------------------------------------------- the communication plan


@project_view
def plan(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The communication plan: what, for whom, how often (as a sentence), next due, last done, status."""
    entries = queries.plan_of(scope.viewer, scope.project)
    overall = queries.ProjectAdherence(scope.project, entries)
    for entry in entries:
        entry.item.can_mark = not scope.preview and permissions.can_mark_done(scope.user, entry.item)  # type: ignore[attr-defined]
    return render_page(
        request,
        "web/meetings/plan.html",
        _context(scope, entries=entries, overall=overall, done_form=MarkDoneForm()),
    )


def _item_form(scope: ProjectScope, data: Any = None, **kwargs: Any) -> ItemForm:
    return ItemForm(data, project=scope.project, team=scope.team, **kwargs)


@project_view
def plan_item_create(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Add an entry to the communication plan."""
    require_allowed(_can_plan(scope))
    form = _item_form(scope, request.POST or None, initial={"starts_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        item, status = submit_form(
            form, lambda: services.do_add_item(scope.project, actor=scope.user, **form.data_for_service())
        )
        if item is not None:
            messages.success(request, _("The entry was added to the communication plan."))
            return redirect("web:communication_plan", code=scope.project.code)
    return render_page(
        request,
        "web/meetings/item_form.html",
        _context(scope, form=form, creating=True),
        status=status,
    )


@project_view
def plan_item_edit(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Change an entry of the communication plan."""
    item = queries.access_item(scope.viewer, scope.project, pk)
    require_allowed(_can_plan(scope))
    form = _item_form(scope, request.POST or None, initial=ItemForm.initial_from(item))
    status = 200
    if request.method == "POST":
        saved, status = submit_form(
            form,
            lambda: services.do_update_item(
                item, version=form.cleaned_data["version"], actor=scope.user, **form.data_for_service()
            ),
            saved=lambda: ItemForm.initial_from(queries.access_item(scope.viewer, scope.project, pk)),
        )
        if saved is not None:
            messages.success(request, _("The entry was saved."))
            return redirect("web:communication_plan", code=scope.project.code)
    return render_page(
        request, "web/meetings/item_form.html", _context(scope, form=form, item=item), status=status
    )


@project_view
@require_POST
def plan_item_deactivate(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Stop an entry (its history stays)."""
    item = queries.access_item(scope.viewer, scope.project, pk)
    require_allowed(_can_plan(scope))
    _versioned_post(request, scope, item, services.do_deactivate_item, _("The entry is no longer active."))
    return redirect("web:communication_plan", code=scope.project.code)


@project_view
@require_POST
def plan_item_done(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Record by hand that an entry was done, with a note."""
    item = queries.access_item(scope.viewer, scope.project, pk)
    require_allowed(not scope.preview and permissions.can_mark_done(scope.user, item))
    form = MarkDoneForm(request.POST)
    _small_post(
        request,
        form,
        lambda: services.do_mark_done(item, actor=scope.user, note=form.cleaned_data["note"]),
        _("Recorded as done."),
    )
    return redirect("web:communication_plan", code=scope.project.code)


@login_required
def adherence_portfolio(request: HttpRequest) -> HttpResponse:
    """Communication adherence across the reader's projects, with the overdue entries."""
    rows = queries.portfolio_adherence(request.user)
    return render_page(request, "web/meetings/portfolio.html", {"rows": rows})


# ---------------------------------------------------------------- meetings


@project_view
def meeting_list(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The project's meetings, upcoming (soonest first) or past (latest first), searchable, 25 to a page."""
    form = MeetingFilterForm(request.GET)
    page, status, filtered, when = None, 200, False, "upcoming"
    if form.is_valid():
        data = form.cleaned_data
        when = data["when"] or "upcoming"
        qs = queries.meetings_of(
            scope.viewer,
            scope.project,
            when="" if when == "all" else when,
            search=data["q"],
            kind=data["kind"],
        )
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        filtered = bool(data["q"] or data["kind"])
    else:
        status = 400
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "web/meetings/list.html",
        _context(scope, form=form, page=page, query=query.urlencode(), filtered=filtered, when=when),
        fragment="web/meetings/_list_results.html",
        status=status,
    )


def _plan_choices(scope: ProjectScope) -> list[tuple[str, str]]:
    return [(str(i.pk), i.title) for i in queries.items_of(scope.viewer, scope.project, active=True)]


@project_view
def meeting_create(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Schedule a meeting and send the invitations (a kickoff's agenda comes from the charter)."""
    require_allowed(_can_schedule(scope))
    form = ScheduleForm(
        request.POST or None,
        project=scope.project,
        team=scope.team,
        items=_plan_choices(scope),
        initial={"organizer": str(scope.user.pk)},
    )
    status = 200
    if request.method == "POST":
        meeting, status = submit_form(
            form,
            lambda: services.do_schedule_meeting(scope.project, actor=scope.user, **form.data_for_service()),
        )
        if meeting is not None:
            messages.success(request, _("The meeting was scheduled and the invitations are on their way."))
            return _meeting_url(scope, meeting)
    return render_page(
        request,
        "web/meetings/meeting_form.html",
        _context(scope, form=form, creating=True),
        status=status,
    )


def _meeting_values(scope: ProjectScope, meeting: Meeting) -> dict[str, Any]:
    """The edit form's values of a meeting as saved (times in the project's zone)."""
    zone = scheduling.zone_of(scope.project)
    return {
        "title": meeting.title,
        "kind": meeting.kind,
        "starts_at": meeting.starts_at.astimezone(zone).replace(tzinfo=None),
        "ends_at": meeting.ends_at.astimezone(zone).replace(tzinfo=None),
        "location": meeting.location,
        "online_url": meeting.online_url,
        "organizer": str(meeting.organizer_id or ""),
        "item": str(meeting.item_id or ""),
        "visibility": meeting.visibility,
        "version": meeting.version,
    }


@project_view
def meeting_edit(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Change a meeting; moving it re-sends the invitation."""
    meeting = queries.access_meeting(scope.viewer, scope.project, pk)
    require_allowed(_can_run(scope, meeting))
    form = MeetingForm(
        request.POST or None,
        project=scope.project,
        team=scope.team,
        items=_plan_choices(scope),
        initial=_meeting_values(scope, meeting),
    )
    status = 200
    if request.method == "POST":
        saved, status = submit_form(
            form,
            lambda: services.do_update_meeting(
                meeting, version=form.cleaned_data["version"], actor=scope.user, **form.data_for_service()
            ),
            saved=lambda: _meeting_values(scope, queries.access_meeting(scope.viewer, scope.project, pk)),
        )
        if saved is not None:
            messages.success(request, _("The meeting was saved."))
            return _meeting_url(scope, meeting)
    return render_page(
        request,
        "web/meetings/meeting_form.html",
        _context(scope, form=form, meeting=meeting),
        status=status,
    )


@project_view
def meeting_detail(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """A meeting: agenda, attendees, minutes, decisions, actions and the actions carried over."""
    meeting = queries.access_meeting(scope.viewer, scope.project, pk)
    viewer = scope.viewer
    attendees = list(queries.attendees_of(viewer, meeting))
    can_run = _can_run(scope, meeting)
    today = timezone.localdate()
    actions = list(queries.actions_of(viewer, meeting))
    carried = list(queries.carried_over(viewer, meeting))
    for action in [*actions, *carried]:
        action.overdue = (  # type: ignore[attr-defined]
            action.status == ActionStatus.OPEN and action.due_date is not None and action.due_date < today
        )
    zone = scheduling.zone_of(scope.project)
    return render_page(
        request,
        "web/meetings/detail.html",
        _context(
            scope,
            meeting=meeting,
            starts=meeting.starts_at.astimezone(zone),
            ends=meeting.ends_at.astimezone(zone),
            agenda=list(queries.agenda_of(viewer, meeting)),
            attendees=attendees,
            decisions=list(queries.decisions_of(viewer, meeting)),
            actions=actions,
            carried=carried,
            can_run=can_run,
            can_plan_tasks=can_run and can(scope.user, scope.project, Action.EDIT_PLAN),
            editable=can_run and not meeting.minutes_locked and meeting.status != MeetingStatus.CANCELLED,
            agenda_form=AgendaForm(project=scope.project, team=scope.team),
            attendee_form=AttendeeForm(project=scope.project, team=scope.team),
            attendance_form=AttendanceForm(
                choices=[(str(a.pk), a.display_name) for a in attendees],
                initial={"attended": [str(a.pk) for a in attendees if a.attended]},
            ),
            minutes_form=MinutesForm(initial={"minutes": meeting.minutes, "version": meeting.version}),
            decision_form=DecisionForm(project=scope.project, team=scope.team),
            action_form=ActionForm(project=scope.project, team=scope.team),
            comment_target=f"meeting:{meeting.pk}",
        ),
    )


@project_view
def meeting_ics(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """The meeting as an iCalendar file, with the agenda the reader may see."""
    meeting = queries.access_meeting(scope.viewer, scope.project, pk)
    data = ical.invitation(
        meeting,
        agenda=list(queries.agenda_of(scope.viewer, meeting)),
        attendees=list(queries.attendees_of(scope.viewer, meeting)),
        method=ical.METHOD_CANCEL if meeting.status == MeetingStatus.CANCELLED else ical.METHOD_REQUEST,
    )
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{scope.project.code}-meeting-{meeting.pk}.ics"'
    return response


STATE_CHANGES: dict[str, tuple[Callable[..., Any], Any]] = {
    "held": (services.do_mark_held, gettext_lazy("The meeting is marked as held.")),
    "cancel": (services.do_cancel_meeting, gettext_lazy("The meeting was cancelled and the attendees told.")),
    "approve": (
        services.do_approve_minutes,
        gettext_lazy("The minutes are approved and on their way to the attendees."),
    ),
}


@project_view
@require_POST
def meeting_state(request: HttpRequest, scope: ProjectScope, pk: int, change: str) -> HttpResponse:
    """Mark held, cancel, or approve the minutes."""
    meeting = queries.access_meeting(scope.viewer, scope.project, pk)
    if change not in STATE_CHANGES:
        raise Http404(_("No such action."))
    require_allowed(_can_run(scope, meeting))
    service, success = STATE_CHANGES[change]
    done = _versioned_post(request, scope, meeting, service, str(success))
    back = back_to_inbox(request) if done is not None else None
    return back or _meeting_url(scope, meeting)


@project_view
@require_POST
def meeting_minutes(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Save the draft minutes."""
    meeting = queries.access_meeting(scope.viewer, scope.project, pk)
    require_allowed(_can_run(scope, meeting))
    form = MinutesForm(request.POST)
    _small_post(
        request,
        form,
        lambda: services.do_save_minutes(
            meeting,
            version=form.cleaned_data["version"],
            actor=scope.user,
            minutes=form.cleaned_data["minutes"],
        ),
        _("The minutes were saved."),
    )
    return _meeting_url(scope, meeting)


@project_view
@require_POST
def agenda_add(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Add a point to the agenda."""
    return _add_to_meeting(
        request, scope, pk, AgendaForm, services.do_add_agenda_item, _("The agenda item was added.")
    )


@project_view
@require_POST
def agenda_delete(request: HttpRequest, scope: ProjectScope, pk: int, point_pk: int) -> HttpResponse:
    """Remove a point from the agenda."""
    meeting = queries.access_meeting(scope.viewer, scope.project, pk)
    point = queries.access_agenda_item(scope.viewer, meeting, point_pk)
    require_allowed(_can_run(scope, meeting))
    _versioned_post(request, scope, point, services.do_delete_agenda_item, _("The agenda item was removed."))
    return _meeting_url(scope, meeting)


@project_view
@require_POST
def attendee_add(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Invite someone (a scheduled meeting sends them the invitation)."""
    return _add_to_meeting(
        request, scope, pk, AttendeeForm, services.do_add_attendee, _("The attendee was invited.")
    )


@project_view
@require_POST
def attendee_remove(request: HttpRequest, scope: ProjectScope, pk: int, attendee_pk: int) -> HttpResponse:
    """Take someone off the meeting."""
    meeting = queries.access_meeting(scope.viewer, scope.project, pk)
    attendee = queries.access_attendee(scope.viewer, meeting, attendee_pk)
    require_allowed(_can_run(scope, meeting))
    _small_post(
        request,
        forms.Form(request.POST),
        lambda: services.do_remove_attendee(attendee, actor=scope.user) or True,
        _("The attendee was removed."),
    )
    return _meeting_url(scope, meeting)


@project_view
@require_POST
def attendance(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Record who came."""
    meeting = queries.access_meeting(scope.viewer, scope.project, pk)
    require_allowed(_can_run(scope, meeting))
    choices = [(str(a.pk), a.display_name) for a in queries.attendees_of(scope.viewer, meeting)]
    form = AttendanceForm(request.POST, choices=choices)
    _small_post(
        request,
        form,
        lambda: services.do_record_attendance(
            meeting, actor=scope.user, attended=[int(v) for v in form.cleaned_data["attended"]]
        ),
        _("Attendance was recorded."),
    )
    return _meeting_url(scope, meeting)


@project_view
@require_POST
def decision_add(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Record a decision (one that concerns the client enters the client decision register)."""
    return _add_to_meeting(
        request, scope, pk, DecisionForm, services.do_add_decision, _("The decision was recorded.")
    )


@project_view
@require_POST
def action_add(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Record an action item."""
    return _add_to_meeting(
        request, scope, pk, ActionForm, services.do_add_action, _("The action item was added.")
    )


@project_view
@require_POST
def action_status(request: HttpRequest, scope: ProjectScope, pk: int, action_pk: int) -> HttpResponse:
    """Close (or reopen) an action item, here or at a later meeting of the series."""
    meeting = queries.access_meeting(scope.viewer, scope.project, pk)
    action = queries.access_action(scope.viewer, scope.project, action_pk)
    require_allowed(not scope.preview)
    status = request.POST.get("status", ActionStatus.DONE)
    form = VersionForm(request.POST)
    closed_in = meeting if action.meeting_id != meeting.pk else None
    _small_post(
        request,
        form,
        lambda: services.do_update_action(
            action, version=form.cleaned_data["version"], actor=scope.user, status=status, closed_in=closed_in
        ),
        _("The action item was updated."),
    )
    return _meeting_url(scope, meeting)


@project_view
@require_POST
def action_task(request: HttpRequest, scope: ProjectScope, pk: int, action_pk: int) -> HttpResponse:
    """Turn an action item into a task of the plan."""
    meeting = queries.access_meeting(scope.viewer, scope.project, pk)
    action = queries.access_action(scope.viewer, scope.project, action_pk)
    require_allowed(_can_run(scope, meeting) and can(scope.user, scope.project, Action.EDIT_PLAN))
    _versioned_post(
        request,
        scope,
        action,
        services.do_make_action_a_task,
        _("The action item is now a task of the plan."),
    )
    return _meeting_url(scope, meeting)
