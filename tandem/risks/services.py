"""The write side of the registers: each change is one transaction, validated, versioned and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.core import audit, versioning
from tandem.core.choices import Side, Visibility
from tandem.core.validation import full_clean
from tandem.planning import scheduling
from tandem.planning import services as planning_services
from tandem.planning.models import Task
from tandem.projects import permissions as project_permissions
from tandem.projects.choices import DecisionKind
from tandem.projects.models import Project
from tandem.projects.permissions import Action
from tandem.risks import permissions
from tandem.risks.choices import (
    ConflictStatus,
    DecisionStatus,
    IssueStatus,
    RiskLevel,
    RiskStatus,
    Severity,
)
from tandem.risks.models import (
    ClientDecision,
    Conflict,
    Issue,
    Risk,
    RiskAction,
    RiskScore,
    RiskSettings,
)
from tandem_engine.calendar import working_days

RISK_FIELDS = (
    "title",
    "description",
    "cause",
    "effect",
    "category",
    "probability",
    "impact",
    "impact_dimension",
    "inherent_probability",
    "inherent_impact",
    "proximity",
    "owner_id",
    "strategy",
    "trigger",
    "contingency_days",
    "contingency_money",
    "status",
    "next_review",
    "task_ids",
    "visibility",
)
ACTION_FIELDS = ("description", "owner_id", "due_date", "done", "task_id")
#: A row of the issue or conflict log.
_Logged = TypeVar("_Logged", Issue, Conflict)

ISSUE_FIELDS = (
    "title",
    "description",
    "impact",
    "severity",
    "owner_id",
    "due_date",
    "escalation_level",
    "status",
    "resolution",
    "risk_id",
    "task_ids",
    "visibility",
)
CONFLICT_FIELDS = (
    "subject",
    "description",
    "parties",
    "person_ids",
    "root_cause",
    "resolution_method",
    "outcome",
    "status",
    "resolved_on",
    "visibility",
)
DECISION_FIELDS = (
    "question",
    "context",
    "options",
    "recommendation",
    "decider_id",
    "decision_kind",
    "due_date",
    "blocked_task_ids",
    "visibility",
)
#: Text fields that take "" when the caller sends null.
TEXT_FIELDS = frozenset(
    {
        "description",
        "cause",
        "effect",
        "trigger",
        "impact",
        "resolution",
        "parties",
        "outcome",
        "context",
        "recommendation",
        "rationale",
        "resolution_method",
        "decision_kind",
    }
)
#: Many-to-many fields set through lists of ids.
M2M_FIELDS = {"task_ids": "tasks", "person_ids": "people", "blocked_task_ids": "blocked_tasks"}

SEVERITY_OF_LEVEL = {
    RiskLevel.LOW: Severity.LOW,
    RiskLevel.MEDIUM: Severity.MEDIUM,
    RiskLevel.HIGH: Severity.HIGH,
    RiskLevel.CRITICAL: Severity.CRITICAL,
}


# ---------------------------------------------------------------- helpers


def _check_version(current: Any, version: int | None) -> None:
    versioning.check_version(current, version)


_locked = versioning.locked


def _member_id(project: Project, value: Any, field: str, *, side: str | None = None) -> int | None:
    """A member of the project (of one side when given), or a ValidationError on ``field``."""
    if value is None:
        return None
    try:
        user_id = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: [_("Choose a member of this project.")]}) from None
    memberships = project.memberships.filter(user_id=user_id)
    if side is not None:
        memberships = memberships.filter(side=side)
    if not memberships.exists():
        if side == Side.CLIENT:
            raise ValidationError({field: [_("Choose a member of the client's side of this project.")]})
        raise ValidationError({field: [_("Choose a member of this project.")]})
    return user_id


def _tasks(actor: User, project: Project, values: Any, field: str) -> list[Task]:
    """Tasks of the project the actor may see, or a ValidationError on ``field``."""
    if values is None:
        return []
    if not isinstance(values, list | tuple):
        raise ValidationError({field: [_("Give a list of task ids.")]})
    try:
        ids = {int(v) for v in values}
    except (TypeError, ValueError):
        raise ValidationError({field: [_("Choose tasks of this project.")]}) from None
    tasks = list(Task.objects.visible_to(actor).filter(project=project, pk__in=ids))
    if len(tasks) != len(ids):
        raise ValidationError({field: [_("Choose tasks of this project.")]})
    return tasks


def _assign(
    instance: Any, data: Mapping[str, Any], allowed: Sequence[str], actor: User, project: Project
) -> dict[str, list[Any]]:
    """Set plain fields and related ids on ``instance``; return the many-to-many lists to set after saving."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
    later: dict[str, list[Any]] = {}
    errors: dict[str, list[str]] = {}
    for name, value in data.items():
        try:
            if name in M2M_FIELDS:
                if name == "person_ids":
                    later[M2M_FIELDS[name]] = [_member_id(project, v, name) for v in (value or [])]
                else:
                    later[M2M_FIELDS[name]] = _tasks(actor, project, value, name)
            elif name == "owner_id":
                instance.owner_id = _member_id(project, value, name)
            elif name == "decider_id":
                instance.decider_id = _member_id(project, value, name, side=Side.CLIENT)
            elif name == "risk_id":
                if (
                    value is not None
                    and not Risk.objects.visible_to(actor).filter(project=project, pk=value).exists()
                ):
                    raise ValidationError({name: [_("Choose a risk of this project.")]})
                instance.risk_id = value
            elif name == "task_id":
                instance.task_id = _tasks(actor, project, [value], name)[0].pk if value is not None else None
            else:
                if value is None and name in TEXT_FIELDS:
                    value = ""
                setattr(instance, name, value)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return later


