"""The coverage matrix: for each requirement the reader sees, its tests, their results, open defects,
acceptance and the gaps.

- **Test cases**: the active cases linked to the requirement, read through ``scope.cases_of``.
- **Last result** of a case: the result of its latest executed run across cycles (``scope.runs_of``);
  a case never run counts as "not run".
- **Open defects** by severity: open defects (``OPEN_DEFECT_STATES``) the reader sees, linked to the
  requirement or to one of its cases.
- **Acceptance**: the result of the criterion linked to the requirement in its latest acceptance
  request the reader sees (pending, accepted, not accepted), with that request's status.
- **Gaps**: "no test case"; "not run" (a case without an executed run); "failed" (a case whose last
  result failed); "failed before acceptance" (a failed last result or an open critical or major defect
  while the requirement is in an acceptance request in review or accepted).

Everything is read with a fixed number of queries whatever the number of requirements, cases, runs or
defects; the matrix is computed whole (the totals count every row) and paged afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tandem.quality.choices import (
    OPEN_DEFECT_STATES,
    AcceptanceStatus,
    CriterionResult,
    DefectSeverity,
    RunResult,
)
from tandem.quality.models import AcceptanceCriterion, Defect, TestCase
from tandem.quality.scope import cases_of, runs_of
from tandem.requirements.models import Requirement

if TYPE_CHECKING:
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project

NO_CASE = "no_case"
NOT_RUN = "not_run"
FAILED = "failed"
FAILED_BEFORE_ACCEPTANCE = "failed_before_acceptance"
GAP_LABELS: dict[str, Promise] = {
    NO_CASE: _("No test case"),
    NOT_RUN: _("Not run yet"),
    FAILED: _("Failed"),
    FAILED_BEFORE_ACCEPTANCE: _("Failed before acceptance"),
}
#: Acceptance states in which a failure or a serious open defect is a gap of its own.
UNDER_ACCEPTANCE = frozenset(
    {AcceptanceStatus.IN_REVIEW, AcceptanceStatus.ACCEPTED, AcceptanceStatus.ACCEPTED_WITH_CONDITIONS}
)
SERIOUS = frozenset({DefectSeverity.CRITICAL, DefectSeverity.MAJOR})


@dataclass(frozen=True)
class CaseRef:
    """What the matrix shows of a test case: its id, code and title (read as values, not as models)."""

    pk: int
    code: str
    title: str

    @property
    def id(self) -> int:
        """The case's id (as a model's ``id``)."""
        return self.pk


@dataclass
class CaseResult:
    """One test case of a requirement and its last result."""

    case: CaseRef
    result: str

    @property
    def label(self) -> str:
        """The result in words."""
        return str(RunResult(self.result).label)


@dataclass
class CoverageRow:
    """One requirement's line of the matrix."""

    requirement: Requirement
    cases: list[CaseResult] = field(default_factory=list)
    open_defects: dict[str, int] = field(default_factory=dict)
    acceptance: str = ""  # a CriterionResult, "" when no acceptance names the requirement
    acceptance_status: str = ""  # the status of that acceptance request
    gaps: list[str] = field(default_factory=list)

    @property
    def results(self) -> dict[str, int]:
        """How many of its cases stand at each last result."""
        counts: dict[str, int] = defaultdict(int)
        for c in self.cases:
            counts[c.result] += 1
        return dict(counts)

    @property
    def gap_labels(self) -> list[Promise]:
        """The gaps in words."""
        return [GAP_LABELS[g] for g in self.gaps]

    @property
    def acceptance_label(self) -> str:
        """The acceptance in words ("" when none)."""
        return str(CriterionResult(self.acceptance).label) if self.acceptance else ""

    @property
    def open_defect_labels(self) -> list[tuple[str, int]]:
        """The open defects as (severity in words, count), the most severe first."""
        return [
            (str(DefectSeverity(s).label), self.open_defects[s])
            for s in DefectSeverity.values
            if self.open_defects.get(s)
        ]

    @property
    def open_defect_count(self) -> int:
        """Open defects of every severity."""
        return sum(self.open_defects.values())


@dataclass
class Coverage:
    """The matrix: every row, the rows shown (filtered), and the totals over every row."""

    all_rows: list[CoverageRow]
    rows: list[CoverageRow]
    totals: dict[str, int]


def _last_results(user: Viewer, project: Project, case_ids: list[int]) -> dict[int, str]:
    """The result of each case's latest executed run across the cycles the reader sees."""
    runs = (
        runs_of(user, project)
        .filter(case_id__in=case_ids, executed_at__isnull=False)
        .exclude(result=RunResult.NOT_RUN)
        .order_by("case_id", "-executed_at", "-id")
        .values_list("case_id", "result")
    )
    last: dict[int, str] = {}
    for case_id, result in runs:
        last.setdefault(case_id, result)
    return last


