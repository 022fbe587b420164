"""The registers: risks and their responses, issues, conflicts, client decisions, heat maps, files."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from tandem.api.auth import AUTH, actor
from tandem.api.pagination import paged
from tandem.api.risks_schemas import (
    ClientDecisionIn,
    ClientDecisionOut,
    ClientDecisionPatchIn,
    ConflictIn,
    ConflictOut,
    ConflictPatchIn,
    DecideIn,
    DelayImpactOut,
    HeatMapOut,
    ImportOut,
    IssueIn,
    IssueOut,
    IssuePatchIn,
    OccurredIn,
    OverviewOut,
    RiskActionIn,
    RiskActionOut,
    RiskActionPatchIn,
    RiskActionTaskIn,
    RiskIn,
    RiskOut,
    RiskPatchIn,
    RiskSettingsIn,
    RiskSettingsOut,
    ScoreOut,
)
from tandem.api.routers.common import caller_and_project, payload_data
from tandem.api.schemas import VersionIn
from tandem.projects.models import Project
from tandem.risks import interop, permissions, queries, services
from tandem.risks.models import ClientDecision, Conflict, Issue, Risk, RiskAction, RiskScore, RiskSettings

#: The documented body of an upload: one file, the multipart field ``file``.
UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        }
    },
}

router = Router(tags=["risks"], auth=AUTH)


# ---------------------------------------------------------------- heat maps and lists across projects


class HeatMapFilters(Schema):
    """Which scores the heat map counts."""

    inherent: bool = False


@router.get("/risks/heatmap", response=HeatMapOut, summary="Heat map across the caller's projects")
def portfolio_heat_map(request: HttpRequest, filters: Query[HeatMapFilters]) -> dict[str, Any]:
    """Active risks of every project the caller belongs to, by probability × impact."""
    return queries.heat_map(actor(request), inherent=filters.inherent)


@router.get("/decisions/waiting", response=list[ClientDecisionOut], summary="Decisions waiting for me")
@paged
def decisions_waiting(request: HttpRequest) -> QuerySet[ClientDecision]:
    """Open decisions across the caller's projects that the caller may take, soonest due first."""
    return queries.decisions_waiting_for(actor(request))


# ---------------------------------------------------------------- risks


class RiskFilters(Schema):
    """Filters of the risk list."""

    status: str = ""
    category: str = ""
    level: str = ""
    owner_id: int | None = None
    search: str = ""


@router.get("/projects/{code}/risks", response=list[RiskOut], summary="The risk register")
@paged
def list_risks(request: HttpRequest, code: str, filters: Query[RiskFilters]) -> QuerySet[Risk]:
    """The risks the caller may see, highest score first."""
    user, project = caller_and_project(request, code)
    return queries.with_tasks(user, queries.risks_of(user, project, **filters.model_dump()))


@router.post("/projects/{code}/risks", response={201: RiskOut}, summary="Add a risk")
def add_risk(request: HttpRequest, code: str, payload: RiskIn) -> Status[Risk]:
    """Add a risk (the client's PM and sponsor may raise one, always shared)."""
    user, project = caller_and_project(request, code)
    risk = services.do_add_risk(project, actor=user, **payload_data(payload))
    return Status(201, queries.access_risk(user, project, risk.pk))


@router.get("/projects/{code}/risks/heatmap", response=HeatMapOut, summary="The project's heat map")
def project_heat_map(request: HttpRequest, code: str, filters: Query[HeatMapFilters]) -> dict[str, Any]:
    """Active risks of the project by probability × impact."""
    user, project = caller_and_project(request, code)
    return queries.heat_map(user, Project.objects.filter(pk=project.pk), inherent=filters.inherent)


@router.get("/projects/{code}/risk-overview", response=OverviewOut, summary="What needs attention")
def risk_overview(request: HttpRequest, code: str) -> Any:
    """Top risks, risks due for review, overdue actions, counts by level, inherent versus residual."""
    user, project = caller_and_project(request, code)
    return queries.risk_overview(user, project)