def _client_writes_shared(actor: User, project: Project, instance: Any) -> None:
    if not project_permissions.is_team(actor, project) and instance.visibility != Visibility.SHARED:
        raise ValidationError({"visibility": [_("Records written by the client are always shared.")]})


def _set_m2m(instance: Any, later: Mapping[str, list[Any]]) -> None:
    for name, values in later.items():
        getattr(instance, name).set(values)


def _visibility_of_change(before: Mapping[str, Any], instance: Any) -> str:
    shared = before.get("visibility", Visibility.SHARED) == Visibility.SHARED and instance.is_shared
    return Visibility.SHARED if shared else Visibility.INTERNAL


def _audited(fields: Iterable[str]) -> tuple[str, ...]:
    return tuple(f for f in fields if f not in M2M_FIELDS)


def settings_for(project: Project) -> RiskSettings:
    """The project's thresholds (the defaults, unsaved, until someone changes them)."""
    found = RiskSettings.objects.filter(project=project).first()
    return found if found is not None else RiskSettings(project=project, version=0)


# ---------------------------------------------------------------- risks


def _append_score(risk: Risk, actor: User | None) -> None:
    RiskScore.objects.create(
        risk=risk, probability=risk.probability, impact=risk.impact, score=risk.score, changed_by=actor
    )


@transaction.atomic
def do_add_risk(project: Project, *, actor: User, **data: Any) -> Risk:
    """Add a risk; the client's PM and sponsor may raise one, always shared."""
    permissions.require_raise(actor, project)
    risk = Risk(project=project, created_by=actor)
    if not project_permissions.is_team(actor, project):
        data.setdefault("visibility", Visibility.SHARED)
    later = _assign(risk, data, RISK_FIELDS, actor, project)
    if "inherent_probability" not in data:
        risk.inherent_probability = risk.probability
    if "inherent_impact" not in data:
        risk.inherent_impact = risk.impact
    if risk.status == RiskStatus.CLOSED:
        project_permissions.require_decision(actor, project, DecisionKind.CLOSE_RISK)
        risk.closed_at = timezone.now()
    _client_writes_shared(actor, project, risk)
    risk.compute_scores()
    full_clean(risk)
    risk.save()
    _set_m2m(risk, later)
    _append_score(risk, actor)
    audit.record(
        actor=actor,
        verb="added",
        target=risk,
        project=project,
        visibility=risk.visibility,
        changes={
            k: [None, v] for k, v in audit.field_values(risk, ("title", "probability", "impact")).items()
        },
    )
    return risk


