"""The write side of the registers: each change is one transaction, validated, versioned and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.accounts.models import User
from tandem.core import audit, updates
from tandem.core.bulk import bulk_write
from tandem.core.choices import Side, Visibility
from tandem.core.database import the_one
from tandem.core.validation import full_clean
from tandem.planning import scheduling, writing
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
#: A row of one of the registers.
_Row = TypeVar("_Row", bound=models.Model)

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

SEVERITY_OF_LEVEL = {
    RiskLevel.LOW: Severity.LOW,
    RiskLevel.MEDIUM: Severity.MEDIUM,
    RiskLevel.HIGH: Severity.HIGH,
    RiskLevel.CRITICAL: Severity.CRITICAL,
}


# ---------------------------------------------------------------- helpers


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


def _risk_id(actor: User, project: Project, value: Any) -> Any:
    """A risk of the project the actor may see (or None), else a ValidationError on ``risk_id``."""
    if value is not None and not Risk.objects.visible_to(actor).filter(project=project, pk=value).exists():
        raise ValidationError({"risk_id": [_("Choose a risk of this project.")]})
    return value


def _links(actor: User, project: Project) -> dict[str, updates.Link]:
    """The list-of-ids fields of the registers: tasks the actor sees, and the project's members."""
    tasks = Task.objects.visible_to(actor).filter(project=project)
    choose, give = gettext_lazy("Choose tasks of this project."), gettext_lazy("Give a list of task ids.")
    return {
        "task_ids": updates.Link("tasks", tasks, choose, give),
        "blocked_task_ids": updates.Link("blocked_tasks", tasks, choose, give),
        "person_ids": updates.Link(
            "people",
            User.objects.filter(memberships__project=project),
            gettext_lazy("Choose a member of this project."),
        ),
    }


def _rules(actor: User, project: Project) -> dict[str, Any]:
    """How the registers' fields are set: members, risks and tasks checked against what the actor sees."""
    links = _links(actor, project)
    task = updates.Link("task", links["task_ids"].visible, gettext_lazy("Choose tasks of this project."))
    return {
        "text_fields": TEXT_FIELDS,
        "links": links,
        "clean": {
            "owner_id": lambda v: _member_id(project, v, "owner_id"),
            "decider_id": lambda v: _member_id(project, v, "decider_id", side=Side.CLIENT),
            "risk_id": lambda v: _risk_id(actor, project, v),
            "task_id": lambda v: None if v is None else updates.link_ids([v], "task_id", task)[0],
        },
    }


def _assign(
    instance: Any, data: Mapping[str, Any], allowed: Sequence[str], actor: User, project: Project
) -> dict[str, list[int]]:
    """Set plain fields and related ids on ``instance``; return the linked ids to store after saving."""
    return updates.assign(instance, data, fields=allowed, **_rules(actor, project))


def _client_writes_shared(actor: User, project: Project, instance: Any) -> None:
    """Refuse an internal record written by a client member."""
    if not project_permissions.is_team(actor, project) and instance.visibility != Visibility.SHARED:
        raise ValidationError({"visibility": [_("Records written by the client are always shared.")]})


def _set_m2m(instance: Any, chosen: Mapping[str, list[int]], actor: User, project: Project) -> None:
    """Store the linked rows of a record: those the actor sees are replaced, the others kept."""
    updates.set_links(instance, chosen, _links(actor, project))


def _update(
    row: _Row, data: Mapping[str, Any], version: int | None, actor: User, project: Project, **how: Any
) -> updates.Updated[_Row]:
    """Change a register row based on the version read, with the registers' field rules, audited."""
    return updates.update_versioned(
        row, data, version=version, actor=actor, project=project, **_rules(actor, project), **how
    )


def _create(model: type[_Row], data: Mapping[str, Any], actor: User, project: Project, **how: Any) -> _Row:
    """Add a register row (of the project unless ``initial`` says otherwise) with the registers' field
    rules, audited."""
    how.setdefault("initial", {"project": project})
    return updates.create_audited(model, data, actor=actor, project=project, **_rules(actor, project), **how)


