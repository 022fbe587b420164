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
from tandem.quality.models import Defect, TestCycle

Note = Annotated[str, Field(max_length=4000)]
IdList = Annotated[list[Id], Field(max_length=1000)]


class TestCycleProgressOut(Schema):
    """How many of the cycle's runs (that the caller reads) stand at each result."""

    passed: int
    failed: int
    blocked: int
    not_run: int
    total: int


class TestCycleOut(Schema):
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
    progress: TestCycleProgressOut | None = None

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


class TestCycleIn(_CycleFields):
    """A new cycle, planned (a client PM's UAT cycle is shared)."""

    name: str = model_field(TestCycle, "name")


class TestCyclePatchIn(_CycleFields):
    """Changes to a cycle that is not finished, based on the version read."""

    name: str | None = model_field(TestCycle, "name", None)
    version: Version


class TestCycleFilters(Schema):
    """Filters of the cycle list."""

    status: CycleStatus | None = None
    kind: CycleKind | None = None


class TestRunCaseOut(Schema):
    """The case a run runs."""

    id: int
    code: str
    title: str
    priority: TestPriority


class TestStepResultIn(Schema):
    """One step's result and the tester's note."""

    result: RunResult
    note: Note = ""


class TestStepOut(Schema):
    """A step of the case at the run's revision, with its result."""

    number: int
    action: str
    expected: str
    result: RunResult
    note: str


class TestRunOut(Schema):
    """A run of a case in a cycle."""

    id: int
    cycle_id: int
    case: TestRunCaseOut
    case_revision: int
    assignee: PersonOut | None
    result: RunResult
    step_results: list[dict[str, str]]
    note: str
    executed_by: PersonOut | None
    executed_at: dt.datetime | None
    version: int


class TestRunDetailOut(TestRunOut):
    """A run with the steps of its case at the run's revision."""

    steps: list[TestStepOut]


class TestRunFilters(Schema):
    """Filters of a cycle's runs."""

    result: RunResult | None = None
    assignee: Id | None = None
    priority: TestPriority | None = None


class TestCycleCasesIn(Schema):
    """Cases to put into the cycle: by id, and the active cases of requirements."""

    cases: IdList = Field(default_factory=list, description="Test case ids.")
    requirements: IdList = Field(default_factory=list, description="Requirement ids: their active cases.")


class TestRunAssignIn(Schema):
    """The tester of a run (null: nobody), based on the version read."""

    assignee_id: Id | None = Field(None, description="A member of the project who tests.")
    version: Version


class TestResultIn(Schema):
    """A run's result with each step's, based on the version read."""

    result: RunResult
    step_results: Annotated[list[TestStepResultIn], Field(max_length=100)] = Field(default_factory=list)
    note: Note = ""
    version: Version


class TestResultRowIn(Schema):
    """One result of a bulk request, naming the case."""

    case: Id = Field(..., description="A test case in the cycle.")
    result: RunResult
    step_results: Annotated[list[TestStepResultIn], Field(max_length=100)] = Field(default_factory=list)
    note: Note = ""


class TestResultsIn(Schema):
    """Many results of one cycle at once: all or nothing."""

    results: Annotated[list[TestResultRowIn], Field(min_length=1, max_length=1000)]


class DefectFromStepIn(Schema):
    """A defect raised from a failed step; the text comes from the run unless given."""

    step_number: Annotated[StrictInt, Field(ge=1, le=100)] = Field(
        ..., description="The failed step (1-based)."
    )
    title: str | None = model_field(Defect, "title", None)
    severity: DefectSeverity | None = model_field(Defect, "severity", None)
    priority: DefectPriority | None = model_field(Defect, "priority", None)
    version: Version | None = None


class DefectFromStepOut(Schema):
    """The defect filed."""

    id: int
    code: str
    title: str


class TestEvidenceOut(Schema):
    """A file attached to a run."""

    id: int
    filename: str
    content_type: str
    size: int
    uploaded_by: PersonOut | None
    uploaded_at: dt.datetime


class MyTestRunOut(TestRunOut):
    """A run assigned to the caller, with its cycle."""

    cycle_name: str = Field(..., alias="cycle.name")
    cycle_status: CycleStatus = Field(..., alias="cycle.status")


def steps_of(steps: list[Any]) -> list[dict[str, Any]]:
    """Step views as ``TestStepOut`` dicts."""
    return [s.__dict__ for s in steps]
