"""The write side of change control: each step is one transaction, checked, audited and historied.

The flow: anyone on the project proposes (draft); plan editors express the change as sandbox edits
(analysing), compute its impact and submit it (awaiting decision, impact frozen); holders of
"approve change" decide. The final approval applies the edits through the planning services, saves a
baseline named after the request and approves it — approving a change includes its re-baseline — all
in one transaction. If the plan changed since the frozen impact was computed, nothing is applied: the
impact is recomputed and the approvers are asked to confirm again.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.accounts.models import User
from tandem.changes import impact as impact_module
from tandem.changes.choices import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    ApprovalRule,
    ChangeStatus,
    EditKind,
    Outcome,
    Refusal,
    Urgency,
)
from tandem.changes.models import (
    ChangeRequest,
    ChangeSettings,
    Decision,
    Impact,
    SandboxEdit,
    StatusChange,
)
from tandem.core import audit, updates
from tandem.core.choices import Side, Visibility
from tandem.core.errors import ConflictError
from tandem.planning import scheduling, writing
from tandem.planning import services as planning_services
from tandem.planning.models import Baseline, Dependency, Task
from tandem.projects import permissions
from tandem.projects.choices import DecisionKind
from tandem.projects.models import Deliverable, Membership, Project
from tandem.projects.permissions import Action
from tandem.requirements import services as requirement_services
from tandem.requirements.models import Requirement
from tandem.resources import services as resource_services

#: Fields of a request its proposer or a plan editor may set.
REQUEST_FIELDS = (
    "title",
    "description",
    "urgency",
    "requested_decision_date",
    "decision_due_date",
    "visibility",
    "affected_task_ids",
    "affected_deliverable_ids",
    "affected_requirement_ids",
)
AUDITED_FIELDS = (
    "title",
    "description",
    "urgency",
    "requested_decision_date",
    "decision_due_date",
    "visibility",
)
CODE_PATTERN = re.compile(r"^CR-(\d+)$")


# ---------------------------------------------------------------- helpers


#: How a change request names itself in a version conflict.
CONFLICT_MESSAGE = gettext_lazy(
    "Someone else changed this change request in the meantime (you read version %(yours)s, it is "
    "now at version %(theirs)s). Reload to see their change, then try again."
)


def _locked(request: ChangeRequest) -> ChangeRequest:
    """The request re-read and locked for the change, with its project."""
    current = ChangeRequest.objects.select_for_update().get(pk=request.pk)
    current.project = request.project
    return current


def _require_open(request: ChangeRequest) -> None:
    if request.status not in OPEN_STATUSES:
        raise ValidationError(
            {
                "status": [
                    _("This change request is %(status)s: it can no longer be edited.")
                    % {"status": request.get_status_display()}
                ]
            }
        )


def _move(request: ChangeRequest, status: str, *, actor: User | None, note: str = "") -> None:
    """Set the status and write the step into the history (the caller saves the request)."""
    StatusChange.objects.create(
        request=request, from_status=request.status, to_status=status, actor=actor, note=note
    )
    request.status = status


def _may_edit_request(actor: User, request: ChangeRequest) -> bool:
    project = request.project
    if permissions.can(actor, project, Action.EDIT_PLAN):
        return True
    return request.proposer_id == actor.pk and permissions.can(actor, project, Action.PROPOSE_CHANGE)


def _next_code(project: Project) -> str:
    highest = 0
    for code in ChangeRequest.objects.filter(project=project).values_list("code", flat=True):
        match = CODE_PATTERN.match(code)
        if match:
            highest = max(highest, int(match.group(1)))
    return f"CR-{highest + 1:03d}"


def _links(actor: User, project: Project) -> dict[str, updates.Link]:
    """The records a change request names, each checked against what the author may see."""
    return {
        "affected_task_ids": updates.Link(
            "affected_tasks",
            Task.objects.visible_to(actor).filter(project=project),
            gettext_lazy("Choose tasks of this project."),
        ),
        "affected_deliverable_ids": updates.Link(
            "affected_deliverables",
            Deliverable.objects.visible_to(actor).filter(project=project),
            gettext_lazy("Choose deliverables of this project."),
        ),
        "affected_requirement_ids": updates.Link(
            "affected_requirements",
            Requirement.objects.visible_to(actor).filter(project=project),
            gettext_lazy("Choose requirements of this project."),
        ),
    }


def _strip(value: Any) -> str:
    """A text without surrounding blanks ("" for None)."""
    return (value or "").strip()


def _date(name: str) -> Callable[[Any], Any]:
    """A cleaner for a date given as a date, an ISO text or nothing."""

    def clean(value: Any) -> Any:
        """The date, or a ValidationError naming ``name``."""
        if not isinstance(value, str):
            return value
        try:
            return dt.date.fromisoformat(value) if value else None
        except ValueError:
            raise ValidationError({name: [_("Enter a valid date (YYYY-MM-DD).")]}) from None

    return clean


#: How a request's own fields are cleaned before they are set.
CLEAN = {
    "title": _strip,
    "description": _strip,
    "requested_decision_date": _date("requested_decision_date"),
    "decision_due_date": _date("decision_due_date"),
}
#: Every edit of a request: named in a conflict, and recorded even when it changes no audited field.
EDITS: dict[str, Any] = {
    "conflict_message": CONFLICT_MESSAGE,
    "record_unchanged": True,
    "audited": AUDITED_FIELDS,
}
#: Validation leaves these to the services that set them.
NOT_VALIDATED = ["project", "proposer", "submitted_by", "frozen_impact", "baseline", "code"]


def _check_request(request: ChangeRequest, actor: User) -> None:
    """What a request needs beyond its fields: shared when the client wrote it, a title, a known urgency."""
    if not permissions.is_team(actor, request.project) and request.visibility != Visibility.SHARED:
        raise ValidationError({"visibility": [_("Change requests from the client are always shared.")]})
    if not request.title:
        raise ValidationError({"title": [_("This field is required.")]})
    if request.urgency not in Urgency.values:
        raise ValidationError(
            {"urgency": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(Urgency.values)}]}
        )


def _request_rules(actor: User, project: Project) -> dict[str, Any]:
    """How a request's fields are set, whether it is proposed or edited: cleaned, linked, checked."""
    return {
        "clean": CLEAN,
        "links": _links(actor, project),
        "exclude": NOT_VALIDATED,
        "prepare": lambda request, values: _check_request(request, actor),
    }


