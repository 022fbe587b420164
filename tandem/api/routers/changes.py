"""Change requests: propose, express as sandbox plan edits, compute the impact, submit, decide, the log."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from tandem.accounts.models import User
from tandem.api.auth import AUTH, actor
from tandem.api.changes_schemas import (
    ChangeDecisionIn,
    ChangeDetailOut,
    ChangeImpactOut,
    ChangeIn,
    ChangeLogOut,
    ChangeOut,
    ChangePatchIn,
    ChangeSettingsIn,
    ChangeSettingsOut,
    ChangeStepIn,
    EditIn,
    EditOut,
    EditPatchIn,
    ScopeOut,
)
from tandem.api.pagination import paged
from tandem.changes import queries, services
from tandem.changes.models import ChangeRequest, SandboxEdit
from tandem.planning.models import Task
from tandem.projects import queries as project_queries
from tandem.projects.models import Deliverable, Project
from tandem.requirements.models import Requirement

router = Router(tags=["changes"], auth=AUTH)


def _change(request: HttpRequest, code: str, ref: str) -> tuple[User, Project, ChangeRequest]:
    user = actor(request)
    project = project_queries.access_project(user, code)
    return user, project, queries.access_change(user, project, ref)


def detail(user: User, project: Project, change: ChangeRequest) -> dict[str, Any]:
    """A request with everything the caller may read of it."""
    change = queries.access_change(user, project, change.pk)
    return {
        **{f: getattr(change, f) for f in ChangeOut.model_fields if f not in ("proposer",)},
        "proposer": change.proposer,
        "affected_task_ids": list(
            Task.objects.visible_to(user).filter(change_requests=change).values_list("id", flat=True)
        ),
        "affected_deliverable_ids": list(
            Deliverable.objects.visible_to(user).filter(change_requests=change).values_list("id", flat=True)
        ),
        "affected_requirement_ids": list(
            Requirement.objects.visible_to(user).filter(change_requests=change).values_list("id", flat=True)
        ),
        "edits": list(queries.edits_of(user, change)) if queries.team_view(user, project) else [],
        "impact": queries.impact_for(user, project, queries.latest_impact(change)),
        "frozen_impact": queries.impact_for(user, project, change.frozen_impact),
        "decisions": list(queries.decisions_of(change)),
        "history": list(queries.history_of(change)),
        "approval_rule": queries.settings_of(project).approval_rule,
        "pending_approvers": services.pending_approvers(change) if change.status == "awaiting" else [],
    }


@router.get("/projects/{code}/changes", response=list[ChangeOut], summary="Change requests")
@paged
def list_changes(
    request: HttpRequest, code: str, status: str = "", search: str = ""
) -> QuerySet[ChangeRequest]:
    """The project's change requests the caller may see, newest first."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    return queries.changes_of(user, project, status=status, search=search)


@router.post("/projects/{code}/changes", response={201: ChangeDetailOut}, summary="Propose a change")
def propose_change(request: HttpRequest, code: str, payload: ChangeIn) -> Status[dict[str, Any]]:
    """Propose a change (the client too): what and why, urgency, dates and affected rows."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    data = payload.model_dump(exclude_none=True)
    change = services.do_propose_change(project, actor=user, **data)
    return Status(201, detail(user, project, change))


@router.get("/projects/{code}/changes/{ref}", response=ChangeDetailOut, summary="A change request")
def get_change(request: HttpRequest, code: str, ref: str) -> dict[str, Any]:
    """A request (by code, CR-001, or id) with its edits, impact, decisions and history."""
    user, project, change = _change(request, code, ref)
    return detail(user, project, change)


@router.patch("/projects/{code}/changes/{ref}", response=ChangeDetailOut, summary="Change a change request")
def update_change(request: HttpRequest, code: str, ref: str, payload: ChangePatchIn) -> dict[str, Any]:
    """Change the request's text, dates or affected rows while it is open (409 on a stale version)."""
    user, project, change = _change(request, code, ref)
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    return detail(
        user, project, services.do_update_change(change, actor=user, version=payload.version, **data)
    )


@router.post("/projects/{code}/changes/{ref}/withdraw", response=ChangeDetailOut, summary="Withdraw")
def withdraw_change(request: HttpRequest, code: str, ref: str, payload: ChangeStepIn) -> dict[str, Any]:
    """Withdraw a request that is not decided yet."""
    user, project, change = _change(request, code, ref)
    done = services.do_withdraw_change(change, actor=user, version=payload.version, reason=payload.reason)
    return detail(user, project, done)


@router.get("/projects/{code}/changes/{ref}/edits", response=list[EditOut], summary="Sandbox edits")
def list_edits(request: HttpRequest, code: str, ref: str) -> QuerySet[SandboxEdit]:
    """The request's plan edits, in order (the team's; a client reads the impact instead)."""
    user, project, change = _change(request, code, ref)
    if not queries.team_view(user, project):
        return SandboxEdit.objects.none()
    return queries.edits_of(user, change)


