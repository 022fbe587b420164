"""The budget of a project against its plan and its actual cost, and the thresholds that notify.

Per line (a phase or the whole project × a category): the budget amount; the planned cost (labour:
the planned cost of the leaf tasks under the phase, from their assignments and rates; any other
category: the line's amount is its plan); the actual cost (labour: counted time under the phase;
another category: approved expenses of that category under the phase; the whole project: all of it);
the percent used, what remains, and whether the line is forecast to overrun (its plan or its actual
cost above its budget). The totals take, per category, the whole project's line when there is one
and the sum of the phase lines otherwise; the total actual cost is the project's own (every counted
cost once). The whole budget the thresholds measure is the project's budget when set, else the
lines' total.

Everything is read with a fixed number of grouped queries and the plan's task tree (parent ids),
whatever the number of lines, tasks, entries or expenses. Figures are hundredths of the project's
currency. A client reads these sums: no rate and no entry's cost is in them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from tandem.communication import tasks as communication_tasks
from tandem.communication.models import Notification, NotificationVerb
from tandem.core.choices import Side, Visibility
from tandem.costs.actuals import COUNTED_SHEET_STATES, actual_cost_by_day, cents
from tandem.costs.choices import CostCategory, ExpenseStatus
from tandem.costs.models import BudgetAlert, BudgetLine, Expense, TimeEntry, week_start
from tandem.costs.settings import settings_for
from tandem.planning import scheduling
from tandem.planning.models import Task
from tandem.projects.choices import Role
from tandem.projects.models import Membership, Project

logger = logging.getLogger(__name__)

#: Who hears of a threshold crossed: the team's PMs and leads for every line; the client's PM and
#: sponsor too for the whole budget (which they agreed), never for a line.
TEAM_RECIPIENTS = (Role.PROJECT_MANAGER, Role.LEAD)
CLIENT_RECIPIENTS = (Role.CLIENT_PM, Role.SPONSOR)


def percent_of(part: int, whole: int) -> Decimal | None:
    """``part`` as a percent of ``whole`` to one decimal (None for a zero whole)."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def reached(actual: int, budget: int, thresholds: Iterable[int]) -> list[int]:
    """The thresholds (percents) ``actual`` has reached of ``budget`` (none for a zero budget)."""
    if budget <= 0:
        return []
    return [t for t in thresholds if actual * 100 >= budget * t]


@dataclass(frozen=True)
class Figures:
    """Budget, planned and actual cost of a line or of the total, in hundredths."""

    budget_cents: int
    planned_cents: int
    actual_cents: int

    @property
    def percent(self) -> Decimal | None:
        """The actual cost as a percent of the budget (None without a budget)."""
        return percent_of(self.actual_cents, self.budget_cents)

    @property
    def remaining_cents(self) -> int:
        """The budget not yet spent (negative when overrun)."""
        return self.budget_cents - self.actual_cents

    @property
    def forecast_over(self) -> bool:
        """Whether the line is forecast to overrun: its plan or its actual cost exceeds its budget."""
        return max(self.planned_cents, self.actual_cents) > self.budget_cents

    @property
    def bar(self) -> int:
        """The width of a used-% bar, 0..100."""
        return min(100, int(self.percent or 0))


@dataclass(frozen=True)
class LineFigures(Figures):
    """One budget line's figures and the highest threshold its actual cost reached (0 for none)."""

    line: BudgetLine
    reached: int


@dataclass(frozen=True)
class BurnPoint:
    """The cumulative actual cost at the end of a week (named by its Monday)."""

    week: dt.date
    actual_cents: int


@dataclass(frozen=True)
class Summary:
    """The project's budget read against its plan and its actual cost."""

    project: Project
    lines: list[LineFigures]
    totals: Figures
    #: The project's own budget in hundredths (None when not set) and the whole budget thresholds measure.
    project_budget_cents: int | None
    whole_cents: int
    whole_reached: int
    thresholds: list[int]
    burn: list[BurnPoint]

    @property
    def whole_percent(self) -> Decimal | None:
        """The actual cost as a percent of the whole budget."""
        return percent_of(self.totals.actual_cents, self.whole_cents)


def _phases_under(parents: dict[int, int | None], phase_ids: set[int]) -> dict[int, list[int]]:
    """For every task, the budgeted phases it sits in (itself included), walking the parent ids."""
    memo: dict[int, list[int]] = {}
    for start in parents:
        path: list[int] = []
        node: int | None = start
        while node is not None and node not in memo:
            path.append(node)
            node = parents.get(node)
        above = memo.get(node, []) if node is not None else []
        for task_id in reversed(path):
            above = ([task_id] if task_id in phase_ids else []) + above
            memo[task_id] = above
    return memo