def change_settings(project: Project) -> ChangeSettings:
    """The project's change settings (unsaved defaults when none were stored)."""
    return ChangeSettings.objects.filter(project=project).first() or ChangeSettings(project=project)


# ---------------------------------------------------------------- requests


@transaction.atomic
def do_propose_change(project: Project, *, actor: User, **data: Any) -> ChangeRequest:
    """Propose a change (anyone on the project but viewers, the client too): a draft with the next CR code."""
    permissions.require(actor, project, Action.PROPOSE_CHANGE)
    Project.objects.select_for_update().filter(pk=project.pk).first()  # one code at a time

    def drafted(request: ChangeRequest) -> None:
        """The first step of the request's history."""
        StatusChange.objects.create(
            request=request, from_status="", to_status=ChangeStatus.DRAFT, actor=actor
        )

    how = _request_rules(actor, project)
    how.update(verb="proposed change", audited=("title",), after_save=drafted)
    how["initial"] = {"project": project, "proposer": actor, "code": _next_code(project)}
    return updates.create_audited(
        ChangeRequest, data, fields=REQUEST_FIELDS, actor=actor, project=project, **how
    )


@transaction.atomic
def do_update_change(
    request: ChangeRequest, *, actor: User, version: int | None, **data: Any
) -> ChangeRequest:
    """Change a request's text, dates or affected rows while it is open (its proposer or a plan editor)."""
    if not _may_edit_request(actor, request):
        raise PermissionDenied(_("Your role in this project does not allow this."))
    how = _request_rules(actor, request.project)
    how.update(check=_require_open, **EDITS)
    return updates.update_versioned(
        request, data, fields=REQUEST_FIELDS, version=version, actor=actor, verb="updated change", **how
    ).instance


def _not_decided(request: ChangeRequest) -> None:
    """A request can be withdrawn until it is decided."""
    if request.status in FINAL_STATUSES or request.status == ChangeStatus.APPROVED:
        raise ValidationError({"status": [_("This change request is already decided.")]})


