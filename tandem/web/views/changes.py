"""Change-request pages: the log and cumulative scope, a request with its impact, the sandbox, decisions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.changes import impact as impact_module
from tandem.changes import queries, services
from tandem.changes.choices import ChangeStatus, EditKind, Refusal
from tandem.changes.models import ChangeRequest, Decision
from tandem.planning import queries as planning_queries
from tandem.planning import scheduling
from tandem.projects.choices import DecisionKind
from tandem.projects.permissions import Action, can, holds
from tandem.resources import permissions as resource_permissions
from tandem.resources import queries as resource_queries
from tandem.web.changes_forms import ChangeForm, DecisionForm, EditForm, VersionForm
from tandem.web.views.base import (
    ProjectScope,
    apply_errors,
    back_to_inbox,
    flash_errors,
    project_view,
    render_page,
    run_action,
    submit_edit,
    submit_form,
)


def _denied() -> PermissionDenied:
    return PermissionDenied(_("Your role in this project does not allow this."))


def _can(scope: ProjectScope, action: str) -> bool:
    return not scope.preview and can(scope.user, scope.project, action)


def _tasks(scope: ProjectScope) -> list[tuple[int, str]]:
    return [
        (t.pk, f"{planning_queries.shown_wbs(t)} {t.name}".strip())
        for t in planning_queries.plan_of(scope.viewer, scope.project)
    ]


def _parse(value: Any, scope: ProjectScope) -> Any:
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            return dt.datetime.fromisoformat(value).astimezone(scheduling.zone_of(scope.project))
        except ValueError:
            return value
    return value


def _readable(data: dict[str, Any] | None, scope: ProjectScope) -> dict[str, Any] | None:
    """An impact with datetimes parsed for the templates, effort in days and cost as a number."""
    if data is None:
        return None
    out: dict[str, Any] = {k: _parse(v, scope) for k, v in data.items()}
    for key in ("milestones", "critical_joins", "critical_leaves"):
        out[key] = [{k: _parse(v, scope) for k, v in row.items()} for row in data.get(key, [])]
    out["baseline"] = (
        {k: _parse(v, scope) for k, v in data["baseline"].items()} if data.get("baseline") else None
    )
    out["slipped"] = [m for m in out["milestones"] if m.get("slipped")]
    out["added_effort_days"] = round(Decimal(data.get("added_effort_minutes") or 0) / 480, 2)
    out["added_cost_value"] = Decimal(str(data.get("added_cost") or 0))
    # Priced from assignments and rates (the client's copy holds the delta only); else the day rate.
    for key in ("cost_before", "cost_after", "cost_delta"):
        if data.get(key) is not None:
            out[f"{key}_value"] = Decimal(str(data[key]))
    out["cost_changes"] = [
        row | {"before_value": Decimal(row["cost_before"]), "after_value": Decimal(row["cost_after"])}
        for row in data.get("cost_changes", [])
    ]
    return out


@project_view
def change_list(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The change log: every request the reader may see, and the scope approved changes added."""
    status = request.GET.get("status", "")
    log = queries.change_log(scope.viewer, scope.project)
    items = list(log.filter(status=status) if status else log)
    return render_page(
        request,
        "web/changes/list.html",
        {
            "project": scope.project,
            "scope": scope,
            "changes": items,
            "statuses": ChangeStatus.choices,
            "status": status,
            "scope_change": queries.cumulative_scope(scope.viewer, scope.project),
            "can_propose": _can(scope, Action.PROPOSE_CHANGE),
        },
    )


