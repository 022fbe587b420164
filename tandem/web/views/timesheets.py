"""Time tracking pages: the weekly grid, the timer, the approvals, the cost settings and the export."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.accounts.models import User
from tandem.costs import time_exports, time_queries, timesheets
from tandem.costs import time_permissions as permissions
from tandem.costs.choices import EDITABLE_SHEET_STATES
from tandem.costs.models import TimeEntry, week_start
from tandem.costs.settings import settings_for
from tandem.web.timesheets_forms import (
    CostSettingsForm,
    RejectForm,
    SheetStepForm,
    TimerStartForm,
    WeekGridForm,
    format_hours,
)
from tandem.web.views.base import (
    ProjectScope,
    attempt,
    flash_errors,
    project_view,
    render_page,
    require_allowed,
    submit_form,
)

PAGE_SIZE = 25


def _week_of(request: HttpRequest) -> dt.date:
    """The Monday of the week asked for (``?week=YYYY-MM-DD``, any day of it), else of today."""
    raw = request.GET.get("week") or request.POST.get("week") or ""
    try:
        return week_start(dt.date.fromisoformat(raw))
    except ValueError:
        return week_start(timezone.localdate())


def _next_url(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _grid_url(code: str, week: dt.date) -> str:
    return f"{reverse('web:timesheet', args=[code])}?week={week.isoformat()}"


# ---------------------------------------------------------------- the weekly grid


@project_view
def timesheet(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """My week on the project: hours per task and day, saved as a whole; submit it; start the timer."""
    project, user = scope.project, scope.user
    require_allowed(not scope.preview and permissions.can_log_time(user, project))
    week = _week_of(request)
    days = [week + dt.timedelta(days=n) for n in range(7)]
    sheet = time_queries.sheet_of_week(project, user, week)
    loggable = list(time_queries.loggable_tasks(user, project))
    by_id = {t.pk: t for t in loggable}
    entries = list(TimeEntry.objects.filter(timesheet=sheet).order_by("id")) if sheet else []
    initial: dict[int, dict[str, Any]] = {}
    for entry in entries:
        row = initial.setdefault(
            entry.task_id, {"minutes": defaultdict(int), "billable": entry.billable, "note": entry.note}
        )
        row["minutes"][entry.day] += entry.minutes
    if request.method == "POST":
        wanted = [int(pk) for pk in request.POST.get("rows", "").split(",") if pk.strip().isdigit()]
    else:
        wanted = [*initial, *(int(pk) for pk in request.GET.getlist("add") if pk.isdigit())]
    row_ids = list(dict.fromkeys(pk for pk in wanted if pk in by_id or pk in initial))
    tasks = [by_id[pk] for pk in row_ids if pk in by_id]
    editable = sheet is None or sheet.status in EDITABLE_SHEET_STATES
    form = WeekGridForm(
        request.POST if request.method == "POST" else None,
        tasks=tasks,
        days=days,
        initial_rows=initial,
        disabled=not editable,
    )
    status = 200
    if request.method == "POST":
        saved, status = submit_form(
            form, lambda: timesheets.do_save_week(project, actor=user, week=week, rows=form.grid_rows())
        )
        if saved is not None:
            messages.success(request, _("Your week was saved."))
            return redirect(_grid_url(project.code, week))
    rows = []
    day_totals = [0] * 7
    for task in tasks:
        minutes = initial.get(task.pk, {}).get("minutes", {})
        cells = [form[f"m_{task.pk}_{day:%Y%m%d}"] for day in days]
        values = [minutes.get(day, 0) for day in days]
        for i, value in enumerate(values):
            day_totals[i] += value
        rows.append(
            {
                "task": task,
                "cells": cells,
                "billable": form[f"billable_{task.pk}"],
                "note": form[f"note_{task.pk}"],
                "errors": form.errors.get(f"task_{task.pk}", []),
                "total": format_hours(sum(values)),
            }
        )
    cell_errors = [
        (form.fields[name].label, errors)
        for name, errors in form.errors.items()
        if name.startswith("m_") and name in form.fields
    ]
    addable = [t for t in loggable if t.pk not in row_ids]
    return render_page(
        request,
        "web/time/timesheet.html",
        {
            "scope": scope,
            "project": project,
            "form": form,
            "rows": rows,
            "cell_errors": cell_errors,
            "days": days,
            "day_totals": [format_hours(m) for m in day_totals],
            "week_total": format_hours(sum(day_totals)),
            "week": week,
            "previous_week": week - dt.timedelta(days=7),
            "next_week": week + dt.timedelta(days=7),
            "sheet": sheet,
            "editable": editable,
            "addable": addable,
            "added": [pk for pk in row_ids if pk not in initial],
            "timer_form": TimerStartForm(tasks=time_queries.loggable_tasks(user, project), prefix="timer"),
            "is_keeper": permissions.is_time_keeper(user, project),
            "can_approve": permissions.is_time_keeper(user, project)
            or permissions.is_client_approver(user, project),
            "can_edit_settings": permissions.can_edit_cost_settings(user, project),
        },
        status=status,
    )


@project_view
@require_POST
def timesheet_submit(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Submit my week for approval."""
    require_allowed(not scope.preview and permissions.can_log_time(scope.user, scope.project))
    week = _week_of(request)
    _sheet, error, status = attempt(
        lambda: timesheets.do_submit_week(scope.project, actor=scope.user, week=week)
    )
    if status == 200:
        messages.success(request, _("Your week was submitted for approval."))
    else:
        messages.error(request, error)
    return redirect(_grid_url(scope.project.code, week))