@transaction.atomic
def do_withdraw_change(
    request: ChangeRequest, *, actor: User, version: int | None, reason: str = ""
) -> ChangeRequest:
    """Withdraw a request that is not decided yet (its proposer or a plan editor)."""
    if not _may_edit_request(actor, request):
        raise PermissionDenied(_("Your role in this project does not allow this."))
    how: dict[str, Any] = {"check": _not_decided, "validate": False, "verb": "withdrew change"}

    def withdraw(current: ChangeRequest, changes: dict[str, Any]) -> None:
        """The step into the request's history, with the reason."""
        _move(current, ChangeStatus.WITHDRAWN, actor=actor, note=reason)

    return updates.update_versioned(
        request, {}, fields=(), version=version, actor=actor, before_save=withdraw, **how, **EDITS
    ).instance


# ---------------------------------------------------------------- the sandbox


def _require_analyst(actor: User, request: ChangeRequest) -> None:
    permissions.require(actor, request.project, Action.EDIT_PLAN)


def _start_analysis(request: ChangeRequest, actor: User) -> None:
    if request.status == ChangeStatus.DRAFT:
        _move(request, ChangeStatus.ANALYSING, actor=actor)
    request.version += 1
    request.save()


def _clean_effort_cost(effort_minutes: Any, cost: Any) -> tuple[int | None, Decimal | None]:
    effort = None
    if effort_minutes not in (None, ""):
        effort = impact_module._int(effort_minutes, "effort_minutes", low=-impact_module.MAX_MINUTES)
    price = None
    if cost not in (None, ""):
        try:
            price = Decimal(str(cost)).quantize(impact_module.CENT)
        except (InvalidOperation, ValueError):
            raise ValidationError({"cost": [_("Enter a number.")]}) from None
        if abs(price) >= Decimal("1e12"):
            raise ValidationError({"cost": [_("Enter a smaller amount.")]})
    return effort, price


@transaction.atomic
def do_add_edit(
    request: ChangeRequest,
    *,
    actor: User,
    kind: str,
    payload: Mapping[str, Any],
    effort_minutes: Any = None,
    cost: Any = None,
) -> SandboxEdit:
    """Add a plan edit to the request's sandbox (the plan itself does not change)."""
    _require_analyst(actor, request)
    current = _locked(request)
    _require_open(current)
    earlier = list(current.edits.all())
    clean, visibility = impact_module.clean_payload(
        current.project, kind, payload, actor=actor, earlier=earlier
    )
    effort, price = _clean_effort_cost(effort_minutes, cost)
    edit = SandboxEdit.objects.create(
        request=current,
        position=(max((e.position for e in earlier), default=0) + 1),
        kind=kind,
        payload=clean,
        effort_minutes=effort,
        cost=price,
        visibility=visibility,
        created_by=actor,
    )
    if kind == EditKind.REVISE_REQUIREMENT:
        current.affected_requirements.add(clean["requirement_id"])
    _start_analysis(current, actor)
    audit.record(
        actor=actor,
        verb="added sandbox edit",
        target=current,
        project=current.project,
        visibility=Visibility.SHARED
        if current.is_shared and visibility == Visibility.SHARED
        else Visibility.INTERNAL,
        changes={"kind": [None, kind], "details": [None, clean]},
    )
    return edit


@transaction.atomic
def do_update_edit(
    edit: SandboxEdit,
    *,
    actor: User,
    payload: Mapping[str, Any] | None = None,
    effort_minutes: Any = ...,
    cost: Any = ...,
) -> SandboxEdit:
    """Change a sandbox edit's details, effort or cost."""
    request = edit.request
    _require_analyst(actor, request)
    current = _locked(request)
    _require_open(current)
    row = SandboxEdit.objects.select_for_update().get(pk=edit.pk)
    if payload is not None:
        earlier = list(current.edits.filter(position__lt=row.position))
        row.payload, row.visibility = impact_module.clean_payload(
            current.project, row.kind, payload, actor=actor, earlier=earlier
        )
    effort, price = _clean_effort_cost(
        None if effort_minutes is ... else effort_minutes, None if cost is ... else cost
    )
    if effort_minutes is not ...:
        row.effort_minutes = effort
    if cost is not ...:
        row.cost = price
    row.save()
    _start_analysis(current, actor)
    audit.record(
        actor=actor,
        verb="changed sandbox edit",
        target=current,
        project=current.project,
        visibility=Visibility.SHARED
        if current.is_shared and row.visibility == Visibility.SHARED
        else Visibility.INTERNAL,
        changes={"details": [None, row.payload]},
    )
    return row


