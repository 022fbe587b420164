"""The demo's quality standards (from the demo charter), a few checks, and bilingual test cases for the
demo requirements, all written through the services as people would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction

from tandem.core.choices import Visibility
from tandem.projects.choices import Role
from tandem.projects.models import Deliverable
from tandem.quality import cases, standards
from tandem.quality.choices import CheckResult, TestPriority
from tandem.quality.models import TestCase
from tandem.requirements.models import Requirement

if TYPE_CHECKING:
    from tandem.accounts.models import User
    from tandem.projects.models import Project


@dataclass(frozen=True)
class DemoCase:
    """One demo test case: its title, the demo requirements it covers (by title), its steps."""

    title: str
    requirements: tuple[str, ...]
    steps: tuple[tuple[str, str], ...]
    priority: str = TestPriority.MEDIUM
    preconditions: str = ""
    expected: str = ""
    internal: bool = False


STOCK = "门店实时库存查询 Real-time stock per store"
REPLENISH = "自动补货建议 Automatic replenishment proposals"
TRANSFER = "门店间调拨 Stock transfers between stores"
ACCOUNTS = "总账科目迁移 Chart of accounts migration"
SUPPLIERS = "供应商对账 Supplier reconciliation"
SALES = "日销售报表 Daily sales report"
POS = "POS 交易实时上传 POS transactions uploaded in real time"
PRICES = "价格变更夜间下发 Price changes pushed overnight"
STOCKTAKE = "盘点移动端 Mobile stocktaking"
MIGRATION = "数据迁移核对报告 Data migration reconciliation report"
PEAK = "高峰日性能 Peak-day performance"
ROLES = "角色权限 Role-based access"
SSO = "单点登录 Single sign-on"

CASES: tuple[DemoCase, ...] = (
    DemoCase(
        "查询本店库存 Look up the store's stock",
        (STOCK,),
        (
            (
                "在 POS 后台打开库存查询 Open stock lookup in the POS back office",
                "显示查询页 The lookup shows",
            ),
            (
                "输入商品条码 6901234567892 Enter barcode 6901234567892",
                "显示本店数量 The store's quantity shows",
            ),
            ("与仓库系统核对 Compare with the warehouse system", "数量一致 The quantities match"),
        ),
        TestPriority.CRITICAL,
        "店长账号已登录 Signed in as a store manager",
        "库存与实时数据一致 Stock matches the live data",
    ),
    DemoCase(
        "查询附近门店库存 Look up nearby stores' stock",
        (STOCK, TRANSFER),
        (
            (
                "在库存查询中选择“附近门店” Choose “Nearby stores”",
                "列出 10 公里内门店 Stores within 10 km listed",
            ),
            ("选择一家门店 Pick a store", "显示其库存 Its stock shows"),
        ),
        TestPriority.HIGH,
    ),
    DemoCase(
        "生成补货建议 Generate replenishment proposals",
        (REPLENISH,),
        (
            (
                "将一个商品库存降到安全库存以下 Bring an item below its safety stock",
                "商品标记为缺货风险 Flagged",
            ),
            ("运行夜间补货任务 Run the nightly replenishment job", "生成建议单 A proposal is created"),
            ("店长确认建议单 The store manager confirms", "生成采购订单 A purchase order is created"),
        ),
        TestPriority.HIGH,
    ),
    DemoCase(
        "门店间调拨出库与入库 Transfer out and in between stores",
        (TRANSFER,),
        (
            ("A 店创建调拨单 Store A creates a transfer", "调拨单状态为待发 Status: to ship"),
            ("A 店发货 Store A ships", "A 店库存减少 Store A's stock drops"),
            ("B 店收货 Store B receives", "B 店库存增加 Store B's stock rises"),
        ),
    ),
    DemoCase(
        "总账科目映射核对 Chart of accounts mapping check",
        (ACCOUNTS, MIGRATION),
        (
            ("导出旧系统科目表 Export the legacy chart", "得到 1,200 个科目 1,200 accounts"),
            ("运行映射校验 Run the mapping check", "无未映射科目 No unmapped account"),
        ),
        TestPriority.HIGH,
    ),
    DemoCase(
        "供应商对账差异 Supplier reconciliation differences",
        (SUPPLIERS,),
        (
            ("导入供应商对账单 Import a supplier statement", "逐行匹配发票 Lines matched to invoices"),
            ("查看差异清单 Open the differences", "差异金额与手工核对一致 Amounts match the manual check"),
        ),
    ),
    DemoCase(
        "日销售报表数据 Daily sales report figures",
        (SALES, POS),
        (
            ("在三家门店各完成 5 笔交易 Ring up 5 sales in three stores", "交易上传成功 Sales uploaded"),
            (
                "次日 7:00 打开日销售报表 Open the daily report at 07:00",
                "报表含三家门店 All three stores shown",
            ),
            ("核对合计 Check the totals", "合计与 POS 一致 Totals match the POS"),
        ),
        TestPriority.HIGH,
    ),
    DemoCase(
        "POS 断网后补传 POS uploads after a network outage",
        (POS,),
        (
            ("断开门店网络 Disconnect the store network", "POS 继续收银 The POS keeps selling"),
            ("完成 3 笔交易 Ring up 3 sales", "交易在本地排队 Sales queue locally"),
            ("恢复网络 Reconnect", "5 分钟内全部上传 All uploaded within 5 minutes"),
        ),
        TestPriority.CRITICAL,
    ),
    DemoCase(
        "价格变更夜间下发 Overnight price changes",
        (PRICES,),
        (
            ("总部修改 20 个商品价格 Head office changes 20 prices", "变更待下发 Changes pending"),
            ("次日开店前检查 POS Check the POS before opening", "新价格生效 New prices apply"),
        ),
    ),
    DemoCase(
        "移动端盘点 Stocktaking on a handheld",
        (STOCKTAKE,),
        (
            ("在手持终端开始盘点 Start a count on the handheld", "显示盘点任务 The count task shows"),
            ("扫描 50 个商品 Scan 50 items", "逐一记录数量 Quantities recorded"),
            ("提交盘点 Submit the count", "生成差异报告 A variance report is created"),
        ),
        TestPriority.LOW,
    ),
    DemoCase(
        "单点登录与角色 Single sign-on and roles",
        (SSO, ROLES),
        (
            ("用域账号登录 Sign in with the AD account", "无需再次输入密码 No second password"),
            ("以店员身份打开财务菜单 Open the finance menu as a clerk", "访问被拒绝 Access is refused"),
        ),
        TestPriority.HIGH,
    ),
    DemoCase(
        "高峰日压力测试 Peak-day load test",
        (PEAK, POS),
        (
            (
                "模拟 120 家门店每秒 300 笔交易 Simulate 300 sales/s from 120 stores",
                "系统保持响应 It responds",
            ),
            ("持续 2 小时 Hold it for 2 hours", "P95 响应 < 2 秒 P95 under 2 s"),
            ("检查数据库与队列 Check the database and queues", "无积压 Nothing backs up"),
        ),
        TestPriority.HIGH,
        "压测环境与生产同配 A production-sized test environment",
        internal=True,
    ),
)

#: Checks of the first two demo deliverables: (standard index, deliverable index, result, note).
CHECKS: tuple[tuple[int, int, str, str], ...] = (
    (0, 0, CheckResult.PASSED, "需求规格评审通过 Specification review passed"),
    (1, 0, CheckResult.NOT_APPLICABLE, ""),
    (0, 1, CheckResult.FAILED, "两条流程 UAT 未通过 Two processes failed UAT"),
    (1, 1, CheckResult.PASSED, ""),
)


def _people(project: Project) -> dict[str, User]:
    people: dict[str, User] = {}
    for membership in project.memberships.select_related("user").order_by("id"):
        people.setdefault(membership.role, membership.user)
    return people


@transaction.atomic
def load_demo_cases(project: Project) -> int:
    """Load the demo's standards, checks and test cases into ``project`` once; return how many cases it has.

    Needs the demo charter (its quality standards section) and the demo requirements.
    """
    if TestCase.objects.filter(project=project).exists():
        return TestCase.objects.filter(project=project).count()
    people = _people(project)
    pm = people[Role.PROJECT_MANAGER]
    writer = people.get(Role.LEAD) or pm
    checker = people.get(Role.MEMBER) or writer
    made = standards.do_import_standards_from_charter(project, actor=pm)
    deliverables = list(Deliverable.objects.filter(project=project).order_by("position", "id")[:2])
    for standard_index, deliverable_index, result, note in CHECKS:
        if standard_index < len(made) and deliverable_index < len(deliverables):
            standards.do_record_check(
                made[standard_index],
                actor=checker,
                deliverable_id=deliverables[deliverable_index].pk,
                result=result,
                note=note,
            )
    requirements = dict(Requirement.objects.filter(project=project).values_list("title", "pk"))
    for spec in CASES:
        cases.do_create_case(
            project,
            actor=writer,
            title=spec.title,
            preconditions=spec.preconditions,
            steps=[{"action": action, "expected": expected} for action, expected in spec.steps],
            expected_result=spec.expected,
            priority=spec.priority,
            visibility=Visibility.INTERNAL if spec.internal else Visibility.SHARED,
            requirements=[requirements[t] for t in spec.requirements if t in requirements],
        )
    return TestCase.objects.filter(project=project).count()