@router.get("/projects/{code}/risk-settings", response=RiskSettingsOut, summary="Risk level thresholds")
def get_risk_settings(request: HttpRequest, code: str) -> RiskSettings:
    """The thresholds from score to level."""
    _user, project = caller_and_project(request, code)
    return services.settings_for(project)


@router.put("/projects/{code}/risk-settings", response=RiskSettingsOut, summary="Change the thresholds")
def update_risk_settings(request: HttpRequest, code: str, payload: RiskSettingsIn) -> RiskSettings:
    """Change the thresholds (version 0 for the first change)."""
    user, project = caller_and_project(request, code)
    return services.do_update_risk_settings(
        project, actor=user, version=payload.version, **payload_data(payload, "version")
    )


def _risk(request: HttpRequest, code: str, risk_id: int) -> tuple[Any, Project, Risk]:
    user, project = caller_and_project(request, code)
    return user, project, queries.access_risk(user, project, risk_id)


@router.get("/projects/{code}/risks/{risk_id}", response=RiskOut, summary="A risk")
def get_risk(request: HttpRequest, code: str, risk_id: int) -> Risk:
    """One risk the caller may see."""
    return _risk(request, code, risk_id)[2]


@router.patch("/projects/{code}/risks/{risk_id}", response=RiskOut, summary="Change a risk")
def update_risk(request: HttpRequest, code: str, risk_id: int, payload: RiskPatchIn) -> Risk:
    """Change a risk based on the version read; closing it needs the "close risk" right."""
    user, project, risk = _risk(request, code, risk_id)
    services.do_update_risk(risk, version=payload.version, actor=user, **payload_data(payload, "version"))
    return queries.access_risk(user, project, risk.pk)


@router.delete("/projects/{code}/risks/{risk_id}", response={204: None}, summary="Remove a risk")
def delete_risk(request: HttpRequest, code: str, risk_id: int, version: int | None = None) -> Status[None]:
    """Remove a risk (``?version=`` the caller read)."""
    user, _p, risk = _risk(request, code, risk_id)
    services.do_delete_risk(risk, version=version, actor=user)
    return Status(204, None)


@router.post("/projects/{code}/risks/{risk_id}/close", response=RiskOut, summary="Close a risk")
def close_risk(request: HttpRequest, code: str, risk_id: int, payload: VersionIn) -> Risk:
    """Close a risk (needs the "close risk" decision right)."""
    user, project, risk = _risk(request, code, risk_id)
    services.do_close_risk(risk, version=payload.version, actor=user)
    return queries.access_risk(user, project, risk.pk)


@router.post("/projects/{code}/risks/{risk_id}/occurred", response={201: IssueOut}, summary="A risk occurred")
def risk_occurred(request: HttpRequest, code: str, risk_id: int, payload: OccurredIn) -> Status[Issue]:
    """The risk happened: it becomes an issue that keeps the link."""
    user, project, risk = _risk(request, code, risk_id)
    issue = services.do_mark_risk_occurred(
        risk, version=payload.version, actor=user, **payload_data(payload, "version")
    )
    return Status(201, queries.access_issue(user, project, issue.pk))


@router.get("/projects/{code}/risks/{risk_id}/history", response=list[ScoreOut], summary="Score history")
def risk_history(request: HttpRequest, code: str, risk_id: int) -> QuerySet[RiskScore]:
    """The risk's scores over time, oldest first."""
    user, _p, risk = _risk(request, code, risk_id)
    return queries.history_of(user, risk)


@router.get(
    "/projects/{code}/risks/{risk_id}/actions", response=list[RiskActionOut], summary="Response actions"
)
def list_actions(request: HttpRequest, code: str, risk_id: int) -> QuerySet[RiskAction]:
    """The risk's response plan."""
    user, project, risk = _risk(request, code, risk_id)
    return queries.actions_of(user, project, risk=risk)