# ---------------------------------------------------------------- the timer


@project_view
@require_POST
def timer_start(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Start my timer on a task of the project."""
    project, user = scope.project, scope.user
    require_allowed(not scope.preview and permissions.can_log_time(user, project))
    form = TimerStartForm(request.POST, tasks=time_queries.loggable_tasks(user, project), prefix="timer")

    def start() -> Any:
        data = form.cleaned_data
        return timesheets.do_start_timer(
            project, actor=user, task_id=data["task"].pk, note=data["note"], billable=data["billable"]
        )

    started, _status = submit_form(form, start)
    if started is not None:
        messages.success(request, _("The timer is running."))
    else:
        flash_errors(request, form)
    return HttpResponseRedirect(_next_url(request, _grid_url(project.code, _week_of(request))))


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
@require_POST
def timer_stop(request: HttpRequest) -> HttpResponse:
    """Stop my timer and log its time."""
    entries, error, status = attempt(lambda: timesheets.do_stop_timer(actor=_actor(request)))
    if status == 200:
        total = sum(e.minutes for e in entries)
        messages.success(request, _("%(hours)s h logged.") % {"hours": format_hours(total)})
        fallback = _grid_url(entries[0].project.code, entries[0].day)
    else:
        messages.error(request, error)
        fallback = reverse("web:project_list")
    return HttpResponseRedirect(_next_url(request, fallback))


@login_required
@require_POST
def timer_discard(request: HttpRequest) -> HttpResponse:
    """Throw my timer away without logging its time."""
    _done, error, status = attempt(lambda: timesheets.do_discard_timer(actor=_actor(request)))
    if status == 200:
        messages.success(request, _("The timer was discarded."))
    else:
        messages.error(request, error)
    return HttpResponseRedirect(_next_url(request, reverse("web:project_list")))


# ---------------------------------------------------------------- approvals


def _summaries(viewer: Any, project: Any, sheets: list[Any]) -> dict[int, list[tuple[str, str]]]:
    """Hours per task of each listed week, in one query (no cost: the page shows hours only)."""
    minutes: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = time_queries.entries_of(viewer, project).filter(timesheet__in=[s.pk for s in sheets])
    for sheet_id, task_name, value in rows.values_list("timesheet_id", "task__name", "minutes"):
        minutes[sheet_id][task_name] += value
    return {pk: [(name, format_hours(m)) for name, m in tasks.items()] for pk, tasks in minutes.items()}


@project_view
def time_approvals(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The weeks waiting for my approval: submitted ones for the team, team-approved ones for the client."""
    project, user = scope.project, scope.user
    require_allowed(
        not scope.preview
        and (permissions.is_time_keeper(user, project) or permissions.is_client_approver(user, project))
    )
    lists = []
    for side, rows in time_queries.approvals_for(user, project).items():
        param = "page" if side == "team" else "client_page"
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get(param))
        sheets = list(page.object_list)
        summaries = _summaries(user, project, sheets)
        lists.append(
            {
                "side": side,
                "param": param,
                "page": page,
                "sheets": [
                    (s, summaries.get(s.pk, []), format_hours(getattr(s, "total_minutes", 0))) for s in sheets
                ],
            }
        )
    query = request.GET.copy()
    return render_page(
        request,
        "web/time/approvals.html",
        {
            "scope": scope,
            "project": project,
            "lists": lists,
            "query": query.urlencode(),
            "client_approval": settings_for(project).client_approves_time,
        },
    )


