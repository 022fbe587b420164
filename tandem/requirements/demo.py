"""The demo requirements of RETAIL-ERP: about 25 bilingual requirements of a retail chain's ERP upgrade.

Built through the services like real work, so versions, confirmations, the backlog order and the
audit trail are genuine: some requirements are still drafts or in review, most are confirmed, some
are under way, delivered or accepted, one was rejected and one withdrawn. A few were revised before
the client confirmed them (so their detail shows a diff), and confirmed ones are traced to tasks of
the demo plan when it is loaded (``tandem.planning.demo``). Loading twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from tandem.accounts.models import User
from tandem.planning.models import Task
from tandem.projects.choices import DecisionKind, Role
from tandem.projects.models import Project
from tandem.projects.permissions import decision_roles
from tandem.requirements import services
from tandem.requirements.choices import Priority, RequirementStatus, Source
from tandem.requirements.models import Requirement

S = RequirementStatus
#: The statuses a requirement passes through after confirmation, in order.
AFTER_CONFIRMATION = (S.IN_PROGRESS, S.DELIVERED, S.ACCEPTED)


@dataclass(frozen=True)
class DemoRequirement:
    """One demo requirement and where it stands."""

    title: str
    description: str
    priority: str
    criteria: tuple[str, ...]
    source: str
    source_note: str = ""
    status: str = S.CONFIRMED
    #: Revisions made before confirmation: each a dict of changed fields plus "reason".
    revisions: tuple[dict[str, Any], ...] = ()
    tasks: tuple[str, ...] = ()
    internal: bool = False
    #: Submitted by the client (the first client member who may submit).
    from_client: bool = False
    background: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


D = DemoRequirement
INTERVIEW = "门店运营访谈 Store operations interviews, 2026-01"
WORKSHOP_FIN = "财务流程研讨会 Finance process workshop, 2026-01"
WORKSHOP_INV = "库存与补货研讨会 Inventory workshop, 2026-01"

REQUIREMENTS: tuple[DemoRequirement, ...] = (
    D(
        "门店实时库存查询 Real-time stock per store",
        "店长可以在 POS 和后台查询本店及附近门店的实时库存。\n\n"
        "Store managers see live stock of their store and nearby stores, in the POS and in the back office.",
        Priority.MUST,
        (
            "库存数据延迟不超过 15 分钟 Stock is at most 15 minutes old",
            "可按商品编码和条码查询 Search by item code or barcode",
        ),
        Source.INTERVIEW,
        INTERVIEW,
        status=S.IN_PROGRESS,
        revisions=(
            {
                "criteria": (
                    "库存数据延迟不超过 5 分钟 Stock is at most 5 minutes old",
                    "可按商品编码和条码查询 Search by item code or barcode",
                    "显示附近 3 家门店库存 Shows stock of the 3 nearest stores",
                ),
                "reason": "研讨会细化 Refined in the inventory workshop",
            },
        ),
        tasks=("库存模块设计 Inventory module design", "物料主数据 Item master"),
    ),
    D(
        "自动补货建议 Automatic replenishment proposals",
        "系统根据销量、安全库存和在途数量每天生成补货建议。\n\n"
        "Every night the system proposes replenishment orders from sales, safety stock and goods in transit.",
        Priority.MUST,
        (
            "每晚 2 点前生成建议 Proposals ready by 02:00",
            "采购员可调整后一键下单 Buyers adjust and order in one step",
        ),
        Source.WORKSHOP,
        WORKSHOP_INV,
        status=S.IN_PROGRESS,
        tasks=("补货规则 Replenishment rules",),
    ),
    D(
        "门店间调拨 Stock transfers between stores",
        "店长可以发起门店间调拨，仓库确认后自动更新两店库存。",
        Priority.SHOULD,
        (
            "调拨单需双方确认 Both stores confirm a transfer",
            "在途库存单独显示 Stock in transit shown separately",
        ),
        Source.CLIENT_REQUEST,
        status=S.CONFIRMED,
        from_client=True,
        tasks=("仓库作业 Warehouse operations",),
    ),
    D(
        "总账科目迁移 Chart of accounts migration",
        "将旧系统的科目表映射到新科目表，保留历史余额。\n\n"
        "Map the old chart of accounts to the new one, keeping balances.",
        Priority.MUST,
        ("映射表经财务总监签字 Mapping signed off by the CFO", "期初余额试算平衡 Opening balances reconcile"),
        Source.WORKSHOP,
        WORKSHOP_FIN,
        status=S.DELIVERED,
        tasks=("总账配置 General ledger configuration", "清洗规则 Cleansing rules"),
    ),
    D(
        "供应商对账 Supplier reconciliation",
        "每月自动匹配供应商发票、收货和采购订单（三单匹配）。",
        Priority.MUST,
        (
            "三单匹配差异自动标记 Three-way match differences flagged",
            "差异可导出 Excel Differences exportable to Excel",
        ),
        Source.WORKSHOP,
        WORKSHOP_FIN,
        status=S.CONFIRMED,
        tasks=("应付应收 Payables and receivables",),
    ),
    D(
        "日销售报表 Daily sales report",
        "每天早上 8 点前向区域经理推送前一日各门店销售、毛利和客单价。",
        Priority.SHOULD,
        ("按门店、品类汇总 By store and category", "早上 8 点前送达 Delivered before 08:00"),
        Source.INTERVIEW,
        INTERVIEW,
        status=S.ACCEPTED,
        tasks=("财务报表 Financial reports",),
    ),
    D(
        "POS 交易实时上传 POS transactions uploaded in real time",
        "门店 POS 交易在 1 分钟内上传总部；断网时本地缓存，恢复后自动补传。",
        Priority.MUST,
        (
            "断网 24 小时不丢单 No sale lost during a 24-hour outage",
            "重复上传不重复记账 Re-sent sales are not booked twice",
        ),
        Source.DOCUMENT,
        "POS 接口规范 v2 POS interface specification v2",
        status=S.IN_PROGRESS,
        revisions=(
            {"priority": Priority.SHOULD, "reason": "初稿 First draft"},
            {"priority": Priority.MUST, "reason": "客户强调 The client insisted"},
        ),
        tasks=("POS 接口设计 POS interface design", "接口开发 Interface development"),
    ),
    D(
        "会员积分 Loyalty points",
        "会员消费累计积分，可在任意门店抵扣。",
        Priority.SHOULD,
        ("积分规则可配置 Point rules are configurable", "积分在小票上显示 Points shown on the receipt"),
        Source.SURVEY,
        "门店员工问卷 Store staff survey",
        status=S.IN_REVIEW,
    ),
    D(
        "电子发票 Electronic invoices (fapiao)",
        "顾客扫描小票二维码即可开具增值税电子普通发票。",
        Priority.MUST,
        (
            "扫码后 1 分钟内开票 Fapiao issued within a minute",
            "对接税务系统 Connected to the tax bureau platform",
        ),
        Source.CLIENT_REQUEST,
        status=S.CONFIRMED,
        from_client=True,
        tasks=("接口开发 Interface development",),
    ),
    D(
        "价格变更夜间下发 Price changes pushed overnight",
        "总部调价后，夜间统一下发到所有门店 POS 和电子价签。",
        Priority.SHOULD,
        ("次日开店前生效 Effective before opening", "下发失败自动告警 Failed pushes raise an alert"),
        Source.WORKSHOP,
        WORKSHOP_INV,
        status=S.CONFIRMED,
        tasks=(),  # a coverage gap on purpose: confirmed, no task yet
    ),
    D(
        "盘点移动端 Mobile stocktaking",
        "店员用手持终端扫码盘点，差异实时汇总。",
        Priority.COULD,
        ("支持离线盘点 Works offline", "差异超过阈值需店长复核 Large differences need the manager's review"),
        Source.INTERVIEW,
        INTERVIEW,
        status=S.DRAFT,
    ),
    D(
        "数据迁移核对报告 Data migration reconciliation report",
        "每次迁移演练后生成核对报告：记录数、金额合计、抽样差异。",
        Priority.MUST,
        (
            "记录数一致 Record counts match",
            "金额合计一致 Amount totals match",
            "抽样 200 条无差异 200 sampled rows match",
        ),
        Source.DOCUMENT,
        "数据迁移策略 Data migration strategy",
        status=S.DELIVERED,
        tasks=("迁移演练一 Migration rehearsal 1", "迁移演练二 Migration rehearsal 2"),
    ),
    D(
        "高峰日性能 Peak-day performance",
        "双十一等高峰日，POS 结账响应时间不超过 2 秒。",
        Priority.MUST,
        ("5000 笔/分钟下 95% 响应小于 2 秒 95% under 2 s at 5,000 sales a minute",),
        Source.WORKSHOP,
        "架构评审 Architecture review",
        status=S.CONFIRMED,
        tasks=("压测脚本 Load scripts", "高峰模拟 Peak-day simulation"),
    ),
    D(
        "角色权限 Role-based access",
        "按岗位配置权限：店员、店长、区域经理、财务、采购。",
        Priority.MUST,
        ("权限变更留痕 Permission changes are audited", "离职账号当天停用 Leavers are disabled the same day"),
        Source.DOCUMENT,
        "信息安全制度 Information security policy",
        status=S.ACCEPTED,
        tasks=("团队到位与权限 Team onboarding and access",),
    ),
    D(
        "单点登录 Single sign-on",
        "员工使用企业微信账号登录 ERP。",
        Priority.SHOULD,
        ("企业微信扫码登录 Sign in by WeCom QR code", "退出后会话失效 Signing out ends the session"),
        Source.CLIENT_REQUEST,
        status=S.IN_REVIEW,
        from_client=True,
        revisions=(
            {
                "description": "员工使用企业微信或 AD 账号登录 ERP。Staff sign in with WeCom or AD.",
                "reason": "IT 要求保留 AD IT keeps AD",
            },
        ),
    ),
    D(
        "培训材料双语 Bilingual training materials",
        "培训手册和视频提供中英文版本。",
        Priority.COULD,
        ("手册中英对照 Manuals in Chinese and English",),
        Source.WORKSHOP,
        "培训规划会 Training planning meeting",
        status=S.CONFIRMED,
        tasks=("培训教材 Training materials",),
    ),
    D(
        "试点门店回退方案 Pilot store fallback plan",
        "试点期间如新系统故障，门店可在 30 分钟内切回旧 POS。",
        Priority.MUST,
        ("回退演练一次 One fallback rehearsal", "30 分钟内恢复收银 Tills back within 30 minutes"),
        Source.WORKSHOP,
        "切换研讨会 Cutover workshop",
        status=S.CONFIRMED,
        tasks=("试点门店准备 Pilot store readiness",),
    ),
    D(
        "供应商门户 Supplier portal",
        "供应商在线查看订单、送货计划和付款状态。",
        Priority.WONT,
        ("本期不做，二期评估 Out of scope now; phase 2",),
        Source.CLIENT_REQUEST,
        status=S.REJECTED,
        from_client=True,
    ),
    D(
        "纸质小票取消 Paper receipts removed",
        "默认不打印小票，顾客可选电子小票。",
        Priority.COULD,
        ("顾客可要求打印 Customers may still ask for paper",),
        Source.INTERVIEW,
        INTERVIEW,
        status=S.WITHDRAWN,
    ),
    D(
        "毛利预警 Margin alerts",
        "单品毛利低于目标时提醒品类经理。(内部：用于评估定价服务的追加销售机会)",
        Priority.COULD,
        ("阈值按品类配置 Thresholds per category",),
        Source.OTHER,
        "售前评估 Presales assessment",
        status=S.DRAFT,
        internal=True,
    ),
    D(
        "分包商代码质量门槛 Subcontractor code quality gate",
        "分包商提交的代码须通过静态检查和评审后合并。",
        Priority.MUST,
        ("静态检查零严重问题 No critical static-analysis findings", "两人评审 Two reviewers"),
        Source.OTHER,
        "交付质量计划 Delivery quality plan",
        status=S.IN_PROGRESS,
        internal=True,
        tasks=("代码评审 Code reviews", "分包商交付检查 Subcontractor delivery check"),
    ),
    D(
        "门店员工培训考核 Store staff training assessment",
        "门店员工培训后在线考试，80 分以上方可上岗使用新系统。",
        Priority.SHOULD,
        ("考试通过率统计到门店 Pass rates by store",),
        Source.CLIENT_REQUEST,
        status=S.CONFIRMED,
        from_client=True,
        tasks=("门店培训 Store staff training",),
    ),
    D(
        "上线后 30 天现场支持 30 days of on-site support after go-live",
        "全面上线后 30 天内，每个区域有一名顾问驻场。",
        Priority.SHOULD,
        ("每区域一名顾问 One consultant per region", "问题 4 小时内响应 Issues answered within 4 hours"),
        Source.DOCUMENT,
        "合同附件三 Contract annex 3",
        status=S.CONFIRMED,
        tasks=("现场支持 On-site support",),
    ),
    D(
        "报表自助分析 Self-service reporting",
        "区域经理可自行拖拽维度生成报表。",
        Priority.COULD,
        ("无需 IT 协助 No help from IT needed",),
        Source.SURVEY,
        "区域经理问卷 Regional managers survey",
        status=S.DRAFT,
    ),
    D(
        "库存差异审批 Stock adjustment approval",
        "盘点差异金额超过 5000 元的调整需区域经理审批。",
        Priority.SHOULD,
        ("审批记录可追溯 Approvals are traceable",),
        Source.INTERVIEW,
        INTERVIEW,
        status=S.IN_REVIEW,
    ),
)


def _members(project: Project) -> dict[str, User]:
    people: dict[str, User] = {}
    for membership in project.memberships.select_related("user").order_by("id"):
        people.setdefault(membership.role, membership.user)
    return people


def _holder(project: Project, kind: str) -> User:
    roles = decision_roles(project, kind)
    membership = project.memberships.select_related("user").filter(role__in=roles).order_by("id").first()
    if membership is None:
        raise ValueError(f"nobody in the demo project holds {kind}")
    return membership.user


def demo_requirements_exist(project: Project) -> bool:
    """Whether the project already has requirements (the demo set is loaded once)."""
    return Requirement.objects.filter(project=project).exists()


@transaction.atomic
def load_demo_requirements(project: Project) -> int:
    """Load the demo requirements into ``project`` once; return how many requirements it has.

    Needs a project manager and a holder of "confirm requirement" among the members; the trace
    links are made to the demo plan's tasks that exist (load the plan first to get them).
    """
    if demo_requirements_exist(project):
        return Requirement.objects.filter(project=project).count()
    people = _members(project)
    pm = people[Role.PROJECT_MANAGER]
    client_author = people.get(Role.CLIENT_PM) or people.get(Role.SPONSOR) or people.get(Role.REVIEWER) or pm
    confirmer = _holder(project, DecisionKind.CONFIRM_REQUIREMENT)
    owner = people.get(Role.LEAD) or pm
    tasks = {t.name: t.pk for t in Task.objects.filter(project=project)}
    for spec in REQUIREMENTS:
        author = client_author if spec.from_client else pm
        data: dict[str, Any] = {
            "title": spec.title,
            "description": spec.description,
            "priority": spec.priority,
            "acceptance_criteria": list(spec.criteria),
            "source_note": spec.source_note,
        }
        if author == pm:
            data.update(
                source=spec.source, owner_id=owner.pk, visibility="internal" if spec.internal else "shared"
            )
        requirement = services.do_create_requirement(project, actor=author, **data)
        if author != pm and spec.status != S.DRAFT:
            # The team takes the client's request over: it names an owner.
            requirement = services.do_revise_requirement(
                requirement,
                actor=pm,
                version=requirement.version,
                owner_id=owner.pk,
                reason="分配负责人 Owner assigned",
            )
        for revision in spec.revisions:
            changes = dict(revision)
            reason = changes.pop("reason", "")
            if "criteria" in changes:
                changes["acceptance_criteria"] = list(changes.pop("criteria"))
            requirement = services.do_revise_requirement(
                requirement, actor=pm, version=requirement.version, reason=reason, **changes
            )
        requirement = _advance(requirement, spec.status, pm=pm, confirmer=confirmer)
        for name in spec.tasks:
            if name in tasks:
                services.do_link_task(requirement, actor=pm, task_id=tasks[name])
    # The client's request for e-invoices jumps the queue: reprioritised by a backlog holder.
    prioritiser = _holder(project, DecisionKind.PRIORITISE_BACKLOG)
    fapiao = Requirement.objects.get(project=project, title__startswith="电子发票")
    order = list(
        Requirement.objects.visible_to(prioritiser)
        .filter(project=project)
        .exclude(pk=fapiao.pk)
        .order_by("rank", "id")
        .values_list("pk", flat=True)
    )
    services.do_reorder_requirements(project, actor=prioritiser, order=[fapiao.pk, *order])
    return Requirement.objects.filter(project=project).count()


def _advance(requirement: Requirement, status: str, *, pm: User, confirmer: User) -> Requirement:
    """Walk a new requirement along its life up to ``status``, confirming it on the way when needed."""
    if status == S.DRAFT:
        return requirement
    if status in (S.REJECTED, S.WITHDRAWN):
        return services.do_change_status(requirement, actor=pm, status=status, version=requirement.version)
    requirement = services.do_change_status(
        requirement, actor=pm, status=S.IN_REVIEW, version=requirement.version
    )
    if status == S.IN_REVIEW:
        return requirement
    services.do_confirm_requirement(
        requirement,
        actor=confirmer,
        version_number=requirement.current_version,
        comment="已在需求评审会确认 Confirmed in the requirements review",
    )
    requirement.refresh_from_db()
    for step in AFTER_CONFIRMATION:
        if requirement.status == status:
            break
        requirement = services.do_change_status(
            requirement, actor=pm, status=step, version=requirement.version
        )
    return requirement
