"""The demo's time and cost of RETAIL-ERP: twelve weeks of timesheets, expenses, a budget and settings.

Written with the models directly, in a few bulk statements (the demo writes some hundreds of time
entries; the services save one at a time). Every entry is priced with ``Pricer``, as the services
price time. Call after the other loaders that change the plan (plan, resources, changes, meetings):
the approved change and the meeting's action add tasks that need people, and the agreed baseline
must be the final one, since earned value reads it:

    from tandem.costs.demo import load_demo_costs
    load_demo_costs(project)            # idempotent: a second call adds nothing

Deterministic: the hours come from a seeded generator and the amounts follow from the plan, tuned
so that earned value at ``today`` shows a cost performance index a little under 1 (``TARGET_CPI``):
the team has spent somewhat more than the work it finished was planned to cost.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from tandem.accounts.models import User
from tandem.core.bulk import bulk_write
from tandem.core.choices import Visibility
from tandem.costs.actuals import COUNTED_SHEET_STATES
from tandem.costs.choices import CostCategory, ExpenseCategory, ExpenseStatus, SheetStatus
from tandem.costs.models import BudgetLine, CostSettings, Expense, TimeEntry, Timesheet, week_start
from tandem.costs.pricing import Pricer
from tandem.planning import scheduling, writing
from tandem.planning.choices import TaskKind
from tandem.planning.models import Baseline, BaselineTask, Task
from tandem.projects import services as project_services
from tandem.projects.choices import Role
from tandem.projects.demo import demo_people
from tandem.projects.models import Project
from tandem.resources import services as resource_services
from tandem.resources.demo import FALLBACK
from tandem.resources.models import Assignment, Resource
from tandem_engine.calendar import working_days

#: Weeks of timesheets up to today's week (included).
WEEKS = 12
#: The weeks not approved yet: this one (open) and last week (submitted, one of them rejected).
WEEKS_OPEN = 2
SEED = 20260901
#: The cost performance index the demo aims at: a little over budget for the work done.
TARGET_CPI = Decimal("0.935")
#: Who logs time: the team's people with a resource in the pool.
LOGGERS = (Role.PROJECT_MANAGER, Role.LEAD, Role.MEMBER)
#: A working day's time, in half hours from 5 to 8 hours.
DAY_MINUTES = tuple(range(300, 481, 30))
#: The share of the actual cost (besides the fixed expenses) that time takes; subcontracting the rest.
TIME_SHARE = Decimal("0.85")
#: The first instalment to the data-migration partner is at least this much (CNY).
LEAST_INSTALMENT = Decimal("30000")
#: Labour lines hold a reserve over the agreed baseline's cost.
LABOUR_RESERVE = Decimal("1.05")
REJECTED_REASON = "请按任务拆分工时 / Please split the hours by task"
COORDINATION = "项目协调 Project coordination"
NOTES = (
    "与门店经理确认补货周期 Confirmed replenishment cycles with store managers",
    "修复接口字段映射 Fixed interface field mappings",
    "客户评审会议 Client review meeting",
    "更新迁移脚本 Updated the migration scripts",
    "编写测试用例 Wrote test cases",
    "设计文档修订 Revised the design document",
    "Weekly sync with Lakeside IT",
    "苏州门店现场 On site at the Suzhou store",
)


@dataclass(frozen=True)
class DemoExpense:
    """An expense: ``amount`` None is the first partner instalment, which balances the actual cost."""

    description: str
    category: str
    days_ago: int
    amount: Decimal | None
    status: str = ExpenseStatus.APPROVED
    shared: bool = False
    task_word: str = ""
    by: str = Role.PROJECT_MANAGER


E = DemoExpense
EXPENSES = (
    E(
        "门店调研差旅（苏州、无锡）Store interview trips (Suzhou, Wuxi)",
        ExpenseCategory.TRAVEL,
        80,
        Decimal("18600.00"),
        task_word="Store operations interviews",
        by=Role.MEMBER,
    ),
    E(
        "区域仓现场调研 Regional warehouse site visits",
        ExpenseCategory.TRAVEL,
        65,
        Decimal("12400.00"),
        task_word="Inventory and replenishment",
        by=Role.MEMBER,
    ),
    E(
        "UAT 测试用移动 POS 终端 Mobile POS terminals for UAT",
        ExpenseCategory.MATERIAL,
        40,
        Decimal("36800.00"),
        shared=True,
        task_word="POS interface",
        by=Role.LEAD,
    ),
    E(
        "数据迁移合作方第一期 Data migration partner, first instalment",
        ExpenseCategory.SUBCONTRACTING,
        30,
        None,
        task_word="Cleansing rules",
    ),
    E(
        "压测云资源 Load-test cloud capacity",
        ExpenseCategory.MATERIAL,
        20,
        Decimal("9800.00"),
        by=Role.LEAD,
    ),
    E(
        "迁移演练现场差旅 Travel for the migration rehearsals",
        ExpenseCategory.TRAVEL,
        14,
        Decimal("7600.00"),
        task_word="Migration rehearsal",
        by=Role.LEAD,
    ),
    E(
        "数据迁移合作方第二期 Data migration partner, second instalment",
        ExpenseCategory.SUBCONTRACTING,
        5,
        Decimal("120000.00"),
        status=ExpenseStatus.SUBMITTED,
    ),
    E(
        "测试数据脱敏工具许可 Test-data masking tool licence",
        ExpenseCategory.MATERIAL,
        2,
        Decimal("15000.00"),
        status=ExpenseStatus.DRAFT,
        by=Role.MEMBER,
    ),
)
#: How much each whole-project line holds over what its category's expenses come to.
CATEGORY_RESERVE = {
    CostCategory.MATERIAL: Decimal("1.6"),
    CostCategory.TRAVEL: Decimal("1.8"),
    CostCategory.SUBCONTRACTING: Decimal("1.25"),
}


@dataclass
class _Day:
    """One person's working day: the tasks it goes to and its minutes (tuned before it is written)."""

    weeks_ago: int
    user: User
    resource_id: int
    day: dt.date
    tasks: list[Task]
    minutes: int
    split: float
    note: str
    billable: bool


