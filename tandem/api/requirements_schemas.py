"""Request and response shapes of requirements: the backlog, versions, confirmations, traceability."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema

from tandem.api.model_fields import model_field
from tandem.api.schemas import AttributesOut, Id, PersonOut, StrictInt, Version
from tandem.core.choices import Visibility
from tandem.requirements.choices import Priority, RequirementStatus, Source
from tandem.requirements.models import Requirement, RequirementConfirmation, RequirementVersion

Criteria = Annotated[list[Annotated[str, Field(max_length=1000)]], Field(max_length=50)]


class RequirementOut(AttributesOut):
    """A requirement with its current version number and how many tasks (that you may see) realise it."""

    id: int
    code: str
    title: str
    background: str
    description: str
    description_html: str
    priority: str
    acceptance_criteria: list[str]
    source: str
    source_note: str
    requester: PersonOut | None
    requester_name: str
    owner: PersonOut | None
    status: str
    visibility: str
    rank: int
    current_version: int
    version: int
    task_count: int | None = None
    created_at: dt.datetime
    updated_at: dt.datetime


class _RequirementContent(Schema):
    """What a requirement says: a new one's, or a survey row's."""

    title: str = model_field(Requirement, "title")
    background: str | None = model_field(Requirement, "background", None, max_length=50_000)
    description: str | None = model_field(Requirement, "description", None, max_length=50_000)
    priority: Priority | None = model_field(Requirement, "priority", None)
    acceptance_criteria: Criteria | None = model_field(Requirement, "acceptance_criteria", None)


class RequirementIn(_RequirementContent):
    """A new requirement (a client's request takes title, background, description, priority, criteria)."""

    source: Source | None = model_field(Requirement, "source", None)
    source_note: str | None = model_field(Requirement, "source_note", None)
    requester_id: Id | None = None
    requester_name: str | None = model_field(Requirement, "requester_name", None)
    owner_id: Id | None = None
    visibility: Visibility | None = model_field(Requirement, "visibility", None)


class RequirementPatchIn(Schema):
    """A revision, based on the ``version`` you read: a new version of the content."""

    version: Version
    reason: str = model_field(RequirementVersion, "reason", "")
    title: str | None = model_field(Requirement, "title", None)
    background: str | None = model_field(Requirement, "background", None, max_length=50_000)
    description: str | None = model_field(Requirement, "description", None, max_length=50_000)
    priority: Priority | None = model_field(Requirement, "priority", None)
    acceptance_criteria: Criteria | None = model_field(Requirement, "acceptance_criteria", None)
    source: Source | None = model_field(Requirement, "source", None)
    source_note: str | None = model_field(Requirement, "source_note", None)
    requester_id: Id | None = None
    requester_name: str | None = model_field(Requirement, "requester_name", None)
    owner_id: Id | None = None
    visibility: Visibility | None = model_field(Requirement, "visibility", None)


class StatusIn(Schema):
    """A move along the requirement's life (confirming is separate)."""

    status: RequirementStatus
    version: Version
    comment: Annotated[str, Field(max_length=1000)] = ""


class RequirementConfirmIn(Schema):
    """Confirm the version you read."""

    version_number: StrictInt = model_field(RequirementConfirmation, "version_number", ge=1, le=1_000_000)
    comment: str = model_field(RequirementConfirmation, "comment", "")


class RequirementConfirmationOut(Schema):
    """Who confirmed which version, and when."""

    id: int
    version_number: int
    confirmed_by: PersonOut
    confirmed_at: dt.datetime
    comment: str


class VersionOut(Schema):
    """A snapshot of the content."""

    number: int
    title: str
    background: str
    description: str
    priority: str
    acceptance_criteria: list[str]
    status: str
    reason: str
    change_ref: str
    created_by: PersonOut | None
    created_at: dt.datetime


class FieldDiffOut(Schema):
    """How one field differs: old and new text, and the lines (op " ", "-" or "+", text)."""

    name: str
    label: str
    old: str
    new: str
    lines: list[tuple[str, str]]


class LinkIn(Schema):
    """A task to trace the requirement to."""

    task_id: Id


class RequirementTaskOut(Schema):
    """A task of the plan, as a trace link shows it."""

    id: int
    name: str
    kind: str
    status: str
    visibility: str


class ReorderIn(Schema):
    """Requirement ids, most important first."""

    order: Annotated[list[Id], Field(min_length=1, max_length=2000)]


class NotesIn(Schema):
    """Interview or workshop notes: one requirement per bullet line."""

    text: Annotated[str, Field(min_length=1, max_length=100_000)]
    source: Source = model_field(Requirement, "source", Source.INTERVIEW)
    source_note: str = model_field(Requirement, "source_note", "")
    priority: Priority = model_field(Requirement, "priority", Priority.SHOULD)
    visibility: Visibility = model_field(Requirement, "visibility", Visibility.SHARED)


class CandidateOut(Schema):
    """A survey row: its line in the file, the requirement it would make, and its errors by field."""

    line: int
    data: dict[str, Any]
    errors: dict[str, list[str]]
    ok: bool


class CandidateIn(_RequirementContent):
    """A survey row you confirm for import."""

    source_note: str | None = model_field(Requirement, "source_note", None)
    requester_name: str | None = model_field(Requirement, "requester_name", None)


class ImportIn(Schema):
    """The confirmed rows, all imported or none."""

    rows: Annotated[list[CandidateIn], Field(min_length=1, max_length=1000)]
    visibility: Visibility = model_field(Requirement, "visibility", Visibility.SHARED)


class TraceRowOut(Schema):
    """A requirement and the tasks it is traced to; ``gap`` when confirmed but no task realises it."""

    id: int
    code: str
    title: str
    status: str
    tasks: list[RequirementTaskOut]
    gap: bool


class TraceabilityOut(Schema):
    """One page of the traceability matrix with gaps on both sides, and the whole matrix's counts."""

    rows: list[TraceRowOut]
    untraced_tasks: list[RequirementTaskOut]
    confirmed: int
    covered: int
    count: int = Field(..., description="How many requirement rows the whole matrix has.")
    untraced_count: int = Field(..., description="How many tasks no requirement is traced to.")
    limit: int
    offset: int