@transaction.atomic
def do_update_risk(risk: Risk, *, version: int | None, actor: User, **data: Any) -> Risk:
    """Change a risk based on the version read; a new probability or impact appends to its history."""
    project = risk.project
    permissions.require_edit(actor, project)
    current: Risk = _locked(risk)
    current.project = project
    _check_version(current, version)
    before = audit.field_values(current, _audited(RISK_FIELDS))
    later = _assign(current, data, RISK_FIELDS, actor, project)
    if current.status == RiskStatus.CLOSED and before["status"] != RiskStatus.CLOSED:
        project_permissions.require_decision(actor, project, DecisionKind.CLOSE_RISK)
        current.closed_at = timezone.now()
    elif current.status != RiskStatus.CLOSED:
        current.closed_at = None
    current.compute_scores()
    full_clean(current)
    current.version += 1
    current.save()
    _set_m2m(current, later)
    if (current.probability, current.impact) != (before["probability"], before["impact"]):
        _append_score(current, actor)
    changes = audit.changed(before, audit.field_values(current, _audited(RISK_FIELDS)))
    if changes:
        audit.record(
            actor=actor,
            verb="updated",
            target=current,
            project=project,
            changes=changes,
            visibility=_visibility_of_change(before, current),
        )
    return current


@transaction.atomic
def do_close_risk(risk: Risk, *, version: int | None, actor: User) -> Risk:
    """Close a risk: only a holder of the "close risk" decision right may."""
    project = risk.project
    project_permissions.require_decision(actor, project, DecisionKind.CLOSE_RISK)
    current: Risk = _locked(risk)
    current.project = project
    _check_version(current, version)
    if current.status == RiskStatus.CLOSED:
        raise ValidationError({"status": [_("This risk is already closed.")]})
    old = current.status
    current.status = RiskStatus.CLOSED
    current.closed_at = timezone.now()
    current.version += 1
    current.save()
    audit.record(
        actor=actor,
        verb="closed",
        target=current,
        project=project,
        changes={"status": [old, current.status]},
        visibility=current.visibility,
    )
    return current


@transaction.atomic
def do_mark_risk_occurred(risk: Risk, *, version: int | None, actor: User, **issue_data: Any) -> Issue:
    """A risk happened: it becomes an issue that keeps the link, and the risk is marked occurred."""
    project = risk.project
    permissions.require_edit(actor, project)
    current: Risk = _locked(risk)
    current.project = project
    _check_version(current, version)
    if current.status in (RiskStatus.OCCURRED, RiskStatus.CLOSED):
        raise ValidationError({"status": [_("Only an open or monitored risk can occur.")]})
    level = settings_for(project).level_of(current.score)
    issue = Issue(
        project=project,
        title=current.title,
        description=current.effect or current.description,
        severity=SEVERITY_OF_LEVEL[RiskLevel(level)],
        owner_id=current.owner_id,
        risk=current,
        visibility=current.visibility,
    )
    later = _assign(issue, issue_data, ISSUE_FIELDS, actor, project)
    issue.risk = current
    full_clean(issue)
    issue.save()
    _set_m2m(issue, later)
    current.status = RiskStatus.OCCURRED
    current.version += 1
    current.save()
    audit.record(
        actor=actor,
        verb="occurred",
        target=current,
        project=project,
        changes={"status": [RiskStatus.OPEN, RiskStatus.OCCURRED], "issue": [None, issue.pk]},
        visibility=current.visibility,
    )
    audit.record(
        actor=actor,
        verb="added",
        target=issue,
        project=project,
        visibility=issue.visibility,
        changes={"title": [None, issue.title], "risk": [None, current.title]},
    )
    return issue


@transaction.atomic
def do_delete_risk(risk: Risk, *, version: int | None, actor: User) -> None:
    """Remove a risk with its actions and history (issues it became keep their text)."""
    project = risk.project
    permissions.require_edit(actor, project)
    current: Risk = _locked(risk)
    _check_version(current, version)
    audit.record(
        actor=actor,
        verb="removed",
        target=current,
        project=project,
        visibility=current.visibility,
        changes={"title": [current.title, None]},
    )
    current.delete()


