"""Request and response shapes of the registers: risks, actions, issues, conflicts, client decisions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema

from tandem.api.model_fields import model_field
from tandem.api.schemas import Id, IsoDate, PersonOut, StrictBool, StrictInt, Version
from tandem.core.choices import Visibility
from tandem.projects.choices import DecisionKind
from tandem.risks.choices import (
    ConflictCause,
    ConflictStatus,
    EscalationLevel,
    ImpactDimension,
    IssueStatus,
    Proximity,
    ResolutionMethod,
    RiskCategory,
    RiskStatus,
    RiskStrategy,
    Severity,
)
from tandem.risks.models import ClientDecision, Conflict, Issue, Risk, RiskAction, RiskSettings

Text = Annotated[str, Field(max_length=20_000)]
Days = Annotated[StrictInt, Field(ge=0, le=100_000)]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
IdList = Annotated[list[Id], Field(max_length=500)]


# ---------------------------------------------------------------- risks


class RegisterTaskOut(Schema):
    """A task linked to a record."""

    id: int
    name: str


class RiskOut(Schema):
    """A risk with its residual and inherent scores and its level under the project's thresholds."""

    id: int
    title: str
    description: str
    cause: str
    effect: str
    category: str
    probability: int
    impact: int
    impact_dimension: str
    score: int
    level: str
    inherent_probability: int
    inherent_impact: int
    inherent_score: int
    proximity: str
    owner: PersonOut | None
    strategy: str
    trigger: str
    contingency_days: int
    contingency_money: Decimal
    status: str
    next_review: dt.date | None
    closed_at: dt.datetime | None
    tasks: list[RegisterTaskOut] = Field(..., alias="shown_tasks")
    visibility: str
    version: int


class _RiskFields(Schema):
    description: Text | None = model_field(Risk, "description", None)
    cause: Text | None = model_field(Risk, "cause", None)
    effect: Text | None = model_field(Risk, "effect", None)
    category: RiskCategory | None = model_field(Risk, "category", None)
    probability: StrictInt | None = model_field(Risk, "probability", None)
    impact: StrictInt | None = model_field(Risk, "impact", None)
    impact_dimension: ImpactDimension | None = model_field(Risk, "impact_dimension", None)
    inherent_probability: StrictInt | None = model_field(Risk, "inherent_probability", None)
    inherent_impact: StrictInt | None = model_field(Risk, "inherent_impact", None)
    proximity: Proximity | None = model_field(Risk, "proximity", None)
    owner_id: Id | None = None
    strategy: RiskStrategy | None = model_field(Risk, "strategy", None)
    trigger: Text | None = model_field(Risk, "trigger", None)
    contingency_days: StrictInt | None = model_field(Risk, "contingency_days", None, le=100_000)
    contingency_money: Decimal | None = model_field(Risk, "contingency_money", None)
    status: RiskStatus | None = model_field(Risk, "status", None)
    next_review: IsoDate | None = model_field(Risk, "next_review", None)
    task_ids: IdList | None = None
    visibility: Visibility | None = model_field(Risk, "visibility", None)


class RiskIn(_RiskFields):
    """A new risk (probability and impact 1–5)."""

    title: str = model_field(Risk, "title")


class RiskPatchIn(_RiskFields):
    """Changes to a risk, based on the version the caller read."""

    title: str | None = model_field(Risk, "title", None)
    version: Version


class ScoreOut(Schema):
    """A risk's score from one moment on."""

    probability: int
    impact: int
    score: int
    changed_by: PersonOut | None
    changed_at: dt.datetime


class RiskActionOut(Schema):
    """One step of a risk's response plan; ``task_id`` is the plan task it became, if the reader sees it."""

    id: int
    risk_id: int
    description: str
    owner: PersonOut | None
    due_date: dt.date | None
    done: bool
    task_id: int | None = Field(None, alias="shown_task_id")
    version: int


class RiskActionIn(Schema):
    """A new response action."""

    description: str = model_field(RiskAction, "description")
    owner_id: Id | None = None
    due_date: IsoDate | None = model_field(RiskAction, "due_date", None)
    done: StrictBool | None = model_field(RiskAction, "done", None)
    task_id: Id | None = None


class RiskActionPatchIn(Schema):
    """Changes to a response action."""

    description: str | None = model_field(RiskAction, "description", None)
    owner_id: Id | None = None
    due_date: IsoDate | None = model_field(RiskAction, "due_date", None)
    done: StrictBool | None = model_field(RiskAction, "done", None)
    task_id: Id | None = None
    version: Version


class RiskActionTaskIn(Schema):
    """Turn an action into a plan task: its duration in working minutes."""

    version: Version
    duration_minutes: Annotated[StrictInt, Field(ge=0, le=10_000_000)] = 480


class OccurredIn(Schema):
    """A risk occurred: the issue it becomes (defaults from the risk)."""

    version: Version
    title: str | None = model_field(Issue, "title", None)
    description: Text | None = model_field(Issue, "description", None)
    impact: Text | None = model_field(Issue, "impact", None)
    severity: Severity | None = model_field(Issue, "severity", None)
    due_date: IsoDate | None = model_field(Issue, "due_date", None)


class HeatMapOut(Schema):
    """Counts of active risks: ``grid[impact-1][probability-1]``."""

    grid: list[list[int]]
    total: int
    basis: str


class OverviewOut(Schema):
    """Top risks, risks due for review, overdue actions, counts by level, inherent vs residual totals."""

    top: list[RiskOut]
    due_for_review: list[RiskOut]
    overdue_actions: list[RiskActionOut]
    by_level: dict[str, int]
    inherent_total: int
    residual_total: int