@router.post("/projects/{code}/changes/{ref}/edits", response={201: EditOut}, summary="Add a sandbox edit")
def add_edit(request: HttpRequest, code: str, ref: str, payload: EditIn) -> Status[SandboxEdit]:
    """Add a plan edit to the sandbox (plan editors); the plan itself does not change."""
    user, _project, change = _change(request, code, ref)
    edit = services.do_add_edit(
        change,
        actor=user,
        kind=payload.kind,
        payload=payload.payload,
        effort_minutes=payload.effort_minutes,
        cost=payload.cost,
    )
    return Status(201, edit)


@router.patch("/projects/{code}/changes/{ref}/edits/{edit_id}", response=EditOut, summary="Change an edit")
def update_edit(request: HttpRequest, code: str, ref: str, edit_id: int, payload: EditPatchIn) -> SandboxEdit:
    """Change a sandbox edit's details, effort or price."""
    user, _project, change = _change(request, code, ref)
    edit = queries.access_edit(user, change, edit_id)
    fields = payload.model_dump(exclude_unset=True)
    return services.do_update_edit(
        edit,
        actor=user,
        payload=fields.get("payload"),
        effort_minutes=fields.get("effort_minutes", ...),
        cost=fields.get("cost", ...),
    )


@router.delete(
    "/projects/{code}/changes/{ref}/edits/{edit_id}", response={204: None}, summary="Remove an edit"
)
def delete_edit(request: HttpRequest, code: str, ref: str, edit_id: int) -> Status[None]:
    """Remove a sandbox edit (and links naming the task it adds)."""
    user, _project, change = _change(request, code, ref)
    services.do_delete_edit(queries.access_edit(user, change, edit_id), actor=user)
    return Status(204, None)


@router.post(
    "/projects/{code}/changes/{ref}/impact", response={201: ChangeImpactOut}, summary="Compute the impact"
)
def compute_impact(request: HttpRequest, code: str, ref: str) -> Status[dict[str, Any]]:
    """Schedule the plan with the sandbox edits and compare it with the plan and the agreed baseline."""
    user, project, change = _change(request, code, ref)
    found = services.do_compute_impact(change, actor=user)
    return Status(201, {"data": queries.impact_for(user, project, found)})


@router.get("/projects/{code}/changes/{ref}/impact", response=ChangeImpactOut, summary="The latest impact")
def get_impact(request: HttpRequest, code: str, ref: str) -> dict[str, Any]:
    """The latest impact computed, as the caller may read it (the detail also holds the frozen one)."""
    user, project, change = _change(request, code, ref)
    data = queries.impact_for(user, project, queries.latest_impact(change))
    if data is None:
        raise Http404(_("No impact has been computed yet."))
    return {"data": data}


@router.post("/projects/{code}/changes/{ref}/submit", response=ChangeDetailOut, summary="Submit for decision")
def submit_change(request: HttpRequest, code: str, ref: str, payload: ChangeStepIn) -> dict[str, Any]:
    """Freeze the latest impact and ask the approvers (409 when the plan changed: recomputed, review it)."""
    user, project, change = _change(request, code, ref)
    return detail(user, project, services.do_submit_change(change, actor=user, version=payload.version))


@router.post("/projects/{code}/changes/{ref}/decisions", response=ChangeDetailOut, summary="Decide")
def decide_change(request: HttpRequest, code: str, ref: str, payload: ChangeDecisionIn) -> dict[str, Any]:
    """Approve, reject or ask for more information ("approve change" holders); the final approval applies."""
    user, project, change = _change(request, code, ref)
    decided = services.do_decide_change(
        change, actor=user, version=payload.version, outcome=payload.outcome, comment=payload.comment
    )
    return detail(user, project, decided)


@router.get("/projects/{code}/change-log", response=ChangeLogOut, summary="The change log")
def change_log(request: HttpRequest, code: str) -> dict[str, Any]:
    """Every request the caller may see with its history, frozen impact and decisions; the scope added."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    rows = [
        {
            "code": c.code,
            "title": c.title,
            "status": c.status,
            "proposer": c.proposer,
            "frozen_impact": queries.impact_for(user, project, c.frozen_impact),
            "decisions": list(c.decisions.all()),
            "history": list(c.history.all()),
        }
        for c in queries.change_log(user, project)
    ]
    return {"scope": queries.cumulative_scope(user, project), "changes": rows}


@router.get("/projects/{code}/change-scope", response=ScopeOut, summary="Scope added by approved changes")
def change_scope(request: HttpRequest, code: str) -> queries.ScopeChange:
    """Days, effort and money added by applied changes since the charter was confirmed."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    return queries.cumulative_scope(user, project)


@router.get("/projects/{code}/change-settings", response=ChangeSettingsOut, summary="Change settings")
def get_settings(request: HttpRequest, code: str) -> dict[str, Any]:
    """The approval rule; the internal day rate for the team only."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    row = queries.settings_of(project)
    return {
        "approval_rule": row.approval_rule,
        "day_rate": row.day_rate if queries.team_view(user, project) else None,
    }


@router.put("/projects/{code}/change-settings", response=ChangeSettingsOut, summary="Set change settings")
def put_settings(request: HttpRequest, code: str, payload: ChangeSettingsIn) -> dict[str, Any]:
    """Set the approval rule (all approvers or any one) and the internal day rate (the project manager)."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    row = services.do_update_change_settings(project, actor=user, **payload.model_dump(exclude_unset=True))
    return {"approval_rule": row.approval_rule, "day_rate": row.day_rate}
