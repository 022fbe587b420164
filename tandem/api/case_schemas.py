"""Request and response shapes of test cases and quality standards. A case names only the requirements
the caller reads; a check names the deliverable or phase it was made on."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema

from tandem.api.model_fields import model_field
from tandem.api.schemas import Id, PersonOut, StrictBool, StrictInt, Version
from tandem.core.choices import Visibility
from tandem.quality.cases import MAX_STEP_TEXT, MAX_STEPS
from tandem.quality.choices import CheckResult, RunResult, TestPriority
from tandem.quality.models import QualityCheck, QualityStandard, TestCase

StepText = Annotated[str, Field(max_length=MAX_STEP_TEXT)]


class TestCaseStep(Schema):
    """One step of a test case: what the tester does, and what should happen."""

    action: StepText = Field(..., description="What the tester does (required).")
    expected: StepText = Field("", description="What should happen.")


class TestCaseRequirementOut(Schema):
    """A requirement a test case covers."""

    id: int
    code: str
    title: str


class TestCaseOut(Schema):
    """A test case with its steps, the requirements the caller reads and its last result."""

    __test__ = False

    id: int
    code: str
    title: str
    preconditions: str
    steps: list[TestCaseStep]
    expected_result: str
    priority: TestPriority
    visibility: Visibility
    requirements: list[TestCaseRequirementOut]
    revision: int
    is_active: bool
    version: int
    last_result: RunResult | None = Field(None, description="The result of the latest executed run.")
    last_run_at: dt.datetime | None = None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_requirements(obj: TestCase) -> list[Any]:
        return list(getattr(obj, "shown_requirements", []))

    @staticmethod
    def resolve_last_result(obj: TestCase) -> str | None:
        return getattr(obj, "last_result", None)

    @staticmethod
    def resolve_last_run_at(obj: TestCase) -> dt.datetime | None:
        return getattr(obj, "last_run_at", None)


class TestCasePageOut(Schema):
    """One page of test cases, with how many match and how many pages there are."""

    __test__ = False

    items: list[TestCaseOut]
    count: int
    page: int
    pages: int


class TestCaseFilters(Schema):
    """Search and filters of the test case list."""

    __test__ = False

    q: str | None = Field(None, max_length=200, description="Part of a code or a title.")
    priority: TestPriority | None = None
    requirement: int | None = Field(None, ge=1, le=2**63 - 1, description="A requirement's id.")
    active: bool | None = None
    page: int = Field(1, ge=1, le=1_000_000)


class _CaseFields(Schema):
    preconditions: str | None = model_field(TestCase, "preconditions", None)
    steps: list[TestCaseStep] | None = Field(None, max_length=MAX_STEPS, description="The steps, in order.")
    expected_result: str | None = model_field(TestCase, "expected_result", None)
    priority: TestPriority | None = model_field(TestCase, "priority", None)
    visibility: Visibility | None = model_field(TestCase, "visibility", None)
    requirements: list[Id] | None = Field(None, description="Ids of requirements of the project.")


class TestCaseIn(_CaseFields):
    """A new test case (a client PM's is always shared)."""

    __test__ = False

    title: str = model_field(TestCase, "title")


class TestCasePatchIn(_CaseFields):
    """Changes to a test case based on the version read; ``is_active`` retires or reactivates it."""

    __test__ = False

    version: Version
    title: str | None = model_field(TestCase, "title", None)
    is_active: StrictBool | None = model_field(TestCase, "is_active", None)


class TestCaseRevisionOut(Schema):
    """The content of a test case at one revision."""

    __test__ = False

    number: int
    content: dict[str, Any]
    created_by: PersonOut | None
    created_at: dt.datetime


class TestCaseImportRowOut(Schema):
    """One row of an imported file: its line, the title it names, and its errors by column."""

    line: int
    title: str
    ok: bool
    errors: dict[str, list[str]]


class TestCaseImportOut(Schema):
    """What an import did (or, in a dry run, would do): the rows and the codes given."""

    __test__ = False

    dry_run: bool
    count: int
    rows: list[TestCaseImportRowOut]
    codes: list[str]


# ---------------------------------------------------------------- quality standards


class QualityStandardOut(Schema):
    """A quality standard deliverables and phases are checked against."""

    id: int
    title: str
    description: str
    position: int
    visibility: Visibility
    version: int


class QualityStandardIn(Schema):
    """A new quality standard."""

    title: str = model_field(QualityStandard, "title")
    description: str = model_field(QualityStandard, "description", "")
    position: StrictInt | None = model_field(QualityStandard, "position", None)
    visibility: Visibility = model_field(QualityStandard, "visibility", Visibility.SHARED)


class QualityStandardPatchIn(Schema):
    """Changes to a quality standard based on the version read."""

    version: Version
    title: str | None = model_field(QualityStandard, "title", None)
    description: str | None = model_field(QualityStandard, "description", None)
    position: StrictInt | None = model_field(QualityStandard, "position", None)
    visibility: Visibility | None = model_field(QualityStandard, "visibility", None)


class QualityCheckOut(Schema):
    """A check of a deliverable or a phase against a standard: the result, who checked, when."""

    id: int
    standard_id: int
    deliverable_id: int | None
    phase_id: int | None
    result: CheckResult
    note: str
    checked_by: PersonOut | None
    checked_at: dt.datetime


class QualityCheckIn(Schema):
    """A check to record: a standard, a deliverable or a phase (one of them), the result and a note."""

    standard_id: Id
    deliverable_id: Id | None = Field(None, description="A deliverable of the project (or a phase).")
    phase_id: Id | None = Field(None, description="A phase of the project (or a deliverable).")
    result: CheckResult = model_field(QualityCheck, "result")
    note: str = model_field(QualityCheck, "note", "")


class QualityChecklistTargetOut(Schema):
    """A column of the checklist: a deliverable or a phase."""

    key: str = Field(..., description='"deliverable:<id>" or "phase:<id>".')
    kind: str
    id: int
    name: str


class QualityChecklistCellOut(Schema):
    """The latest check of one standard against one target (none if never checked)."""

    target: str
    check: QualityCheckOut | None


class QualityChecklistRowOut(Schema):
    """A standard and its latest check against each target."""

    standard: QualityStandardOut
    cells: list[QualityChecklistCellOut]


class QualityChecklistOut(Schema):
    """Standards × deliverables and phases, each pair with its latest check."""

    targets: list[QualityChecklistTargetOut]
    rows: list[QualityChecklistRowOut]
