"""Earned value of a project: the issue's worked example, the baseline it uses, as_of, phases, tasks
added since the baseline, the verdict in both languages, the KPI sources and the cost of a read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tandem.changes import services as change_services
from tandem.changes.choices import ChangeStatus
from tandem.changes.models import ChangeRequest
from tandem.core.choices import Visibility
from tandem.costs import evm
from tandem.costs.choices import ExpenseStatus
from tandem.costs.models import Expense
from tandem.planning import services as planning
from tandem.planning.models import BaselineTask, Task
from tandem.projects import kpis, services
from tandem.projects.models import Kpi, KpiMeasurement
from tandem.resources import services as resources
from tandem.testing.api import Caller
from tandem.testing.earned_value import AS_OF, TEN_DAYS, build_worked_example, log_time
from tandem.testing.personas import World
from tandem.testing.plans import build_small_plan

pytestmark = pytest.mark.django_db


def test_a_baseline_keeps_each_tasks_work_and_cost(world: World) -> None:
    example = build_worked_example(world, with_time=False)
    rows = {
        r.task_uid: (r.work_minutes, r.cost_cents)
        for r in BaselineTask.objects.filter(baseline=example.baseline)
    }
    assert rows[example.build.pk] == (TEN_DAYS, 250_000_00)
    assert rows[example.vendor_work.pk] == (TEN_DAYS, 250_000_00)
    assert rows[example.phase1.pk] == (TEN_DAYS, 250_000_00)  # a summary adds up its tasks
    assert rows[example.build.pk] == (example.build.work_minutes, example.build.cost_cents)


def test_it_computes_the_worked_example(world: World) -> None:
    build_worked_example(world)
    result = evm.earned_value(world.project, AS_OF)
    f = result.figures
    assert f is not None
    assert (f.bac, f.pv, f.ev, f.ac) == (500_000_00, 250_000_00, 200_000_00, 210_000_00)
    assert round(f.cpi or 0, 3) == 0.952 and f.spi == 0.8
    assert f.eac == 525_000_00 and f.etc == 315_000_00 and f.vac == -25_000_00
    assert round(f.tcpi or 0, 3) == 1.034
    assert f.percent_complete == 40 and f.percent_spent == 42
    assert result.spi_t == pytest.approx(0.8)  # ES 1.6 weeks of the plan in 2 weeks
    assert result.eac_method == "typical" and result.currency == "CNY"
    assert result.rag == evm.RED


def test_without_a_baseline_every_figure_is_none_and_the_verdict_says_why(world: World) -> None:
    result = evm.earned_value(world.project, AS_OF)
    assert result.figures is None and result.baseline is None and result.ac == 0
    assert result.rag is None and result.phases == [] and result.curve == []
    assert result.verdict == "No baseline has been saved yet, so earned value cannot be measured."
    body = Caller(world, "client_viewer").get(f"/projects/ERP/evm?as_of={AS_OF.isoformat()}").json
    for key in ("bac", "pv", "ev", "sv", "cv", "spi", "cpi", "eac", "etc", "vac", "tcpi", "spi_t"):
        assert body[key] is None, key
    assert body["ac"] == 0.0 and body["baseline"] is None and body["rag"] is None


def test_it_uses_the_latest_approved_baseline_before_a_newer_unapproved_one(world: World) -> None:
    example = build_worked_example(world, with_time=False)
    planning.do_save_baseline(world.project, name="Draft", actor=world.pm)
    assert evm.earned_value(world.project, AS_OF).baseline == example.baseline
    world.project.baselines.update(approved_at=None)
    assert evm.earned_value(world.project, AS_OF).baseline.name == "Draft"  # type: ignore[union-attr]


def test_as_of_filters_actual_cost_and_planned_value(world: World) -> None:
    example = build_worked_example(world)
    Expense.objects.create(
        project=world.project,
        task=example.build,
        day=dt.date(2026, 1, 14),
        amount=Decimal("1000.00"),
        description="Licence",
        status=ExpenseStatus.APPROVED,
    )
    Expense.objects.create(
        project=world.project, day=dt.date(2026, 1, 14), amount=Decimal("99.00"), description="Draft"
    )
    before = evm.earned_value(world.project, dt.date(2026, 1, 9)).figures
    at = evm.earned_value(world.project, AS_OF).figures
    later = evm.earned_value(world.project, dt.date(2026, 1, 30)).figures
    assert before is not None and at is not None and later is not None
    assert (before.pv, before.ac) == (125_000_00, 125_000_00)
    assert (at.pv, at.ac) == (250_000_00, 211_000_00)  # the approved expense counts, the draft not
    assert (later.pv, later.ac) == (500_000_00, 236_000_00)
    assert before.ev == at.ev == later.ev == 200_000_00  # EV is today's progress whatever the date


def test_each_phase_has_its_own_figures(world: World) -> None:
    build_worked_example(world)
    phases = evm.earned_value(world.project, AS_OF).phases
    assert [(p.name, p.figures.bac, p.figures.pv, p.figures.ev, p.figures.ac) for p in phases] == [
        ("Phase 1", 250_000_00, 250_000_00, 200_000_00, 210_000_00),
        ("Phase 2", 250_000_00, 0, 0, 0),
    ]
    phase1 = phases[0].figures
    assert round(phase1.cpi or 0, 3) == 0.952 and phase1.spi == 0.8
    assert phases[1].figures.spi is None and phases[1].figures.cpi is None  # nothing planned or spent yet
    assert [p.name for p in evm.earned_value(world.project, AS_OF, viewer=world.client_pm).phases] == [
        "Phase 1"
    ]


def test_a_task_added_after_the_baseline_counts_in_eac_but_not_in_bac(world: World) -> None:
    example = build_worked_example(world)
    extra = planning.do_add_task(
        world.project, actor=world.pm, name="Extra report", duration_minutes=480, parent_id=example.phase1.pk
    )
    resources.do_assign(
        world.project, actor=world.pm, task_id=extra.pk, resource_id=example.bob.pk, units=100
    )
    added = Task.objects.get(pk=extra.pk).cost_cents
    assert added == 25_000_00
    result = evm.earned_value(world.project, AS_OF)
    assert result.figures is not None
    assert result.figures.bac == 500_000_00 and result.figures.eac == 525_000_00 + added
    assert result.figures.vac == -25_000_00 - added
    assert result.phases[0].figures.eac == 262_500_00 + added


def test_the_s_curve_runs_weekly_and_marks_the_approved_baseline(world: World) -> None:
    build_worked_example(world)
    world.project.baselines.update(approved_at=dt.datetime(2026, 1, 7, 10, tzinfo=dt.UTC))
    result = evm.earned_value(world.project, dt.date(2026, 2, 20))
    assert result.curve[0].day == dt.date(2026, 1, 4) and result.curve[0].pv == 0
    assert result.curve[1].day == dt.date(2026, 1, 11) and result.curve[-1].day == dt.date(2026, 2, 22)
    assert all(b.pv >= a.pv for a, b in zip(result.curve, result.curve[1:], strict=False))
    assert [p.ev for p in result.curve if p.ev is not None] == [200_000_00]
    assert [(m.day, m.kind, m.label) for m in result.markers] == [
        (dt.date(2026, 1, 7), "baseline", "Contract")
    ]


def test_the_verdict_reads_in_english_and_chinese(world: World) -> None:
    build_worked_example(world)
    result = evm.earned_value(world.project, AS_OF)
    with translation.override("en"):
        assert result.verdict == (
            "The project has spent ¥210,000 for ¥200,000 of work done: 5 % over cost and 20 % behind plan; "
            "at this rate it will cost ¥525,000, ¥25,000 over budget."
        )
    with translation.override("zh-hans"):
        assert result.verdict == (
            "项目已花费 ¥210,000，完成了价值 ¥200,000 的工作：超支 5 %，落后计划 20 %；"
            "按此趋势，完工时将花费 ¥525,000，超出预算 ¥25,000。"
        )
    with translation.override("en"):
        assert evm.verdict(100_00, 100_00, 110_00, 100_00, 90_91, "USD") == (
            "The project has spent $100 for $110 of work done: 9 % under cost and 10 % ahead of plan; "
            "at this rate it will cost $90.91, $9.09 under budget."
        )
        assert "cannot be measured yet" in evm.verdict(100_00, 50_00, 10_00, 0, None, "EUR")


def test_the_thresholds_grade_cpi_and_spi(world: World) -> None:
    assert evm.index_colour(0.95) == evm.GREEN and evm.index_colour(1.2) == evm.GREEN
    assert evm.index_colour(0.949) == evm.AMBER and evm.index_colour(0.9) == evm.AMBER
    assert evm.index_colour(0.899) == evm.RED and evm.index_colour(None) is None
    assert evm.rag_of(0.96, 0.92) == evm.AMBER and evm.rag_of(None, None) is None


def _kpi(world: World, name: str, source: str) -> Kpi:
    kpi: Kpi = services.do_add_charter_item(world.project, kind="kpis", data={"name": name}, actor=world.pm)
    return kpis.do_set_kpi_source(kpi, source=source, actor=world.pm)


def test_the_kpi_sources_measure_cpi_spi_and_the_budget_used(world: World) -> None:
    assert {"cost.cpi", "schedule.spi", "cost.budget_used"} <= set(kpis.SOURCES)
    build_worked_example(world)
    cpi = _kpi(world, "CPI", "cost.cpi")
    spi = _kpi(world, "SPI", "schedule.spi")
    used = _kpi(world, "Budget used", "cost.budget_used")
    assert kpis.measure_live(world.project, AS_OF) == 3
    values = {m.kpi_id: m.value for m in KpiMeasurement.objects.all()}
    assert values[cpi.pk] == Decimal("0.952")
    assert values[spi.pk] == Decimal("0.800")
    assert values[used.pk] == Decimal("17.5")  # 210,000 of a budget of 1,200,000


def test_the_kpi_sources_measure_nothing_without_a_baseline_or_budget(world: World) -> None:
    _kpi(world, "CPI", "cost.cpi")
    _kpi(world, "SPI", "schedule.spi")
    assert kpis.measure_live(world.project, AS_OF) == 0
    world.project.budget = None
    world.project.save(update_fields=["budget"])
    _kpi(world, "Budget used", "cost.budget_used")
    assert kpis.measure_live(world.project, AS_OF) == 0


def test_a_read_costs_the_same_queries_with_ten_times_the_tasks(world: World) -> None:
    example = build_worked_example(world)

    def counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            evm.earned_value(world.project, AS_OF, viewer=world.client_pm)
        return len(queries)

    before = counted()
    for n in range(20):
        task = planning.do_add_task(
            world.project, actor=world.pm, name=f"More {n}", duration_minutes=480, parent_id=example.phase1.pk
        )
        resources.do_assign(
            world.project, actor=world.pm, task_id=task.pk, resource_id=example.bob.pk, units=100
        )
        log_time(world, task, example.bob, dt.date(2026, 1, 12), 60)
    planning.do_approve_baseline(
        planning.do_save_baseline(world.project, name="Again", actor=world.pm), actor=world.pm
    )
    assert counted() == before
    assert before <= 14


def test_approved_changes_mark_the_s_curve_for_those_who_may_see_them(world: World) -> None:
    build_worked_example(world)
    decided = dt.datetime(2026, 1, 14, 10, tzinfo=dt.UTC)
    shared = change_services.do_propose_change(world.project, actor=world.pm, title="More stores")
    internal = change_services.do_propose_change(
        world.project, actor=world.pm, title="Vendor swap", visibility=Visibility.INTERNAL
    )
    rejected = change_services.do_propose_change(world.project, actor=world.pm, title="Nope")
    ChangeRequest.objects.filter(pk__in=[shared.pk, internal.pk]).update(
        status=ChangeStatus.APPROVED, decided_at=decided
    )
    ChangeRequest.objects.filter(pk=rejected.pk).update(status=ChangeStatus.REJECTED, decided_at=decided)

    def changes(viewer: object) -> list[str]:
        result = evm.earned_value(world.project, AS_OF, viewer=viewer)  # type: ignore[arg-type]
        return [m.label for m in result.markers if m.kind == "change"]

    assert changes(world.pm) == [f"{shared.code} More stores", f"{internal.code} Vendor swap"]
    assert changes(world.client_pm) == [f"{shared.code} More stores"]


def test_a_baseline_without_cost_says_what_is_missing(world: World) -> None:
    build_small_plan(world, baseline="Dates only")  # no resources: no cost to spread
    result = evm.earned_value(world.project, AS_OF)
    assert result.figures is not None and result.figures.bac == 0
    assert result.figures.spi is None and result.figures.percent_complete is None
    assert "The baseline has no cost" in result.verdict