@router.post(
    "/projects/{code}/risks/{risk_id}/actions", response={201: RiskActionOut}, summary="Add a response action"
)
def add_action(request: HttpRequest, code: str, risk_id: int, payload: RiskActionIn) -> Status[RiskAction]:
    """Add a step to the risk's response plan."""
    user, project, risk = _risk(request, code, risk_id)
    action = services.do_add_risk_action(risk, actor=user, **payload_data(payload))
    return Status(201, queries.access_action(user, project, action.pk))


def _action(request: HttpRequest, code: str, action_id: int) -> tuple[Any, Project, RiskAction]:
    user, project = caller_and_project(request, code)
    return user, project, queries.access_action(user, project, action_id)


@router.patch("/projects/{code}/risk-actions/{action_id}", response=RiskActionOut, summary="Change an action")
def update_action(request: HttpRequest, code: str, action_id: int, payload: RiskActionPatchIn) -> RiskAction:
    """Change a response action (its owner may tick it done)."""
    user, project, action = _action(request, code, action_id)
    services.do_update_risk_action(
        action, version=payload.version, actor=user, **payload_data(payload, "version")
    )
    return queries.access_action(user, project, action.pk)


@router.delete("/projects/{code}/risk-actions/{action_id}", response={204: None}, summary="Remove an action")
def delete_action(
    request: HttpRequest, code: str, action_id: int, version: int | None = None
) -> Status[None]:
    """Remove a response action (``?version=`` the caller read)."""
    user, _p, action = _action(request, code, action_id)
    services.do_delete_risk_action(action, version=version, actor=user)
    return Status(204, None)


@router.post(
    "/projects/{code}/risk-actions/{action_id}/task",
    response=RiskActionOut,
    summary="Make an action a plan task",
)
def action_to_task(request: HttpRequest, code: str, action_id: int, payload: RiskActionTaskIn) -> RiskAction:
    """Add the action to the plan as a task and link them (needs the right to edit the plan)."""
    user, project, action = _action(request, code, action_id)
    services.do_make_action_a_task(
        action, version=payload.version, actor=user, duration_minutes=payload.duration_minutes
    )
    return queries.access_action(user, project, action.pk)


# ---------------------------------------------------------------- issues


class IssueFilters(Schema):
    """Filters of the issue log."""

    status: str = ""
    severity: str = ""


@router.get("/projects/{code}/issues", response=list[IssueOut], summary="The issue log")
@paged
def list_issues(request: HttpRequest, code: str, filters: Query[IssueFilters]) -> QuerySet[Issue]:
    """The issues the caller may see, newest first."""
    user, project = caller_and_project(request, code)
    return queries.issues_of(user, project, **filters.model_dump())


@router.post("/projects/{code}/issues", response={201: IssueOut}, summary="Log an issue")
def add_issue(request: HttpRequest, code: str, payload: IssueIn) -> Status[Issue]:
    """Log an issue (the client's PM and sponsor may raise one, always shared)."""
    user, project = caller_and_project(request, code)
    issue = services.do_add_issue(project, actor=user, **payload_data(payload))
    return Status(201, queries.access_issue(user, project, issue.pk))


@router.get("/projects/{code}/issues/{issue_id}", response=IssueOut, summary="An issue")
def get_issue(request: HttpRequest, code: str, issue_id: int) -> Issue:
    """One issue the caller may see."""
    user, project = caller_and_project(request, code)
    return queries.access_issue(user, project, issue_id)


@router.patch("/projects/{code}/issues/{issue_id}", response=IssueOut, summary="Change an issue")
def update_issue(request: HttpRequest, code: str, issue_id: int, payload: IssuePatchIn) -> Issue:
    """Change an issue based on the version read."""
    user, project = caller_and_project(request, code)
    issue = queries.access_issue(user, project, issue_id)
    services.do_update_issue(issue, version=payload.version, actor=user, **payload_data(payload, "version"))
    return queries.access_issue(user, project, issue_id)


@router.delete("/projects/{code}/issues/{issue_id}", response={204: None}, summary="Remove an issue")
def delete_issue(request: HttpRequest, code: str, issue_id: int, version: int | None = None) -> Status[None]:
    """Remove an issue (``?version=`` the caller read)."""
    user, project = caller_and_project(request, code)
    services.do_delete_issue(queries.access_issue(user, project, issue_id), version=version, actor=user)
    return Status(204, None)


