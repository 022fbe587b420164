"""Request and response shapes of change control: requests, sandbox edits, impacts, decisions, the log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema

from tandem.api.model_fields import model_field
from tandem.api.schemas import Id, IsoDate, PersonOut, StrictInt, Version
from tandem.changes.choices import ApprovalRule, EditKind, Outcome, Urgency
from tandem.changes.models import ChangeRequest, ChangeSettings, Decision, SandboxEdit
from tandem.core.choices import Visibility

Minutes = Annotated[StrictInt, Field(ge=-10_000_000, le=10_000_000)]
Money = Annotated[Decimal, Field(ge=-(10**11), le=10**11)]


class ChangeOut(Schema):
    """A change request as a row of the list."""

    id: int
    code: str
    title: str
    description: str
    urgency: str
    status: str
    visibility: str
    requested_decision_date: dt.date | None
    decision_due_date: dt.date | None
    proposer: PersonOut | None
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    applied_at: dt.datetime | None
    baseline_id: int | None
    created_at: dt.datetime
    version: int


class EditOut(Schema):
    """One plan edit of a request's sandbox."""

    id: int
    position: int
    kind: str
    payload: dict[str, Any]
    effort_minutes: int | None
    cost: Decimal | None
    visibility: str


class ChangeDecisionOut(Schema):
    """One approver's decision."""

    decider: PersonOut
    outcome: str
    #: "impact_changed" when the approval was not applied because the plan changed under it; "" otherwise.
    refusal: str
    comment: str
    round: int
    at: dt.datetime


class StepOut(Schema):
    """One step of the status history."""

    from_status: str
    to_status: str
    actor: PersonOut | None
    note: str
    at: dt.datetime


class ChangeImpactOut(Schema):
    """An impact as the caller may read it (a client: shared tasks only, no per-edit prices)."""

    data: dict[str, Any]


class ChangeDetailOut(ChangeOut):
    """A change request with its edits, impacts, decisions and history."""

    affected_task_ids: list[int]
    affected_deliverable_ids: list[int]
    affected_requirement_ids: list[int]
    edits: list[EditOut]
    impact: dict[str, Any] | None = Field(None, description="The latest impact computed.")
    frozen_impact: dict[str, Any] | None = Field(None, description="The impact submitted for decision.")
    decisions: list[ChangeDecisionOut]
    history: list[StepOut]
    approval_rule: str
    pending_approvers: list[PersonOut]


class ChangeIn(Schema):
    """A new change request: what and why, urgency, dates, affected rows."""

    title: str = model_field(ChangeRequest, "title")
    description: str = model_field(ChangeRequest, "description", "")
    urgency: Urgency = model_field(ChangeRequest, "urgency", Urgency.NORMAL)
    requested_decision_date: IsoDate | None = model_field(ChangeRequest, "requested_decision_date", None)
    decision_due_date: IsoDate | None = model_field(ChangeRequest, "decision_due_date", None)
    visibility: Visibility | None = model_field(ChangeRequest, "visibility", None)
    affected_task_ids: list[Id] | None = None
    affected_deliverable_ids: list[Id] | None = None
    affected_requirement_ids: list[Id] | None = None


class ChangePatchIn(Schema):
    """Changes to a request, based on the version read."""

    version: Version
    title: str | None = model_field(ChangeRequest, "title", None)
    description: str | None = model_field(ChangeRequest, "description", None)
    urgency: Urgency | None = model_field(ChangeRequest, "urgency", None)
    requested_decision_date: IsoDate | None = model_field(ChangeRequest, "requested_decision_date", None)
    decision_due_date: IsoDate | None = model_field(ChangeRequest, "decision_due_date", None)
    visibility: Visibility | None = model_field(ChangeRequest, "visibility", None)
    affected_task_ids: list[Id] | None = None
    affected_deliverable_ids: list[Id] | None = None
    affected_requirement_ids: list[Id] | None = None


class ChangeStepIn(Schema):
    """The version of the request the caller read."""

    version: Version
    reason: str = ""


class EditIn(Schema):
    """A plan edit: its kind, the details for that kind, optional effort and price."""

    kind: EditKind = model_field(SandboxEdit, "kind")
    payload: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "add_task: name, duration_minutes, kind (task|milestone), visibility, parent_id; remove_task: "
            "task_id; change_task: task_id, duration_minutes and/or start (YYYY-MM-DD); add_link: "
            "predecessor, successor (a task id or new-<edit id>), type, lag_minutes; "
            "remove_link: dependency_id; revise_requirement: requirement_id (id or REQ-001), title, "
            "description, priority, acceptance_criteria"
        ),
    )
    effort_minutes: Minutes | None = model_field(SandboxEdit, "effort_minutes", None)
    cost: Money | None = model_field(SandboxEdit, "cost", None)


class EditPatchIn(Schema):
    """Changes to a plan edit."""

    payload: dict[str, Any] | None = None
    effort_minutes: Minutes | None = model_field(SandboxEdit, "effort_minutes", None)
    cost: Money | None = model_field(SandboxEdit, "cost", None)


class ChangeDecisionIn(Schema):
    """An approver's decision on the version read."""

    version: Version
    outcome: Outcome = model_field(Decision, "outcome")
    comment: str = model_field(Decision, "comment", "", max_length=5000)


class ScopeOut(Schema):
    """What approved changes added since the charter was confirmed."""

    since: dt.datetime | None
    changes: int
    days: int
    effort_minutes: int
    cost: Decimal
    currency: str
    codes: list[str]


class LogEntryOut(Schema):
    """A request in the change log: status history, frozen impact and decisions."""

    code: str
    title: str
    status: str
    proposer: PersonOut | None
    frozen_impact: dict[str, Any] | None
    decisions: list[ChangeDecisionOut]
    history: list[StepOut]


class ChangeLogOut(Schema):
    """The project's change log and the cumulative scope change."""

    scope: ScopeOut
    changes: list[LogEntryOut]


class ChangeSettingsOut(Schema):
    """The project's change settings (the day rate is the team's only)."""

    approval_rule: str
    day_rate: Decimal | None


class ChangeSettingsIn(Schema):
    """New change settings."""

    approval_rule: ApprovalRule | None = model_field(ChangeSettings, "approval_rule", None)
    day_rate: Decimal | None = model_field(ChangeSettings, "day_rate", None)
