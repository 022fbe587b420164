"""The plan: tasks, dependencies, calendars, baselines, the milestone timeline, exports and feeds."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from tandem.api.auth import AUTH, actor
from tandem.api.pagination import paged
from tandem.api.planning_schemas import (
    BaselineIn,
    BaselineOut,
    CalendarIn,
    CalendarOut,
    ComparisonOut,
    DependencyIn,
    DependencyOut,
    DependencyPatchIn,
    FeedOut,
    PlanBulkIn,
    PlanBulkOut,
    ProgressOut,
    TaskIn,
    TaskMoveIn,
    TaskOut,
    TaskPatchIn,
    TimelineOut,
)
from tandem.planning import interop, queries, services
from tandem.planning.models import Baseline, Calendar, Dependency, Task
from tandem.projects import queries as project_queries

router = Router(tags=["plan"], auth=AUTH)


class TaskFilters(Schema):
    """Filters of the task list."""

    kind: str = ""
    status: str = ""
    search: str = ""
    owner_id: int | None = None
    critical: bool | None = None


def _task(request: HttpRequest, code: str, task_id: int) -> tuple[Any, Any, Task]:
    user = actor(request)
    project = project_queries.access_project(user, code)
    return user, project, queries.access_task(user, project, task_id)


def _reread(user: Any, project: Any, task: Task) -> Task:
    """The task as the caller sees it (outline number and parent of their view)."""
    return queries.access_task(user, project, task.pk)


# ---------------------------------------------------------------- tasks


@router.get("/projects/{code}/tasks", response=list[TaskOut], summary="The plan's tasks")
@paged
def list_tasks(request: HttpRequest, code: str, filters: Query[TaskFilters]) -> QuerySet[Task]:
    """The rows of the plan the caller may see, in outline order."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    return queries.plan_of(user, project, **filters.model_dump())


@router.post("/projects/{code}/tasks", response={201: TaskOut}, summary="Add a task")
def add_task(request: HttpRequest, code: str, payload: TaskIn) -> Status[Task]:
    """Add a phase, work package, task or milestone; the plan is rescheduled."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    task = services.do_add_task(project, actor=user, **payload.model_dump(exclude_unset=True))
    return Status(201, _reread(user, project, task))


@router.post("/projects/{code}/tasks/bulk", response=PlanBulkOut, summary="Add, change and link many tasks")
def bulk_plan(request: HttpRequest, code: str, payload: PlanBulkIn) -> dict[str, Any]:
    """Up to 10,000 new tasks, changed tasks and new links in one transaction and one reschedule.

    All or nothing: the first bad row refuses the request (422 naming it, e.g. ``create.3.name``) and
    nothing is stored. New tasks may carry a ``ref`` that later rows use (``parent_ref``,
    ``predecessor_ref``, ``successor_ref``); ``refs`` in the answer maps each to the task's id.
    """
    user = actor(request)
    project = project_queries.access_project(user, code)
    outcome = services.do_bulk_plan(
        project,
        actor=user,
        create=[item.model_dump(exclude_unset=True) for item in payload.create],
        update=[item.model_dump(exclude_unset=True) for item in payload.update],
        links=[item.model_dump() for item in payload.links],
    )
    rows = queries.plan_of(user, project).in_bulk([*outcome.created, *outcome.updated])
    return {
        "created": [rows[pk] for pk in outcome.created if pk in rows],
        "updated": [rows[pk] for pk in outcome.updated if pk in rows],
        "links": list(queries.dependencies_of(user, project).filter(pk__in=outcome.links)),
        "refs": outcome.refs,
    }


@router.get("/projects/{code}/tasks/{task_id}", response=TaskOut, summary="A task")
def get_task(request: HttpRequest, code: str, task_id: int) -> Task:
    """One task the caller may see."""
    return _task(request, code, task_id)[2]


@router.patch("/projects/{code}/tasks/{task_id}", response=TaskOut, summary="Change a task")
def update_task(request: HttpRequest, code: str, task_id: int, payload: TaskPatchIn) -> Task:
    """Change a task based on the version the caller read (409 when someone else changed it)."""
    user, project, task = _task(request, code, task_id)
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    return _reread(user, project, services.do_update_task(task, version=payload.version, actor=user, **data))


@router.post("/projects/{code}/tasks/{task_id}/move", response=TaskOut, summary="Move a task")
def move_task(request: HttpRequest, code: str, task_id: int, payload: TaskMoveIn) -> Task:
    """Move a bar in time (a new start) or the row in the WBS (a new parent or position)."""
    user, project, task = _task(request, code, task_id)
    parent: Any = ...
    if payload.to_top_level:
        parent = None
    elif payload.parent_id is not None:
        parent = payload.parent_id
    moved = services.do_move_task(
        task,
        version=payload.version,
        actor=user,
        start=payload.start,
        parent_id=parent,
        position=payload.position,
    )
    return _reread(user, project, moved)


@router.delete("/projects/{code}/tasks/{task_id}", response={204: None}, summary="Delete a task")
def delete_task(request: HttpRequest, code: str, task_id: int, version: int | None = None) -> Status[None]:
    """Delete a task with its subtasks and links (``?version=`` the caller read)."""
    user, _project, task = _task(request, code, task_id)
    services.do_delete_task(task, version=version, actor=user)
    return Status(204, None)


@router.get("/projects/{code}/progress", response=ProgressOut, summary="Overdue and slipping tasks")
def progress(request: HttpRequest, code: str) -> dict[str, Any]:
    """Tasks past their finish or deadline, and tasks forecast later than the agreed plan."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    overdue, slipping = queries.flagged_tasks(user, project)
    return {"overdue": overdue, "slipping": slipping}


