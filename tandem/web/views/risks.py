"""The registers' pages: risks (register, heat maps, detail with history and actions), issues, conflicts,
client decisions (with what waits for the reader and the slip per day of delay), CSV/Excel files.

Reads go through ``tandem.risks.queries`` with the scope's viewer, so a client (or a team member
previewing the client view) never receives an internal risk, conflict, decision or task: a direct
link to one answers 404. Writes call the same ``do_*`` services as the API with the version read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.projects.permissions import Action, can
from tandem.risks import interop, permissions, queries, services
from tandem.risks.choices import ACTIVE_RISK_STATUSES, DecisionStatus, RiskLevel
from tandem.risks.models import ClientDecision, Conflict, Issue, Risk, RiskSettings
from tandem.web.risks_forms import (
    ActionForm,
    ConflictForm,
    DecideForm,
    DecisionFilterForm,
    DecisionForm,
    ImportForm,
    IssueFilterForm,
    IssueForm,
    OccurredForm,
    RiskFilterForm,
    RiskForm,
    task_choices,
)
from tandem.web.views.base import (
    ProjectScope,
    apply_errors,
    back_to_inbox,
    flash_errors,
    project_view,
    render_page,
    require_allowed,
    submit_form,
)

PAGE_SIZE = 25
SORTS = {
    "": ("-score", "id"),
    "score": ("score", "id"),
    "review": ("next_review", "-score", "id"),
    "title": ("title", "id"),
}
#: The registers with files, and the page each one's import returns to.
REGISTER_NAMES = {
    "risks": "web:risks",
    "issues": "web:issues",
    "conflicts": "web:conflicts",
    "decisions": "web:client_decisions",
}


# ---------------------------------------------------------------- helpers


def _can_edit(scope: ProjectScope) -> bool:
    return not scope.preview and permissions.can_edit_registers(scope.user, scope.project)


def _can_raise(scope: ProjectScope) -> bool:
    return not scope.preview and permissions.can_raise(scope.user, scope.project)


def _context(scope: ProjectScope, **extra: Any) -> dict[str, Any]:
    return {
        "scope": scope,
        "project": scope.project,
        "can_edit": _can_edit(scope),
        "can_raise": _can_raise(scope),
        "zone": scope.project.time_zone,
        **extra,
    }


def _submit(
    form: forms.Form, call: Callable[[], Any], saved: Callable[[], dict[str, Any]] | None = None
) -> tuple[Any, int]:
    """``submit_form`` with a decision's ``outcome`` errors on the form's ``option`` field when it has no
    ``outcome``; ``saved`` re-reads the record's form values after a conflict."""
    return submit_form(
        form, call, {"outcome": "outcome" if "outcome" in form.fields else "option"}, saved=saved
    )


def _values(form_class: type[forms.Form], record: Any, **extra: Any) -> dict[str, Any]:
    """A form's values of a record as saved: its fields the record has, and ``extra``."""
    return {
        **{name: getattr(record, name) for name in form_class.base_fields if hasattr(record, name)},
        **extra,
    }


def _risk_values(risk: Risk) -> dict[str, Any]:
    return _values(
        RiskForm,
        risk,
        owner=str(risk.owner_id or ""),
        tasks=[str(t.pk) for t in risk.shown_tasks],  # type: ignore[attr-defined]
    )


def _issue_values(issue: Issue) -> dict[str, Any]:
    return _values(
        IssueForm,
        issue,
        owner=str(issue.owner_id or ""),
        risk=str(issue.risk_id or ""),
        tasks=[str(t.pk) for t in issue.shown_tasks],  # type: ignore[attr-defined]
    )


def _conflict_values(conflict: Conflict) -> dict[str, Any]:
    return _values(ConflictForm, conflict, people=[str(p.pk) for p in conflict.people.all()])


def _decision_values(decision: ClientDecision) -> dict[str, Any]:
    return _values(
        DecisionForm,
        decision,
        options="\n".join(decision.options or []),
        decider=str(decision.decider_id or ""),
        blocked_tasks=[str(t.pk) for t in decision.shown_tasks],  # type: ignore[attr-defined]
    )