def _burn(by_day: dict[dt.date, int]) -> list[BurnPoint]:
    """Cumulative actual cost per week, every week from the first cost to the last."""
    if not by_day:
        return []
    weekly: dict[dt.date, int] = defaultdict(int)
    for day, amount in by_day.items():
        weekly[week_start(day)] += amount
    week, last = min(weekly), max(weekly)
    points, total = [], 0
    while week <= last:
        total += weekly.get(week, 0)
        points.append(BurnPoint(week, total))
        week += dt.timedelta(days=7)
    return points


def thresholds_of(project: Project) -> list[int]:
    """The project's budget thresholds in percent, in rising order (the defaults until changed); from
    the cost settings the project instance keeps (``settings_for``: the page's navigation reads them
    too)."""
    return sorted(int(t) for t in settings_for(project).budget_thresholds)


def _tree(project: Project) -> tuple[dict[int, int | None], dict[int, int]]:
    """Each task's parent, and each leaf task's planned cost (a computed column: rescheduled with
    the plan, so the plan's revision covers it)."""
    parents: dict[int, int | None] = {}
    leaf_cost: dict[int, int] = {}
    for pk, parent_id, is_summary, cost in Task.objects.filter(project=project).values_list(
        "id", "parent_id", "is_summary", "cost_cents"
    ):
        parents[pk] = parent_id
        if not is_summary:
            leaf_cost[pk] = int(cost or 0)
    return parents, leaf_cost


def summarize(project: Project, *, with_burn: bool = True) -> Summary:
    """The budget summary of ``project``: eight queries however many lines, tasks, entries or
    expenses, the plan's revision included (six ``with_burn=False``: no cumulative spend by week,
    ``burn`` is empty); one fewer when the plan's tree is kept for its revision."""
    thresholds = thresholds_of(project)  # 1
    lines = list(BudgetLine.objects.filter(project=project).select_related("phase").order_by("id"))  # 2
    lines.sort(
        key=lambda line: (line.phase.outline_key if line.phase else "", line.phase_id or 0, line.category)
    )
    # 3 (or only the plan's revision, the tree and costs kept from an earlier read of the same plan)
    parents, leaf_cost = scheduling.derived_from_plan(project, "budget tree", partial(_tree, project))
    time_by_task = dict(  # 4
        TimeEntry.objects.filter(project=project, timesheet__status__in=COUNTED_SHEET_STATES)
        .values_list("task_id")
        .annotate(total=Sum("cost_cents"))
        .values_list("task_id", "total")
    )
    spent = (  # 5
        Expense.objects.filter(project=project, status=ExpenseStatus.APPROVED)
        .values_list("task_id", "category")
        .annotate(total=Sum("amount"))
        .values_list("task_id", "category", "total")
    )
    phase_ids = {line.phase_id for line in lines if line.phase_id is not None}
    under = _phases_under(parents, phase_ids)

    planned_labour: dict[int | None, int] = defaultdict(int)
    for task_id, cost in leaf_cost.items():
        planned_labour[None] += cost
        for phase in under.get(task_id, []):
            planned_labour[phase] += cost
    actual: dict[tuple[int | None, str], int] = defaultdict(int)
    for task_id, total in time_by_task.items():
        amount = int(total or 0)
        actual[(None, CostCategory.LABOUR)] += amount
        for phase in under.get(task_id, []):
            actual[(phase, CostCategory.LABOUR)] += amount
    for task_id, category, total in spent:
        amount = cents(total)
        actual[(None, category)] += amount
        for phase in under.get(task_id, []) if task_id is not None else []:
            actual[(phase, category)] += amount

    figures: list[LineFigures] = []
    for line in lines:
        budget = cents(line.amount)
        planned = planned_labour[line.phase_id] if line.category == CostCategory.LABOUR else budget
        spent_cents = actual[(line.phase_id, line.category)]
        crossed = reached(spent_cents, budget, thresholds)
        figures.append(LineFigures(budget, planned, spent_cents, line=line, reached=max(crossed, default=0)))

    budget_total = planned_total = 0
    for category in CostCategory.values:
        mine = [f for f in figures if f.line.category == category]
        whole = [f for f in mine if f.line.phase_id is None]
        counted = whole or mine
        budget_total += sum(f.budget_cents for f in counted)
        if category == CostCategory.LABOUR:
            planned_total += planned_labour[None]
        else:
            planned_total += sum(f.planned_cents for f in counted)
    actual_total = sum(amount for (phase, _category), amount in actual.items() if phase is None)
    totals = Figures(budget_total, planned_total, actual_total)
    project_budget = cents(project.budget) if project.budget is not None else None
    whole_cents = project_budget if project_budget else budget_total
    return Summary(
        project=project,
        lines=figures,
        totals=totals,
        project_budget_cents=project_budget,
        whole_cents=whole_cents,
        whole_reached=max(reached(actual_total, whole_cents, thresholds), default=0),
        thresholds=thresholds,
        burn=_burn(actual_cost_by_day(project)) if with_burn else [],  # 6, 7
    )


