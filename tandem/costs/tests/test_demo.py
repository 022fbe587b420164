"""The demo's time and cost: twelve weeks of timesheets, expenses, a budget, and a cost index under 1."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from tandem.changes.demo import load_demo_changes
from tandem.costs.actuals import COUNTED_SHEET_STATES, actual_cost, cents
from tandem.costs.demo import REJECTED_REASON, WEEKS, load_demo_costs
from tandem.costs.models import BudgetLine, CostSettings, Expense, TimeEntry, Timesheet, week_start
from tandem.costs.pricing import Pricer
from tandem.planning import scheduling
from tandem.planning.demo import load_demo_plan
from tandem.planning.models import Baseline, BaselineTask, Task
from tandem.projects.demo import load_demo
from tandem.projects.models import Project
from tandem.requirements.demo import load_demo_requirements
from tandem.resources.demo import load_demo_resources
from tandem.resources.models import Assignment
from tandem.risks.demo import load_demo_risks
from tandem.testing.api import FAST_PASSWORDS
from tandem_engine.calendar import working_days

TODAY = dt.date(2026, 11, 23)
#: What the costs step may ask of the database, whatever the number of entries it writes.
QUERY_BUDGET = 90


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[Project, int, int]]:
    """The demo built as ``tandem demo`` builds it, once for the module; rolled back at its end.

    Yields the project, the number of time entries and the queries the costs step made.
    """
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORDS), django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            project = load_demo()
            load_demo_plan_and_registers(project)
            with CaptureQueriesContext(connection) as queries:
                count = load_demo_costs(project, today=TODAY)
            yield project, count, len(queries.captured_queries)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def load_demo_plan_and_registers(project: Project) -> None:
    """What the demo command loads before the costs step (but the meetings: a layer beside this one;
    their action adds one task, which ``load_demo_costs`` staffs like the change's)."""
    load_demo_plan(project, today=TODAY)
    load_demo_resources(project, today=TODAY)
    load_demo_requirements(project)
    load_demo_changes(project, today=TODAY)
    load_demo_risks(project, today=TODAY)


def test_it_loads_once_with_few_queries(demo: tuple[Project, int, int], db: None) -> None:
    project, count, queries = demo
    assert count > 100
    assert TimeEntry.objects.filter(project=project).count() == count
    assert queries <= QUERY_BUDGET
    assert load_demo_costs(project, today=TODAY) == count


def test_every_leaf_task_has_people(demo: tuple[Project, int, int], db: None) -> None:
    project, _count, _queries = demo
    leaves = set(Task.objects.filter(project=project, is_summary=False).values_list("pk", flat=True))
    assigned = set(Assignment.objects.filter(project=project).values_list("task_id", flat=True))
    assert leaves <= assigned
    # The task the approved change added is planned and costed.
    added = Task.objects.get(project=project, name__contains="Loyalty points report")
    assert added.work_minutes > 0 and added.cost_cents > 0


def test_twelve_weeks_approved_submitted_rejected_and_open(demo: tuple[Project, int, int], db: None) -> None:
    project, _count, _queries = demo
    this_week = week_start(TODAY)
    sheets = list(Timesheet.objects.filter(project=project).select_related("user", "approved_by"))
    weeks = sorted({s.week for s in sheets})
    assert len(weeks) == WEEKS
    assert weeks[-1] == this_week and weeks[0] == this_week - dt.timedelta(weeks=WEEKS - 1)
    people = {s.user for s in sheets}
    assert {p.email.split("@")[0] for p in people} == {"wang.fang", "li.ming", "emma.chen"}
    by_week: dict[dt.date, Counter[str]] = {w: Counter() for w in weeks}
    for sheet in sheets:
        by_week[sheet.week][sheet.status] += 1
    assert by_week[this_week] == Counter({"open": 3})
    assert by_week[this_week - dt.timedelta(weeks=1)] == Counter({"submitted": 2, "rejected": 1})
    for week in weeks[:-2]:
        assert by_week[week] == Counter({"approved": 3})
    pm = project.memberships.get(role="pm").user
    lead = project.memberships.get(role="lead").user
    for sheet in sheets:
        if sheet.status == "approved":
            assert sheet.approved_by == (lead if sheet.user == pm else pm)
            assert sheet.submitted_at is not None and sheet.approved_at is not None
            assert sheet.submitted_at < sheet.approved_at
    [rejected] = [s for s in sheets if s.status == "rejected"]
    assert rejected.rejected_reason == REJECTED_REASON
    settings = CostSettings.objects.get(project=project)
    assert settings.actuals_from_time
    assert settings.locked_until == this_week - dt.timedelta(weeks=1, days=1)
    assert settings.budget_thresholds == [80, 100]


def test_entries_are_working_days_on_work_under_way_priced_at_the_rate(
    demo: tuple[Project, int, int], db: None
) -> None:
    project, _count, _queries = demo
    zone = scheduling.zone_of(project)
    entries = list(TimeEntry.objects.filter(project=project).select_related("task", "timesheet"))
    per_day: Counter[tuple[int, dt.date]] = Counter()
    pricer = Pricer({e.resource_id for e in entries if e.resource_id is not None})
    calendar = scheduling.project_engine_calendar(project)
    working = set(working_days(calendar, TODAY - dt.timedelta(weeks=WEEKS), TODAY))
    for entry in entries:
        per_day[(entry.user_id, entry.day)] += entry.minutes
        assert entry.timesheet.week == week_start(entry.day) and entry.timesheet.user_id == entry.user_id
        # Working days of the project's (mainland China) calendar: not National Day, but the
        # Sunday made a working day before it.
        assert entry.day <= TODAY and entry.day in working
        task = entry.task
        assert not task.is_summary and task.percent_complete > 0
        assert task.start is not None and task.finish is not None
        assert task.start.astimezone(zone).date() <= entry.day <= task.finish.astimezone(zone).date()
        assert entry.cost_cents == pricer.cost_cents(entry.resource_id, entry.day, entry.minutes) > 0
    assert all(300 <= minutes <= 480 for minutes in per_day.values())
    assert any(not e.billable for e in entries) and any(e.billable for e in entries)
    notes = [e.note for e in entries if e.note]
    assert notes and any("请" in n or "协调" in n or "与" in n for n in notes)
    # A task's actual work is its counted time.
    counted: Counter[int] = Counter()
    for entry in entries:
        if entry.timesheet.status in COUNTED_SHEET_STATES:
            counted[entry.task_id] += entry.minutes
    actual = dict(
        Task.objects.filter(project=project, actual_work_minutes__gt=0).values_list(
            "pk", "actual_work_minutes"
        )
    )
    assert actual == dict(counted)


def test_expenses_budget_and_earned_value(demo: tuple[Project, int, int], db: None) -> None:
    project, _count, _queries = demo
    project.refresh_from_db()
    expenses = list(Expense.objects.filter(project=project))
    assert 6 <= len(expenses) <= 10
    assert {"material", "travel", "subcontracting"} <= {e.category for e in expenses}
    statuses = Counter(e.status for e in expenses)
    assert statuses["submitted"] == 1 and statuses["draft"] == 1
    assert statuses["approved"] == len(expenses) - 2
    assert [e.visibility for e in expenses].count("shared") == 1
    client = project.memberships.get(role="client_viewer").user
    assert list(Expense.objects.visible_to(client).filter(project=project)) == [
        e for e in expenses if e.visibility == "shared"
    ]
    assert all(e.day <= TODAY for e in expenses)

    lines = list(BudgetLine.objects.filter(project=project).select_related("phase"))
    phases = Task.objects.filter(project=project, parent=None, kind="phase")
    assert {line.phase for line in lines if line.category == "labour"} == set(phases)
    assert {line.category for line in lines if line.phase is None} == {"material", "travel", "subcontracting"}
    total = sum((line.amount for line in lines), Decimal(0))
    assert project.budget is not None
    assert abs(total - project.budget) <= project.budget / 100

    baseline = (
        Baseline.objects.filter(project=project, approved_at__isnull=False).order_by("-approved_at").first()
    )
    rows = BaselineTask.objects.filter(baseline=baseline, task__is_summary=False).select_related("task")
    bac = sum(row.cost_cents for row in rows)
    earned = sum(row.cost_cents * row.task.percent_complete / 100 for row in rows if row.task is not None)
    spent = actual_cost(project, until=TODAY)
    assert bac > 0 and spent > 0
    assert 0.88 <= earned / spent <= 0.98
    # On schedule by the agreed baseline: planned value runs linearly over each row's dates.
    zone = scheduling.zone_of(project)
    end = dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    planned = 0.0
    for row in rows:
        if row.start is not None and row.finish is not None and row.start < end:
            span = (row.finish - row.start).total_seconds()
            planned += row.cost_cents * (1 if row.finish <= end else (end - row.start).total_seconds() / span)
    assert 0.95 <= earned / planned <= 1.05
    # Both baselines hold work and cost now; the contract baseline priced the slipping task's
    # shorter duration.
    assert not BaselineTask.objects.filter(
        baseline__project=project, task__is_summary=False, task__work_minutes__gt=0, work_minutes=0
    ).exists()
    # The approved expenses and the counted time make up the actual cost.
    time = sum(
        TimeEntry.objects.filter(project=project, timesheet__status__in=COUNTED_SHEET_STATES).values_list(
            "cost_cents", flat=True
        )
    )
    assert spent == time + sum(cents(e.amount) for e in expenses if e.status == "approved")


def test_every_row_passes_the_models_validation(demo: tuple[Project, int, int], db: None) -> None:
    project, _count, _queries = demo
    for model in (Timesheet, TimeEntry, Expense, BudgetLine, CostSettings):
        rows = list(model.objects.filter(project=project))
        assert rows, model
        for row in rows:
            row.full_clean()