def _grid(result: dict[str, Any], thresholds: RiskSettings) -> list[dict[str, Any]]:
    """Rows of the heat map, impact 5 at the top, each with its cells by probability 1–5."""
    rows = []
    for impact in range(5, 0, -1):
        cells = [
            {
                "probability": p,
                "impact": impact,
                "count": result["grid"][impact - 1][p - 1],
                "level": thresholds.level_of(p * impact),
            }
            for p in range(1, 6)
        ]
        rows.append({"impact": impact, "cells": cells})
    return rows


def _heat(user: Any, projects: Any, thresholds: RiskSettings, *, inherent: bool = False) -> dict[str, Any]:
    result = queries.heat_map(user, projects, inherent=inherent)
    return {"rows": _grid(result, thresholds), "total": result["total"], "basis": result["basis"]}


# ---------------------------------------------------------------- risks


@project_view
def risk_list(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The risk register: search, filters, sort, 25 to a page, level badges."""
    form = RiskFilterForm(request.GET)
    page, status = None, 200
    filtered = False
    if form.is_valid():
        data = form.cleaned_data
        qs = queries.risks_of(
            scope.viewer,
            scope.project,
            status=data["status"],
            category=data["category"],
            level=data["level"],
            search=data["q"],
        ).order_by(*SORTS[data["sort"] or ""])
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        filtered = any(data[k] for k in ("q", "status", "category", "level"))
    else:
        status = 400
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "web/risks/list.html",
        _context(scope, form=form, page=page, query=query.urlencode(), filtered=filtered),
        fragment="web/risks/_list_results.html",
        status=status,
    )


@project_view
def risk_overview(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The project's heat maps (residual and inherent), top risks, reviews due and overdue actions."""
    project = scope.project
    thresholds = services.settings_for(project)
    projects = type(project).objects.filter(pk=project.pk)
    overview = queries.risk_overview(scope.viewer, project)
    return render_page(
        request,
        "web/risks/overview.html",
        _context(
            scope,
            overview=overview,
            residual=_heat(scope.viewer, projects, thresholds),
            inherent=_heat(scope.viewer, projects, thresholds, inherent=True),
            levels=[(level.value, level.label, overview.by_level.get(level.value, 0)) for level in RiskLevel],
            thresholds=thresholds,
        ),
    )


@login_required
def portfolio_heat_map(request: HttpRequest) -> HttpResponse:
    """Active risks of all the reader's projects on one 5×5 map, with the highest ones listed."""
    user = request.user
    thresholds = RiskSettings()
    top = list(
        Risk.objects.visible_to(user)
        .filter(status__in=ACTIVE_RISK_STATUSES)
        .select_related("project")
        .order_by("-score", "id")[:10]
    )
    for risk in top:
        risk.level = thresholds.level_of(risk.score)  # type: ignore[attr-defined]
    return render_page(
        request,
        "web/risks/portfolio.html",
        {"heat": _heat(user, None, thresholds), "top": top, "thresholds": thresholds},
    )


def _risk_form(scope: ProjectScope, data: Any = None, **kwargs: Any) -> RiskForm:
    tasks = task_choices(scope.viewer, scope.project)
    return RiskForm(data, project=scope.project, team=scope.team, tasks=tasks, **kwargs)


@project_view
def risk_create(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Add a risk (the team; the client's PM and sponsor raise shared ones)."""
    require_allowed(_can_raise(scope))
    form = _risk_form(scope, request.POST or None)
    status = 200
    if request.method == "POST":
        risk, status = _submit(
            form,
            lambda: services.do_add_risk(scope.project, actor=scope.user, **form.data_for_service()),
        )
        if risk is not None:
            messages.success(request, _("The risk was added."))
            return redirect("web:risk_detail", code=scope.project.code, pk=risk.pk)
    return render_page(
        request, "web/risks/form.html", _context(scope, form=form, creating=True), status=status
    )


@project_view
def risk_edit(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Change a risk; a new probability or impact adds to its history."""
    risk = queries.access_risk(scope.viewer, scope.project, pk)
    require_allowed(_can_edit(scope))
    form = _risk_form(scope, request.POST or None, initial=_risk_values(risk))
    status = 200
    if request.method == "POST":
        saved, status = _submit(
            form,
            lambda: services.do_update_risk(
                risk, version=form.cleaned_data["version"], actor=scope.user, **form.data_for_service()
            ),
            lambda: _risk_values(queries.access_risk(scope.viewer, scope.project, pk)),
        )
        if saved is not None:
            messages.success(request, _("The risk was saved."))
            return redirect("web:risk_detail", code=scope.project.code, pk=risk.pk)
    return render_page(request, "web/risks/form.html", _context(scope, form=form, risk=risk), status=status)


@project_view
def risk_detail(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """A risk with its score history (the trend), its response actions and the issues it became."""
    risk = queries.access_risk(scope.viewer, scope.project, pk)
    history = list(queries.history_of(scope.viewer, risk))
    previous = None
    for row in history:
        row.delta = 0 if previous is None else row.score - previous  # type: ignore[attr-defined]
        previous = row.score
    actions = list(queries.actions_of(scope.viewer, scope.project, risk=risk))
    issues = list(queries.issues_of(scope.viewer, scope.project).filter(risk=risk))
    today = timezone.localdate()
    for action in actions:
        action.overdue = not action.done and action.due_date is not None and action.due_date < today  # type: ignore[attr-defined]
    can_plan = _can_edit(scope) and can(scope.user, scope.project, Action.EDIT_PLAN)
    return render_page(
        request,
        "web/risks/detail.html",
        _context(
            scope,
            risk=risk,
            history=history,
            max_score=25,
            actions=actions,
            issues=issues,
            action_form=ActionForm(project=scope.project, team=scope.team),
            can_plan=can_plan,
            can_occur=_can_edit(scope) and risk.status in ACTIVE_RISK_STATUSES,
        ),
    )


@project_view
@require_POST
def risk_occurred(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """The risk happened: it becomes an issue that keeps the link."""
    require_allowed(_can_edit(scope))
    risk = queries.access_risk(scope.viewer, scope.project, pk)
    form = OccurredForm(request.POST)
    issue, _status = _submit(
        form,
        lambda: services.do_mark_risk_occurred(risk, version=form.cleaned_data["version"], actor=scope.user),
    )
    if issue is None:
        flash_errors(request, form)
        return redirect("web:risk_detail", code=scope.project.code, pk=risk.pk)
    messages.success(request, _("The risk is now an issue of the log."))
    return redirect("web:issue_edit", code=scope.project.code, pk=issue.pk)


@project_view
@require_POST
def risk_action_add(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Add a step to the risk's response plan."""
    require_allowed(_can_edit(scope))
    risk = queries.access_risk(scope.viewer, scope.project, pk)
    form = ActionForm(request.POST, project=scope.project)
    action, status = _submit(
        form, lambda: services.do_add_risk_action(risk, actor=scope.user, **form.data_for_service())
    )
    if action is not None:
        messages.success(request, _("The action was added."))
        return redirect("web:risk_detail", code=scope.project.code, pk=risk.pk)
    return render_page(
        request,
        "web/risks/action_form.html",
        _context(scope, risk=risk, form=form),
        status=status,
    )


@project_view
@require_POST
def risk_action_done(request: HttpRequest, scope: ProjectScope, pk: int, action_pk: int) -> HttpResponse:
    """Tick a response action done (editors, or the action's owner)."""
    if scope.preview:
        raise PermissionDenied(_("Your role in this project does not allow this."))
    action = queries.access_action(scope.viewer, scope.project, action_pk)
    if action.risk_id != int(pk):
        raise Http404(_("No such action."))
    form = OccurredForm(request.POST)
    done, _status = _submit(
        form,
        lambda: services.do_update_risk_action(
            action, version=form.cleaned_data["version"], actor=scope.user, done=True
        ),
    )
    if done is None:
        flash_errors(request, form)
    else:
        messages.success(request, _("The action is done."))
    return redirect("web:risk_detail", code=scope.project.code, pk=action.risk_id)


@project_view
@require_POST
def risk_action_task(request: HttpRequest, scope: ProjectScope, pk: int, action_pk: int) -> HttpResponse:
    """Make a response action a task of the plan."""
    require_allowed(_can_edit(scope))
    action = queries.access_action(scope.viewer, scope.project, action_pk)
    if action.risk_id != int(pk):
        raise Http404(_("No such action."))
    form = OccurredForm(request.POST)
    made, _status = _submit(
        form,
        lambda: services.do_make_action_a_task(
            action, version=form.cleaned_data["version"], actor=scope.user
        ),
    )
    if made is None:
        flash_errors(request, form)
    else:
        messages.success(request, _("The action is now a task of the plan."))
    return redirect("web:risk_detail", code=scope.project.code, pk=action.risk_id)


# ---------------------------------------------------------------- issues


@project_view
def issue_list(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The issue log, newest first."""
    form = IssueFilterForm(request.GET)
    page, status = None, 200
    if form.is_valid():
        qs = queries.issues_of(
            scope.viewer,
            scope.project,
            status=form.cleaned_data["status"],
            severity=form.cleaned_data["severity"],
        )
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        status = 400
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "web/risks/issues.html",
        _context(scope, form=form, page=page, query=query.urlencode()),
        status=status,
    )


def _issue_form(scope: ProjectScope, data: Any = None, **kwargs: Any) -> IssueForm:
    risks = [
        (str(pk), title)
        for pk, title in queries.risks_of(scope.viewer, scope.project).values_list("pk", "title")
    ]
    return IssueForm(
        data,
        project=scope.project,
        team=scope.team,
        risks=risks,
        tasks=task_choices(scope.viewer, scope.project),
        **kwargs,
    )


def _log_form_page(
    request: HttpRequest,
    scope: ProjectScope,
    *,
    section: str,
    form: Any,
    save: Callable[[], Any],
    done: str,
    noun: str,
    record: Any = None,
    saved: Callable[[], dict[str, Any]] | None = None,
) -> HttpResponse:
    """The add/edit page of a row of the issue or conflict log: save through the service, then back."""
    status = 200
    if request.method == "POST":
        result, status = _submit(form, save, saved)
        if result is not None:
            messages.success(request, done)
            return redirect(f"web:{section}", code=scope.project.code)
    extra = {"record": record} if record is not None else {"creating": True}
    return render_page(
        request,
        "web/risks/register_form.html",
        _context(scope, form=form, noun=noun, back=f"web:{section}", **extra),
        status=status,
    )


@project_view
def issue_create(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Log an issue (the team; the client's PM and sponsor raise shared ones)."""
    require_allowed(_can_raise(scope))
    form = _issue_form(scope, request.POST or None)
    return _log_form_page(
        request,
        scope,
        section="issues",
        form=form,
        save=lambda: services.do_add_issue(scope.project, actor=scope.user, **form.data_for_service()),
        done=_("The issue was logged."),
        noun=_("issue"),
    )


@project_view
def issue_edit(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Change an issue (status, resolution, escalation…)."""
    issue = queries.access_issue(scope.viewer, scope.project, pk)
    require_allowed(_can_edit(scope))
    form = _issue_form(scope, request.POST or None, initial=_issue_values(issue))
    return _log_form_page(
        request,
        scope,
        section="issues",
        form=form,
        save=lambda: services.do_update_issue(
            issue, version=form.cleaned_data["version"], actor=scope.user, **form.data_for_service()
        ),
        done=_("The issue was saved."),
        noun=_("issue"),
        record=issue,
        saved=lambda: _issue_values(queries.access_issue(scope.viewer, scope.project, pk)),
    )


# ---------------------------------------------------------------- conflicts


@project_view
def conflict_list(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The conflict log (the client sees only the conflicts the team shared)."""
    qs = queries.conflicts_of(scope.viewer, scope.project)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(request, "web/risks/conflicts.html", _context(scope, page=page, query=""))


@project_view
def conflict_create(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Log a conflict (internal by default)."""
    require_allowed(_can_edit(scope))
    form = ConflictForm(request.POST or None, project=scope.project)
    return _log_form_page(
        request,
        scope,
        section="conflicts",
        form=form,
        save=lambda: services.do_add_conflict(scope.project, actor=scope.user, **form.data_for_service()),
        done=_("The conflict was logged."),
        noun=_("conflict"),
    )


@project_view
def conflict_edit(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Change a conflict (resolution method, outcome, date resolved…)."""
    conflict = queries.access_conflict(scope.viewer, scope.project, pk)
    require_allowed(_can_edit(scope))
    form = ConflictForm(request.POST or None, project=scope.project, initial=_conflict_values(conflict))
    return _log_form_page(
        request,
        scope,
        section="conflicts",
        form=form,
        save=lambda: services.do_update_conflict(
            conflict, version=form.cleaned_data["version"], actor=scope.user, **form.data_for_service()
        ),
        done=_("The conflict was saved."),
        noun=_("conflict"),
        record=conflict,
        saved=lambda: _conflict_values(queries.access_conflict(scope.viewer, scope.project, pk)),
    )


# ---------------------------------------------------------------- client decisions


def _waiting_ids(scope: ProjectScope) -> set[int]:
    if scope.preview:
        return set()
    return set(
        queries.decisions_waiting_for(scope.user).filter(project=scope.project).values_list("pk", flat=True)
    )


@project_view
def decision_list(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The decision register, with what waits for the reader first (with due dates)."""
    form = DecisionFilterForm(request.GET)
    chosen = form.cleaned_data["status"] if form.is_valid() else ""
    decisions = list(queries.decisions_of(scope.viewer, scope.project, status=chosen))
    waiting_ids = _waiting_ids(scope)
    waiting = [d for d in decisions if d.pk in waiting_ids] if not chosen else []
    if waiting_ids and chosen:
        waiting = list(queries.decisions_of(scope.viewer, scope.project).filter(pk__in=waiting_ids))
    return render_page(
        request,
        "web/risks/decisions.html",
        _context(
            scope,
            form=form,
            decisions=decisions,
            waiting=waiting,
            today=timezone.localdate(),
        ),
        status=200 if form.is_valid() else 400,
    )


def _decision_form(scope: ProjectScope, data: Any = None, **kwargs: Any) -> DecisionForm:
    return DecisionForm(
        data,
        project=scope.project,
        team=scope.team,
        tasks=task_choices(scope.viewer, scope.project),
        **kwargs,
    )


@project_view
def decision_create(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Ask the client for a decision."""
    require_allowed(_can_edit(scope))
    form = _decision_form(scope, request.POST or None)
    status = 200
    if request.method == "POST":
        decision, status = _submit(
            form, lambda: services.do_add_decision(scope.project, actor=scope.user, **form.data_for_service())
        )
        if decision is not None:
            messages.success(request, _("The decision was added to the register."))
            return redirect("web:decision_detail", code=scope.project.code, pk=decision.pk)
    return render_page(
        request,
        "web/risks/register_form.html",
        _context(
            scope,
            form=form,
            creating=True,
            noun=_("client decision"),
            back="web:client_decisions",
        ),
        status=status,
    )


@project_view
def decision_edit(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Change an open decision."""
    decision = queries.access_decision(scope.viewer, scope.project, pk)
    require_allowed(_can_edit(scope))
    form = _decision_form(scope, request.POST or None, initial=_decision_values(decision))
    status = 200
    if request.method == "POST":
        saved, status = _submit(
            form,
            lambda: services.do_update_decision(
                decision,
                version=form.cleaned_data["version"],
                actor=scope.user,
                **form.data_for_service(),
            ),
            lambda: _decision_values(queries.access_decision(scope.viewer, scope.project, pk)),
        )
        if saved is not None:
            messages.success(request, _("The decision was saved."))
            return redirect("web:decision_detail", code=scope.project.code, pk=decision.pk)
    return render_page(
        request,
        "web/risks/register_form.html",
        _context(
            scope,
            form=form,
            record=decision,
            noun=_("client decision"),
            back="web:client_decisions",
        ),
        status=status,
    )


def _decision_page(
    request: HttpRequest,
    scope: ProjectScope,
    decision: ClientDecision,
    form: DecideForm | None,
    status: int = 200,
) -> HttpResponse:
    may_decide = (
        not scope.preview
        and decision.status == DecisionStatus.OPEN
        and permissions.can_decide(scope.user, decision)
    )
    if may_decide and form is None:
        form = DecideForm(options=list(decision.options or []), initial={"version": decision.version})
    impact = None
    if decision.status == DecisionStatus.OPEN and decision.shown_tasks:  # type: ignore[attr-defined]
        impact = queries.decision_delay_impact(scope.viewer, decision)
    return render_page(
        request,
        "web/risks/decision_detail.html",
        _context(
            scope,
            decision=decision,
            decide_form=form if may_decide else None,
            impact=impact,
            can_withdraw=_can_edit(scope) and decision.status == DecisionStatus.OPEN,
        ),
        status=status,
    )


@project_view
def decision_detail(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """A decision: options, the team's recommendation, who decides by when, blocked tasks and the slip."""
    decision = queries.access_decision(scope.viewer, scope.project, pk)
    return _decision_page(request, scope, decision, None)


@project_view
@require_POST
def decision_decide(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Take the decision (the named member, or a holder of the named right): the blocked tasks move."""
    decision = queries.access_decision(scope.viewer, scope.project, pk)
    if scope.preview or not permissions.can_decide(scope.user, decision):
        raise PermissionDenied(_("This decision is for someone else to take."))
    form = DecideForm(request.POST, options=list(decision.options or []))
    done, status = _submit(
        form,
        lambda: services.do_decide(
            decision,
            version=form.cleaned_data["version"],
            actor=scope.user,
            outcome=form.cleaned_data["decided"],
            rationale=form.cleaned_data["rationale"],
        ),
    )
    if done is None:
        return _decision_page(request, scope, decision, form, status)
    messages.success(request, _("Your decision was recorded; the tasks it blocked are released."))
    return back_to_inbox(request) or redirect("web:decision_detail", code=scope.project.code, pk=decision.pk)


@project_view
@require_POST
def decision_withdraw(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Withdraw an open decision the project no longer needs."""
    require_allowed(_can_edit(scope))
    decision = queries.access_decision(scope.viewer, scope.project, pk)
    form = OccurredForm(request.POST)
    done, _status = _submit(
        form,
        lambda: services.do_withdraw_decision(
            decision, version=form.cleaned_data["version"], actor=scope.user
        ),
    )
    if done is None:
        flash_errors(request, form)
    else:
        messages.success(request, _("The decision was withdrawn."))
    return redirect("web:decision_detail", code=scope.project.code, pk=decision.pk)


# ---------------------------------------------------------------- files


def _register(name: str) -> str:
    if name not in REGISTER_NAMES:
        raise Http404(_("Unknown register."))
    return name


@project_view
def register_export(request: HttpRequest, scope: ProjectScope, register: str, fmt: str) -> HttpResponse:
    """A register as CSV or Excel, holding only what the reader may see."""
    register = _register(register)
    name = f"{scope.project.code}-{register}-{timezone.localdate():%Y%m%d}"
    if fmt == "csv":
        response = HttpResponse(
            interop.export_csv(scope.viewer, scope.project, register), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        response = HttpResponse(
            interop.export_xlsx(scope.viewer, scope.project, register),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404(_("Unknown file format."))
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@project_view
def register_import(request: HttpRequest, scope: ProjectScope, register: str) -> HttpResponse:
    """Import a CSV or Excel file into a register: all rows or none, every failing row reported."""
    register = _register(register)
    require_allowed(_can_edit(scope))
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors: list[tuple[str, list[str]]] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > interop.MAX_IMPORT_BYTES:
                form.add_error("file", _("The file is too large."))
            else:
                try:
                    added = interop.import_register(
                        scope.project, register, upload.read(), upload.name, actor=scope.user
                    )
                except ValidationError as exc:
                    if hasattr(exc, "error_dict") and set(exc.error_dict) <= {"file"}:
                        apply_errors(form, exc)
                    elif hasattr(exc, "error_dict"):
                        row_errors = [(k, list(v)) for k, v in exc.message_dict.items()]
                    else:
                        apply_errors(form, exc)
                else:
                    messages.success(request, _("%(n)s rows were imported.") % {"n": added})
                    return redirect(REGISTER_NAMES[register], code=scope.project.code)
    return render_page(
        request,
        "web/risks/import.html",
        _context(
            scope,
            form=form,
            register=register,
            headers=interop.headers(scope.project, register),
            row_errors=row_errors,
        ),
        status=status,
    )


# ---------------------------------------------------------------- the project home


def home_panel(scope: ProjectScope) -> dict[str, Any]:
    """The project home's overdue client decisions with what a day of delay costs (the decisions that
    wait for the reader are in the home's inbox panel)."""
    # The panel names no person; each decision's project is the page's.
    rows = queries.decisions_of(scope.viewer, scope.project, status=DecisionStatus.OVERDUE)
    overdue = list(rows.select_related(None)[:3])
    for decision in overdue:
        decision.project = scope.project
    shown = [d for d in overdue if d.shown_tasks]  # type: ignore[attr-defined]
    impacts = queries.decision_delay_impacts(scope.viewer, shown)
    return {"overdue_impacts": impacts, "today": timezone.localdate()}
