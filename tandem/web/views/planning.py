"""The plan's pages: Gantt, board, task list and milestone timeline, and the small JSON writes behind them.

Reads go through ``tandem.planning.queries`` with the scope's viewer, so a client (or a team member
previewing the client view) never receives an internal task, a link touching one, or a count that
includes one. Writes call the same ``do_*`` services as the API, with the version the page read.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import quote

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import CharField, Count
from django.db.models.functions import Cast, Coalesce
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tandem.core.errors import ConflictError
from tandem.planning import queries, scheduling, services
from tandem.planning.choices import TaskKind, TaskStatus
from tandem.planning.models import Baseline, BaselineTask, Task
from tandem.projects.permissions import Action, can
from tandem.resources import queries as resource_queries
from tandem.risks import queries as risk_queries
from tandem.risks.choices import RiskLevel
from tandem.web.views.base import ProjectScope, labels_of, project_view, render_page, row_href
from tandem_engine.calendar import working_days

LIST_PAGE_SIZE = 25
#: Rows the Gantt draws at a time: frappe-gantt draws every row it is given, so a large plan is paged.
GANTT_PAGE_ROWS = 200
#: Cards a board column shows at first, and how many more each "Show more" adds.
BOARD_COLUMN_SIZE = 50
#: The most cards a column shows: beyond it the task list (filtered by status) is the place to look.
BOARD_COLUMN_LIMIT = 1000
#: Board columns, in the order work flows.
BOARD_COLUMNS = (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED, TaskStatus.DONE)
SORTS = {
    "wbs": ("outline_key", "id"),
    "name": ("name", "id"),
    "start": ("start", "outline_key"),
    "finish": ("finish", "outline_key"),
    "status": ("status", "outline_key"),
    "owner": ("owner__full_name", "outline_key"),
}


# ---------------------------------------------------------------- helpers


def _context(scope: ProjectScope, view: str, **extra: Any) -> dict[str, Any]:
    return {
        "scope": scope,
        "project": scope.project,
        "plan_view": view,
        "can_edit_plan": not scope.preview and can(scope.user, scope.project, Action.EDIT_PLAN),
        **extra,
    }


#: ``_flags``' baseline when the caller has not read the agreed baseline.
UNREAD: Any = object()


def _flags(
    scope: ProjectScope, ids: list[int] | None = None, *, baseline: Baseline | None = UNREAD
) -> tuple[set[int], set[int]]:
    """Ids of the overdue and the slipping tasks the viewer may see, among ``ids`` when given.

    One query, whatever the plan size (two when the caller has not read the agreed baseline).
    """
    if baseline is UNREAD:
        baseline = queries.agreed_baseline(scope.viewer, scope.project)
    return queries.flags_of(scope.viewer, scope.project, baseline, ids=ids)


def _local(value: dt.datetime | None, scope: ProjectScope) -> dt.datetime | None:
    return scheduling.to_local(value, scheduling.zone_of(scope.project))


def _day(value: dt.datetime | None, scope: ProjectScope) -> str | None:
    local = _local(value, scope)
    return local.date().isoformat() if local else None


def _json_error(message: str, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse({"ok": False, "error": message, **extra}, status=status)


def _validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(str(m) for errors in exc.error_dict.values() for e in errors for m in e.messages)
    return " ".join(str(m) for m in exc.messages)


def _json_body(request: HttpRequest) -> dict[str, Any]:
    """The request's JSON object; a ValidationError when it is not one."""
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ValidationError(_("The request is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise ValidationError(_("The request must be a JSON object."))
    return data


def _int_field(data: dict[str, Any], name: str) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationError({name: [_("Enter a whole number.")]})
    try:
        return int(value)
    except ValueError:
        raise ValidationError({name: [_("Enter a whole number.")]}) from None


def _date_field(data: dict[str, Any], name: str) -> dt.date:
    value = data.get(name)
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({name: [_("Enter a valid date (YYYY-MM-DD).")]}) from None


def _write(call: Any) -> JsonResponse:
    """Run a service call and answer in JSON: 200, 400 (invalid), 403, 404 or 409 (stale version)."""
    try:
        result = call()
    except ConflictError as exc:
        return _json_error(exc.message, 409, version=exc.current_version)
    except ValidationError as exc:
        return _json_error(_validation_message(exc), 400)
    except PermissionDenied as exc:
        return _json_error(str(exc) or _("Your role in this project does not allow this."), 403)
    except Http404 as exc:
        return _json_error(str(exc) or _("No such task."), 404)
    return JsonResponse({"ok": True, **result})


# ---------------------------------------------------------------- pages


@project_view
def plan(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The plan tab: the Gantt for the team, the milestone timeline for the client."""
    name = "web:plan_gantt" if scope.team else "web:plan_timeline"
    return redirect(reverse(name, args=[scope.project.code]) + scope.query_suffix)


#: The Gantt's row columns, in the order of each row array (``gantt_data``).
GANTT_FIELDS = (
    "id",
    "name",
    "wbs",
    "parent",
    "kind",
    "status",
    "start",
    "end",
    "progress",
    "flags",
    "owner",
    "baseline_start",
    "baseline_end",
    "risk_level",
    "risks",
    "version",
    "assigned",
)
#: Bits of a Gantt row's ``flags``.
CRITICAL, SUMMARY, OVERDUE, SLIPPING = 1, 2, 4, 8
KINDS = tuple(TaskKind.values)
STATUSES = tuple(TaskStatus.values)


def gantt_data(scope: ProjectScope) -> dict[str, Any]:
    """Rows, links and agreed-baseline bars of the Gantt, as the viewer may see them (constant queries).

    Compact, because a plan has thousands of rows: each row is an array in ``fields`` order, dates
    are whole days after ``origin``, kinds and statuses are indexes into ``kinds`` and ``statuses``,
    owners, risk titles and assigned resources are indexes into ``owners``, ``risks`` and ``resources``
    (one query for every row's names), and ``flags`` packs critical (1),
    summary (2), overdue (4) and slipping (8). Only what the chart shows is sent.
    """
    project, viewer = scope.project, scope.viewer
    zone = scheduling.zone_of(project)
    tasks = list(
        queries.plan_of(viewer, project).values_list(
            "pk",
            "name",
            "shown_wbs",
            "shown_parent_id",
            "kind",
            "status",
            _as_text("start"),
            _as_text("finish"),
            "percent_complete",
            "critical",
            "is_summary",
            "owner__full_name",
            "owner__email",
            "version",
        )
    )
    visible = {row[0] for row in tasks}
    baseline = queries.agreed_baseline(viewer, project)
    baseline_rows: dict[int, tuple[str | None, str | None]] = {}
    if baseline is not None:
        baseline_rows = {
            uid: (start, finish)
            for uid, start, finish in BaselineTask.objects.visible_to(viewer)
            .filter(baseline=baseline)
            .order_by()
            .values_list("task_uid", _as_text("start"), _as_text("finish"))
            if uid in visible
        }
    overdue, slipping = _flags(scope, baseline=baseline)
    # Open, monitored or occurred risks the viewer may see, linked to tasks the viewer may see.
    task_risks = risk_queries.risks_by_task(viewer, project)
    assigned = resource_queries.names_by_task(viewer, project)
    editable = not scope.preview and can(scope.user, project, Action.EDIT_PLAN)
    parents_with_children = {row[3] for row in tasks}

    # Thousands of rows share a few hundred distinct moments: each is parsed and localised once.
    plan_moments = {m for row in tasks for m in (row[6], row[7]) if m is not None}
    moments = plan_moments | {m for pair in baseline_rows.values() for m in pair if m is not None}
    days = {text: _local_day(text, zone) for text in moments}
    plan_days = [days[m] for m in plan_moments]
    today = timezone.localtime(timezone.now(), zone).date()
    origin = min(days.values(), default=today)
    number: dict[str | None, int | None] = {text: (day - origin).days for text, day in days.items()}
    number[None] = None
    owners: dict[str, int] = {"": 0}
    risk_titles: dict[str, int] = {}
    resource_names: dict[str, int] = {}
    rows = []
    for (
        pk,
        name,
        wbs,
        parent,
        kind,
        status,
        start,
        finish,
        progress,
        critical,
        summary,
        full,
        email,
        version,
    ) in tasks:
        base_start, base_finish = baseline_rows.get(pk, (None, None))
        risks = task_risks.get(pk, ())
        owner = full or email or ""
        flags = (
            (CRITICAL if critical else 0)
            # For a client a row is a summary only through the rows it may see: a shared phase of
            # internal work shows as a plain bar, not as an empty folder.
            | (SUMMARY if pk in parents_with_children or (scope.team and summary) else 0)
            | (OVERDUE if pk in overdue else 0)
            | (SLIPPING if pk in slipping else 0)
        )
        rows.append(
            [
                pk,
                name,
                wbs or "",
                parent,
                KINDS.index(kind),
                STATUSES.index(status),
                number[start],
                number[finish or start],
                progress,
                flags,
                owners.setdefault(owner, len(owners)),
                number[base_start],
                number[base_finish],
                risk_queries.worst_level(list(risks)) if risks else "",
                [risk_titles.setdefault(r.title, len(risk_titles)) for r in risks] if risks else (),
                version,
                [resource_names.setdefault(n, len(resource_names)) for n in assigned.get(pk, ())],
            ]
        )
    links = [
        [pred, succ]
        for pred, succ in queries.dependencies_of(viewer, project).values_list(
            "predecessor_id", "successor_id"
        )
        if pred in visible and succ in visible
    ]
    return {
        "fields": GANTT_FIELDS,
        "origin": origin.isoformat(),
        "rows": rows,
        "links": links,
        "kinds": [[k, str(TaskKind(k).label)] for k in KINDS],
        "statuses": [[s, str(TaskStatus(s).label)] for s in STATUSES],
        "risk_levels": {level: str(RiskLevel(level).label) for level in RiskLevel.values},
        "owners": list(owners),
        "risks": list(risk_titles),
        "resources": list(resource_names),
        "baseline": {"name": baseline.name, "approved": _day(baseline.approved_at, scope)}
        if baseline
        else None,
        "today": today.isoformat(),
        "off_days": _off_days(scope, min(plan_days), max(plan_days)) if plan_days else [],
        "editable": editable,
    }


def _local_day(text: str, zone: Any) -> dt.date:
    """The project's local day of a moment read as text (SQLite keeps UTC without an offset)."""
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zone).date()


def _as_text(field: str) -> Cast:
    """A moment read as the database's text: parsing text once per distinct value beats Django's
    per-row datetime conversion on plans of thousands of rows (``gantt_data``)."""
    return Cast(field, output_field=CharField())


def _off_days(scope: ProjectScope, first: dt.date, last: dt.date) -> list[str]:
    """The project calendar's days off around the plan (weekends, public holidays; not make-up days),
    computed once per plan revision and span (the calendar is an input of the plan)."""
    first, last = first - dt.timedelta(days=120), last + dt.timedelta(days=120)

    def build() -> list[str]:
        calendar = scheduling.project_engine_calendar(scope.project)
        working = set(working_days(calendar, first, last))
        count = (last - first).days + 1
        return [
            day.isoformat()
            for day in (first + dt.timedelta(days=n) for n in range(count))
            if day not in working
        ]

    return scheduling.derived_from_plan(scope.project, ("days off", first, last), build)


#: The timeline's query parameter that adds risk contingency to the milestones' forecasts.
CONTINGENCY_PARAM = "contingency"


def _gantt_strings() -> dict[str, str]:
    return {
        "conflict": _(
            "Someone else changed the plan in the meantime. The Gantt was reloaded with their change."
        ),
        "failed": _("The change could not be saved."),
        "saved": _("Saved. The plan was rescheduled."),
        "summary": _("A summary row follows its subtasks: move the subtasks instead."),
        "linked": _("Link added. The plan was rescheduled."),
        "link_hint": _("Drag from one bar to another to link them (finish to start)."),
        "baseline": _("Agreed baseline"),
        "critical": _("Critical"),
        "slipping": _("Slipping"),
        "overdue": _("Overdue"),
        "risks": _("Open risks"),
        "start": _("Start"),
        "finish": _("Finish"),
        "progress": _("Progress"),
        "owner": _("Owner"),
        "assigned": _("Assigned"),
        # Translators: a Gantt row's link to assign a resource to the task, e.g. "Assign: Design".
        "assign": _("Assign: %(task)s"),
        "status": _("Status"),
        "export_title": _("Plan"),
        "printed": _("Printed"),
        "days": _("days"),
        # Translators: the Gantt's pager, e.g. "Rows 201–400 of 5000".
        "rows": _("Rows %(first)s–%(last)s of %(total)s"),
    }


@project_view
@require_GET
def gantt(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The Gantt chart: hierarchy, bars, milestones, links, critical path, agreed baseline, today."""
    data = gantt_data(scope)
    return render_page(
        request,
        "web/planning/gantt.html",
        _context(
            scope,
            "gantt",
            gantt=data,
            page_rows=GANTT_PAGE_ROWS,
            strings=_gantt_strings(),
            language="zh" if (request.LANGUAGE_CODE or "").startswith("zh") else "en",
            urls={
                "data": reverse("web:plan_gantt_data", args=[scope.project.code]) + scope.query_suffix,
                "dates": reverse("web:plan_task_dates", args=[scope.project.code, 0]),
                "link": reverse("web:plan_link_add", args=[scope.project.code]),
                # A row's "assign" link opens the task's assignment dialog (plan editors only).
                **(
                    {"assign": reverse("web:plan_task_assign", args=[scope.project.code, 0])}
                    if data["editable"]
                    else {}
                ),
            },
        ),
    )


@project_view
@require_GET
def gantt_json(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The Gantt's data, for reloading after a change."""
    return JsonResponse(gantt_data(scope))


def _column_size(request: HttpRequest, status: str) -> int:
    """How many cards a board column shows: ``?<status>=N`` after "Show more", else the first cards."""
    try:
        size = int(request.GET.get(status, BOARD_COLUMN_SIZE))
    except ValueError:
        return BOARD_COLUMN_SIZE
    return min(max(size, BOARD_COLUMN_SIZE), BOARD_COLUMN_LIMIT)


@project_view
@require_GET
def board(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Kanban by status of the leaf tasks the viewer may see; each column shows its first cards.

    A column reads only the cards it shows (one query each, owners joined), the counts come from one
    grouped query and the flags only for the shown cards: the queries do not grow with the plan.
    """
    leaves = queries.plan_of(scope.viewer, scope.project).filter(is_summary=False)
    totals = dict(leaves.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    editor = not scope.preview and can(scope.user, scope.project, Action.EDIT_PLAN)
    shown: list[tuple[TaskStatus, int, list[Task]]] = []
    for status in BOARD_COLUMNS:
        size = _column_size(request, status)
        column = leaves.filter(status=status)
        if status == TaskStatus.DONE:
            # The most recently finished work first: what a reader of a done column looks for.
            finished = Coalesce("actual_finish", "finish", "start")
            column = column.order_by(finished.desc(nulls_last=True), "outline_key", "id")
        shown.append((status, size, list(column[:size])))
    ids = [t.pk for _status, _size, tasks in shown for t in tasks]
    overdue, slipping = _flags(scope, ids)
    columns = []
    for status, size, tasks in shown:
        total = totals.get(status, 0)
        more = None
        if total > size:
            params = request.GET.copy()
            params[status] = str(min(size + BOARD_COLUMN_SIZE, BOARD_COLUMN_LIMIT))
            more = "?" + params.urlencode() if size < BOARD_COLUMN_LIMIT else None
        cards = [
            {
                "task": t,
                "overdue": t.pk in overdue,
                "slipping": t.pk in slipping,
                "movable": not scope.preview and (editor or t.owner_id == scope.user.pk),
            }
            for t in tasks
        ]
        label = TaskStatus(status).label
        columns.append({"status": status, "label": label, "cards": cards, "total": total, "more": more})
    return render_page(
        request,
        "web/planning/board.html",
        _context(
            scope,
            "board",
            columns=columns,
            total=sum(totals.values()),
            strings={
                "conflict": _("Someone else changed this task in the meantime. The board was reloaded."),
                "failed": _("The change could not be saved."),
            },
            status_url=reverse("web:plan_task_status", args=[scope.project.code, 0]),
        ),
    )


class TaskFilterForm(forms.Form):
    """The task list's search, filters and sort order (all optional)."""

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any status")), *TaskStatus.choices],
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("Any kind")), *TaskKind.choices],
    )
    flag = forms.ChoiceField(
        label=gettext_lazy("Flag"),
        required=False,
        choices=[
            ("", gettext_lazy("Any")),
            ("overdue", gettext_lazy("Overdue")),
            ("slipping", gettext_lazy("Slipping")),
            ("critical", gettext_lazy("Critical")),
        ],
    )
    sort = forms.ChoiceField(
        label=gettext_lazy("Sort by"),
        required=False,
        choices=[
            ("wbs", gettext_lazy("WBS")),
            ("name", gettext_lazy("Name")),
            ("start", gettext_lazy("Start")),
            ("finish", gettext_lazy("Finish")),
            ("status", gettext_lazy("Status")),
            ("owner", gettext_lazy("Owner")),
        ],
    )
    desc = forms.BooleanField(label=gettext_lazy("Descending"), required=False)

    def clean_q(self) -> str:
        """Search text without NUL characters (the database refuses them)."""
        value: str = self.cleaned_data.get("q") or ""
        if "\x00" in value:
            raise ValidationError(_("Enter text without control characters."))
        return value.strip()


@project_view
@require_GET
def task_list(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The plan as a filterable, sortable, searchable list, 25 to a page."""
    form = TaskFilterForm(request.GET)
    status = 200
    page = None
    overdue: set[int] = set()
    slipping: set[int] = set()
    if form.is_valid():
        data = form.cleaned_data
        qs = queries.plan_of(
            scope.viewer, scope.project, kind=data["kind"], status=data["status"], search=data["q"]
        )
        overdue, slipping = _flags(scope)
        if data["flag"] == "overdue":
            qs = qs.filter(pk__in=overdue)
        elif data["flag"] == "slipping":
            qs = qs.filter(pk__in=slipping)
        elif data["flag"] == "critical":
            qs = qs.filter(critical=True)
        order: tuple[str, ...] = SORTS[data["sort"] or "wbs"]
        if data["desc"]:
            order = tuple(f"-{field}" for field in order)
        page = Paginator(qs.order_by(*order), LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        status = 400
    tasks = list(page.object_list) if page else []
    # One query for the page's assigned names, whatever the number of rows.
    assigned = resource_queries.names_by_task(scope.viewer, scope.project, [t.pk for t in tasks])
    # Labels and addresses made once for the page, not once per row.
    kinds, statuses = labels_of(TaskKind), labels_of(TaskStatus)
    code, back = scope.project.code, request.get_full_path()
    edit_href, assign_href = row_href("web:plan_task_edit", code), row_href("web:plan_task_assign", code)
    assign_query = "?back=" + quote(back)  # as the ``urlencode`` filter writes it
    rows = [
        {
            "task": t,
            "kind": kinds.get(t.kind, t.kind),
            "status": statuses.get(t.status, t.status),
            "overdue": t.pk in overdue,
            "slipping": t.pk in slipping,
            "assigned": assigned.get(t.pk, []),
            "edit_href": edit_href(t.pk),
            "assign_href": assign_href(t.pk) + assign_query,
        }
        for t in tasks
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "web/planning/list.html",
        _context(
            scope,
            "list",
            form=form,
            page=page,
            rows=rows,
            query=query.urlencode(),
            back=back,
            filtered=any(request.GET.get(k) for k in ("q", "status", "kind", "flag")),
        ),
        fragment="web/planning/_list_results.html",
        status=status,
    )


@project_view
@require_GET
def timeline(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Milestones on a time axis: the agreed baseline date next to today's forecast; slips flagged."""
    baseline, items = queries.milestone_forecast(scope.viewer, scope.project)
    # "Include risk contingency": each forecast plus the contingency of the open risks upstream of it.
    with_contingency = request.GET.get(CONTINGENCY_PARAM) == "1"
    buffered: dict[int, tuple[risk_queries.Buffer, dt.datetime | None]] = {}
    if with_contingency and items:
        calendar = scheduling.project_engine_calendar(scope.project)
        buffers = risk_queries.milestone_buffers(scope.viewer, scope.project)
        for m in items:
            buffer = buffers.get(m.task.pk)
            if buffer is not None and buffer.risks and m.task.status != TaskStatus.DONE:
                buffered[m.task.pk] = (buffer, buffer.finish(scope.project, m.forecast, calendar))
    toggle = request.GET.copy()
    if with_contingency:
        toggle.pop(CONTINGENCY_PARAM, None)
    else:
        toggle[CONTINGENCY_PARAM] = "1"
    toggle_url = "?" + toggle.urlencode() if toggle else request.path
    dates = [d for m in items for d in (m.forecast, m.baseline_finish, m.deadline) if d is not None]
    dates += [finish for _buffer, finish in buffered.values() if finish is not None]
    today = timezone.now()
    rows: list[dict[str, Any]] = []
    ticks: list[dict[str, Any]] = []
    today_pct: float | None = None
    if dates:
        low, high = min([*dates, today]), max([*dates, today])
        low_day = _local(low, scope)
        high_day = _local(high, scope)
        assert low_day is not None and high_day is not None
        first = low_day.date().replace(day=1)
        last = (high_day.date().replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        span = (last - first).days or 1

        def pct(value: dt.datetime | None) -> float | None:
            local = _local(value, scope)
            if local is None:
                return None
            return round(100 * (local.date() - first).days / span, 2)

        month = first
        while month < last:
            ticks.append({"date": month, "pct": round(100 * (month - first).days / span, 2)})
            month = (month + dt.timedelta(days=32)).replace(day=1)
        today_pct = pct(today)
        for m in items:
            variance_days = None
            if m.variance_minutes is not None:
                variance_days = round(m.variance_minutes / 480, 1)
            buffer, buffered_finish = buffered.get(m.task.pk, (None, None))
            rows.append(
                {
                    "m": m,
                    "forecast_pct": pct(m.forecast),
                    "baseline_pct": pct(m.baseline_finish),
                    "variance_days": variance_days,
                    "buffer": buffer,
                    "buffered": buffered_finish,
                    "buffered_pct": pct(buffered_finish),
                }
            )
    return render_page(
        request,
        "web/planning/timeline.html",
        _context(
            scope,
            "timeline",
            baseline=baseline,
            rows=rows,
            ticks=ticks,
            today_pct=today_pct,
            with_contingency=with_contingency,
            toggle_url=toggle_url,
        ),
    )


# ---------------------------------------------------------------- writes (JSON, same services as the API)


@project_view
@require_POST
def task_dates(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """A Gantt drag: move a bar (new start) and/or resize it (new finish day), based on ``version``."""
    if scope.preview:
        return _json_error(_("The client preview is read-only."), 403)

    def call() -> dict[str, Any]:
        data = _json_body(request)
        task = queries.access_task(scope.user, scope.project, pk)
        version = _int_field(data, "version")
        start = _date_field(data, "start")
        finish = _date_field(data, "end") if "end" in data else None
        if task.is_summary:
            raise ValidationError(_("A summary row follows its subtasks: move the subtasks instead."))
        if finish is not None and finish < start:
            raise ValidationError({"end": [_("The finish cannot be before the start.")]})
        project = scope.project
        zone = scheduling.zone_of(project)
        old_start = _local(task.start, scope)
        old_finish = _local(task.finish, scope)
        moved = old_start is None or old_start.date() != start
        resized = (
            finish is not None
            and task.kind != TaskKind.MILESTONE
            and (old_finish is None or old_finish.date() != finish or moved)
        )
        if resized and finish is not None and old_start and old_finish:
            # Keep the duration when the bar only moved (the same number of days either side).
            resized = (finish - start) != (old_finish.date() - old_start.date())
        with transaction.atomic():
            if moved:
                task = services.do_move_task(
                    task, version=version, actor=scope.user, start=dt.datetime.combine(start, dt.time())
                )
                version = task.version
            if resized and finish is not None:
                calendar = scheduling.project_engine_calendar(project)
                a = scheduling.to_aware(dt.datetime.combine(start, dt.time()), zone)
                b = scheduling.to_aware(dt.datetime.combine(finish + dt.timedelta(days=1), dt.time()), zone)
                assert a is not None and b is not None
                minutes = max(scheduling.working_minutes(calendar, project, a, b), 0)
                if minutes == 0:
                    raise ValidationError({"end": [_("The new dates contain no working time.")]})
                task = services.do_update_task(
                    task, version=version, actor=scope.user, duration_minutes=minutes
                )
        return {
            "id": task.pk,
            "version": task.version,
            "start": _day(task.start, scope),
            "end": _day(task.finish, scope),
        }

    return _write(call)


@project_view
@require_POST
def task_status(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """A board drop: change a task's status, based on ``version``."""
    if scope.preview:
        return _json_error(_("The client preview is read-only."), 403)

    def call() -> dict[str, Any]:
        data = _json_body(request)
        task = queries.access_task(scope.user, scope.project, pk)
        status = data.get("status")
        if status not in TaskStatus.values:
            raise ValidationError({"status": [_("Choose a status of the board.")]})
        task = services.do_update_task(
            task, version=_int_field(data, "version"), actor=scope.user, status=status
        )
        return {
            "id": task.pk,
            "version": task.version,
            "status": task.status,
            "progress": task.percent_complete,
        }

    return _write(call)


@project_view
@require_POST
def link_add(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """A link drawn on the Gantt: finish-to-start from ``from`` to ``to``."""
    if scope.preview:
        return _json_error(_("The client preview is read-only."), 403)

    def call() -> dict[str, Any]:
        data = _json_body(request)
        link = services.do_add_dependency(
            scope.project,
            predecessor_id=_int_field(data, "from"),
            successor_id=_int_field(data, "to"),
            actor=scope.user,
        )
        return {"id": link.pk}

    return _write(call)
