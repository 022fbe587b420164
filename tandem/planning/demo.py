"""The demo plan of RETAIL-ERP: about 80 rows in six phases, an approved baseline, progress and a slip.

Built through the services like a real plan, so its audit trail, computed dates and baseline are
genuine. The project works on the mainland China calendar (it is a Chinese-language project), so
National Day (1-7 October) is a holiday period the schedule flows around.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.core.choices import Visibility
from tandem.planning import services
from tandem.planning.choices import TaskKind, TaskStatus
from tandem.planning.models import Baseline, Task
from tandem.projects.choices import DecisionKind, Role
from tandem.projects.demo import demo_people
from tandem.projects.models import Project
from tandem.projects.permissions import decision_roles

DAY = 480


@dataclass(frozen=True)
class DemoTask:
    """A task of a work package: name, working days, the owner's role, internal or shared."""

    name: str
    days: int
    owner: str = Role.MEMBER
    internal: bool = False


@dataclass(frozen=True)
class DemoPackage:
    """A work package: its tasks run one after another unless ``parallel``."""

    name: str
    tasks: tuple[DemoTask, ...]
    parallel: bool = False


@dataclass(frozen=True)
class DemoPhase:
    """A phase ending with a milestone."""

    name: str
    packages: tuple[DemoPackage, ...]
    milestone: str
    deadline: dt.date | None = None
    extra: tuple[DemoTask, ...] = field(default=())