def settings_for(project: Project) -> RiskSettings:
    """The project's thresholds (the defaults, unsaved, until someone changes them)."""
    found = the_one(RiskSettings.objects.filter(project=project))
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
    if not project_permissions.is_team(actor, project):
        data.setdefault("visibility", Visibility.SHARED)

    def rules(risk: Risk, values: Mapping[str, Any]) -> None:
        """Inherent scores default to the current ones; a closed risk needs the decision right."""
        if "inherent_probability" not in values:
            risk.inherent_probability = risk.probability
        if "inherent_impact" not in values:
            risk.inherent_impact = risk.impact
        if risk.status == RiskStatus.CLOSED:
            project_permissions.require_decision(actor, project, DecisionKind.CLOSE_RISK)
            risk.closed_at = timezone.now()
        _client_writes_shared(actor, project, risk)
        risk.compute_scores()

    how: dict[str, Any] = {"initial": {"project": project, "created_by": actor}, "prepare": rules}
    how.update(after_save=lambda risk: _append_score(risk, actor), audited=("title", "probability", "impact"))
    return _create(Risk, data, actor, project, fields=RISK_FIELDS, **how)


@transaction.atomic
def do_update_risk(risk: Risk, *, version: int | None, actor: User, **data: Any) -> Risk:
    """Change a risk based on the version read; a new probability or impact appends to its history."""
    project = risk.project
    permissions.require_edit(actor, project)

    def closing(current: Risk, before: Mapping[str, Any]) -> None:
        """Closing needs the decision right and stamps the moment; reopening clears it."""
        if current.status == RiskStatus.CLOSED and before["status"] != RiskStatus.CLOSED:
            project_permissions.require_decision(actor, project, DecisionKind.CLOSE_RISK)
            current.closed_at = timezone.now()
        elif current.status != RiskStatus.CLOSED:
            current.closed_at = None
        current.compute_scores()

    done = _update(risk, data, version, actor, project, fields=RISK_FIELDS, prepare=closing)
    if "probability" in done.changes or "impact" in done.changes:
        _append_score(done.instance, actor)
    return done.instance


def _refuse_closed(risk: Risk) -> None:
    """A closed risk stays closed."""
    if risk.status == RiskStatus.CLOSED:
        raise ValidationError({"status": [_("This risk is already closed.")]})


@transaction.atomic
def do_close_risk(risk: Risk, *, version: int | None, actor: User) -> Risk:
    """Close a risk: only a holder of the "close risk" decision right may."""
    project = risk.project
    project_permissions.require_decision(actor, project, DecisionKind.CLOSE_RISK)

    def stamp(current: Risk, before: Mapping[str, Any]) -> None:
        """The moment it was closed."""
        current.closed_at = timezone.now()

    closed = RiskStatus.CLOSED
    return updates.move(
        risk, closed, version=version, actor=actor, verb="closed", check=_refuse_closed, prepare=stamp
    )


@transaction.atomic
def do_mark_risk_occurred(risk: Risk, *, version: int | None, actor: User, **issue_data: Any) -> Issue:
    """A risk happened: it becomes an issue that keeps the link, and the risk is marked occurred."""
    project = risk.project
    permissions.require_edit(actor, project)
    made: list[Issue] = []

    def still_open(current: Risk) -> None:
        """Only an open or monitored risk can occur."""
        if current.status in (RiskStatus.OCCURRED, RiskStatus.CLOSED):
            raise ValidationError({"status": [_("Only an open or monitored risk can occur.")]})

    def raise_issue(current: Risk, changes: dict[str, list[Any]]) -> None:
        """The issue the risk became, named in the risk's record."""
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
        _set_m2m(issue, later, actor, project)
        changes["issue"] = [None, issue.pk]
        made.append(issue)

    occurred, verb = RiskStatus.OCCURRED, "occurred"
    current = updates.move(
        risk, occurred, version=version, actor=actor, verb=verb, check=still_open, before_save=raise_issue
    )
    issue = made[0]
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
    _delete(risk, version=version, actor=actor, label_field="title")


@transaction.atomic
def do_update_risk_settings(
    project: Project, *, version: int | None, actor: User, **data: Any
) -> RiskSettings:
    """Change the thresholds from score to level (version 0 for the first change)."""
    project_permissions.require(actor, project, Action.EDIT_PROJECT)
    current = RiskSettings.objects.select_for_update().filter(project=project).first()
    if current is None:
        current = RiskSettings(project=project, version=0)

    def increasing(row: RiskSettings, before: Mapping[str, Any]) -> None:
        """The thresholds rise from low to high."""
        if not (row.low_max < row.medium_max < row.high_max <= 25):
            raise ValidationError({"medium_max": [_("Thresholds must increase: low < medium < high ≤ 25.")]})

    thresholds = ("low_max", "medium_max", "high_max")
    how: dict[str, Any] = {"lock": False, "record_unchanged": True, "label": str(current)}
    return updates.update_versioned(
        current, data, fields=thresholds, version=version, actor=actor, prepare=increasing, **how
    ).instance


# ---------------------------------------------------------------- risk actions