# ---------------------------------------------------------------- dependencies


@router.get("/projects/{code}/dependencies", response=list[DependencyOut], summary="The plan's links")
@paged
def list_dependencies(request: HttpRequest, code: str) -> QuerySet[Dependency]:
    """The links the caller may see (a client: links between shared tasks only)."""
    user = actor(request)
    return queries.dependencies_of(user, project_queries.access_project(user, code))


@router.post("/projects/{code}/dependencies", response={201: DependencyOut}, summary="Link two tasks")
def add_dependency(request: HttpRequest, code: str, payload: DependencyIn) -> Status[Dependency]:
    """Link two tasks; a link that would close a loop is refused (422 naming the tasks)."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    link = services.do_add_dependency(project, actor=user, **payload.model_dump())
    return Status(201, queries.access_dependency(user, project, link.pk))


@router.patch(
    "/projects/{code}/dependencies/{dependency_id}", response=DependencyOut, summary="Change a link"
)
def update_dependency(
    request: HttpRequest, code: str, dependency_id: int, payload: DependencyPatchIn
) -> Dependency:
    """Change a link's type or lag."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    link = queries.access_dependency(user, project, dependency_id)
    services.do_update_dependency(link, actor=user, **payload.model_dump(exclude_unset=True))
    return queries.access_dependency(user, project, dependency_id)


@router.delete("/projects/{code}/dependencies/{dependency_id}", response={204: None}, summary="Remove a link")
def remove_dependency(request: HttpRequest, code: str, dependency_id: int) -> Status[None]:
    """Remove a link; the plan is rescheduled."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    services.do_remove_dependency(queries.access_dependency(user, project, dependency_id), actor=user)
    return Status(204, None)


# ---------------------------------------------------------------- calendars


@router.get("/projects/{code}/calendar", response=CalendarOut, summary="The project calendar")
def get_calendar(request: HttpRequest, code: str) -> Calendar:
    """The project's working calendar (a Chinese-language project defaults to mainland China's)."""
    user = actor(request)
    return queries.project_calendar(user, project_queries.access_project(user, code))


@router.put("/projects/{code}/calendar", response=CalendarOut, summary="Change the project calendar")
def set_calendar(request: HttpRequest, code: str, payload: CalendarIn) -> Calendar:
    """Change the working week, hours or exceptions; ``exceptions`` replaces them all."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    data = payload.model_dump(exclude_unset=True)
    calendar = services.do_set_calendar(project, actor=user, **data)
    return queries.access_calendar(user, project, calendar.pk)


@router.get("/projects/{code}/calendars", response=list[CalendarOut], summary="All calendars")
def list_calendars(request: HttpRequest, code: str) -> QuerySet[Calendar]:
    """The project calendar and the calendars tasks may use instead."""
    user = actor(request)
    return queries.calendars_of(user, project_queries.access_project(user, code))


@router.post("/projects/{code}/calendars", response={201: CalendarOut}, summary="Add a task calendar")
def add_calendar(request: HttpRequest, code: str, payload: CalendarIn) -> Status[Calendar]:
    """Add a calendar that tasks may use (e.g. a seven-day cutover calendar)."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    calendar = services.do_add_calendar(project, actor=user, **payload.model_dump(exclude_unset=True))
    return Status(201, queries.access_calendar(user, project, calendar.pk))


# ---------------------------------------------------------------- baselines


@router.get("/projects/{code}/baselines", response=list[BaselineOut], summary="Baselines")
@paged
def list_baselines(request: HttpRequest, code: str) -> QuerySet[Baseline]:
    """The saved baselines, newest first."""
    user = actor(request)
    return queries.baselines_of(user, project_queries.access_project(user, code))


@router.post("/projects/{code}/baselines", response={201: BaselineOut}, summary="Save a baseline")
def save_baseline(request: HttpRequest, code: str, payload: BaselineIn) -> Status[Baseline]:
    """Save the plan's current dates as a named baseline, with the reason."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    baseline = services.do_save_baseline(project, name=payload.name, reason=payload.reason, actor=user)
    return Status(201, queries.access_baseline(user, project, baseline.pk))