@transaction.atomic
def do_delete_edit(edit: SandboxEdit, *, actor: User) -> None:
    """Remove a sandbox edit (and the later edits that name the task it adds)."""
    request = edit.request
    _require_analyst(actor, request)
    current = _locked(request)
    _require_open(current)
    ref = impact_module.new_ref(edit.pk)
    dependent = [
        e.pk
        for e in current.edits.all()
        if e.kind == EditKind.ADD_LINK and ref in (e.payload.get("predecessor"), e.payload.get("successor"))
    ]
    SandboxEdit.objects.filter(pk__in=[edit.pk, *dependent]).delete()
    _start_analysis(current, actor)
    audit.record(
        actor=actor,
        verb="removed sandbox edit",
        target=current,
        project=current.project,
        visibility=Visibility.SHARED
        if current.is_shared and edit.visibility == Visibility.SHARED
        else Visibility.INTERNAL,
        changes={"kind": [edit.kind, None]},
    )


def _new_impact(request: ChangeRequest, actor: User | None) -> Impact:
    edits = list(request.edits.all())
    data = impact_module.compute_impact(request.project, edits, actor=actor)
    return Impact.objects.create(
        request=request,
        computed_by=actor,
        fingerprint=impact_module.plan_fingerprint(request.project),
        edits_fingerprint=impact_module.edits_fingerprint(edits),
        data=data,
    )


@transaction.atomic
def do_compute_impact(request: ChangeRequest, *, actor: User) -> Impact:
    """Schedule the plan with the sandbox edits (in memory) and store the impact on the request."""
    _require_analyst(actor, request)
    current = _locked(request)
    _require_open(current)
    found = _new_impact(current, actor)
    _start_analysis(current, actor)
    audit.record(
        actor=actor,
        verb="computed impact",
        target=current,
        project=current.project,
        visibility=current.visibility,
        changes={"new_finish": [found.data.get("current_finish"), found.data.get("new_finish")]},
    )
    return found


def latest_impact(request: ChangeRequest) -> Impact | None:
    """The most recently computed impact of the request."""
    return Impact.objects.filter(request=request).order_by("-computed_at", "-id").first()


def _step(
    request: ChangeRequest, version: int | None, actor: User, stale: list[str], **how: Any
) -> ChangeRequest:
    """One step of the decision flow, versioned and audited in its own transaction.

    When the step found the plan moved under the request (``stale`` holds why), what it stored (a
    fresh impact) is committed and a ``ConflictError`` carrying the new version asks for a review.
    """
    with transaction.atomic():
        current = updates.update_versioned(
            request,
            {},
            fields=(),
            version=version,
            actor=actor,
            conflict_message=CONFLICT_MESSAGE,
            validate=False,
            **how,
        ).instance
    if stale:
        raise ConflictError(stale[0], current_version=current.version)
    return current


def do_submit_change(request: ChangeRequest, *, actor: User, version: int | None) -> ChangeRequest:
    """Submit for decision: freezes the latest impact into the request.

    When the edits or the plan changed since that impact, a fresh one is computed and stored and a
    ``ConflictError`` asks the submitter to review it first.
    """
    _require_analyst(actor, request)
    stale: list[str] = []

    def has_edits(current: ChangeRequest) -> None:
        """Open, and expressed as plan edits."""
        _require_open(current)
        if not current.edits.exists():
            raise ValidationError({"edits": [_("Express the change as plan edits before submitting it.")]})

    def freeze(current: ChangeRequest, changes: dict[str, Any]) -> None:
        """Freeze the latest impact, or compute a fresh one when the plan or the edits changed since."""
        edits = list(current.edits.all())
        found = latest_impact(current)
        if (
            found is None
            or found.edits_fingerprint != impact_module.edits_fingerprint(edits)
            or found.fingerprint != impact_module.plan_fingerprint(current.project)
        ):
            _new_impact(current, actor)
            stale.append(
                _(
                    "The plan or the edits changed since the impact was computed. The impact was computed "
                    "again: review it, then submit."
                )
            )
            return
        current.frozen_impact = found
        current.submitted_by = actor
        current.submitted_at = timezone.now()
        current.round += 1
        _move(current, ChangeStatus.AWAITING, actor=actor)
        changes["status"] = [None, ChangeStatus.AWAITING]

    return _step(request, version, actor, stale, verb="submitted change", check=has_edits, before_save=freeze)


