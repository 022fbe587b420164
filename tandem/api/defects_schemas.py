"""Request and response shapes of defects, the coverage matrix and the quality figures.

A client's defect has no ``internal_note`` field at all (``DefectOut``); the delivery team's has it
(``DefectTeamOut``). A linked record the reader may not see is answered as null.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Self

from ninja import Field, Schema

from tandem.api.model_fields import model_field
from tandem.api.schemas import Id, PersonOut, Version
from tandem.core.choices import Visibility
from tandem.quality.choices import DefectPriority, DefectSeverity, DefectStatus
from tandem.quality.models import Defect


class DefectOut(Schema):
    """A defect as any member reads it (no team-only field)."""

    id: int
    project: str
    code: str
    title: str
    description: str
    steps_to_reproduce: str
    severity: DefectSeverity
    priority: DefectPriority
    status: DefectStatus
    visibility: Visibility
    test_case_id: int | None
    test_run_id: int | None
    step_number: int | None
    requirement_id: int | None
    task_id: int | None
    deliverable_id: int | None
    reported_by: PersonOut | None
    assignee: PersonOut | None
    reopen_count: int
    resolution: str
    fixed_at: dt.datetime | None
    closed_at: dt.datetime | None
    created_at: dt.datetime
    version: int

    @classmethod
    def of(cls, defect: Defect) -> Self:
        """The defect read through ``defect_queries`` (its links as the reader sees them)."""
        data: dict[str, Any] = {name: getattr(defect, name) for name in cls.model_fields}
        data["project"] = defect.project.code
        for name in ("test_case", "test_run", "requirement", "task", "deliverable"):
            data[f"{name}_id"] = getattr(defect, f"seen_{name}_id")
        if "internal_note" in cls.model_fields:
            data["internal_note"] = defect.shown_internal_note or ""  # type: ignore[attr-defined]
        return cls.model_validate(data)


class DefectTeamOut(DefectOut):
    """A defect as the delivery team reads it, the triage note included."""

    internal_note: str


class DefectPageOut(Schema):
    """One page of defects as a client reads them."""

    items: list[DefectOut]
    count: int = Field(..., description="How many defects match.")
    limit: int
    offset: int


class DefectTeamPageOut(Schema):
    """One page of defects as the delivery team reads them."""

    items: list[DefectTeamOut]
    count: int = Field(..., description="How many defects match.")
    limit: int
    offset: int


class _DefectFields(Schema):
    description: str | None = model_field(Defect, "description", None)
    steps_to_reproduce: str | None = model_field(Defect, "steps_to_reproduce", None)
    severity: DefectSeverity | None = model_field(Defect, "severity", None)
    priority: DefectPriority | None = model_field(Defect, "priority", None)
    visibility: Visibility | None = model_field(Defect, "visibility", None)
    test_case_id: Id | None = model_field(Defect, "test_case", None)
    test_run_id: Id | None = model_field(Defect, "test_run", None)
    step_number: int | None = model_field(Defect, "step_number", None)
    requirement_id: Id | None = model_field(Defect, "requirement", None)
    task_id: Id | None = model_field(Defect, "task", None)
    deliverable_id: Id | None = model_field(Defect, "deliverable", None)
    assignee_id: Id | None = model_field(Defect, "assignee", None, description="The team's triage only.")
    internal_note: str | None = model_field(Defect, "internal_note", None, description="The team's only.")


class DefectIn(_DefectFields):
    """A new defect (a client's is always shared)."""

    title: str = model_field(Defect, "title")


class DefectPatchIn(_DefectFields):
    """Changes to a defect, based on the version the caller read."""

    title: str | None = model_field(Defect, "title", None)
    version: Version


class DefectMoveIn(Schema):
    """A move along the defect workflow."""

    to: DefectStatus = Field(..., description="The state to move to.")
    version: Version
    resolution: str | None = model_field(
        Defect, "resolution", None, description="Why a new defect is closed (required then)."
    )
    task_id: Id | None = model_field(Defect, "task", None, description="The task that carried the fix.")


class DefectFilters(Schema):
    """Filters of the defect list."""

    search: str = Field("", max_length=100, description="Part of the code or the title.")
    status: DefectStatus | None = None
    open: bool = Field(False, description="Only the open ones (new, confirmed, fixed, reopened).")
    severity: DefectSeverity | None = None
    priority: DefectPriority | None = None
    assignee_id: Id | None = None
    requirement_id: Id | None = None
    deliverable_id: Id | None = None
    cycle_id: Id | None = None
    mine: bool = Field(False, description="Only the ones I reported.")


class PageIn(Schema):
    """Which page of a list."""

    limit: int = Field(50, ge=1, le=200, description="Rows per page.")
    offset: int = Field(0, ge=0, le=1_000_000_000, description="Rows to skip.")


class CoverageCaseOut(Schema):
    """A test case of a requirement and its last result."""

    id: int
    code: str
    title: str
    result: str


class CoverageRequirementOut(Schema):
    """The requirement of a coverage row."""

    id: int
    code: str
    title: str


class CoverageRowOut(Schema):
    """One requirement's line of the coverage matrix."""

    requirement: CoverageRequirementOut
    cases: list[CoverageCaseOut]
    open_defects: dict[str, int]
    acceptance: str = Field(..., description="pending, accepted, not_accepted, or empty: none.")
    acceptance_status: str
    gaps: list[str] = Field(..., description="no_case, not_run, failed, failed_before_acceptance.")


class CoverageOut(Schema):
    """One page of the coverage matrix and the totals over every row."""

    items: list[CoverageRowOut]
    count: int
    limit: int
    offset: int
    totals: dict[str, int]


class CoverageFilters(PageIn):
    """Filters of the coverage matrix."""

    gaps: bool = Field(False, description="Only the requirements with a gap.")


class MetricsOut(Schema):
    """The project's quality figures (a client: shared records only)."""

    shared_only: bool
    pass_rate: Decimal | None = Field(..., description="Percent: passed / executed, latest result per case.")
    results: dict[str, int]
    open_defects: dict[str, int]
    reopen_rate: Decimal | None
    defect_density: Decimal | None


def coverage_row(row: Any) -> dict[str, Any]:
    """A coverage row as ``CoverageRowOut`` shapes it."""
    return {
        "requirement": row.requirement,
        "cases": [
            {"id": c.case.pk, "code": c.case.code, "title": c.case.title, "result": c.result}
            for c in row.cases
        ],
        "open_defects": row.open_defects,
        "acceptance": row.acceptance,
        "acceptance_status": row.acceptance_status,
        "gaps": row.gaps,
    }