@router.post(
    "/projects/{code}/baselines/{baseline_id}/approve", response=BaselineOut, summary="Approve a baseline"
)
def approve_baseline(request: HttpRequest, code: str, baseline_id: int) -> Baseline:
    """Approve a baseline as the plan agreed (the decision right "approve baseline")."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    services.do_approve_baseline(queries.access_baseline(user, project, baseline_id), actor=user)
    return queries.access_baseline(user, project, baseline_id)


@router.get(
    "/projects/{code}/baselines/{baseline_id}/compare",
    response=ComparisonOut,
    summary="Compare the plan with a baseline",
)
def compare_baseline(request: HttpRequest, code: str, baseline_id: int) -> dict[str, Any]:
    """Start and finish variance per task and milestone (working minutes; positive is later)."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    baseline = queries.access_baseline(user, project, baseline_id)
    rows = queries.compare_with_baseline(user, project, baseline)
    return {
        "baseline": baseline,
        "tasks": [
            {
                "task_id": v.task.pk,
                "wbs": queries.shown_wbs(v.task),
                "name": v.task.name,
                "kind": v.task.kind,
                "baseline_start": v.baseline_start,
                "baseline_finish": v.baseline_finish,
                "start": v.task.start,
                "finish": v.task.finish,
                "start_variance_minutes": v.start_variance_minutes,
                "finish_variance_minutes": v.finish_variance_minutes,
                "slipped": v.slipped,
            }
            for v in rows
        ],
        "removed": [
            {
                "task_id": r.task_uid,
                "wbs": getattr(r, "shown_wbs", r.wbs),
                "name": r.name,
                "kind": r.kind,
                "baseline_start": r.start,
                "baseline_finish": r.finish,
            }
            for r in queries.removed_since_baseline(user, project, baseline)
        ],
    }


@router.get("/projects/{code}/milestones", response=TimelineOut, summary="Milestone timeline")
def milestones(request: HttpRequest, code: str) -> dict[str, Any]:
    """Each milestone's forecast against the plan we agreed (the latest approved baseline)."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    baseline, rows = queries.milestone_forecast(user, project)
    return {
        "agreed_baseline": baseline,
        "milestones": [
            {
                "task_id": m.task.pk,
                "wbs": queries.shown_wbs(m.task),
                "name": m.task.name,
                "status": m.task.status,
                "forecast": m.forecast,
                "baseline_finish": m.baseline_finish,
                "variance_minutes": m.variance_minutes,
                "deadline": m.deadline,
                "slipping": m.slipping,
            }
            for m in rows
        ],
    }


# ---------------------------------------------------------------- exports and feeds


@router.get("/projects/{code}/plan.xml", summary="Export the plan as MS Project XML", response={200: None})
def export_mspdi(request: HttpRequest, code: str) -> HttpResponse:
    """The plan the caller may see as MSPDI XML (MS Project: File › Open)."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    response = HttpResponse(interop.export_mspdi(user, project), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{project.code}-plan.xml"'
    return response


@router.get("/projects/{code}/plan.csv", summary="Export the plan as CSV", response={200: None})
def export_csv(request: HttpRequest, code: str) -> HttpResponse:
    """The plan the caller may see as CSV (UTF-8 with a byte-order mark for spreadsheets)."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    response = HttpResponse(
        "\ufeff" + interop.export_csv(user, project), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{project.code}-plan.csv"'
    return response


@router.get("/projects/{code}/plan.xlsx", summary="Export the plan as Excel", response={200: None})
def export_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    """The plan the caller may see as an Excel workbook (the CSV's columns)."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    response = HttpResponse(
        interop.export_xlsx(user, project),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{project.code}-plan.xlsx"'
    return response


@router.post(
    "/projects/{code}/calendar-feed", response={201: FeedOut}, summary="Get my calendar feed address"
)
def issue_feed(request: HttpRequest, code: str) -> Status[dict[str, str]]:
    """A new secret iCalendar address for the project's milestones and deadlines (the old one stops)."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    _feed, raw = services.do_issue_calendar_feed(project, actor=user)
    return Status(201, {"url": request.build_absolute_uri(f"/api/v1/feeds/{raw}.ics")})


@router.get("/feeds/{token}.ics", summary="A calendar feed", response={200: None}, auth=None)
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Milestones and deadlines as iCalendar, for the feed's owner's view; the token is the key."""
    feed = interop.find_feed(token)
    if feed is None:
        raise Http404(_("No such calendar feed."))
    text = interop.calendar_feed(feed, host=request.get_host().split(":")[0] or "tandem")
    return HttpResponse(text.encode(), content_type="text/calendar; charset=utf-8")