class RiskSettingsOut(Schema):
    """Thresholds from score to level: up to ``low_max`` low, …, above ``high_max`` critical."""

    low_max: int
    medium_max: int
    high_max: int
    version: int


class RiskSettingsIn(Schema):
    """New thresholds (version 0 for the first change)."""

    low_max: StrictInt = model_field(RiskSettings, "low_max", ge=1)
    medium_max: StrictInt = model_field(RiskSettings, "medium_max", ge=1)
    high_max: StrictInt = model_field(RiskSettings, "high_max", ge=1)
    version: Version


# ---------------------------------------------------------------- issues and conflicts


class IssueOut(Schema):
    """An issue with the tasks the reader may see and the risk it came from."""

    id: int
    title: str
    description: str
    impact: str
    severity: str
    owner: PersonOut | None
    due_date: dt.date | None
    escalation_level: str
    status: str
    resolution: str
    resolved_at: dt.datetime | None
    risk_id: int | None = Field(None, alias="shown_risk_id")
    tasks: list[RegisterTaskOut] = Field(..., alias="shown_tasks")
    visibility: str
    version: int


class _IssueFields(Schema):
    description: Text | None = model_field(Issue, "description", None)
    impact: Text | None = model_field(Issue, "impact", None)
    severity: Severity | None = model_field(Issue, "severity", None)
    owner_id: Id | None = None
    due_date: IsoDate | None = model_field(Issue, "due_date", None)
    escalation_level: EscalationLevel | None = model_field(Issue, "escalation_level", None)
    status: IssueStatus | None = model_field(Issue, "status", None)
    resolution: Text | None = model_field(Issue, "resolution", None)
    risk_id: Id | None = None
    task_ids: IdList | None = None
    visibility: Visibility | None = model_field(Issue, "visibility", None)


class IssueIn(_IssueFields):
    """A new issue."""

    title: str = model_field(Issue, "title")


class IssuePatchIn(_IssueFields):
    """Changes to an issue."""

    title: str | None = model_field(Issue, "title", None)
    version: Version


class ConflictOut(Schema):
    """A conflict (internal by default)."""

    id: int
    subject: str
    description: str
    parties: str
    people: list[PersonOut]
    root_cause: str
    resolution_method: str
    outcome: str
    status: str
    resolved_on: dt.date | None
    visibility: str
    version: int

    @staticmethod
    def resolve_people(obj: Any) -> list[Any]:
        return list(obj.people.all())


class _ConflictFields(Schema):
    description: Text | None = model_field(Conflict, "description", None)
    parties: str | None = model_field(Conflict, "parties", None)
    person_ids: IdList | None = None
    root_cause: ConflictCause | None = model_field(Conflict, "root_cause", None)
    resolution_method: ResolutionMethod | None = model_field(Conflict, "resolution_method", None)
    outcome: Text | None = model_field(Conflict, "outcome", None)
    status: ConflictStatus | None = model_field(Conflict, "status", None)
    resolved_on: IsoDate | None = model_field(Conflict, "resolved_on", None)
    visibility: Visibility | None = model_field(Conflict, "visibility", None)


class ConflictIn(_ConflictFields):
    """A new conflict."""

    subject: str = model_field(Conflict, "subject")


class ConflictPatchIn(_ConflictFields):
    """Changes to a conflict."""

    subject: str | None = model_field(Conflict, "subject", None)
    version: Version


# ---------------------------------------------------------------- client decisions


class ClientDecisionOut(Schema):
    """A decision the client must take; ``status`` is "overdue" for an open one past its due date."""

    id: int
    question: str
    context: str
    options: list[str]
    recommendation: str
    decider: PersonOut | None
    decision_kind: str
    due_date: dt.date | None
    status: str = Field(..., alias="shown_status")
    outcome: str
    rationale: str
    decided_by: PersonOut | None
    decided_at: dt.datetime | None
    blocked_tasks: list[RegisterTaskOut] = Field(..., alias="shown_tasks")
    project_code: str = Field(..., alias="project.code")
    visibility: str
    version: int


class _DecisionFields(Schema):
    context: Text | None = model_field(ClientDecision, "context", None)
    options: (
        Annotated[list[Annotated[str, Field(min_length=1, max_length=300)]], Field(max_length=50)] | None
    ) = None
    recommendation: Text | None = model_field(ClientDecision, "recommendation", None)
    decider_id: Id | None = None
    decision_kind: DecisionKind | None = model_field(ClientDecision, "decision_kind", None)
    due_date: IsoDate | None = model_field(ClientDecision, "due_date", None)
    blocked_task_ids: IdList | None = None
    visibility: Visibility | None = model_field(ClientDecision, "visibility", None)


class ClientDecisionIn(_DecisionFields):
    """A new decision for the client."""

    question: str = model_field(ClientDecision, "question")


class ClientDecisionPatchIn(_DecisionFields):
    """Changes to an open decision."""

    question: str | None = model_field(ClientDecision, "question", None)
    version: Version


class DecideIn(Schema):
    """The decision taken."""

    version: Version
    outcome: Text = model_field(ClientDecision, "outcome")
    rationale: Text = model_field(ClientDecision, "rationale", "")


class SlipOut(Schema):
    """How far one task or milestone moves per day of delay."""

    task: RegisterTaskOut
    finish_now: dt.datetime
    finish_delayed: dt.datetime
    slip_minutes: int
    slip_days: float


class DelayImpactOut(Schema):
    """What one more working day without the decision costs the plan."""

    from_day: dt.date
    to_day: dt.date
    blocked: list[SlipOut]
    milestones: list[SlipOut]
    milestone_slip_days: float


class ImportOut(Schema):
    """How many records an import added."""

    added: int