def coverage_of(user: Viewer, project: Project, *, gaps_only: bool = False) -> Coverage:
    """The coverage matrix of ``project`` as ``user`` reads it (five queries, whatever its size)."""
    requirements = list(
        Requirement.objects.visible_to(user).filter(project=project).order_by("rank", "code", "id")
    )
    # 2. The cases of the requirements, with the requirement each links to.
    # The requirements are kept in Python: a list of ids beside the cases' subquery made SQLite probe
    # every (case, requirement) pair (5,000 × 1,000 index look-ups for a large project). The cases are
    # read as values: building 7,500 models took most of the matrix's time.
    readable = {r.pk for r in requirements}
    links = (
        TestCase.requirements.through.objects.filter(
            testcase__in=cases_of(user, project).filter(is_active=True).values("pk"),
        )
        .order_by("testcase__code")
        .values_list("requirement_id", "testcase_id", "testcase__code", "testcase__title")
    )
    refs: dict[int, CaseRef] = {}
    cases_by_requirement: dict[int, list[CaseRef]] = defaultdict(list)
    case_requirements: dict[int, set[int]] = defaultdict(set)
    for requirement_id, case_id, code, title in links:
        if requirement_id not in readable:
            continue
        ref = refs.get(case_id)
        if ref is None:
            ref = refs[case_id] = CaseRef(case_id, code, title)
        cases_by_requirement[requirement_id].append(ref)
        case_requirements[case_id].add(requirement_id)
    # 3. The last results.
    last = _last_results(user, project, list(case_requirements))
    # 4. Open defects linked to a requirement or one of its cases.
    open_defects: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    defects = Defect.objects.visible_to(user).filter(project=project, status__in=OPEN_DEFECT_STATES)
    for requirement_id, case_id, severity in defects.values_list(
        "requirement_id", "test_case_id", "severity"
    ):
        counted: set[int] = set()
        if requirement_id is not None:
            counted.add(requirement_id)
        if case_id is not None:
            counted |= case_requirements.get(case_id, set())
        for rid in counted:
            open_defects[rid][severity] += 1
    # 5. The latest acceptance criterion of each requirement.
    acceptance: dict[int, tuple[str, str]] = {}
    criteria = (
        AcceptanceCriterion.objects.visible_to(user)
        .filter(request__project=project, requirement__isnull=False)
        .order_by("requirement_id", "-request__created_at", "-request_id", "-id")
        .values_list("requirement_id", "result", "request__status")
    )
    for requirement_id, result, status in criteria:
        acceptance.setdefault(requirement_id, (result, status))

    rows: list[CoverageRow] = []
    for requirement in requirements:
        row = CoverageRow(requirement=requirement)
        row.cases = [
            CaseResult(case=c, result=last.get(c.pk, RunResult.NOT_RUN))
            for c in cases_by_requirement.get(requirement.pk, [])
        ]
        row.open_defects = dict(open_defects.get(requirement.pk, {}))
        row.acceptance, row.acceptance_status = acceptance.get(requirement.pk, ("", ""))
        row.gaps = _gaps(row)
        rows.append(row)
    totals = {
        "requirements": len(rows),
        "covered": sum(1 for r in rows if r.cases),
        "with_gaps": sum(1 for r in rows if r.gaps),
        **{gap: sum(1 for r in rows if gap in r.gaps) for gap in GAP_LABELS},
        "open_defects": sum(r.open_defect_count for r in rows),
    }
    shown = [r for r in rows if r.gaps] if gaps_only else rows
    return Coverage(all_rows=rows, rows=shown, totals=totals)


def _gaps(row: CoverageRow) -> list[str]:
    gaps: list[str] = []
    if not row.cases:
        gaps.append(NO_CASE)
    results = {c.result for c in row.cases}
    if RunResult.NOT_RUN in results:
        gaps.append(NOT_RUN)
    failed = RunResult.FAILED in results
    if failed:
        gaps.append(FAILED)
    serious = any(row.open_defects.get(s, 0) for s in SERIOUS)
    if (failed or serious) and row.acceptance_status in UNDER_ACCEPTANCE:
        gaps.append(FAILED_BEFORE_ACCEPTANCE)
    return gaps


def page_of(rows: list[Any], offset: int, limit: int) -> list[Any]:
    """One page of ``rows``."""
    return rows[offset : offset + limit]