@transaction.atomic
def load_demo_costs(project: Project, *, today: dt.date | None = None) -> int:
    """Log the demo's time, expenses and budget in ``project`` once; return the number of time entries."""
    existing = TimeEntry.objects.filter(project=project)
    if existing.exists():
        return existing.count()
    today = today or timezone.localdate()
    people = demo_people(project)
    pm = people[Role.PROJECT_MANAGER]
    assign_every_leaf(project, actor=pm)
    fill_baselines(project)
    tasks = list(Task.objects.filter(project=project).order_by("outline_key", "id"))
    agreed = agreed_rows(project)
    earned = earned_value(agreed)
    loggers = [people[role] for role in LOGGERS if role in people]
    resources = {
        r.user_id: r
        for r in Resource.objects.filter(user__in=loggers, organization_id__in=_sides(project))
        if r.user_id
    }
    loggers = [user for user in loggers if user.pk in resources]
    pricer = Pricer(r.pk for r in resources.values())
    days = _plan_days(project, tasks, loggers, resources, today)
    fixed = sum(
        (e.amount for e in EXPENSES if e.status == ExpenseStatus.APPROVED and e.amount is not None),
        Decimal(0),
    )
    target = Decimal(earned) / 100 / TARGET_CPI
    time_cost = _tune_hours(days, pricer, (target - fixed) * TIME_SHARE)
    instalment = max(LEAST_INSTALMENT, (target - fixed - time_cost).quantize(Decimal("1E2")))
    entries = _write_timesheets(
        project, days, pricer, today, loggers=loggers, approver=pm, lead=people.get(Role.LEAD)
    )
    _count_actual_work(entries)
    expenses = _write_expenses(project, tasks, people, today, instalment)
    _write_budget(project, tasks, agreed, expenses, actor=pm)
    CostSettings.objects.update_or_create(
        project=project,
        defaults={
            "actuals_from_time": True,
            "locked_until": week_start(today) - dt.timedelta(weeks=WEEKS_OPEN - 1, days=1),
            "budget_thresholds": [80, 100],
        },
    )
    return len(entries)


def _sides(project: Project) -> list[int]:
    """The organizations whose pools staff the project: the vendor's and the client's."""
    return [pk for pk in (project.vendor_id, project.client_id) if pk is not None]