T = DemoTask
PHASES = (
    DemoPhase(
        "项目启动 Initiation",
        (
            DemoPackage(
                "启动准备 Mobilisation",
                (
                    T("项目章程定稿 Finalise charter", 3, Role.PROJECT_MANAGER),
                    T("启动会 Kick-off workshop", 1, Role.PROJECT_MANAGER),
                    T("团队到位与权限 Team onboarding and access", 2, Role.LEAD),
                    T("毛利与人力评审 Margin and staffing review", 1, Role.PROJECT_MANAGER, internal=True),
                ),
            ),
        ),
        "M1 项目启动完成 Kick-off complete",
        dt.date(2026, 9, 11),
    ),
    DemoPhase(
        "需求与设计 Analysis and design",
        (
            DemoPackage(
                "业务调研 Business discovery",
                (
                    T("门店运营访谈 Store operations interviews", 4),
                    T("财务流程调研 Finance process workshops", 4),
                    T("库存与补货调研 Inventory and replenishment workshops", 4),
                    T("需求清单确认 Requirements list review", 2, Role.LEAD),
                ),
                parallel=True,
            ),
            DemoPackage(
                "方案设计 Solution design",
                (
                    T("总体架构 Solution architecture", 5, Role.LEAD),
                    T("财务模块设计 Finance module design", 6),
                    T("库存模块设计 Inventory module design", 6),
                    T("POS 接口设计 POS interface design", 4),
                    T("数据迁移策略 Data migration strategy", 3, Role.LEAD),
                    T("设计评审 Design review", 2, Role.LEAD),
                ),
            ),
        ),
        "M2 设计签署 Design signed off",
        dt.date(2026, 11, 13),
    ),
    DemoPhase(
        "开发与配置 Build",
        (
            DemoPackage(
                "财务模块 Finance",
                (
                    T("总账配置 General ledger configuration", 6),
                    T("应付应收 Payables and receivables", 8),
                    T("财务报表 Financial reports", 5),
                ),
            ),
            DemoPackage(
                "库存模块 Inventory",
                (
                    T("物料主数据 Item master", 4),
                    T("补货规则 Replenishment rules", 7),
                    T("仓库作业 Warehouse operations", 6),
                ),
            ),
            DemoPackage(
                "POS 集成 POS integration",
                (
                    T("接口开发 Interface development", 10),
                    T("门店网络测试 Store network tests", 3, Role.LEAD),
                    T("对账作业 Reconciliation jobs", 4),
                ),
            ),
            DemoPackage(
                "数据迁移 Data migration",
                (
                    T("抽取脚本 Extraction scripts", 5),
                    T("清洗规则 Cleansing rules", 6),
                    T("迁移演练一 Migration rehearsal 1", 3, Role.LEAD),
                    T("迁移演练二 Migration rehearsal 2", 3, Role.LEAD),
                ),
            ),
            DemoPackage(
                "内部质量 Internal quality",
                (
                    T("代码评审 Code reviews", 4, Role.LEAD, internal=True),
                    T("分包商交付检查 Subcontractor delivery check", 2, Role.PROJECT_MANAGER, internal=True),
                ),
                parallel=True,
            ),
        ),
        "M3 开发完成 Build complete",
        dt.date(2027, 2, 5),
    ),
    DemoPhase(
        "测试 Testing",
        (
            DemoPackage(
                "系统集成测试 System integration test",
                (
                    T("测试用例准备 Test case preparation", 5),
                    T("SIT 第一轮 SIT cycle 1", 8),
                    T("缺陷修复 Defect fixing", 6),
                    T("SIT 第二轮 SIT cycle 2", 5),
                ),
            ),
            DemoPackage(
                "性能测试 Performance test",
                (
                    T("压测脚本 Load scripts", 3),
                    T("高峰模拟 Peak-day simulation", 2, Role.LEAD),
                ),
            ),
            DemoPackage(
                "用户验收 User acceptance",
                (
                    T("UAT 培训 UAT training", 2, Role.LEAD),
                    T("UAT 执行 UAT execution", 10, Role.CLIENT_PM),
                    T("UAT 问题关闭 UAT issue closure", 4),
                ),
            ),
        ),
        "M4 UAT 通过 UAT accepted",
        dt.date(2027, 4, 9),
    ),
    DemoPhase(
        "部署上线 Deployment",
        (
            DemoPackage(
                "培训 Training",
                (
                    T("培训教材 Training materials", 4),
                    T("关键用户培训 Key-user training", 3, Role.LEAD),
                    T("门店培训 Store staff training", 5, Role.CLIENT_PM),
                ),
            ),
            DemoPackage(
                "试点 Pilot",
                (
                    T("试点门店准备 Pilot store readiness", 3),
                    T("试点运行 Pilot run", 10, Role.CLIENT_PM),
                    T("试点总结 Pilot review", 1, Role.PROJECT_MANAGER),
                ),
            ),
            DemoPackage(
                "切换 Cutover",
                (
                    T("切换计划 Cutover plan", 2, Role.LEAD),
                    T("最终数据迁移 Final data migration", 2, Role.LEAD),
                    T("全面上线 Roll-out to all stores", 5),
                ),
            ),
        ),
        "M5 全面上线 Go-live",
        dt.date(2027, 5, 28),
    ),
    DemoPhase(
        "运维支持 Hypercare and closure",
        (
            DemoPackage(
                "上线支持 Hypercare",
                (
                    T("现场支持 On-site support", 10),
                    T("问题跟踪 Issue tracking", 10, Role.LEAD),
                ),
                parallel=True,
            ),
            DemoPackage(
                "项目收尾 Closure",
                (
                    T("验收证书 Acceptance certificate", 2, Role.PROJECT_MANAGER),
                    T("经验教训 Lessons learned", 1, Role.PROJECT_MANAGER),
                    T("内部结算 Internal cost close-out", 2, Role.PROJECT_MANAGER, internal=True),
                ),
            ),
        ),
        "M6 项目关闭 Project closed",
        dt.date(2027, 6, 30),
    ),
)

#: The task whose overrun makes "Build complete" slip against the approved baseline.
SLIPPING_TASK = "接口开发 Interface development"
SLIP_DAYS = 8


def _approver(project: Project) -> User:
    roles = decision_roles(project, DecisionKind.APPROVE_BASELINE)
    membership = project.memberships.select_related("user").filter(role__in=roles).order_by("id").first()
    if membership is None:
        raise ValueError("nobody in the demo project holds the right to approve baselines")
    return membership.user


def demo_plan_exists(project: Project) -> bool:
    """Whether the project already has a plan (the demo plan is loaded once)."""
    return Task.objects.filter(project=project).exists()