# ---------------------------------------------------------------- decisions


def approvers_of(request: ChangeRequest) -> list[User]:
    """The people who hold "approve change" and can see the request (an internal one: the team's only)."""
    project = request.project
    roles = permissions.decision_roles(project, DecisionKind.APPROVE_CHANGE)
    memberships = Membership.objects.filter(project=project, role__in=roles, user__is_active=True)
    if request.visibility != Visibility.SHARED:
        memberships = memberships.filter(side=Side.TEAM)
    return [m.user for m in memberships.select_related("user").order_by("user_id")]


def _all_approved(request: ChangeRequest) -> bool:
    holders = {u.pk for u in approvers_of(request)}
    approved = set(
        Decision.objects.filter(request=request, round=request.round, outcome=Outcome.APPROVE).values_list(
            "decider_id", flat=True
        )
    )
    return holders <= approved


def do_decide_change(
    request: ChangeRequest, *, actor: User, version: int | None, outcome: str, comment: str = ""
) -> ChangeRequest:
    """Record an approver's decision; the final approval applies the change with its re-baseline.

    Two approvers deciding at once are serialised by a lock on the request's row: exactly one outcome.
    """
    project = request.project
    permissions.require_decision(actor, project, DecisionKind.APPROVE_CHANGE)
    if outcome not in Outcome.values:
        raise ValidationError(
            {"outcome": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(Outcome.values)}]}
        )
    comment = (comment or "").strip()
    if outcome != Outcome.APPROVE and not comment:
        raise ValidationError({"comment": [_("Say why, so that the team knows what to do next.")]})
    stale_message: list[str] = []

    def awaiting(current: ChangeRequest) -> None:
        """Awaiting a decision, and not approved by this approver in this round yet."""
        if current.status != ChangeStatus.AWAITING:
            raise ValidationError(
                {
                    "status": [
                        _("This change request is not awaiting a decision (it is %(status)s).")
                        % {"status": current.get_status_display()}
                    ]
                }
            )
        if Decision.objects.filter(
            request=current, round=current.round, decider=actor, outcome=Outcome.APPROVE
        ).exists():
            raise ValidationError({"outcome": [_("You already approved this change request.")]})

    def decide(current: ChangeRequest, changes: dict[str, Any]) -> None:
        """Record the decision; the final approval applies the change, unless the plan moved under it
        (then the approval is recorded as refused, beside the impact it was given on)."""
        Decision.objects.create(
            request=current,
            decider=actor,
            outcome=outcome,
            comment=comment,
            round=current.round,
            impact=current.frozen_impact,
        )
        now = timezone.now()
        if outcome == Outcome.REJECT:
            _move(current, ChangeStatus.REJECTED, actor=actor, note=comment)
            current.decided_at = now
        elif outcome == Outcome.MORE_INFO:
            _move(current, ChangeStatus.MORE_INFO, actor=actor, note=comment)
        elif change_settings(project).approval_rule == ApprovalRule.ANY or _all_approved(current):
            assert current.frozen_impact is not None
            if current.frozen_impact.fingerprint != impact_module.plan_fingerprint(project):
                # Every approval of this round was given on the old impact: none of them was applied.
                Decision.objects.filter(request=current, round=current.round, outcome=Outcome.APPROVE).update(
                    refusal=Refusal.IMPACT_CHANGED
                )
                stale_message.append(_recompute_stale(current, actor))
                changes["refusal"] = [None, Refusal.IMPACT_CHANGED]
            else:
                _move(current, ChangeStatus.APPROVED, actor=actor, note=comment)
                current.decided_at = now
                _apply(current, approver=actor)
        changes.update(outcome=[None, outcome], comment=[None, comment], status=[None, current.status])

    return _step(
        request, version, actor, stale_message, verb="decided change", check=awaiting, before_save=decide
    )