def _step(
    request: HttpRequest, scope: ProjectScope, pk: int, service: Any, done: str, form: Any
) -> HttpResponse:
    sheet = time_queries.access_sheet(scope.viewer, pk)
    require_allowed(not scope.preview and sheet.project_id == scope.project.pk)
    if not form.is_valid():
        flash_errors(request, form, labelled=True)
    else:
        data = form.cleaned_data
        _result, error, status = attempt(lambda: service(sheet, actor=scope.user, **data))
        if status == 200:
            messages.success(request, done)
        else:
            messages.error(request, error)
    return redirect("web:time_approvals", code=scope.project.code)


@project_view
@require_POST
def timesheet_approve(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Approve a submitted week for the team."""
    return _step(
        request,
        scope,
        pk,
        timesheets.do_approve_timesheet,
        _("The week was approved."),
        SheetStepForm(request.POST),
    )


@project_view
@require_POST
def timesheet_client_approve(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Approve a team-approved week for the client."""
    return _step(
        request,
        scope,
        pk,
        timesheets.do_client_approve_timesheet,
        _("The week was approved."),
        SheetStepForm(request.POST),
    )


@project_view
@require_POST
def timesheet_reject(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Send a week back with the reason."""
    return _step(
        request,
        scope,
        pk,
        timesheets.do_reject_timesheet,
        _("The week was sent back."),
        RejectForm(request.POST),
    )


# ---------------------------------------------------------------- settings and export


@project_view
def cost_settings(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """How the project tracks time: client approval, actuals from time, the locked period (the PM)."""
    project = scope.project
    require_allowed(not scope.preview and permissions.can_edit_cost_settings(scope.user, project))
    current = settings_for(project)
    form = CostSettingsForm(request.POST or None, instance=current)
    status = 200
    if request.method == "POST":
        saved, status = submit_form(
            form,
            lambda: timesheets.do_update_cost_settings(
                project, actor=scope.user, **{k: form.cleaned_data[k] for k in form.Meta.fields}
            ),
        )
        if saved is not None:
            messages.success(request, _("The cost settings were saved."))
            return redirect("web:cost_settings", code=project.code)
    return render_page(
        request,
        "web/time/settings.html",
        {"scope": scope, "project": project, "form": form},
        status=status,
    )


@project_view
def time_export(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The time the reader may read as CSV or Excel (``?format=xlsx``); the cost for PMs and leads only."""
    require_allowed(permissions.can_read_time(scope.viewer, scope.project))
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    week = _week_of(request) if request.GET.get("week") else None
    data, content_type, name = time_exports.export(scope.viewer, scope.project, fmt, week=week)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
