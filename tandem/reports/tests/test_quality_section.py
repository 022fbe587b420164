"""A status report states quality from live data as the client reads it: the pass rate, open defects by
severity, acceptances signed and awaiting, and the quality rating; in both languages and every format."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.core.choices import Visibility
from tandem.core.scoping import ClientLens
from tandem.projects.models import Deliverable
from tandem.quality.choices import AcceptanceStatus, DefectStatus, RunResult
from tandem.quality.models import AcceptanceRequest, Defect, TestCase, TestCycle, TestRun
from tandem.reports import generation, rag, rendering, services
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 6, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
TODAY = dt.date(2026, 3, 6)


def _generate(world: World, language: str = "en") -> Any:
    return services.generate_report(
        world.project,
        period_start=dt.date(2026, 3, 2),
        period_end=dt.date(2026, 3, 6),
        actor=world.pm,
        now=NOW,
        language=language,
    )


def _defect(world: World, n: int, **extra: Any) -> Defect:
    values = {"title": f"Defect {n}", **extra}
    return Defect.objects.create(project=world.project, code=f"DEF-{n:03d}", **values)


def _quality(world: World, *, due: dt.date | None = None) -> None:
    project = world.project
    cycle = TestCycle.objects.create(project=project, name="UAT 1")
    moment = timezone.now()
    for i, result in enumerate((RunResult.PASSED, RunResult.PASSED, RunResult.PASSED, RunResult.FAILED)):
        case = TestCase.objects.create(project=project, code=f"TC-{i:03d}", title=f"Case {i}")
        TestRun.objects.create(cycle=cycle, case=case, result=result, executed_at=moment)
    hidden = TestCase.objects.create(
        project=project, code="TC-100", title="Load", visibility=Visibility.INTERNAL
    )
    TestRun.objects.create(cycle=cycle, case=hidden, result=RunResult.FAILED, executed_at=moment)
    deliverable = Deliverable.objects.create(project=project, name="Billing module", due_date=due)
    _defect(world, 1, severity="critical", deliverable=deliverable, title="Totals wrong")
    _defect(world, 2, severity="minor")
    _defect(world, 3, severity="critical", visibility=Visibility.INTERNAL, title="Secret crash")
    _defect(world, 4, severity="major", status=DefectStatus.CLOSED)
    for n, status in enumerate(
        (AcceptanceStatus.ACCEPTED, AcceptanceStatus.IN_REVIEW, AcceptanceStatus.DRAFT)
    ):
        AcceptanceRequest.objects.create(
            project=project,
            code=f"ACC-00{n}",
            title=f"Acceptance {n}",
            status=status,
            visibility=Visibility.INTERNAL if status == AcceptanceStatus.DRAFT else Visibility.SHARED,
        )


def test_a_report_states_quality_as_the_client_reads_it(world: World) -> None:
    _quality(world, due=TODAY + dt.timedelta(days=30))
    report = _generate(world)
    quality = report.facts["quality"]
    assert quality["pass_rate"] == "75" and quality["executed"] == 4  # the internal case is left out
    assert quality["open_defects"] == {"critical": 1, "major": 0, "minor": 1, "trivial": 0}
    assert quality["acceptances"] == {
        "accepted": 1,
        "accepted_with_conditions": 0,
        "rejected": 0,
        "awaiting": 1,
    }
    assert quality["critical_due_soon"] == []
    dimension = report.facts["rag"]["dimensions"]["quality"]
    assert dimension["colour"] == rag.AMBER
    for text in (rendering.render_markdown_text(report), str(rendering.render_body(report))):
        assert "Quality" in text and "Test pass rate" in text and "75 %" in text
        assert "Acceptances awaiting a decision" in text
        assert "Secret crash" not in text
    chinese = _generate(world, language="zh-hans")
    text = rendering.render_markdown_text(chinese)
    assert "测试通过率" in text and "75 %" in text
    assert "Test pass rate" not in text


def test_an_open_critical_defect_on_a_deliverable_due_soon_is_red(world: World) -> None:
    _quality(world, due=TODAY + dt.timedelta(days=10))
    report = _generate(world)
    assert [d["code"] for d in report.facts["quality"]["critical_due_soon"]] == ["DEF-001"]
    assert report.facts["rag"]["dimensions"]["quality"]["colour"] == rag.RED
    assert report.facts["rag"]["overall"] == rag.RED
    assert "DEF-001" in rendering.render_markdown_text(report)


def test_a_project_without_tests_has_no_quality_section(world: World) -> None:
    report = _generate(world)
    assert report.facts["quality"] is None
    assert "quality" not in report.facts["rag"]["dimensions"]
    assert "Test pass rate" not in rendering.render_markdown_text(report)


def test_the_rule(world: World) -> None:
    assert (
        rag.rate_quality(critical_due_soon=0, open_critical=0, open_major=0, pass_rate=95.0).colour
        == rag.GREEN
    )
    assert (
        rag.rate_quality(critical_due_soon=0, open_critical=0, open_major=0, pass_rate=89.9).colour
        == rag.AMBER
    )
    assert (
        rag.rate_quality(critical_due_soon=0, open_critical=0, open_major=1, pass_rate=None).colour
        == rag.AMBER
    )
    assert (
        rag.rate_quality(critical_due_soon=1, open_critical=1, open_major=0, pass_rate=100).colour == rag.RED
    )


def test_the_quality_facts_take_the_same_queries_however_many_records(world: World) -> None:
    _quality(world, due=TODAY)
    with CaptureQueriesContext(connection) as few:
        generation.quality_facts(ClientLens(world.pm), world.project, today=TODAY)
    deliverable = Deliverable.objects.get(name="Billing module")
    for n in range(10, 40):
        _defect(world, n, severity="critical", deliverable=deliverable)
    cycle = TestCycle.objects.get(name="UAT 1")
    for i in range(200, 230):
        case = TestCase.objects.create(project=world.project, code=f"TC-{i}", title="More")
        TestRun.objects.create(cycle=cycle, case=case, result=RunResult.PASSED, executed_at=timezone.now())
    with CaptureQueriesContext(connection) as many:
        facts = generation.quality_facts(ClientLens(world.pm), world.project, today=TODAY)
    assert facts is not None and len(facts["critical_due_soon"]) == generation.LIST_LIMIT
    assert len(few) == len(many)