def _recompute_stale(current: ChangeRequest, actor: User) -> str:
    """The plan changed under a submitted request: store a fresh impact and ask for a new decision."""
    try:
        with transaction.atomic():
            fresh = _new_impact(current, current.submitted_by)
    except ValidationError as exc:
        _move(current, ChangeStatus.ANALYSING, actor=actor, note="; ".join(exc.messages))
        return _(
            "The plan changed since this impact was computed and the change's edits no longer fit it "
            "(%(error)s). Nothing was applied; the team must revise the change."
        ) % {"error": "; ".join(exc.messages)}
    current.frozen_impact = fresh
    current.round += 1  # earlier approvals were given on the old impact
    StatusChange.objects.create(
        request=current,
        from_status=current.status,
        to_status=current.status,
        actor=actor,
        note="impact recomputed: the plan changed",
    )
    return _(
        "The plan changed since the impact was computed, so nothing was applied. The impact was computed "
        "again: read the new impact and confirm your decision."
    )


def _resolve(ref: Any, created: Mapping[str, int]) -> int:
    if isinstance(ref, str) and ref.startswith(impact_module.NEW_PREFIX):
        return created[ref]
    return int(ref)


def _apply(current: ChangeRequest, *, approver: User) -> None:
    """Apply the sandbox edits to the plan, then save and approve the re-baseline (one transaction)."""
    project = current.project
    editor = current.submitted_by
    if editor is None or not permissions.can(editor, project, Action.EDIT_PLAN):
        raise PermissionDenied(
            _(
                "The person who submitted this change no longer edits the plan; a plan editor must submit "
                "it again."
            )
        )
    # One transaction, one plan lock and one reschedule for all the edits (the baseline reads it).
    with writing.one_reschedule(project):
        zone = scheduling.zone_of(project)
        created: dict[str, int] = {}
        for edit in current.edits.all():
            data = edit.payload
            if edit.kind == EditKind.ADD_TASK:
                fields = {
                    k: data[k]
                    for k in ("name", "kind", "duration_minutes", "visibility", "parent_id")
                    if k in data
                }
                task = planning_services.do_add_task(project, actor=editor, **fields)
                created[impact_module.new_ref(edit.pk)] = task.pk
                for proposed in data.get("assignments", ()):
                    resource_services.do_assign(
                        project,
                        actor=editor,
                        task_id=task.pk,
                        resource_id=proposed["resource"],
                        units=proposed["units"],
                        work_minutes=proposed["work_minutes"],
                    )
            elif edit.kind == EditKind.REMOVE_TASK:
                task = Task.objects.select_related("project").get(project=project, pk=data["task_id"])
                planning_services.do_delete_task(task, version=task.version, actor=editor)
            elif edit.kind == EditKind.CHANGE_TASK:
                task = Task.objects.select_related("project").get(project=project, pk=data["task_id"])
                if "duration_minutes" in data:
                    task = planning_services.do_update_task(
                        task, version=task.version, actor=editor, duration_minutes=data["duration_minutes"]
                    )
                if "start" in data:
                    start = scheduling.to_aware(
                        dt.datetime.combine(dt.date.fromisoformat(data["start"]), dt.time(0, 0)), zone
                    )
                    planning_services.do_move_task(task, version=task.version, actor=editor, start=start)
            elif edit.kind == EditKind.ADD_LINK:
                planning_services.do_add_dependency(
                    project,
                    predecessor_id=_resolve(data["predecessor"], created),
                    successor_id=_resolve(data["successor"], created),
                    type=data.get("type", "FS"),
                    lag_minutes=int(data.get("lag_minutes", 0)),
                    actor=editor,
                )
            elif edit.kind == EditKind.REMOVE_LINK:
                link = Dependency.objects.get(project=project, pk=data["dependency_id"])
                link.project = project
                planning_services.do_remove_dependency(link, actor=editor)
            elif edit.kind == EditKind.REVISE_REQUIREMENT:
                requirement = Requirement.objects.select_related("project").get(
                    project=project, pk=data["requirement_id"]
                )
                fields = {k: v for k, v in data.items() if k != "requirement_id"}
                requirement_services.do_revise_requirement(
                    requirement,
                    actor=editor,
                    version=requirement.version,
                    reason=f"{current.code}: {current.title}",
                    change_ref=current.code,
                    **fields,
                )
        baseline = planning_services.do_save_baseline(
            project,
            name=f"{current.code} {current.title}"[:200],
            actor=editor,
            reason=_("Re-baseline of the approved change request %(code)s.") % {"code": current.code},
        )
    # Approving the change includes its re-baseline: the approver's decision approves the new baseline.
    Baseline.objects.filter(pk=baseline.pk).update(approved_by=approver, approved_at=timezone.now())
    audit.record(
        actor=approver,
        verb="approved baseline",
        target=baseline,
        project=project,
        changes={"change_request": [None, current.code]},
    )
    current.baseline = baseline
    current.applied_at = timezone.now()
    _move(current, ChangeStatus.APPLIED, actor=approver)
    audit.record(
        actor=approver,
        verb="applied change",
        target=current,
        project=project,
        visibility=current.visibility,
        changes={"baseline": [None, baseline.name]},
    )