def phase_name(line: BudgetLine, *, team: bool) -> str | None:
    """The line's phase as the reader may know it (None: the whole project); a client reads an
    internal phase's line without its name."""
    if line.phase is None:
        return None
    if not team and line.phase.visibility != Visibility.SHARED:
        return str(_("An internal phase"))
    return line.phase.name


def alert_label(alert: BudgetAlert, *, team: bool) -> str:
    """What an alert says, as the reader may know it (a client: no internal phase's name)."""
    line = alert.line
    if (
        not team
        and line is not None
        and line.phase is not None
        and line.phase.visibility != Visibility.SHARED
    ):
        return str(_("A budget line: %(threshold)s %% used") % {"threshold": alert.threshold})
    return str(alert)


# ---------------------------------------------------------------- thresholds


def _recipients(project: Project, *, whole: bool) -> list[int]:
    """Who is told: the team's PMs and leads; for the whole budget, the client's PM and sponsor too."""
    rows = Membership.objects.filter(project=project, user__is_active=True).filter(
        Q(side=Side.TEAM, role__in=TEAM_RECIPIENTS)
        | Q(side=Side.CLIENT, role__in=CLIENT_RECIPIENTS if whole else ())
    )
    return sorted(set(rows.values_list("user_id", flat=True)))


def _create(project: Project, line: BudgetLine | None, threshold: int, spent: int) -> BudgetAlert | None:
    """The alert, or None when another check created it first."""
    try:
        with transaction.atomic():
            return BudgetAlert.objects.create(
                project=project, line=line, threshold=threshold, spent_cents=spent
            )
    except IntegrityError:
        return None


def _notify(project: Project, alert: BudgetAlert, *, whole: bool) -> None:
    content_type = ContentType.objects.get_for_model(BudgetAlert)
    created = Notification.objects.bulk_create(
        Notification(
            recipient_id=user_id,
            project=project,
            verb=NotificationVerb.BUDGET_THRESHOLD,
            target_type=content_type,
            target_id=alert.pk,
        )
        for user_id in _recipients(project, whole=whole)
    )
    ids = [n.pk for n in created if n.pk is not None]
    if len(ids) != len(created):  # a database that does not return ids of bulk inserts
        ids = list(
            Notification.objects.filter(target_type=content_type, target_id=alert.pk).values_list(
                "pk", flat=True
            )
        )
    for notification_id in ids:
        transaction.on_commit(partial(communication_tasks.email_notification.enqueue, notification_id))


@transaction.atomic
def check_thresholds(project: Project) -> list[BudgetAlert]:
    """Record each threshold a line (or the whole budget) has newly crossed, once, and notify.

    Idempotent: a threshold already recorded is never recorded or notified again, even if the cost
    falls below it and rises again. When a check finds several thresholds of one line crossed at
    once, each is recorded and the highest is notified. Returns the alerts created.
    """
    summary = summarize(project)
    known = set(BudgetAlert.objects.filter(project=project).values_list("line_id", "threshold"))
    candidates: list[tuple[BudgetLine | None, list[int], int]] = [
        (f.line, reached(f.actual_cents, f.budget_cents, summary.thresholds), f.actual_cents)
        for f in summary.lines
    ]
    candidates.append(
        (
            None,
            reached(summary.totals.actual_cents, summary.whole_cents, summary.thresholds),
            summary.totals.actual_cents,
        )
    )
    created: list[BudgetAlert] = []
    for line, crossed, spent in candidates:
        line_id = line.pk if line is not None else None
        new = [t for t in crossed if (line_id, t) not in known]
        alerts = [alert for t in new if (alert := _create(project, line, t, spent)) is not None]
        if alerts:
            _notify(project, alerts[-1], whole=line is None)
            created += alerts
    return created