@project_view
def change_create(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Propose a change (anyone on the project but viewers, the client included)."""
    if not _can(scope, Action.PROPOSE_CHANGE):
        raise _denied()
    form = ChangeForm(request.POST or None, tasks=_tasks(scope), team=scope.team)
    status = 200
    if request.method == "POST":
        change, status = submit_form(
            form,
            lambda: services.do_propose_change(
                scope.project,
                actor=scope.user,
                **{k: v for k, v in form.cleaned_data.items() if k != "version"},
            ),
        )
        if change is not None:
            messages.success(request, _("Change request %(code)s was proposed.") % {"code": change.code})
            return redirect("web:change_detail", code=scope.project.code, ref=change.code)
    return _form_page(request, scope, form, None, status)


def _form_page(
    request: HttpRequest, scope: ProjectScope, form: ChangeForm, change: ChangeRequest | None, status: int
) -> HttpResponse:
    return render_page(
        request,
        "web/changes/form.html",
        {"project": scope.project, "scope": scope, "form": form, "change": change},
        status=status,
    )


@project_view
def change_update(request: HttpRequest, scope: ProjectScope, ref: str) -> HttpResponse:
    """Edit a request's text, dates and affected tasks while it is open."""
    change = queries.access_change(scope.viewer, scope.project, ref)
    form = ChangeForm(
        request.POST or None, initial=_change_values(change), tasks=_tasks(scope), team=scope.team
    )
    status = 200
    if request.method == "POST":
        _saved, status = submit_edit(
            form,
            services.do_update_change,
            change,
            scope.user,
            saved=lambda: _change_values(queries.access_change(scope.viewer, scope.project, ref)),
        )
        if status == 200:
            messages.success(request, _("Change request %(code)s was saved.") % {"code": change.code})
            return redirect("web:change_detail", code=scope.project.code, ref=change.code)
    return _form_page(request, scope, form, change, status)


def _change_values(change: ChangeRequest) -> dict[str, Any]:
    """The edit form's values of a change request as saved."""
    return {
        "title": change.title,
        "description": change.description,
        "urgency": change.urgency,
        "requested_decision_date": change.requested_decision_date,
        "decision_due_date": change.decision_due_date,
        "visibility": change.visibility,
        "affected_task_ids": list(change.affected_tasks.values_list("id", flat=True)),
        "version": change.version,
    }


def _edit_form(scope: ProjectScope, change: ChangeRequest, data: Any = None) -> EditForm:
    tasks = _tasks(scope)
    added = [
        (impact_module.new_ref(e.pk), _("New: %(name)s") % {"name": e.payload.get("name", "")})
        for e in queries.edits_of(scope.viewer, change)
        if e.kind == EditKind.ADD_TASK
    ]
    links = [
        (d.pk, f"{d.predecessor.name} → {d.successor.name} ({d.type})")
        for d in planning_queries.dependencies_of(scope.viewer, scope.project)
    ]
    # Proposing who works on a new task is assigning: plan editors of either side, as on the task page.
    resources = (
        [
            (r.pk, f"{r.name} · {r.organization.name}")
            for r in resource_queries.assignable_resources(scope.project)
        ]
        if resource_permissions.can_assign(scope.user, scope.project) and not scope.preview
        else []
    )
    return EditForm(
        data,
        tasks=tasks,
        refs=[(str(pk), name) for pk, name in tasks] + added,
        links=links,
        resources=resources,
    )


def _detail_context(scope: ProjectScope, change: ChangeRequest, **extra: Any) -> dict[str, Any]:
    project = scope.project
    can_edit_plan = _can(scope, Action.EDIT_PLAN)
    is_open = change.status in (ChangeStatus.DRAFT, ChangeStatus.ANALYSING, ChangeStatus.MORE_INFO)
    may_decide = (
        not scope.preview
        and holds(scope.user, project, DecisionKind.APPROVE_CHANGE)
        and change.status == ChangeStatus.AWAITING
    )
    latest = queries.latest_impact(change)
    decisions = list(queries.decisions_of(change))
    refused = _refused_approval(scope, change, decisions)
    edits = list(queries.edits_of(scope.viewer, change)) if scope.team else []
    names = dict(_tasks(scope))
    for edit in edits:
        edit.summary = _describe(edit.kind, edit.payload, names)  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "project": project,
        "scope": scope,
        "change": change,
        "edits": edits,
        "impact": _readable(queries.impact_for(scope.viewer, project, latest), scope),
        "frozen": _readable(queries.impact_for(scope.viewer, project, change.frozen_impact), scope),
        "impact_is_frozen": latest is not None and change.frozen_impact_id == latest.pk,
        "history": list(queries.history_of(change)),
        "decisions": decisions,
        "refused": refused,
        "refused_impact": _readable(queries.impact_for(scope.viewer, project, refused.impact), scope)
        if refused is not None
        else None,
        "pending": services.pending_approvers(change) if change.status == ChangeStatus.AWAITING else [],
        "approval_rule": queries.settings_of(project).get_approval_rule_display(),
        "affected_tasks": [
            names.get(pk, "") for pk in change.affected_tasks.values_list("id", flat=True) if pk in names
        ],
        "can_edit": is_open
        and not scope.preview
        and (can_edit_plan or (change.proposer_id == scope.user.pk and _can(scope, Action.PROPOSE_CHANGE))),
        "can_sandbox": is_open and can_edit_plan,
        "may_decide": may_decide,
        "edit_form": extra.pop("edit_form", None)
        or (_edit_form(scope, change) if is_open and can_edit_plan else None),
        "decision_form": extra.pop("decision_form", None)
        or DecisionForm(initial={"version": change.version}),
        "version_form": VersionForm(initial={"version": change.version}),
    }
    context.update(extra)
    return context


