"""Request and response shapes of acceptance requests: criteria with each reviewer's mark, evidence,
documents, conditions and the signature."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import Strict

from tandem.api.model_fields import model_field
from tandem.api.schemas import Id, IsoDate, PersonOut, StrictBool, StrictInt, Version
from tandem.quality.choices import (
    AcceptanceDecision,
    AcceptanceStatus,
    ConditionStatus,
    CriterionResult,
    CriterionSource,
    CriterionVerdict,
)
from tandem.quality.models import AcceptanceCondition, AcceptanceCriterion, AcceptanceRequest, CriterionReview

Ids = Annotated[list[Id], Field(max_length=500)]


class NamedOut(Schema):
    """A linked record by id and name."""

    id: int
    name: str


class AcceptanceOut(Schema):
    """An acceptance request as listed."""

    id: int
    project: str = Field(..., alias="project.code")
    code: str
    title: str
    status: AcceptanceStatus
    visibility: str
    deliverable: NamedOut | None
    milestone: NamedOut | None
    due_date: dt.date | None
    submitted_at: dt.datetime | None
    signed_by: PersonOut | None
    signed_at: dt.datetime | None
    version: int
    criteria_total: int
    criteria_accepted: int
    criteria_not_accepted: int
    criteria_pending: int


class ReviewOut(Schema):
    """One reviewer's mark on a criterion."""

    reviewer: PersonOut
    verdict: CriterionVerdict
    comment: str
    reviewed_at: dt.datetime


class RequirementRefOut(Schema):
    """The requirement a criterion came from."""

    id: int
    code: str
    title: str


class CriterionOut(Schema):
    """A criterion with its standing and every reviewer's mark."""

    id: int
    text: str
    source: CriterionSource
    requirement: RequirementRefOut | None
    mandatory: bool
    position: int
    result: CriterionResult
    reviews: list[ReviewOut] = Field(..., alias="marks")


class CycleEvidenceOut(Schema):
    """A test cycle offered as evidence, with the progress of the runs the caller reads."""

    id: int = Field(..., alias="cycle.pk")
    name: str = Field(..., alias="cycle.name")
    kind: str = Field(..., alias="cycle.kind")
    passed: int
    failed: int
    blocked: int
    not_run: int


class DocumentOut(Schema):
    """A document offered as evidence."""

    id: int
    title: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


class MeetingRefOut(Schema):
    """The demo meeting."""

    id: int
    title: str
    starts_at: dt.datetime


class EvidenceOut(Schema):
    """What the request offers to decide on."""

    test_cycles: list[CycleEvidenceOut] = Field(..., alias="cycles")
    documents: list[DocumentOut]
    demo_meeting: MeetingRefOut | None = Field(..., alias="meeting")


class ConditionOut(Schema):
    """A condition of an acceptance: what is owed, by when, by whom, and whether it is met."""

    id: int
    text: str
    due_date: dt.date
    owner: PersonOut | None
    status: ConditionStatus
    done_at: dt.datetime | None
    version: int


class AcceptanceDetailOut(AcceptanceOut):
    """An acceptance request with its criteria, reviewers, evidence, conditions and who may sign."""

    description: str
    reviewers: list[PersonOut] = Field(..., alias="reviewer_list")
    criteria_list: list[CriterionOut]
    evidence: EvidenceOut
    conditions: list[ConditionOut] = Field(..., alias="condition_list")
    decision_comment: str
    content_sha256: str
    signers: list[PersonOut]
    can_sign: bool


class AcceptanceIn(Schema):
    """A new acceptance request (a draft); the title defaults to the deliverable's name."""

    title: str = model_field(AcceptanceRequest, "title", "")
    description: str = model_field(AcceptanceRequest, "description", "")
    deliverable_id: Id | None = None
    milestone_id: Id | None = None
    due_date: IsoDate | None = model_field(AcceptanceRequest, "due_date", None)
    reviewer_ids: Ids = Field(default_factory=list, description="The members who review the criteria.")
    test_cycle_ids: Ids = Field(default_factory=list, description="The test cycles offered as evidence.")
    demo_meeting_id: Id | None = None


class AcceptancePatchIn(Schema):
    """Changes to a draft acceptance request, based on the version the caller read."""

    version: Version
    title: str | None = model_field(AcceptanceRequest, "title", None)
    description: str | None = model_field(AcceptanceRequest, "description", None)
    deliverable_id: Id | None = None
    milestone_id: Id | None = None
    due_date: IsoDate | None = model_field(AcceptanceRequest, "due_date", None)
    reviewer_ids: Ids | None = None
    test_cycle_ids: Ids | None = None
    demo_meeting_id: Id | None = None


class CriterionIn(Schema):
    """A criterion of the team's own."""

    text: Annotated[str, Strict()] = model_field(AcceptanceCriterion, "text")
    mandatory: StrictBool = model_field(AcceptanceCriterion, "mandatory", True)
    position: StrictInt | None = model_field(AcceptanceCriterion, "position", None)


class CriterionPatchIn(Schema):
    """Changes to a draft's criterion."""

    text: Annotated[str, Strict()] | None = model_field(AcceptanceCriterion, "text", None)
    mandatory: StrictBool | None = model_field(AcceptanceCriterion, "mandatory", None)
    position: StrictInt | None = model_field(AcceptanceCriterion, "position", None)


class ReviewIn(Schema):
    """A reviewer's mark on a criterion."""

    verdict: CriterionVerdict = model_field(CriterionReview, "verdict")
    comment: Annotated[str, Strict()] = Field("", max_length=5000)


class ConditionIn(Schema):
    """A condition of an acceptance with conditions."""

    text: Annotated[str, Strict()] = model_field(AcceptanceCondition, "text")
    due_date: IsoDate = model_field(AcceptanceCondition, "due_date")
    owner_id: Id | None = None


class SignIn(Schema):
    """The signer's decision on a request in review, based on the version read."""

    version: Version
    decision: AcceptanceDecision
    comment: Annotated[str, Strict()] = Field("", max_length=5000)
    conditions: list[ConditionIn] = Field(default_factory=list, max_length=100)
    rework: Literal["defects", "tasks"] = "defects"