@transaction.atomic
def do_add_risk_action(risk: Risk, *, actor: User, **data: Any) -> RiskAction:
    """Add a step to a risk's response plan."""
    project = risk.project
    permissions.require_edit(actor, project)
    how: dict[str, Any] = {"initial": {"risk": risk}, "visibility": risk.visibility}
    how.update(audited=("description",), changes=lambda action: {"risk": [None, risk.title]})
    return _create(RiskAction, data, actor, project, fields=ACTION_FIELDS, **how)


@transaction.atomic
def do_update_risk_action(action: RiskAction, *, version: int | None, actor: User, **data: Any) -> RiskAction:
    """Change a response action (its owner may tick it done without editing rights)."""
    risk = action.risk
    if not permissions.can_edit_registers(actor, risk.project) and not (
        action.owner_id == actor.pk and set(data) <= {"done"}
    ):
        raise PermissionDenied(_("Your role in this project does not allow this."))
    return _update(
        action, data, version, actor, risk.project, fields=ACTION_FIELDS, visibility=risk.visibility
    ).instance


@transaction.atomic
def do_delete_risk_action(action: RiskAction, *, version: int | None, actor: User) -> None:
    """Remove a response action."""
    project = action.risk.project
    permissions.require_edit(actor, project)
    visibility = action.risk.visibility
    how: dict[str, Any] = {"project": project, "visibility": visibility, "audited": ("description",)}
    updates.delete_versioned(action, version=version, actor=actor, **how)


@transaction.atomic
def do_make_action_a_task(
    action: RiskAction, *, version: int | None, actor: User, **task_data: Any
) -> RiskAction:
    """Turn a response action into a task of the plan (needs the right to edit the plan), and link them."""
    risk = action.risk
    project = risk.project
    permissions.require_edit(actor, project)
    project_permissions.require(actor, project, Action.EDIT_PLAN)

    def plan(current: RiskAction, changes: dict[str, list[Any]]) -> None:
        """Add the task to the plan and link it."""
        data: dict[str, Any] = {"name": current.description[:200], "owner_id": current.owner_id}
        data["visibility"] = risk.visibility
        data.update(task_data)
        current.task = planning_services.do_add_task(project, actor=actor, **data)
        changes["task"] = [None, current.task.name]

    how: dict[str, Any] = {"verb": "planned", "visibility": risk.visibility, "validate": False}
    return updates.update_versioned(
        action, {}, fields=(), version=version, actor=actor, check=_not_yet_a_task, before_save=plan, **how
    ).instance


def _not_yet_a_task(action: RiskAction) -> None:
    """An action becomes a task once."""
    if action.task_id is not None:
        raise ValidationError({"task_id": [_("This action is already a task of the plan.")]})


# ---------------------------------------------------------------- issues


def _issue_dates(issue: Issue, before: Mapping[str, Any] | None = None) -> None:
    """Resolving stamps the moment; reopening clears it."""
    if issue.status in (IssueStatus.RESOLVED, IssueStatus.CLOSED):
        issue.resolved_at = issue.resolved_at or timezone.now()
    else:
        issue.resolved_at = None


@transaction.atomic
def do_add_issue(project: Project, *, actor: User, **data: Any) -> Issue:
    """Log an issue; the client's PM and sponsor may raise one, always shared."""
    permissions.require_raise(actor, project)
    if not project_permissions.is_team(actor, project):
        data.setdefault("visibility", Visibility.SHARED)

    def rules(issue: Issue, values: Mapping[str, Any]) -> None:
        """Shared when the client writes it; resolving stamps the moment."""
        _client_writes_shared(actor, project, issue)
        _issue_dates(issue)

    how: dict[str, Any] = {"prepare": rules, "audited": ("title", "severity")}
    return _create(Issue, data, actor, project, fields=ISSUE_FIELDS, **how)


@transaction.atomic
def do_update_issue(issue: Issue, *, version: int | None, actor: User, **data: Any) -> Issue:
    """Change an issue based on the version read."""
    permissions.require_edit(actor, issue.project)
    return _update(
        issue, data, version, actor, issue.project, fields=ISSUE_FIELDS, prepare=_issue_dates
    ).instance


@transaction.atomic
def do_delete_issue(issue: Issue, *, version: int | None, actor: User) -> None:
    """Remove an issue."""
    _delete(issue, version=version, actor=actor, label_field="title")


def _delete(instance: Any, *, version: int | None, actor: User, label_field: str) -> None:
    """Remove a register row based on the version read; the record names it by ``label_field``."""
    project = instance.project
    permissions.require_edit(actor, project)
    updates.delete_versioned(instance, version=version, actor=actor, project=project, audited=(label_field,))


