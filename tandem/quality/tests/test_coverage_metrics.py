"""The coverage matrix, the quality figures on a hand-built example, and the KPI sources."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.core.choices import Visibility
from tandem.projects.kpis import SOURCES
from tandem.quality import metrics
from tandem.quality.choices import AcceptanceStatus, CriterionResult, CycleKind, DefectStatus, RunResult
from tandem.quality.coverage import FAILED, FAILED_BEFORE_ACCEPTANCE, NO_CASE, NOT_RUN, coverage_of
from tandem.quality.models import (
    AcceptanceCriterion,
    AcceptanceRequest,
    Defect,
    TestCase,
    TestCycle,
    TestRun,
)
from tandem.requirements.models import Requirement
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db

T0 = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))


def _requirement(world: World, code: str, **extra: Any) -> Requirement:
    return Requirement.objects.create(project=world.project, code=code, title=f"Need {code}", **extra)


def _case(world: World, code: str, *requirements: Requirement, **extra: Any) -> TestCase:
    case = TestCase.objects.create(project=world.project, code=code, title=f"Case {code}", **extra)
    case.requirements.set(requirements)
    return case


def _run(cycle: TestCycle, case: TestCase, result: str, hours: int = 0) -> TestRun:
    executed = T0 + dt.timedelta(hours=hours) if result != RunResult.NOT_RUN else None
    return TestRun.objects.create(cycle=cycle, case=case, result=result, executed_at=executed)


def _defect(world: World, n: int, **extra: Any) -> Defect:
    return Defect.objects.create(project=world.project, code=f"DEF-{n:03d}", title=f"Defect {n}", **extra)


def _example(world: World) -> dict[str, Any]:
    """R1: passed then failed in a later cycle, in review for acceptance. R2: passed. R3: no case.
    R4: a case never run. R5 (internal): blocked."""
    r1, r2, r3, r4 = (_requirement(world, f"REQ-00{i}") for i in range(1, 5))
    r5 = _requirement(world, "REQ-005", visibility=Visibility.INTERNAL)
    c1, c2 = _case(world, "TC-001", r1), _case(world, "TC-002", r2)
    c4 = _case(world, "TC-004", r4)
    c5 = _case(world, "TC-005", r5, visibility=Visibility.INTERNAL)
    first = TestCycle.objects.create(project=world.project, name="System 1")
    second = TestCycle.objects.create(project=world.project, name="UAT 1", kind=CycleKind.UAT)
    _run(first, c1, RunResult.PASSED, 0)
    _run(second, c1, RunResult.FAILED, 5)
    _run(first, c2, RunResult.FAILED, 0)
    _run(second, c2, RunResult.PASSED, 6)
    _run(second, c4, RunResult.NOT_RUN)
    _run(first, c5, RunResult.BLOCKED, 1)
    request = AcceptanceRequest.objects.create(
        project=world.project, code="ACC-001", title="Billing", status=AcceptanceStatus.IN_REVIEW
    )
    AcceptanceCriterion.objects.create(request=request, text="Totals right", requirement=r1)
    AcceptanceCriterion.objects.create(
        request=request, text="Exports", requirement=r2, result=CriterionResult.ACCEPTED
    )
    _defect(world, 1, requirement=r2, severity="critical")
    _defect(world, 2, test_case=c1, severity="minor")
    _defect(world, 3, test_case=c5, severity="major", visibility=Visibility.INTERNAL)
    _defect(
        world, 4, requirement=r1, severity="critical", status=DefectStatus.CLOSED, fixed_at=T0, reopen_count=1
    )
    _defect(world, 5, requirement=r2, severity="minor", status=DefectStatus.VERIFIED, fixed_at=T0)
    return {"r": (r1, r2, r3, r4, r5), "c": (c1, c2, c4, c5), "request": request}


def test_each_requirement_has_its_cases_results_defects_acceptance_and_gaps(world: World) -> None:
    _example(world)
    matrix = coverage_of(world.pm, world.project)
    rows = {row.requirement.code: row for row in matrix.all_rows}
    assert list(rows) == ["REQ-001", "REQ-002", "REQ-003", "REQ-004", "REQ-005"]
    assert [c.result for c in rows["REQ-001"].cases] == [RunResult.FAILED]  # the latest across cycles
    assert [c.result for c in rows["REQ-002"].cases] == [RunResult.PASSED]
    assert rows["REQ-001"].open_defects == {"minor": 1}  # through its case; DEF-004 is closed
    assert rows["REQ-002"].open_defects == {"critical": 1}
    assert rows["REQ-001"].acceptance == CriterionResult.PENDING
    assert rows["REQ-002"].acceptance == CriterionResult.ACCEPTED
    assert rows["REQ-001"].gaps == [FAILED, FAILED_BEFORE_ACCEPTANCE]
    # A serious open defect while in review is a failure before acceptance, even when the tests pass.
    assert rows["REQ-002"].gaps == [FAILED_BEFORE_ACCEPTANCE]
    assert rows["REQ-003"].gaps == [NO_CASE]
    assert rows["REQ-004"].gaps == [NOT_RUN]
    assert rows["REQ-005"].gaps == []
    assert matrix.totals["requirements"] == 5 and matrix.totals["covered"] == 4
    assert matrix.totals[FAILED_BEFORE_ACCEPTANCE] == 2 and matrix.totals["with_gaps"] == 4
    gaps = coverage_of(world.pm, world.project, gaps_only=True)
    assert [r.requirement.code for r in gaps.rows] == ["REQ-001", "REQ-002", "REQ-003", "REQ-004"]


def test_a_client_reads_the_matrix_of_what_they_see(world: World) -> None:
    _example(world)
    rows = {row.requirement.code: row for row in coverage_of(world.client_pm, world.project).all_rows}
    assert "REQ-005" not in rows
    assert rows["REQ-001"].open_defects == {"minor": 1}
    # A client tester reads only the runs assigned to them: no case of theirs, every requirement uncovered.
    tester = {row.requirement.code: row for row in coverage_of(world.reviewer, world.project).all_rows}
    assert all(not row.cases and NO_CASE in row.gaps for row in tester.values())


def test_the_matrix_reads_a_fixed_number_of_queries(world: World) -> None:
    cycle = TestCycle.objects.create(project=world.project, name="System 1")

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            requirement = _requirement(world, f"REQ-{i:03d}")
            case = _case(world, f"TC-{i:03d}", requirement)
            _run(cycle, case, RunResult.FAILED, i)
            _defect(world, i, requirement=requirement)

    add(3, 1)
    with CaptureQueriesContext(connection) as few:
        assert len(coverage_of(world.pm, world.project).rows) == 3
    add(27, 4)
    with CaptureQueriesContext(connection) as many:
        assert len(coverage_of(world.pm, world.project).rows) == 30
    assert len(many) == len(few)


def test_the_figures_on_a_hand_built_example(world: World) -> None:
    _example(world)
    project = world.project
    team = metrics.figures(project, shared_only=False)
    # Latest executed results: TC-001 failed, TC-002 passed, TC-005 blocked (TC-004 never ran).
    assert team.results == {"passed": 1, "failed": 1, "blocked": 1}
    assert team.pass_rate == Decimal("33.3")
    assert team.open_defects == {"critical": 1, "major": 1, "minor": 1, "trivial": 0}
    # Fixed at least once: DEF-004 (reopened once) and DEF-005 → 1 of 2.
    assert team.reopen_rate == Decimal("50.0")
    # 5 defects over 4 requirements with a case.
    assert team.defect_density == Decimal("1.3")
    shared = metrics.figures(project, shared_only=True)
    assert shared.results == {"passed": 1, "failed": 1, "blocked": 0}
    assert shared.pass_rate == Decimal("50.0")
    assert shared.open_defects == {"critical": 1, "major": 0, "minor": 1, "trivial": 0}
    assert shared.defect_density == Decimal("1.3")  # 4 shared defects over 3 shared covered requirements


def test_no_figure_without_data(world: World) -> None:
    f = metrics.figures(world.project, shared_only=False)
    assert f.pass_rate is None and f.reopen_rate is None and f.defect_density is None
    assert f.open_defect_total == 0


def test_the_kpi_sources_are_registered_and_measure(world: World) -> None:
    _example(world)
    keys = (
        "quality.pass_rate",
        "quality.open_critical_defects",
        "quality.reopen_rate",
        "quality.defect_density",
    )
    assert set(keys) <= set(SOURCES)
    day = timezone.localdate()
    values = {k: SOURCES[k].measure(world.project, day, False) for k in keys}
    assert values == {
        "quality.pass_rate": Decimal("33.3"),
        "quality.open_critical_defects": Decimal(2),
        "quality.reopen_rate": Decimal("50.0"),
        "quality.defect_density": Decimal("1.3"),
    }
    assert SOURCES["quality.open_critical_defects"].measure(world.project, day, True) == Decimal(1)
    # The day before anything ran, nothing was executed nor filed.
    assert SOURCES["quality.pass_rate"].measure(world.project, dt.date(2026, 3, 1), False) is None