@transaction.atomic
def do_update_risk_settings(
    project: Project, *, version: int | None, actor: User, **data: Any
) -> RiskSettings:
    """Change the thresholds from score to level (version 0 for the first change)."""
    project_permissions.require(actor, project, Action.EDIT_PROJECT)
    current = RiskSettings.objects.select_for_update().filter(project=project).first()
    if current is None:
        current = RiskSettings(project=project, version=0)
    _check_version(current, version)
    before = audit.field_values(current, ("low_max", "medium_max", "high_max"))
    _assign(current, data, ("low_max", "medium_max", "high_max"), actor, project)
    if not (current.low_max < current.medium_max < current.high_max <= 25):
        raise ValidationError({"medium_max": [_("Thresholds must increase: low < medium < high ≤ 25.")]})
    full_clean(current)
    current.version += 1
    current.save()
    changes = audit.changed(before, audit.field_values(current, ("low_max", "medium_max", "high_max")))
    audit.record(
        actor=actor, verb="updated", target=current, project=project, changes=changes, label=str(current)
    )
    return current


# ---------------------------------------------------------------- risk actions


@transaction.atomic
def do_add_risk_action(risk: Risk, *, actor: User, **data: Any) -> RiskAction:
    """Add a step to a risk's response plan."""
    project = risk.project
    permissions.require_edit(actor, project)
    action = RiskAction(risk=risk)
    _assign(action, data, ACTION_FIELDS, actor, project)
    full_clean(action)
    action.save()
    audit.record(
        actor=actor,
        verb="added",
        target=action,
        project=project,
        visibility=risk.visibility,
        changes={"description": [None, action.description], "risk": [None, risk.title]},
    )
    return action