# ---------------------------------------------------------------- settings


@transaction.atomic
def do_update_change_settings(project: Project, *, actor: User, **data: Any) -> ChangeSettings:
    """Set the approval rule for several approvers and the internal day rate (the project manager)."""
    permissions.require(actor, project, Action.EDIT_PROJECT)
    unknown = sorted(set(data) - {"approval_rule", "day_rate"})
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
    row, _created = ChangeSettings.objects.select_for_update().get_or_create(project=project)
    before = audit.field_values(row, ("approval_rule", "day_rate"))
    if "approval_rule" in data:
        if data["approval_rule"] not in ApprovalRule.values:
            raise ValidationError(
                {
                    "approval_rule": [
                        _("Choose one of: %(choices)s.") % {"choices": ", ".join(ApprovalRule.values)}
                    ]
                }
            )
        row.approval_rule = data["approval_rule"]
    if "day_rate" in data:
        rate = data["day_rate"]
        try:
            row.day_rate = None if rate in (None, "") else Decimal(str(rate)).quantize(impact_module.CENT)
        except (InvalidOperation, ValueError):
            raise ValidationError({"day_rate": [_("Enter a number.")]}) from None
    row.full_clean(exclude=["project"])
    row.save()
    audit.record(
        actor=actor,
        verb="updated change settings",
        target=project,
        project=project,
        visibility=Visibility.INTERNAL,
        changes=audit.changed(before, audit.field_values(row, ("approval_rule", "day_rate"))),
    )
    return row


# ---------------------------------------------------------------- reminders


def pending_approvers(request: ChangeRequest) -> list[User]:
    """The approvers who have not decided in the current round."""
    decided = set(
        Decision.objects.filter(request=request, round=request.round).values_list("decider_id", flat=True)
    )
    return [u for u in approvers_of(request) if u.pk not in decided]


def due_requests(today: dt.date) -> Iterable[ChangeRequest]:
    """Requests awaiting a decision whose due date is tomorrow, today or past."""
    return (
        ChangeRequest.objects.filter(
            status=ChangeStatus.AWAITING,
            decision_due_date__isnull=False,
            decision_due_date__lte=today + dt.timedelta(days=1),
        )
        .select_related("project")
        .order_by("id")
    )


def send_reminder_email(request_id: int, user_id: int, today: dt.date) -> bool:
    """Mail one approver the reminder of one request for ``today``, in their language.

    Nothing goes out when the request no longer awaits this person's decision (decided since the
    reminder was queued). Returns whether a mail was sent.
    """
    request = ChangeRequest.objects.select_related("project").filter(pk=request_id).first()
    person = User.objects.filter(pk=user_id, is_active=True).first()
    if request is None or person is None or not person.email or request.status != ChangeStatus.AWAITING:
        return False
    if person.pk not in {u.pk for u in pending_approvers(request)}:
        return False
    with translation.override(person.language or settings.LANGUAGE_CODE):
        overdue = request.decision_due_date is not None and request.decision_due_date < today
        subject = (
            _("Overdue: your decision on %(code)s “%(title)s”")
            if overdue
            else _("Due soon: your decision on %(code)s “%(title)s”")
        ) % {"code": request.code, "title": request.title}
        body = _(
            "The change request %(code)s “%(title)s” in project %(project)s awaits your decision "
            "(due %(due)s).\n\nRead its impact and decide: %(url)s"
        ) % {
            "code": request.code,
            "title": request.title,
            "project": request.project.name,
            "due": request.decision_due_date.isoformat() if request.decision_due_date else "",
            "url": f"{settings.SITE_URL}/projects/{request.project.code}/changes/{request.code}/",
        }
    send_mail(subject, body, None, [person.email])
    return True
