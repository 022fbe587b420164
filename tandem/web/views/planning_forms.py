"""The plan's forms: add, edit and delete a task, its predecessor links, its assignments, and the baselines.

Reads go through ``tandem.planning.queries`` with the scope's viewer (404 for what the viewer may not
see); writes call the same ``do_*`` services as the API, which decide (403 for what the role may not do).
The pages only show the buttons the viewer's rights allow.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.planning import queries, scheduling, services
from tandem.planning.choices import TaskKind
from tandem.planning.models import Dependency, Task
from tandem.projects import queries as project_queries
from tandem.projects.choices import DecisionKind
from tandem.projects.permissions import Action, can, holds
from tandem.resources import queries as resource_queries
from tandem.resources import services as resource_services
from tandem.resources.models import Assignment
from tandem.web.planning_forms import (
    DAY_FIELDS,
    ID_FIELDS,
    MINUTES_PER_DAY,
    BaselineForm,
    LinkEditForm,
    LinkForm,
    TaskForm,
    to_days,
)
from tandem.web.resources_forms import AssignmentForm, AssignmentUnitsForm
from tandem.web.views.base import (
    ProjectScope,
    attempt,
    back_to_inbox,
    project_view,
    render_page,
    run_action,
    submit_edit,
    submit_form,
)

#: The form field that shows a service error about one of the service's fields.
FORM_FIELD_OF = {
    **{minutes: days for days, minutes in DAY_FIELDS.items()},
    **{service: form for form, service in ID_FIELDS.items()},
    "predecessor_id": "predecessor",
    "successor_id": "predecessor",
    "lag_minutes": "lag_days",
    "resource_id": "resource",
    "task_id": "resource",
    "work_minutes": "units",
}


def _denied() -> PermissionDenied:
    return PermissionDenied(_("Your role in this project does not allow this."))


def _can_edit_plan(scope: ProjectScope) -> bool:
    return not scope.preview and can(scope.user, scope.project, Action.EDIT_PLAN)


def _require_plan_editor(scope: ProjectScope) -> None:
    if not _can_edit_plan(scope):
        raise _denied()


def _context(scope: ProjectScope, **extra: Any) -> dict[str, Any]:
    return {
        "scope": scope,
        "project": scope.project,
        "plan_view": "list",
        "can_edit_plan": _can_edit_plan(scope),
        **extra,
    }


def _list_url(scope: ProjectScope) -> str:
    return reverse("web:plan_list", args=[scope.project.code])


def _edit_url(scope: ProjectScope, task: Task) -> str:
    return reverse("web:plan_task_edit", args=[scope.project.code, task.pk])


def _form_kwargs(scope: ProjectScope, task: Task | None) -> dict[str, Any]:
    """The choices of the task form: the visible WBS (not the task's own branch), members, deliverables."""
    rows = list(queries.plan_of(scope.viewer, scope.project).exclude(kind=TaskKind.MILESTONE))
    if task is not None:
        parents = {t.pk: queries.shown_parent_id(t) for t in rows}

        def under(pk: int | None) -> bool:
            seen: set[int] = set()
            while pk is not None and pk not in seen:
                if pk == task.pk:
                    return True
                seen.add(pk)
                pk = parents.get(pk)
            return False

        rows = [t for t in rows if not under(t.pk)]
    members = [
        (m.user_id, m.user.full_name or m.user.email)
        for m in project_queries.members_of(scope.viewer, scope.project)
    ]
    deliverables = [(d.pk, d.name) for d in project_queries.deliverables_of(scope.viewer, scope.project)]
    return {"parents": rows, "members": members, "deliverables": deliverables, "team": scope.team}


# ---------------------------------------------------------------- tasks


@project_view
def task_create(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Add a phase, work package, task or milestone (plan editors)."""
    _require_plan_editor(scope)
    initial: dict[str, Any] = {}
    if request.GET.get("parent"):
        initial["parent"] = request.GET["parent"]
    form = TaskForm(request.POST or None, initial=initial, **_form_kwargs(scope, None))
    status = 200
    if request.method == "POST":
        task, status = submit_form(
            form,
            lambda: services.do_add_task(scope.project, actor=scope.user, **form.task_data()),
            FORM_FIELD_OF,
        )
        if status == 200:
            messages.success(request, _("“%(name)s” was added to the plan.") % {"name": task.name})
            return redirect(_edit_url(scope, task))
    return render_page(
        request, "web/planning/forms/task_form.html", _context(scope, form=form, creating=True), status=status
    )


def _links_context(
    scope: ProjectScope, task: Task, link_form: LinkForm | None = None, edited: LinkEditForm | None = None
) -> dict[str, Any]:
    """The task's predecessor links, each with its in-place edit form (``edited`` for the one posted)."""
    links = list(
        queries.dependencies_of(scope.viewer, scope.project).filter(successor_id=task.pk).order_by("id")
    )
    candidates = [t for t in queries.plan_of(scope.viewer, scope.project) if t.pk != task.pk]
    for link in links:
        link.lag_days = to_days(link.lag_minutes)  # type: ignore[attr-defined]
        posted = edited is not None and edited.prefix == f"link-{link.pk}"
        link.edit_form = edited if posted else LinkEditForm.for_link(link)  # type: ignore[attr-defined]
    return {
        "links": links,
        "link_form": link_form or LinkForm(tasks=candidates),
        "link_candidates": candidates,
    }


@project_view
def task_edit(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Edit a task based on the version read; a stale version answers 409 keeping the input.

    Plan editors change everything; a task's owner without that right reports its progress only.
    """
    task = queries.access_task(scope.viewer, scope.project, pk)
    editor = _can_edit_plan(scope)
    owner = not scope.preview and task.owner_id == scope.user.pk
    if not editor and not owner:
        raise _denied()
    zone = scheduling.zone_of(scope.project)
    kwargs = _form_kwargs(scope, task)
    if request.method == "POST":
        form = TaskForm(request.POST, progress_only=not editor, **kwargs)
    else:
        form = TaskForm(initial=TaskForm.initial_for(task, zone), progress_only=not editor, **kwargs)
    status = 200
    if request.method == "POST":
        _saved, status = submit_edit(
            form,
            services.do_update_task,
            task,
            scope.user,
            values=form.task_data,
            renamed=FORM_FIELD_OF,
            saved=lambda: TaskForm.initial_for(
                queries.access_task(scope.viewer, scope.project, task.pk), zone
            ),
        )
        if status == 200:
            messages.success(request, _("“%(name)s” was saved.") % {"name": task.name})
            return redirect(_edit_url(scope, task))
    context = _context(scope, form=form, task=task, editor=editor, **_assignments_context(scope, task))
    if editor:
        context.update(_links_context(scope, task))
    return render_page(request, "web/planning/forms/task_form.html", context, status=status)


@project_view
def task_delete(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Delete a task with its subtasks and links, after confirming."""
    task = queries.access_task(scope.viewer, scope.project, pk)
    _require_plan_editor(scope)
    error, status = "", 200
    if request.method == "POST":
        try:
            version: int | None = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        _done, error, status = attempt(
            lambda: services.do_delete_task(task, version=version, actor=scope.user)
        )
        if status == 200:
            messages.success(request, _("“%(name)s” was deleted from the plan.") % {"name": task.name})
            return redirect(_list_url(scope))
        if status == 409:
            task = queries.access_task(scope.viewer, scope.project, task.pk)
    subtasks = queries.plan_of(scope.viewer, scope.project).filter(outline_key__startswith=task.outline_key)
    return render_page(
        request,
        "web/planning/forms/task_delete.html",
        _context(scope, task=task, error=error, subtasks=max(subtasks.count() - 1, 0)),
        status=status,
    )


# ---------------------------------------------------------------- links


@project_view
@require_POST
def link_create(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Add a predecessor to a task; a link that would close a loop shows the tasks in the loop."""
    task = queries.access_task(scope.viewer, scope.project, pk)
    _require_plan_editor(scope)
    links = _links_context(scope, task)
    form = LinkForm(request.POST, tasks=links["link_candidates"])
    _link, status = submit_form(
        form,
        lambda: services.do_add_dependency(
            scope.project, successor_id=task.pk, actor=scope.user, **form.link_data()
        ),
        FORM_FIELD_OF,
    )
    if status == 200:
        messages.success(request, _("The link was added."))
        return redirect(_edit_url(scope, task) + "#links")
    links["link_form"] = form
    return _refused_link(request, scope, task, links)


def _refused_link(
    request: HttpRequest, scope: ProjectScope, task: Task, links: dict[str, Any]
) -> HttpResponse:
    """The task page again (400) with its links' forms as posted, so the errors show where they were typed."""
    return _refused(request, scope, task, {**links, **_assignments_context(scope, task)})


def _refused(
    request: HttpRequest, scope: ProjectScope, task: Task, sections: dict[str, Any], status: int = 400
) -> HttpResponse:
    """The task page of a plan editor again (400 or 409) with one section's forms as posted."""
    zone = scheduling.zone_of(scope.project)
    task_form = TaskForm(initial=TaskForm.initial_for(task, zone), **_form_kwargs(scope, task))
    sections = {**_links_context(scope, task), **sections}
    return render_page(
        request,
        "web/planning/forms/task_form.html",
        _context(scope, form=task_form, task=task, editor=True, **sections),
        status=status,
    )


def _task_and_link(scope: ProjectScope, pk: int, link_pk: int) -> tuple[Task, Dependency]:
    """A task and a link as the viewer sees them (404 otherwise), for a plan editor (403 otherwise)."""
    task = queries.access_task(scope.viewer, scope.project, pk)
    link = queries.access_dependency(scope.viewer, scope.project, link_pk)
    _require_plan_editor(scope)
    return task, link


@project_view
@require_POST
def link_edit(request: HttpRequest, scope: ProjectScope, pk: int, link_pk: int) -> HttpResponse:
    """Change the type and lag of one of a task's predecessor links in place; the plan is rescheduled."""
    task, link = _task_and_link(scope, pk, link_pk)
    if link.successor_id != task.pk:
        raise Http404(_("No such link."))
    form = LinkEditForm.for_link(link, request.POST)
    _link, status = submit_form(
        form,
        lambda: services.do_update_dependency(link, actor=scope.user, **form.link_changes()),
        FORM_FIELD_OF,
    )
    if status == 200:
        messages.success(request, _("The link was changed."))
        return redirect(_edit_url(scope, task) + "#links")
    return _refused_link(request, scope, task, _links_context(scope, task, edited=form))


@project_view
@require_POST
def link_remove(request: HttpRequest, scope: ProjectScope, pk: int, link_pk: int) -> HttpResponse:
    """Remove one of a task's predecessor links."""
    task, link = _task_and_link(scope, pk, link_pk)
    if link.successor_id != task.pk:
        return redirect(_edit_url(scope, task) + "#links")
    services.do_remove_dependency(link, actor=scope.user)
    messages.success(request, _("The link was removed."))
    return redirect(_edit_url(scope, task) + "#links")


# ---------------------------------------------------------------- assignments


def _assignments_context(
    scope: ProjectScope,
    task: Task,
    add_form: AssignmentForm | None = None,
    edited: AssignmentUnitsForm | None = None,
) -> dict[str, Any]:
    """The task's assignments (names only for a reader), and for a plan editor the forms to change them."""
    assignments = list(resource_queries.assignments_of(scope.viewer, scope.project, task_id=task.pk))
    context: dict[str, Any] = {"assignments": assignments, "can_assign": False}
    if task.is_summary or not _can_edit_plan(scope):
        return context
    for assignment in assignments:
        assignment.work_days = to_days(assignment.work_minutes)  # type: ignore[attr-defined]
        posted = edited is not None and edited.prefix == f"assignment-{assignment.pk}"
        assignment.units_form = (  # type: ignore[attr-defined]
            edited if posted else AssignmentUnitsForm.for_assignment(assignment)
        )
    taken = {a.resource_id for a in assignments}
    choices = [r for r in resource_queries.assignable_resources(scope.project) if r.pk not in taken]
    context.update(can_assign=True, assignment_form=add_form or AssignmentForm(resources=choices))
    return context


def work_at_units(task: Task, units: int) -> int:
    """The work of an assignment: the task's duration at the assignment's units."""
    return task.duration_minutes * units // 100


def submit_assignment(scope: ProjectScope, task: Task, form: AssignmentForm) -> tuple[Assignment | None, int]:
    """Assign the form's resource to ``task`` at the form's units (work follows the task's duration).

    The task page and the compact dialog of the task list and the Gantt share it: the saved
    assignment and 200, or None and the status of the refusal with the errors on the form.
    """

    def assign() -> Assignment:
        units = form.cleaned_data["units"]
        return resource_services.do_assign(
            scope.project,
            actor=scope.user,
            task_id=task.pk,
            resource_id=form.cleaned_data["resource"],
            units=units,
            work_minutes=work_at_units(task, units),
        )

    return submit_form(form, assign, FORM_FIELD_OF)


def _assignments_url(scope: ProjectScope, task: Task) -> str:
    return _edit_url(scope, task) + "#assignments"


@project_view
@require_POST
def assignment_create(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Assign a resource of the project's organizations to a task (plan editors)."""
    task = queries.access_task(scope.viewer, scope.project, pk)
    _require_plan_editor(scope)
    form = AssignmentForm(request.POST, resources=list(resource_queries.assignable_resources(scope.project)))
    assignment, status = submit_assignment(scope, task, form)
    if assignment is not None and status == 200:
        messages.success(request, _("%(name)s was assigned.") % {"name": assignment.resource.name})
        return redirect(_assignments_url(scope, task))
    return _refused(request, scope, task, _assignments_context(scope, task, add_form=form), status)


def _task_and_assignment(scope: ProjectScope, pk: int, assignment_pk: int) -> tuple[Task, Assignment]:
    """A task and one of its assignments as the viewer sees them (404 otherwise), for a plan editor."""
    task = queries.access_task(scope.viewer, scope.project, pk)
    assignment = resource_queries.access_assignment(scope.viewer, scope.project, assignment_pk)
    if assignment.task_id != task.pk:
        raise Http404(_("No such assignment."))
    _require_plan_editor(scope)
    return task, assignment


@project_view
@require_POST
def assignment_edit(request: HttpRequest, scope: ProjectScope, pk: int, assignment_pk: int) -> HttpResponse:
    """Change an assignment's units in place based on the version read; its work follows."""
    task, assignment = _task_and_assignment(scope, pk, assignment_pk)
    form = AssignmentUnitsForm.for_assignment(assignment, request.POST)

    def update() -> Assignment:
        units = form.cleaned_data["units"]
        return resource_services.do_update_assignment(
            assignment,
            version=form.cleaned_data["version"],
            actor=scope.user,
            units=units,
            work_minutes=work_at_units(task, units),
        )

    _saved, status = submit_form(form, update, FORM_FIELD_OF)
    if status == 200:
        messages.success(
            request, _("The units of %(name)s were changed.") % {"name": assignment.resource.name}
        )
        return redirect(_assignments_url(scope, task))
    return _refused(request, scope, task, _assignments_context(scope, task, edited=form), status)


@project_view
@require_POST
def assignment_remove(request: HttpRequest, scope: ProjectScope, pk: int, assignment_pk: int) -> HttpResponse:
    """Remove an assignment from a task based on the version read."""
    task, assignment = _task_and_assignment(scope, pk, assignment_pk)
    try:
        version: int | None = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    run_action(
        request,
        lambda: resource_services.do_unassign(assignment, version=version, actor=scope.user),
        _("%(name)s is no longer assigned.") % {"name": assignment.resource.name},
    )
    return redirect(_assignments_url(scope, task))


# ---------------------------------------------------------------- baselines


def _can_approve(scope: ProjectScope) -> bool:
    return not scope.preview and holds(scope.user, scope.project, DecisionKind.APPROVE_BASELINE)


@project_view
def baselines(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The saved baselines with the agreed one marked; plan editors save a new one (POST)."""
    can_save = _can_edit_plan(scope)
    form = BaselineForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not can_save:
            raise _denied()
        baseline, status = submit_form(
            form,
            lambda: services.do_save_baseline(
                scope.project,
                name=form.cleaned_data["name"],
                reason=form.cleaned_data["reason"],
                actor=scope.user,
            ),
            FORM_FIELD_OF,
        )
        if status == 200:
            messages.success(request, _("The baseline “%(name)s” was saved.") % {"name": baseline.name})
            return redirect("web:plan_baselines", code=scope.project.code)
    items = list(queries.baselines_of(scope.viewer, scope.project).order_by("-created_at", "-id"))
    agreed = queries.agreed_baseline(scope.viewer, scope.project)
    return render_page(
        request,
        "web/planning/forms/baselines.html",
        _context(
            scope,
            plan_view="baselines",
            baselines=items,
            agreed_id=agreed.pk if agreed else None,
            form=form,
            can_save=can_save,
            can_approve=_can_approve(scope),
            waiting_approval=any(
                b.approved_at is None and (agreed is None or b.created_at > agreed.created_at) for b in items
            ),
        ),
        status=status,
    )


@project_view
@require_POST
def baseline_approve(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Approve a baseline as the plan agreed (the decision right "approve baseline")."""
    baseline = queries.access_baseline(scope.viewer, scope.project, pk)
    if not _can_approve(scope):
        raise _denied()
    _approved, status = run_action(
        request,
        lambda: services.do_approve_baseline(baseline, actor=scope.user),
        _("“%(name)s” is now the plan we agreed.") % {"name": baseline.name},
    )
    back = back_to_inbox(request) if status == 200 else None
    return back or redirect("web:plan_baselines", code=scope.project.code)


def _days(minutes: int | None) -> Any:
    return None if minutes is None else round(minutes / MINUTES_PER_DAY, 1)


@project_view
def baseline_compare(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """The plan next to a baseline: start and finish variance of every visible task; slips flagged."""
    baseline = queries.access_baseline(scope.viewer, scope.project, pk)
    milestones_only = request.GET.get("only") == "milestones"
    rows = [
        {
            "v": v,
            "task": v.task,
            "start_days": _days(v.start_variance_minutes),
            "finish_days": _days(v.finish_variance_minutes),
        }
        for v in queries.compare_with_baseline(
            scope.viewer, scope.project, baseline, milestones_only=milestones_only
        )
    ]
    return render_page(
        request,
        "web/planning/forms/compare.html",
        _context(
            scope,
            plan_view="baselines",
            baseline=baseline,
            rows=rows,
            milestones_only=milestones_only,
            slipped=sum(1 for r in rows if r["v"].slipped),
            removed=queries.removed_since_baseline(
                scope.viewer, scope.project, baseline, milestones_only=milestones_only
            ),
        ),
    )