# ---------------------------------------------------------------- conflicts


def _conflict_dates(conflict: Conflict, before: Mapping[str, Any] | None = None) -> None:
    """A resolved conflict has the day it was resolved."""
    if conflict.status == ConflictStatus.RESOLVED and conflict.resolved_on is None:
        conflict.resolved_on = timezone.localdate()


@transaction.atomic
def do_add_conflict(project: Project, *, actor: User, **data: Any) -> Conflict:
    """Log a conflict (internal unless the team shares it)."""
    permissions.require_edit(actor, project)
    how: dict[str, Any] = {"prepare": _conflict_dates, "audited": ("subject",)}
    return _create(Conflict, data, actor, project, fields=CONFLICT_FIELDS, **how)


@transaction.atomic
def do_update_conflict(conflict: Conflict, *, version: int | None, actor: User, **data: Any) -> Conflict:
    """Change a conflict based on the version read."""
    permissions.require_edit(actor, conflict.project)
    return _update(
        conflict, data, version, actor, conflict.project, fields=CONFLICT_FIELDS, prepare=_conflict_dates
    ).instance


@transaction.atomic
def do_delete_conflict(conflict: Conflict, *, version: int | None, actor: User) -> None:
    """Remove a conflict."""
    _delete(conflict, version=version, actor=actor, label_field="subject")


# ---------------------------------------------------------------- client decisions


def _validate_decision(decision: ClientDecision, before: Mapping[str, Any] | None = None) -> None:
    """A decider or a decision right, shared when a client member decides, options as texts."""
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

    def holds(row: ClientDecision) -> None:
        """Hold the tasks the new decision blocks."""
        refresh_decision_holds(project, actor=actor)

    how: dict[str, Any] = {"prepare": _validate_decision, "after_save": holds}
    how["audited"] = ("question", "due_date")
    return _create(ClientDecision, data, actor, project, fields=DECISION_FIELDS, **how)


def _open(message: str) -> Callable[[ClientDecision], None]:
    """A check that the decision is open (only an open one is changed, taken or withdrawn)."""
    return updates.in_state((DecisionStatus.OPEN,), message)


@transaction.atomic
def do_update_decision(
    decision: ClientDecision, *, version: int | None, actor: User, **data: Any
) -> ClientDecision:
    """Change an open decision's question, options, decider, due date or blocked tasks."""
    project = decision.project
    permissions.require_edit(actor, project)
    how = {"check": _open(_("Only an open decision can be changed.")), "prepare": _validate_decision}
    current = _update(decision, data, version, actor, project, fields=DECISION_FIELDS, **how).instance
    refresh_decision_holds(project, actor=actor)
    return current


@transaction.atomic
def do_decide(
    decision: ClientDecision, *, version: int | None, actor: User, outcome: str, rationale: str = ""
) -> ClientDecision:
    """Take the decision: only the named member or a holder of the named decision right may."""
    project = decision.project
    if not permissions.can_decide(actor, decision):
        raise PermissionDenied(_("This decision is for someone else to take."))

    def check(row: ClientDecision) -> None:
        """Open, and with an outcome."""
        _open(_("Only an open decision can be taken."))(row)
        if not (outcome or "").strip():
            raise ValidationError({"outcome": [_("Say what was decided.")]})

    def taken(row: ClientDecision, before: Mapping[str, Any]) -> None:
        """Who decided, when."""
        row.decided_by = actor
        row.decided_at = timezone.now()

    decided = {
        "status": DecisionStatus.DECIDED,
        "outcome": outcome.strip(),
        "rationale": (rationale or "").strip(),
    }
    how: dict[str, Any] = {"fields": tuple(decided), "audited": ("status", "outcome"), "verb": "decided"}
    current = updates.update_versioned(
        decision, decided, version=version, actor=actor, check=check, prepare=taken, **how
    ).instance
    refresh_decision_holds(project, actor=actor)
    return current


@transaction.atomic
def do_withdraw_decision(decision: ClientDecision, *, version: int | None, actor: User) -> ClientDecision:
    """Withdraw an open decision the project no longer needs."""
    project = decision.project
    permissions.require_edit(actor, project)
    is_open = _open(_("Only an open decision can be withdrawn."))
    current = updates.move(
        decision, DecisionStatus.WITHDRAWN, version=version, actor=actor, verb="withdrew", check=is_open
    )
    refresh_decision_holds(project, actor=actor)
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
        writing.lock_plan(project)
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
        bulk_write(Task, changed, ["held_until", "hold_reason"])
        writing.plan_changed(project)
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