def assign_every_leaf(project: Project, *, actor: User) -> int:
    """Give every leaf task without an assignment its owner's resource (or the fallback); one reschedule.

    Return the number of assignments added (the tasks an approved change or a meeting's action added).
    """
    bare = list(
        Task.objects.filter(project=project, is_summary=False)
        .exclude(Exists(Assignment.objects.filter(task=OuterRef("pk"))))
        .order_by("outline_key", "id")
    )
    if not bare:
        return 0
    pool = list(Resource.objects.filter(organization_id__in=_sides(project)))
    by_user = {r.user_id: r for r in pool if r.user_id}
    fallback = next(r for r in pool if r.name == FALLBACK)
    with writing.one_reschedule(project):
        for task in bare:
            resource = by_user.get(task.owner_id, fallback) if task.owner_id else fallback
            resource_services.do_assign(
                project,
                actor=actor,
                task_id=task.pk,
                resource_id=resource.pk,
                units=100,
                work_minutes=task.duration_minutes,
            )
    return len(bare)


def _parents(tasks: Sequence[Task]) -> dict[int, int | None]:
    return {t.pk: t.parent_id for t in tasks}


def _root_of(pk: int, parents: dict[int, int | None]) -> int:
    while (up := parents.get(pk)) is not None:
        pk = up
    return pk


def fill_baselines(project: Project) -> int:
    """Fill the work and planned cost of baseline rows saved before the plan had them (one write).

    A leaf row takes its task's work and cost in the proportion of the baseline's duration to the
    task's (a task that slipped since was planned to cost less); a summary row the sum of its leaves.
    Rows that already hold figures are left as they are. Return the number of rows filled.
    """
    rows = list(
        BaselineTask.objects.filter(
            baseline__project=project, task__isnull=False, work_minutes=0, cost_cents=0
        )
        .select_related("task")
        .order_by("baseline_id", "id")
    )
    parents = {row.task_id: row.task.parent_id for row in rows if row.task is not None}
    sums: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        task = row.task
        if task is None or task.is_summary:
            continue
        scale = Decimal(row.duration_minutes) / task.duration_minutes if task.duration_minutes else 1
        row.work_minutes = int(task.work_minutes * scale)
        row.cost_cents = int(task.cost_cents * scale)
        up = task.parent_id
        while up is not None:
            total = sums[(row.baseline_id, up)]
            total[0] += row.work_minutes
            total[1] += row.cost_cents
            up = parents.get(up)
    for row in rows:
        if row.task is not None and row.task.is_summary:
            row.work_minutes, row.cost_cents = sums.get((row.baseline_id, row.task.pk), (0, 0))
    return bulk_write(BaselineTask, rows, ["work_minutes", "cost_cents"])


def agreed_rows(project: Project) -> list[BaselineTask]:
    """The leaf rows of the agreed baseline (the latest approved), with their tasks."""
    baseline = (
        Baseline.objects.filter(project=project, approved_at__isnull=False)
        .order_by("-approved_at", "-id")
        .first()
    )
    if baseline is None:
        return []
    return list(BaselineTask.objects.filter(baseline=baseline, task__is_summary=False).select_related("task"))


