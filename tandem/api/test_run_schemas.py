"""Request and response shapes of test cycles, their runs, results, evidence and my tests."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema

from tandem.api.model_fields import model_field
from tandem.api.schemas import Id, IsoDate, PersonOut, StrictInt, Version
from tandem.core.choices import Visibility
from tandem.quality.choices import (
    CycleKind,
    CycleStatus,
    DefectPriority,
    DefectSeverity,
    RunResult,
    TestPriority,
)
from tandem.quality.models import Defect, TestCycle, TestRun

Note = Annotated[str, Field(max_length=4000)]
IdList = Annotated[list[Id], Field(max_length=1000)]


class ProgressOut(Schema):
    """How many of the cycle's runs (that the caller reads) stand at each result."""

    passed: int
    failed: int
    blocked: int
    not_run: int
    total: int


class CycleOut(Schema):
    """A test cycle with its progress."""

    id: int
    name: str
    kind: CycleKind
    status: CycleStatus
    build: str
    description: str
    deliverable_id: int | None
    starts_on: dt.date | None
    ends_on: dt.date | None
    finished_at: dt.datetime | None
    visibility: Visibility
    version: int
    progress: ProgressOut | None = None

    @staticmethod
    def resolve_progress(obj: TestCycle) -> dict[str, int] | None:
        found = getattr(obj, "progress", None)
        if found is None:
            return None
        return {
            "passed": found.passed,
            "failed": found.failed,
            "blocked": found.blocked,
            "not_run": found.not_run,
            "total": found.total,
        }


class _CycleFields(Schema):
    kind: CycleKind | None = model_field(TestCycle, "kind", None)
    build: str | None = model_field(TestCycle, "build", None)
    description: str | None = model_field(TestCycle, "description", None, max_length=10000)
    deliverable_id: Id | None = model_field(
        TestCycle, "deliverable", None, description="A deliverable of the project."
    )
    starts_on: IsoDate | None = model_field(TestCycle, "starts_on", None)
    ends_on: IsoDate | None = model_field(TestCycle, "ends_on", None)
    visibility: Visibility | None = model_field(TestCycle, "visibility", None)


class CycleIn(_CycleFields):
    """A new cycle, planned (a client PM's UAT cycle is shared)."""

    name: str = model_field(TestCycle, "name")


class CyclePatchIn(_CycleFields):
    """Changes to a cycle that is not finished, based on the version read."""

    name: str | None = model_field(TestCycle, "name", None)
    version: Version


class CycleFilters(Schema):
    """Filters of the cycle list."""

    status: CycleStatus | None = None
    kind: CycleKind | None = None


class RunCaseOut(Schema):
    """The case a run runs."""

    id: int
    code: str
    title: str
    priority: TestPriority


class StepResultIn(Schema):
    """One step's result and the tester's note."""

    result: RunResult
    note: Note = ""


class StepOut(Schema):
    """A step of the case at the run's revision, with its result."""

    number: int
    action: str
    expected: str
    result: RunResult
    note: str


class RunOut(Schema):
    """A run of a case in a cycle."""

    id: int
    cycle_id: int
    case: RunCaseOut
    case_revision: int
    assignee: PersonOut | None
    result: RunResult
    step_results: list[dict[str, str]]
    note: str
    executed_by: PersonOut | None
    executed_at: dt.datetime | None
    version: int


class RunDetailOut(RunOut):
    """A run with the steps of its case at the run's revision."""

    steps: list[StepOut]


class RunFilters(Schema):
    """Filters of a cycle's runs."""

    result: RunResult | None = None
    assignee: Id | None = None
    priority: TestPriority | None = None


class AddCasesIn(Schema):
    """Cases to put into the cycle: by id, and the active cases of requirements."""

    cases: IdList = Field(default_factory=list, description="Test case ids.")
    requirements: IdList = Field(default_factory=list, description="Requirement ids: their active cases.")


class AssignIn(Schema):
    """The tester of a run (null: nobody), based on the version read."""

    assignee_id: Id | None = Field(None, description="A member of the project who tests.")
    version: Version


class ResultIn(Schema):
    """A run's result with each step's, based on the version read."""

    result: RunResult
    step_results: Annotated[list[StepResultIn], Field(max_length=100)] = Field(default_factory=list)
    note: Note = ""
    version: Version


class BulkRowIn(Schema):
    """One result of a bulk request, naming the case."""

    case: Id = Field(..., description="A test case in the cycle.")
    result: RunResult
    step_results: Annotated[list[StepResultIn], Field(max_length=100)] = Field(default_factory=list)
    note: Note = ""


class BulkIn(Schema):
    """Many results of one cycle at once: all or nothing."""

    results: Annotated[list[BulkRowIn], Field(min_length=1, max_length=1000)]


class RaiseDefectIn(Schema):
    """A defect raised from a failed step; the text comes from the run unless given."""

    step_number: Annotated[StrictInt, Field(ge=1, le=100)] = Field(
        ..., description="The failed step (1-based)."
    )
    title: str | None = model_field(Defect, "title", None)
    severity: DefectSeverity | None = model_field(Defect, "severity", None)
    priority: DefectPriority | None = model_field(Defect, "priority", None)
    version: Version | None = None


class RaisedDefectOut(Schema):
    """The defect filed."""

    id: int
    code: str
    title: str


class EvidenceOut(Schema):
    """A file attached to a run."""

    id: int
    filename: str
    content_type: str
    size: int
    uploaded_by: PersonOut | None
    uploaded_at: dt.datetime


class MyRunOut(RunOut):
    """A run assigned to the caller, with its cycle."""

    cycle_name: str = Field(..., alias="cycle.name")
    cycle_status: CycleStatus = Field(..., alias="cycle.status")


def steps_of(steps: list[Any]) -> list[dict[str, Any]]:
    """Step views as ``StepOut`` dicts."""
    return [s.__dict__ for s in steps]


__all__ = ["RunOut", "TestRun"]
