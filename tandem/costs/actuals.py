"""The actual cost of a project: approved time priced at internal rates, and approved expenses.

Readers (budgets, earned value, reports, KPI sources) take their actual cost from here, so every
figure counts the same entries.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from tandem.costs.choices import ExpenseStatus, SheetStatus
from tandem.costs.models import Expense, TimeEntry
from tandem.projects.models import Project

#: Timesheet states whose time counts as actual cost: approved by the team (the client's approval,
#: where asked, is about billing, not about whether the work was done).
COUNTED_SHEET_STATES = (SheetStatus.TEAM_APPROVED, SheetStatus.APPROVED)


def cents(amount: Decimal | int | None) -> int:
    """An amount in hundredths, rounded half up."""
    if amount is None:
        return 0
    return int((Decimal(amount) * 100).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def actual_cost_by_day(project: Project, *, until: datetime.date | None = None) -> dict[datetime.date, int]:
    """Actual cost per day in hundredths: counted time plus approved expenses (two grouped queries)."""
    out: dict[datetime.date, int] = defaultdict(int)
    time = TimeEntry.objects.filter(project=project, timesheet__status__in=COUNTED_SHEET_STATES)
    expenses = Expense.objects.filter(project=project, status=ExpenseStatus.APPROVED)
    if until is not None:
        time = time.filter(day__lte=until)
        expenses = expenses.filter(day__lte=until)
    for day, total in time.values_list("day").annotate(total=Sum("cost_cents")).values_list("day", "total"):
        out[day] += int(total or 0)
    for day, total in expenses.values_list("day").annotate(total=Sum("amount")).values_list("day", "total"):
        out[day] += cents(total)
    return dict(out)


def actual_cost(project: Project, *, until: datetime.date | None = None) -> int:
    """The project's actual cost in hundredths up to ``until`` (inclusive; all when None)."""
    return sum(actual_cost_by_day(project, until=until).values())


def actual_cost_by_task(project: Project, *, until: datetime.date | None = None) -> dict[int | None, int]:
    """Actual cost per task in hundredths (expenses on no task under None), two grouped queries."""
    out: dict[int | None, int] = defaultdict(int)
    time = TimeEntry.objects.filter(project=project, timesheet__status__in=COUNTED_SHEET_STATES)
    expenses = Expense.objects.filter(project=project, status=ExpenseStatus.APPROVED)
    if until is not None:
        time = time.filter(day__lte=until)
        expenses = expenses.filter(day__lte=until)
    for task_id, total in (
        time.values_list("task_id").annotate(total=Sum("cost_cents")).values_list("task_id", "total")
    ):
        out[task_id] += int(total or 0)
    for task_id, total in (
        expenses.values_list("task_id").annotate(total=Sum("amount")).values_list("task_id", "total")
    ):
        out[task_id] += cents(total)
    return dict(out)