def earned_value(rows: Sequence[BaselineTask]) -> int:
    """Earned value in hundredths: each leaf's baseline cost × its task's percent complete."""
    return sum(row.cost_cents * row.task.percent_complete // 100 for row in rows if row.task is not None)


def _plan_days(
    project: Project,
    tasks: Sequence[Task],
    loggers: Sequence[User],
    resources: dict[int, Resource],
    today: dt.date,
) -> list[_Day]:
    """Each logger's working days of the last ``WEEKS`` weeks, on the tasks under way or done then."""
    rng = random.Random(SEED)
    zone = scheduling.zone_of(project)
    first = week_start(today) - dt.timedelta(weeks=WEEKS - 1)
    if project.start_date:
        first = max(first, project.start_date)
    calendar = scheduling.project_engine_calendar(project)
    open_days = working_days(calendar, first, today) if first <= today else []
    worked = [
        (t, t.start.astimezone(zone).date(), t.finish.astimezone(zone).date())
        for t in tasks
        if not t.is_summary
        and t.kind != TaskKind.MILESTONE
        and t.percent_complete > 0
        and t.start is not None
        and t.finish is not None
    ]
    assigned: dict[int, set[int]] = defaultdict(set)
    for task_id, resource_id in Assignment.objects.filter(project=project).values_list(
        "task_id", "resource_id"
    ):
        assigned[resource_id].add(task_id)
    this_week = week_start(today)
    days: list[_Day] = []
    for day in open_days:
        under_way = [t for t, start, finish in worked if start <= day <= finish]
        if not under_way:
            continue
        for user in loggers:
            resource = resources[user.pk]
            own = [t for t in under_way if t.pk in assigned[resource.pk]]
            choice = own or under_way
            picked = rng.sample(choice, k=min(len(choice), 2 if rng.random() < 0.45 else 1))
            note = COORDINATION if not own else (rng.choice(NOTES) if rng.random() < 0.2 else "")
            days.append(
                _Day(
                    weeks_ago=(this_week - week_start(day)).days // 7,
                    user=user,
                    resource_id=resource.pk,
                    day=day,
                    tasks=picked,
                    minutes=rng.choice(DAY_MINUTES),
                    split=rng.uniform(0.3, 0.7),
                    note=note,
                    billable=rng.random() >= 0.1,
                )
            )
    return days


def _half_hours(minutes: Decimal) -> int:
    return int((minutes / 30).to_integral_value()) * 30


def _tune_hours(days: list[_Day], pricer: Pricer, wanted: Decimal) -> Decimal:
    """Scale the counted weeks' hours (and the others' alike) toward ``wanted`` cost, 5–8 h a day.

    Return the counted time's cost (approved weeks only, in the currency).
    """

    def counted() -> int:
        return sum(
            pricer.cost_cents(d.resource_id, d.day, d.minutes) for d in days if d.weeks_ago >= WEEKS_OPEN
        )

    cost = counted()
    if cost and wanted > 0:
        factor = wanted * 100 / cost
        for d in days:
            d.minutes = min(DAY_MINUTES[-1], max(DAY_MINUTES[0], _half_hours(d.minutes * factor)))
        cost = counted()
    return Decimal(cost) / 100


def _at(day: dt.date, hour: int, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=zone)


def _write_timesheets(
    project: Project,
    days: Sequence[_Day],
    pricer: Pricer,
    today: dt.date,
    *,
    loggers: Sequence[User],
    approver: User,
    lead: User | None,
) -> list[TimeEntry]:
    """One timesheet per logger and week of the project (approved, submitted, one rejected, this week
    open), then the entries."""
    zone = scheduling.zone_of(project)
    this_week = week_start(today)
    # The member's last week comes back: the whole week was logged on one task a day.
    rejected_user = loggers[-1] if loggers and loggers[-1].pk != approver.pk else None
    sheets: dict[tuple[int, int], Timesheet] = {}
    for weeks_ago in reversed(range(WEEKS)):
        week = this_week - dt.timedelta(weeks=weeks_ago)
        if project.start_date and week + dt.timedelta(days=6) < project.start_date:
            continue
        friday = _at(week + dt.timedelta(days=4), 18, zone)
        for user in loggers:
            sheet = Timesheet(project=project, user=user, week=week, status=SheetStatus.OPEN)
            if weeks_ago >= WEEKS_OPEN:
                sheet.status = SheetStatus.APPROVED
                sheet.submitted_at = friday
                # Nobody approves their own week: the lead approves the manager's.
                sheet.approved_by = lead if user.pk == approver.pk and lead else approver
                sheet.approved_at = _at(week + dt.timedelta(days=7), 10, zone)
            elif weeks_ago == 1:
                sheet.submitted_at = friday
                sheet.status = SheetStatus.SUBMITTED
                if user == rejected_user:
                    sheet.status = SheetStatus.REJECTED
                    sheet.rejected_reason = REJECTED_REASON
            sheets[(user.pk, weeks_ago)] = sheet
    Timesheet.objects.bulk_create(sheets.values())
    entries: list[TimeEntry] = []
    for d in days:
        sheet = sheets[(d.user.pk, d.weeks_ago)]
        if sheet.status == SheetStatus.REJECTED:
            # What was sent back: the whole day on one task.
            parts = [(d.tasks[0], d.minutes, "开发与测试 Development and testing")]
        elif len(d.tasks) > 1:
            first = min(d.minutes - 60, max(60, _half_hours(Decimal(d.minutes * d.split))))
            parts = [(d.tasks[0], first, d.note), (d.tasks[1], d.minutes - first, "")]
        else:
            parts = [(d.tasks[0], d.minutes, d.note)]
        for task, minutes, note in parts:
            entries.append(
                TimeEntry(
                    project=project,
                    timesheet=sheet,
                    task=task,
                    user=d.user,
                    resource_id=d.resource_id,
                    day=d.day,
                    minutes=minutes,
                    billable=d.billable and task.visibility == Visibility.SHARED,
                    note=note,
                    cost_cents=pricer.cost_cents(d.resource_id, d.day, minutes),
                )
            )
    TimeEntry.objects.bulk_create(entries, batch_size=500)
    return entries


def _count_actual_work(entries: Sequence[TimeEntry]) -> None:
    """Each task's actual work: the minutes of its counted timesheets (one write)."""
    work: dict[int, int] = defaultdict(int)
    tasks: dict[int, Task] = {}
    for entry in entries:
        if entry.timesheet.status in COUNTED_SHEET_STATES:
            work[entry.task_id] += entry.minutes
            tasks[entry.task_id] = entry.task
    for pk, task in tasks.items():
        task.actual_work_minutes = work[pk]
    bulk_write(Task, tasks.values(), ["actual_work_minutes"])


def _write_expenses(
    project: Project, tasks: Sequence[Task], people: dict[str, User], today: dt.date, instalment: Decimal
) -> list[Expense]:
    """The demo's expenses, the first partner instalment balancing the actual cost (one write)."""
    zone = scheduling.zone_of(project)
    pm = people[Role.PROJECT_MANAGER]
    expenses: list[Expense] = []
    for spec in EXPENSES:
        day = today - dt.timedelta(days=spec.days_ago)
        if project.start_date:
            day = max(day, project.start_date)
        task = next((t for t in tasks if spec.task_word and spec.task_word in t.name), None)
        approved = spec.status == ExpenseStatus.APPROVED
        expenses.append(
            Expense(
                project=project,
                visibility=Visibility.SHARED if spec.shared else Visibility.INTERNAL,
                task=task,
                category=spec.category,
                day=day,
                amount=instalment if spec.amount is None else spec.amount,
                description=spec.description,
                billable=spec.category != ExpenseCategory.SUBCONTRACTING,
                status=spec.status,
                submitted_by=people.get(spec.by, pm),
                approved_by=pm if approved else None,
                approved_at=_at(min(today, day + dt.timedelta(days=2)), 10, zone) if approved else None,
            )
        )
    Expense.objects.bulk_create(expenses)
    return expenses


def _thousands(amount: Decimal) -> Decimal:
    """``amount`` rounded up to a thousand."""
    return (amount / 1000).to_integral_value(rounding=ROUND_CEILING) * 1000


def _write_budget(
    project: Project,
    tasks: Sequence[Task],
    agreed: Sequence[BaselineTask],
    expenses: Sequence[Expense],
    *,
    actor: User,
) -> None:
    """Labour per phase from the agreed baseline, the expense categories for the whole project.

    The project's budget becomes the lines' sum when it is unset or far from it (the charter's figure
    was the price before the plan was costed).
    """
    parents = _parents(tasks)
    phases = {t.pk: t for t in tasks if t.parent_id is None and t.kind == TaskKind.PHASE}
    labour: dict[int | None, int] = defaultdict(int)
    for row in agreed:
        root = _root_of(row.task_id, parents) if row.task_id else None
        labour[root if root in phases else None] += row.cost_cents
    lines = [
        BudgetLine(
            project=project,
            phase=phases.get(phase) if phase is not None else None,
            category=CostCategory.LABOUR,
            amount=_thousands(Decimal(cost) / 100 * LABOUR_RESERVE),
            note="合同基线人工成本加 5% 储备 Agreed baseline labour plus a 5% reserve",
        )
        for phase, cost in sorted(labour.items(), key=lambda item: (item[0] is None, item[0] or 0))
        if cost
    ]
    spent: dict[str, Decimal] = defaultdict(Decimal)
    for expense in expenses:
        spent[expense.category] += Decimal(expense.amount)
    for category, reserve in CATEGORY_RESERVE.items():
        lines.append(
            BudgetLine(
                project=project,
                category=category,
                amount=_thousands(spent[category] * reserve),
                note="全项目 Whole project",
            )
        )
    BudgetLine.objects.bulk_create(lines)
    total = sum((line.amount for line in lines), Decimal(0))
    budget = project.budget
    if budget is None or abs(Decimal(budget) - total) > total / 5:
        project_services.do_update_project(project, version=project.version, actor=actor, budget=total)