@transaction.atomic
def do_update_risk_action(action: RiskAction, *, version: int | None, actor: User, **data: Any) -> RiskAction:
    """Change a response action (its owner may tick it done without editing rights)."""
    risk = action.risk
    project = risk.project
    if not permissions.can_edit_registers(actor, project) and not (
        action.owner_id == actor.pk and set(data) <= {"done"}
    ):
        raise PermissionDenied(_("Your role in this project does not allow this."))
    current: RiskAction = _locked(action)
    current.risk = risk
    _check_version(current, version)
    before = audit.field_values(current, ACTION_FIELDS)
    _assign(current, data, ACTION_FIELDS, actor, project)
    full_clean(current)
    current.version += 1
    current.save()
    changes = audit.changed(before, audit.field_values(current, ACTION_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            verb="updated",
            target=current,
            project=project,
            changes=changes,
            visibility=risk.visibility,
        )
    return current


@transaction.atomic
def do_delete_risk_action(action: RiskAction, *, version: int | None, actor: User) -> None:
    """Remove a response action."""
    project = action.risk.project
    permissions.require_edit(actor, project)
    current: RiskAction = _locked(action)
    _check_version(current, version)
    audit.record(
        actor=actor,
        verb="removed",
        target=current,
        project=project,
        visibility=action.risk.visibility,
        changes={"description": [current.description, None]},
    )
    current.delete()


@transaction.atomic
def do_make_action_a_task(
    action: RiskAction, *, version: int | None, actor: User, **task_data: Any
) -> RiskAction:
    """Turn a response action into a task of the plan (needs the right to edit the plan), and link them."""
    risk = action.risk
    project = risk.project
    permissions.require_edit(actor, project)
    project_permissions.require(actor, project, Action.EDIT_PLAN)
    current: RiskAction = _locked(action)
    current.risk = risk
    _check_version(current, version)
    if current.task_id is not None:
        raise ValidationError({"task_id": [_("This action is already a task of the plan.")]})
    data: dict[str, Any] = {"name": current.description[:200], "owner_id": current.owner_id}
    data["visibility"] = risk.visibility
    data.update(task_data)
    task = planning_services.do_add_task(project, actor=actor, **data)
    current.task = task
    current.version += 1
    current.save()
    audit.record(
        actor=actor,
        verb="planned",
        target=current,
        project=project,
        visibility=risk.visibility,
        changes={"task": [None, task.name]},
    )
    return current


# ---------------------------------------------------------------- issues


def _issue_dates(issue: Issue) -> None:
    if issue.status in (IssueStatus.RESOLVED, IssueStatus.CLOSED):
        issue.resolved_at = issue.resolved_at or timezone.now()
    else:
        issue.resolved_at = None


@transaction.atomic
def do_add_issue(project: Project, *, actor: User, **data: Any) -> Issue:
    """Log an issue; the client's PM and sponsor may raise one, always shared."""
    permissions.require_raise(actor, project)
    issue = Issue(project=project)
    if not project_permissions.is_team(actor, project):
        data.setdefault("visibility", Visibility.SHARED)
    later = _assign(issue, data, ISSUE_FIELDS, actor, project)
    _client_writes_shared(actor, project, issue)
    _issue_dates(issue)
    full_clean(issue)
    issue.save()
    _set_m2m(issue, later)
    audit.record(
        actor=actor,
        verb="added",
        target=issue,
        project=project,
        visibility=issue.visibility,
        changes={"title": [None, issue.title], "severity": [None, issue.severity]},
    )
    return issue


@transaction.atomic
def do_update_issue(issue: Issue, *, version: int | None, actor: User, **data: Any) -> Issue:
    """Change an issue based on the version read."""
    return _update_logged(
        issue, version=version, actor=actor, data=data, fields=ISSUE_FIELDS, dates=_issue_dates
    )


def _update_logged(
    instance: _Logged,
    *,
    version: int | None,
    actor: User,
    data: dict[str, Any],
    fields: Sequence[str],
    dates: Callable[[_Logged], None],
) -> _Logged:
    """Change a row of the issue or conflict log based on the version read, audited field by field."""
    project = instance.project
    permissions.require_edit(actor, project)
    current: _Logged = _locked(instance)
    current.project = project
    _check_version(current, version)
    before = audit.field_values(current, _audited(fields))
    later = _assign(current, data, fields, actor, project)
    dates(current)
    full_clean(current)
    current.version += 1
    current.save()
    _set_m2m(current, later)
    changes = audit.changed(before, audit.field_values(current, _audited(fields)))
    if changes:
        audit.record(
            actor=actor,
            verb="updated",
            target=current,
            project=project,
            changes=changes,
            visibility=_visibility_of_change(before, current),
        )
    return current


@transaction.atomic
def do_delete_issue(issue: Issue, *, version: int | None, actor: User) -> None:
    """Remove an issue."""
    _delete(issue, version=version, actor=actor, label_field="title")


def _delete(instance: Any, *, version: int | None, actor: User, label_field: str) -> None:
    project = instance.project
    permissions.require_edit(actor, project)
    current = _locked(instance)
    _check_version(current, version)
    audit.record(
        actor=actor,
        verb="removed",
        target=current,
        project=project,
        visibility=current.visibility,
        changes={label_field: [getattr(current, label_field), None]},
    )
    current.delete()


# ---------------------------------------------------------------- conflicts


def _conflict_dates(conflict: Conflict) -> None:
    if conflict.status == ConflictStatus.RESOLVED and conflict.resolved_on is None:
        conflict.resolved_on = timezone.localdate()


@transaction.atomic
def do_add_conflict(project: Project, *, actor: User, **data: Any) -> Conflict:
    """Log a conflict (internal unless the team shares it)."""
    permissions.require_edit(actor, project)
    conflict = Conflict(project=project)
    later = _assign(conflict, data, CONFLICT_FIELDS, actor, project)
    _conflict_dates(conflict)
    full_clean(conflict)
    conflict.save()
    _set_m2m(conflict, later)
    audit.record(
        actor=actor,
        verb="added",
        target=conflict,
        project=project,
        visibility=conflict.visibility,
        changes={"subject": [None, conflict.subject]},
    )
    return conflict


@transaction.atomic
def do_update_conflict(conflict: Conflict, *, version: int | None, actor: User, **data: Any) -> Conflict:
    """Change a conflict based on the version read."""
    return _update_logged(
        conflict, version=version, actor=actor, data=data, fields=CONFLICT_FIELDS, dates=_conflict_dates
    )


@transaction.atomic
def do_delete_conflict(conflict: Conflict, *, version: int | None, actor: User) -> None:
    """Remove a conflict."""
    _delete(conflict, version=version, actor=actor, label_field="subject")


# ---------------------------------------------------------------- client decisions


def _validate_decision(decision: ClientDecision) -> None:
    errors: dict[str, list[str]] = {}
    if decision.decider_id is None and not decision.decision_kind:
        errors["decider_id"] = [_("Name the client member who decides, or the decision right that does.")]
    if decision.decider_id is not None and decision.visibility != Visibility.SHARED:
        errors["visibility"] = [_("A decision the client must take is shared with the client.")]
    options = decision.options
    if not isinstance(options, list) or not all(isinstance(o, str) and o.strip() for o in options):
        errors["options"] = [_("Give the options as a list of texts.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_add_decision(project: Project, *, actor: User, **data: Any) -> ClientDecision:
    """Ask the client for a decision: question, options, the team's recommendation, who decides, by when."""
    permissions.require_edit(actor, project)
    decision = ClientDecision(project=project)
    later = _assign(decision, data, DECISION_FIELDS, actor, project)
    _validate_decision(decision)
    full_clean(decision)
    decision.save()
    _set_m2m(decision, later)
    refresh_decision_holds(project, actor=actor)
    audit.record(
        actor=actor,
        verb="added",
        target=decision,
        project=project,
        visibility=decision.visibility,
        changes={"question": [None, decision.question], "due_date": [None, audit.plain(decision.due_date)]},
    )
    return decision


@transaction.atomic
def do_update_decision(
    decision: ClientDecision, *, version: int | None, actor: User, **data: Any
) -> ClientDecision:
    """Change an open decision's question, options, decider, due date or blocked tasks."""
    project = decision.project
    permissions.require_edit(actor, project)
    current: ClientDecision = _locked(decision)
    current.project = project
    _check_version(current, version)
    if current.status != DecisionStatus.OPEN:
        raise ValidationError({"status": [_("Only an open decision can be changed.")]})
    before = audit.field_values(current, _audited(DECISION_FIELDS))
    later = _assign(current, data, DECISION_FIELDS, actor, project)
    _validate_decision(current)
    full_clean(current)
    current.version += 1
    current.save()
    _set_m2m(current, later)
    refresh_decision_holds(project, actor=actor)
    changes = audit.changed(before, audit.field_values(current, _audited(DECISION_FIELDS)))
    if changes:
        audit.record(
            actor=actor,
            verb="updated",
            target=current,
            project=project,
            changes=changes,
            visibility=_visibility_of_change(before, current),
        )
    return current


@transaction.atomic
def do_decide(
    decision: ClientDecision, *, version: int | None, actor: User, outcome: str, rationale: str = ""
) -> ClientDecision:
    """Take the decision: only the named member or a holder of the named decision right may."""
    project = decision.project
    if not permissions.can_decide(actor, decision):
        raise PermissionDenied(_("This decision is for someone else to take."))
    current: ClientDecision = _locked(decision)
    current.project = project
    _check_version(current, version)
    if current.status != DecisionStatus.OPEN:
        raise ValidationError({"status": [_("Only an open decision can be taken.")]})
    if not (outcome or "").strip():
        raise ValidationError({"outcome": [_("Say what was decided.")]})
    current.status = DecisionStatus.DECIDED
    current.outcome = outcome.strip()
    current.rationale = (rationale or "").strip()
    current.decided_by = actor
    current.decided_at = timezone.now()
    full_clean(current)
    current.version += 1
    current.save()
    refresh_decision_holds(project, actor=actor)
    audit.record(
        actor=actor,
        verb="decided",
        target=current,
        project=project,
        visibility=current.visibility,
        changes={"status": [DecisionStatus.OPEN, DecisionStatus.DECIDED], "outcome": [None, current.outcome]},
    )
    return current


@transaction.atomic
def do_withdraw_decision(decision: ClientDecision, *, version: int | None, actor: User) -> ClientDecision:
    """Withdraw an open decision the project no longer needs."""
    project = decision.project
    permissions.require_edit(actor, project)
    current: ClientDecision = _locked(decision)
    current.project = project
    _check_version(current, version)
    if current.status != DecisionStatus.OPEN:
        raise ValidationError({"status": [_("Only an open decision can be withdrawn.")]})
    current.status = DecisionStatus.WITHDRAWN
    current.version += 1
    current.save()
    refresh_decision_holds(project, actor=actor)
    audit.record(
        actor=actor,
        verb="withdrew",
        target=current,
        project=project,
        visibility=current.visibility,
        changes={"status": [DecisionStatus.OPEN, DecisionStatus.WITHDRAWN]},
    )
    return current


@transaction.atomic
def do_delete_decision(decision: ClientDecision, *, version: int | None, actor: User) -> None:
    """Remove a decision from the register (its blocked tasks are released)."""
    project = decision.project
    _delete(decision, version=version, actor=actor, label_field="question")
    refresh_decision_holds(project, actor=actor)


# ---------------------------------------------------------------- holds on blocked tasks


def next_working_day(project: Project, today: dt.date) -> dt.date:
    """The first working day of the project calendar after ``today``."""
    calendar = scheduling.project_engine_calendar(project)
    days = working_days(calendar, today + dt.timedelta(days=1), today + dt.timedelta(days=60))
    return days[0] if days else today + dt.timedelta(days=1)


def hold_start(project: Project, decision: ClientDecision, next_day: dt.date) -> dt.datetime:
    """Until when an open decision holds its blocked tasks (aware): the start of the later of its due
    date and ``next_day`` (the next working day: a late decision cannot be acted on before then)."""
    day = next_day
    if decision.due_date is not None and decision.due_date > day:
        day = decision.due_date
    aware = scheduling.to_aware(dt.datetime.combine(day, dt.time(0, 0)), scheduling.zone_of(project))
    assert aware is not None
    return aware


def refresh_decision_holds(
    project: Project, *, actor: User | None = None, today: dt.date | None = None
) -> list[Task]:
    """Hold the tasks blocked by open decisions, release the others, and reschedule when anything changed.

    Call inside a transaction (every decision service does; the daily reminder command calls it for
    each active project, so an overdue decision's hold moves on with the calendar). Returns the tasks
    whose hold changed. Deciding or withdrawing a decision releases its tasks, so they move earlier.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        wanted: dict[int, tuple[dt.datetime, list[str]]] = {}
        open_decisions = list(
            ClientDecision.objects.filter(project=project, status=DecisionStatus.OPEN)
            .prefetch_related("blocked_tasks")
            .order_by("id")
        )
        next_day = next_working_day(project, today) if open_decisions else today
        for decision in open_decisions:
            until = hold_start(project, decision, next_day)
            reason = (
                decision.question
                if decision.visibility == Visibility.SHARED
                else _("Waiting for a client decision")
            )
            for task in decision.blocked_tasks.all():
                held, reasons = wanted.get(task.pk, (until, []))
                wanted[task.pk] = (max(held, until), [*reasons, reason])
        tasks = list(
            Task.objects.select_for_update()
            .filter(project=project)
            .filter(models.Q(pk__in=wanted) | models.Q(held_until__isnull=False))
            .order_by("id")
        )
        changed: list[Task] = []
        previous: dict[int, dt.datetime | None] = {}
        for task in tasks:
            entry = wanted.get(task.pk)
            new_hold: dt.datetime | None = entry[0] if entry else None
            reason = "; ".join(entry[1])[:300] if entry else ""
            if task.held_until != new_hold or task.hold_reason != reason:
                previous[task.pk] = task.held_until
                task.held_until, task.hold_reason = new_hold, reason
                changed.append(task)
        if not changed:
            return []
        Task.objects.bulk_update(changed, ["held_until", "hold_reason"])
        scheduling.reschedule(project)
        for task in changed:
            audit.record(
                actor=actor,
                verb="held" if task.held_until is not None else "released",
                target=task,
                project=project,
                visibility=task.visibility,
                changes={"held_until": [audit.plain(previous[task.pk]), audit.plain(task.held_until)]},
            )
        return changed