# ---------------------------------------------------------------- conflicts


@router.get("/projects/{code}/conflicts", response=list[ConflictOut], summary="The conflict log")
@paged
def list_conflicts(request: HttpRequest, code: str, status: str = "") -> QuerySet[Conflict]:
    """The conflicts the caller may see (the client: shared ones only)."""
    user, project = caller_and_project(request, code)
    return queries.conflicts_of(user, project, status=status)


@router.post("/projects/{code}/conflicts", response={201: ConflictOut}, summary="Log a conflict")
def add_conflict(request: HttpRequest, code: str, payload: ConflictIn) -> Status[Conflict]:
    """Log a conflict (internal unless shared)."""
    user, project = caller_and_project(request, code)
    conflict = services.do_add_conflict(project, actor=user, **payload_data(payload))
    return Status(201, queries.access_conflict(user, project, conflict.pk))


@router.get("/projects/{code}/conflicts/{conflict_id}", response=ConflictOut, summary="A conflict")
def get_conflict(request: HttpRequest, code: str, conflict_id: int) -> Conflict:
    """One conflict the caller may see."""
    user, project = caller_and_project(request, code)
    return queries.access_conflict(user, project, conflict_id)


@router.patch("/projects/{code}/conflicts/{conflict_id}", response=ConflictOut, summary="Change a conflict")
def update_conflict(request: HttpRequest, code: str, conflict_id: int, payload: ConflictPatchIn) -> Conflict:
    """Change a conflict based on the version read."""
    user, project = caller_and_project(request, code)
    conflict = queries.access_conflict(user, project, conflict_id)
    services.do_update_conflict(
        conflict, version=payload.version, actor=user, **payload_data(payload, "version")
    )
    return queries.access_conflict(user, project, conflict_id)


@router.delete("/projects/{code}/conflicts/{conflict_id}", response={204: None}, summary="Remove a conflict")
def delete_conflict(
    request: HttpRequest, code: str, conflict_id: int, version: int | None = None
) -> Status[None]:
    """Remove a conflict (``?version=`` the caller read)."""
    user, project = caller_and_project(request, code)
    services.do_delete_conflict(
        queries.access_conflict(user, project, conflict_id), version=version, actor=user
    )
    return Status(204, None)


# ---------------------------------------------------------------- client decisions


@router.get(
    "/projects/{code}/decisions", response=list[ClientDecisionOut], summary="The client decision register"
)
@paged
def list_decisions(request: HttpRequest, code: str, status: str = "") -> QuerySet[ClientDecision]:
    """The decisions the caller may see, soonest due first (``?status=overdue`` for open ones past due)."""
    user, project = caller_and_project(request, code)
    return queries.decisions_of(user, project, status=status)


@router.post(
    "/projects/{code}/decisions", response={201: ClientDecisionOut}, summary="Ask the client to decide"
)
def add_decision(request: HttpRequest, code: str, payload: ClientDecisionIn) -> Status[ClientDecision]:
    """Add a decision: question, options, recommendation, who decides (a client member or a right), when."""
    user, project = caller_and_project(request, code)
    decision = services.do_add_decision(project, actor=user, **payload_data(payload))
    return Status(201, queries.access_decision(user, project, decision.pk))


def _decision(request: HttpRequest, code: str, decision_id: int) -> tuple[Any, Project, ClientDecision]:
    user, project = caller_and_project(request, code)
    return user, project, queries.access_decision(user, project, decision_id)


@router.get("/projects/{code}/decisions/{decision_id}", response=ClientDecisionOut, summary="A decision")
def get_decision(request: HttpRequest, code: str, decision_id: int) -> ClientDecision:
    """One decision the caller may see."""
    return _decision(request, code, decision_id)[2]


