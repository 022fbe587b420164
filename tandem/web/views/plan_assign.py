"""Assigning from the task list and the Gantt: a compact dialog per task that works without JavaScript.

The task list and the Gantt link each row to this page (plan editors only); it lists who already
works on the task and assigns one more resource through the same service as the task page, then
returns to where the editor came from (``back``: a page of this project's plan, nothing else).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from tandem.planning import queries
from tandem.planning.models import Task
from tandem.resources import permissions as resource_permissions
from tandem.resources import queries as resource_queries
from tandem.web.planning_forms import to_days
from tandem.web.resources_forms import AssignmentForm
from tandem.web.views.base import ProjectScope, project_view, render_page
from tandem.web.views.planning_forms import submit_assignment


def _may_assign(scope: ProjectScope) -> bool:
    """Whoever edits the plan assigns (never in the client preview, which is read-only)."""
    return not scope.preview and resource_permissions.can_assign(scope.user, scope.project)


def _back(request: HttpRequest, scope: ProjectScope) -> str:
    """Where to return: ``back`` when it is a page of this project's plan, else the task list."""
    plan_root = reverse("web:plan", args=[scope.project.code])
    target = request.POST.get("back") or request.GET.get("back") or ""
    if target.startswith(plan_root) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return reverse("web:plan_list", args=[scope.project.code])


def _context(scope: ProjectScope, task: Task, back: str, form: AssignmentForm | None) -> dict[str, Any]:
    assignments = list(resource_queries.assignments_of(scope.viewer, scope.project, task_id=task.pk))
    for assignment in assignments:
        assignment.work_days = to_days(assignment.work_minutes)  # type: ignore[attr-defined]
    taken = {a.resource_id for a in assignments}
    choices = [r for r in resource_queries.assignable_resources(scope.project) if r.pk not in taken]
    return {
        "scope": scope,
        "project": scope.project,
        "plan_view": "list",
        "can_edit_plan": _may_assign(scope),
        "task": task,
        "assignments": assignments,
        "back": back,
        "has_choices": bool(choices),
        "assignment_form": form or AssignmentForm(resources=choices),
    }


@project_view
def task_assign(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """The compact assignment dialog of one task (GET) and the assignment it makes (POST)."""
    task = queries.access_task(scope.viewer, scope.project, pk)
    if not _may_assign(scope):
        raise PermissionDenied(_("Your role in this project does not allow this."))
    back = _back(request, scope)
    status = 200
    form = None
    if request.method == "POST" and not task.is_summary:
        form = AssignmentForm(
            request.POST, resources=list(resource_queries.assignable_resources(scope.project))
        )
        assignment, status = submit_assignment(scope, task, form)
        if assignment is not None and status == 200:
            messages.success(
                request,
                _("%(name)s was assigned to “%(task)s”.")
                % {"name": assignment.resource.name, "task": task.name},
            )
            return redirect(back)
    elif request.method == "POST":
        status = 400
    return render_page(request, "web/planning/assign.html", _context(scope, task, back, form), status=status)