def _refused_approval(
    scope: ProjectScope, change: ChangeRequest, decisions: list[Decision]
) -> Decision | None:
    """The reader's approval that was refused because the plan changed, while the request still awaits
    their decision on the new impact (None otherwise)."""
    if change.status != ChangeStatus.AWAITING or scope.preview:
        return None
    mine = [d for d in decisions if d.decider_id == scope.user.pk]
    if not mine or mine[-1].refusal != Refusal.IMPACT_CHANGED or mine[-1].round >= change.round:
        return None
    return mine[-1]


def _describe(kind: str, payload: dict[str, Any], names: dict[int, str]) -> str:
    def task(ref: Any) -> str:
        if isinstance(ref, str) and ref.startswith(impact_module.NEW_PREFIX):
            return _("a new task")
        return names.get(int(ref), "#" + str(ref)) if ref is not None else "—"

    if kind == EditKind.ADD_TASK:
        return _("Add “%(name)s” (%(days)s working days)") % {
            "name": payload.get("name", ""),
            "days": round(Decimal(payload.get("duration_minutes", 0)) / 480, 2),
        }
    if kind == EditKind.REMOVE_TASK:
        return _("Remove %(task)s") % {"task": task(payload.get("task_id"))}
    if kind == EditKind.CHANGE_TASK:
        parts = []
        if "duration_minutes" in payload:
            parts.append(
                _("%(days)s working days") % {"days": round(Decimal(payload["duration_minutes"]) / 480, 2)}
            )
        if "start" in payload:
            parts.append(_("start no earlier than %(date)s") % {"date": payload["start"]})
        return _("Change %(task)s: %(what)s") % {
            "task": task(payload.get("task_id")),
            "what": ", ".join(parts),
        }
    if kind == EditKind.ADD_LINK:
        return _("Link %(a)s → %(b)s") % {
            "a": task(payload.get("predecessor")),
            "b": task(payload.get("successor")),
        }
    if kind == EditKind.REMOVE_LINK:
        return _("Remove link #%(id)s") % {"id": payload.get("dependency_id")}
    return _("Revise requirement #%(id)s") % {"id": payload.get("requirement_id")}


@project_view
def change_detail(request: HttpRequest, scope: ProjectScope, ref: str) -> HttpResponse:
    """A request: its impact next to the agreed baseline, its sandbox, history and the decision panel."""
    change = queries.access_change(scope.viewer, scope.project, ref)
    return render_page(request, "web/changes/detail.html", _detail_context(scope, change))


def _back(scope: ProjectScope, change: ChangeRequest) -> HttpResponse:
    return redirect("web:change_detail", code=scope.project.code, ref=change.code)


@require_POST
@project_view
def change_edit_add(request: HttpRequest, scope: ProjectScope, ref: str) -> HttpResponse:
    """Add a plan edit to the sandbox (plan editors)."""
    change = queries.access_change(scope.viewer, scope.project, ref)
    if not _can(scope, Action.EDIT_PLAN):
        raise _denied()
    form = _edit_form(scope, change, request.POST)
    if form.is_valid():
        effort = form.cleaned_data.get("effort_days")
        try:
            services.do_add_edit(
                change,
                actor=scope.user,
                kind=form.cleaned_data["kind"],
                payload=form.payload(),
                effort_minutes=None if effort is None else int(effort * 480),
                cost=form.cleaned_data.get("cost"),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                exc = ValidationError({EditForm.FIELD_NAMES.get(k, k): v for k, v in exc.error_dict.items()})
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("The edit was added to the sandbox. Compute the impact to see its effect.")
            )
            return _back(scope, change)
    return render_page(
        request, "web/changes/detail.html", _detail_context(scope, change, edit_form=form), status=400
    )