@router.patch(
    "/projects/{code}/decisions/{decision_id}", response=ClientDecisionOut, summary="Change a decision"
)
def update_decision(
    request: HttpRequest, code: str, decision_id: int, payload: ClientDecisionPatchIn
) -> ClientDecision:
    """Change an open decision based on the version read."""
    user, project, decision = _decision(request, code, decision_id)
    services.do_update_decision(
        decision, version=payload.version, actor=user, **payload_data(payload, "version")
    )
    return queries.access_decision(user, project, decision_id)


@router.delete("/projects/{code}/decisions/{decision_id}", response={204: None}, summary="Remove a decision")
def delete_decision(
    request: HttpRequest, code: str, decision_id: int, version: int | None = None
) -> Status[None]:
    """Remove a decision (``?version=`` the caller read)."""
    user, _p, decision = _decision(request, code, decision_id)
    services.do_delete_decision(decision, version=version, actor=user)
    return Status(204, None)


@router.post("/projects/{code}/decisions/{decision_id}/decide", response=ClientDecisionOut, summary="Decide")
def decide(request: HttpRequest, code: str, decision_id: int, payload: DecideIn) -> ClientDecision:
    """Take the decision (the named member, or a holder of the named decision right)."""
    user, project, decision = _decision(request, code, decision_id)
    services.do_decide(
        decision, version=payload.version, actor=user, outcome=payload.outcome, rationale=payload.rationale
    )
    return queries.access_decision(user, project, decision_id)


@router.post(
    "/projects/{code}/decisions/{decision_id}/withdraw",
    response=ClientDecisionOut,
    summary="Withdraw a decision",
)
def withdraw(request: HttpRequest, code: str, decision_id: int, payload: VersionIn) -> ClientDecision:
    """Withdraw an open decision the project no longer needs."""
    user, project, decision = _decision(request, code, decision_id)
    services.do_withdraw_decision(decision, version=payload.version, actor=user)
    return queries.access_decision(user, project, decision_id)


@router.get(
    "/projects/{code}/decisions/{decision_id}/impact",
    response=DelayImpactOut,
    summary="Slip per day of delay",
)
def decision_impact(request: HttpRequest, code: str, decision_id: int) -> Any:
    """How far the blocked tasks and the milestones slip for each working day the decision waits."""
    user, _p, decision = _decision(request, code, decision_id)
    return queries.decision_delay_impact(user, decision)


# ---------------------------------------------------------------- files


def _register(register: str) -> str:
    if register not in interop.REGISTERS:
        raise Http404(_("No such register."))
    return register


@router.get("/projects/{code}/registers/{kind}.csv", summary="A register as CSV")
def export_csv(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    """``risks``, ``issues``, ``conflicts`` or ``decisions`` as CSV, headers in the project's language."""
    user, project = caller_and_project(request, code)
    text = interop.export_csv(user, project, _register(kind))
    response = HttpResponse(("\ufeff" + text).encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{project.code}-{kind}.csv"'
    return response


@router.get("/projects/{code}/registers/{kind}.xlsx", summary="A register as Excel")
def export_xlsx(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    """The register as an Excel workbook."""
    user, project = caller_and_project(request, code)
    data = interop.export_xlsx(user, project, _register(kind))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{project.code}-{kind}.xlsx"'
    return response


@router.post(
    "/projects/{code}/registers/{kind}/import",
    response={201: ImportOut},
    summary="Import a register",
    # Read from request.FILES rather than a File parameter so that a caller without the right to
    # edit hears 403 before a missing file is reported; the document still names the upload.
    openapi_extra={"requestBody": UPLOAD_BODY},
)
def import_register(request: HttpRequest, code: str, kind: str) -> Status[dict[str, int]]:
    """Add the rows of an uploaded CSV or Excel file (multipart field ``file``): all rows or none.

    Errors name the row and column (``row 3: probability``).
    """
    user, project = caller_and_project(request, code)
    register = _register(kind)
    permissions.require_edit(user, project)
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationError({"file": [_("Upload a .csv or .xlsx file.")]})
    data = upload.read(interop.MAX_IMPORT_BYTES + 1)
    added = interop.import_register(project, register, data, upload.name or "", actor=user)
    return Status(201, {"added": added})