@transaction.atomic
def load_demo_plan(project: Project, *, today: dt.date | None = None) -> int:
    """Build the demo plan in ``project`` once; return the number of rows of the plan.

    ``today`` decides which tasks are done or under way (default: the server's date).
    """
    if demo_plan_exists(project):
        return Task.objects.filter(project=project).count()
    owners = demo_people(project)
    pm = owners[Role.PROJECT_MANAGER]

    def owner_id(role: str) -> int | None:
        user = owners.get(role) or owners.get(Role.MEMBER)
        return user.pk if user else None

    def add(**data: object) -> Task:
        return services.do_add_task(project, actor=pm, **data)

    def link(pred: Task, succ: Task, kind: str = "FS", lag_days: float = 0) -> None:
        services.do_add_dependency(
            project,
            predecessor_id=pred.pk,
            successor_id=succ.pk,
            actor=pm,
            type=kind,
            lag_minutes=round(lag_days * DAY),
        )

    zone = timezone.get_current_timezone()
    previous_milestone: Task | None = None
    milestones: list[Task] = []
    by_name: dict[str, Task] = {}
    for phase_spec in PHASES:
        phase = add(name=phase_spec.name, kind=TaskKind.PHASE)
        ends: list[Task] = []
        for package_spec in phase_spec.packages:
            package = add(name=package_spec.name, kind=TaskKind.WORK_PACKAGE, parent_id=phase.pk)
            previous: Task | None = None
            for spec in package_spec.tasks:
                task = add(
                    name=spec.name,
                    parent_id=package.pk,
                    duration_minutes=spec.days * DAY,
                    owner_id=owner_id(spec.owner),
                    visibility=Visibility.INTERNAL if spec.internal else Visibility.SHARED,
                    optimistic_minutes=max(DAY, spec.days * DAY * 3 // 4),
                    most_likely_minutes=spec.days * DAY,
                    pessimistic_minutes=spec.days * DAY * 3 // 2,
                )
                by_name[spec.name] = task
                if previous is not None and not package_spec.parallel:
                    link(previous, task)
                elif previous_milestone is not None:
                    link(previous_milestone, task)
                previous = task
                if package_spec.parallel or spec is package_spec.tasks[-1]:
                    ends.append(task)
        milestone = add(
            name=phase_spec.milestone,
            kind=TaskKind.MILESTONE,
            parent_id=phase.pk,
            deadline=dt.datetime.combine(phase_spec.deadline, dt.time(17, 0), tzinfo=zone)
            if phase_spec.deadline
            else None,
        )
        for end in ends:
            link(end, milestone)
        milestones.append(milestone)
        previous_milestone = milestone
    # A few links of the other kinds, as real plans have them.
    link(by_name["总体架构 Solution architecture"], by_name["数据迁移策略 Data migration strategy"], "SS", 2)
    link(by_name["抽取脚本 Extraction scripts"], by_name["接口开发 Interface development"], "SS", 0)
    link(by_name["SIT 第二轮 SIT cycle 2"], by_name["高峰模拟 Peak-day simulation"], "FF", 0)
    link(by_name["测试用例准备 Test case preparation"], by_name["压测脚本 Load scripts"], "FS", -1)
    # The plan the client signed: saved and approved before work began.
    baseline = Baseline.objects.filter(project=project, name__startswith="合同基线").first()
    if baseline is None:
        baseline = services.do_save_baseline(
            project,
            name="合同基线 Contract baseline",
            actor=pm,
            reason="签约时双方确认的计划 The plan both sides agreed at signing",
        )
        services.do_approve_baseline(baseline, actor=_approver(project))
    # Progress up to today, then the overrun that makes "Build complete" slip.
    today = today or timezone.localdate()
    now = dt.datetime.combine(today, dt.time(12, 0), tzinfo=zone)
    slipping = by_name[SLIPPING_TASK]
    slipping.refresh_from_db()
    services.do_update_task(
        slipping,
        version=slipping.version,
        actor=pm,
        duration_minutes=slipping.duration_minutes + SLIP_DAYS * DAY,
    )
    for task in (
        Task.objects.filter(project=project, is_summary=False)
        .exclude(kind=TaskKind.MILESTONE)
        .order_by("start")
    ):
        if task.start is None or task.finish is None or task.start >= now:
            continue
        if task.finish <= now:
            services.do_update_task(task, version=task.version, actor=pm, status=TaskStatus.DONE)
        else:
            span = (task.finish - task.start).total_seconds() or 1
            done = max(5, min(95, round((now - task.start).total_seconds() / span * 100 / 5) * 5))
            services.do_update_task(task, version=task.version, actor=pm, percent_complete=done)
    for milestone in milestones:
        milestone.refresh_from_db()
        if milestone.finish is not None and milestone.finish <= now:
            services.do_update_task(milestone, version=milestone.version, actor=pm, status=TaskStatus.DONE)
    return Task.objects.filter(project=project).count()