@require_POST
@project_view
def change_edit_delete(request: HttpRequest, scope: ProjectScope, ref: str, pk: int) -> HttpResponse:
    """Remove a sandbox edit."""
    change = queries.access_change(scope.viewer, scope.project, ref)
    try:
        services.do_delete_edit(queries.access_edit(scope.viewer, change, pk), actor=scope.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(scope, change)


@require_POST
@project_view
def change_impact(request: HttpRequest, scope: ProjectScope, ref: str) -> HttpResponse:
    """Compute the impact of the sandbox edits with the scheduling engine."""
    change = queries.access_change(scope.viewer, scope.project, ref)
    try:
        services.do_compute_impact(change, actor=scope.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The impact was computed."))
    return _back(scope, change)


def _versioned_step(request: HttpRequest, scope: ProjectScope, ref: str, step: str) -> HttpResponse:
    change = queries.access_change(scope.viewer, scope.project, ref)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
        return _back(scope, change)
    version = form.cleaned_data["version"]
    if step == "submit":
        run_action(
            request,
            lambda: services.do_submit_change(change, actor=scope.user, version=version),
            _("The change request was submitted for decision; its impact is frozen."),
        )
    else:
        run_action(
            request,
            lambda: services.do_withdraw_change(change, actor=scope.user, version=version),
            _("The change request was withdrawn."),
        )
    return _back(scope, change)


@require_POST
@project_view
def change_submit(request: HttpRequest, scope: ProjectScope, ref: str) -> HttpResponse:
    """Submit for decision (freezes the impact)."""
    return _versioned_step(request, scope, ref, "submit")


@require_POST
@project_view
def change_withdraw(request: HttpRequest, scope: ProjectScope, ref: str) -> HttpResponse:
    """Withdraw the request."""
    return _versioned_step(request, scope, ref, "withdraw")


@require_POST
@project_view
def change_decide(request: HttpRequest, scope: ProjectScope, ref: str) -> HttpResponse:
    """Approve, reject or ask for more information (holders of "approve change")."""
    change = queries.access_change(scope.viewer, scope.project, ref)
    if scope.preview or not holds(scope.user, scope.project, DecisionKind.APPROVE_CHANGE):
        raise PermissionDenied(_("You do not hold the decision right to approve changes in this project."))
    form = DecisionForm(request.POST)
    decided, status = submit_form(
        form,
        lambda: services.do_decide_change(
            change,
            actor=scope.user,
            version=form.cleaned_data["version"],
            outcome=form.cleaned_data["outcome"],
            comment=form.cleaned_data["comment"],
        ),
    )
    if status == 409:
        current = queries.access_change(scope.viewer, scope.project, change.pk)
        context = _detail_context(scope, current)
        if context["refused"] is not None:
            # The plan changed under the approval: the page shows the old and the new impact side by
            # side, and the form keeps what the approver wrote, ready to confirm again on the new one.
            retry = DecisionForm(
                initial={
                    "version": current.version,
                    "outcome": form.data.get("outcome", ""),
                    "comment": form.data.get("comment", ""),
                }
            )
            context["decision_form"] = retry
            return render_page(request, "web/changes/detail.html", context, status=409)
        # The request moved on (decided, withdrawn…): its page, as saved now, explains it.
        flash_errors(request, form)
        return _back(scope, change)
    if decided is not None:
        if decided.status == ChangeStatus.APPLIED:
            messages.success(
                request,
                _("%(code)s is approved: the plan was changed and the new baseline approved.")
                % {"code": decided.code},
            )
        else:
            messages.success(request, _("Your decision was recorded."))
        return back_to_inbox(request) or _back(scope, decided)
    context = _detail_context(scope, change, decision_form=form)
    return render_page(request, "web/changes/detail.html", context, status=status)
