"""The demo: an IT services company upgrading a retail chain's ERP, with people in every role.

Everything is created through the services, so the demo's audit trail, revisions and
confirmations are the same as a real project's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from tandem.accounts.choices import Language, OrganizationKind
from tandem.accounts.models import Organization, User
from tandem.core.choices import Side, Visibility
from tandem.projects import kpis as kpi_values
from tandem.projects import services
from tandem.projects.choices import DecisionPreset, Level, ProjectStatus, Role
from tandem.projects.models import Project

DEMO_CODE = "RETAIL-ERP"
DEMO_PASSWORD = "tandem-demo-2026"


@dataclass(frozen=True)
class DemoPerson:
    """A demo login."""

    key: str
    email: str
    name: str
    side: str
    role: str
    title: str
    language: str


PEOPLE = [
    DemoPerson(
        "pm",
        "wang.fang@huaxin.example",
        "王芳 Wang Fang",
        Side.TEAM,
        Role.PROJECT_MANAGER,
        "项目经理 Project manager",
        Language.CHINESE,
    ),
    DemoPerson(
        "lead",
        "li.ming@huaxin.example",
        "李明 Li Ming",
        Side.TEAM,
        Role.LEAD,
        "技术负责人 Technical lead",
        Language.CHINESE,
    ),
    DemoPerson(
        "member",
        "emma.chen@huaxin.example",
        "陈艾玛 Emma Chen",
        Side.TEAM,
        Role.MEMBER,
        "SAP 顾问 SAP consultant",
        Language.ENGLISH,
    ),
    DemoPerson(
        "team_viewer",
        "zhao.lei@huaxin.example",
        "赵磊 Zhao Lei",
        Side.TEAM,
        Role.TEAM_VIEWER,
        "交付总监 Delivery director",
        Language.CHINESE,
    ),
    DemoPerson(
        "sponsor",
        "liu.yang@lakeside.example",
        "刘洋 Liu Yang",
        Side.CLIENT,
        Role.SPONSOR,
        "首席信息官 CIO",
        Language.CHINESE,
    ),
    DemoPerson(
        "client_pm",
        "sarah.zhou@lakeside.example",
        "周莎拉 Sarah Zhou",
        Side.CLIENT,
        Role.CLIENT_PM,
        "IT 项目经理 IT project manager",
        Language.ENGLISH,
    ),
    DemoPerson(
        "reviewer",
        "sun.li@lakeside.example",
        "孙丽 Sun Li",
        Side.CLIENT,
        Role.REVIEWER,
        "财务经理 Finance manager",
        Language.CHINESE,
    ),
    DemoPerson(
        "client_viewer",
        "he.jun@lakeside.example",
        "何军 He Jun",
        Side.CLIENT,
        Role.CLIENT_VIEWER,
        "门店运营 Store operations",
        Language.CHINESE,
    ),
]


def demo_people(project: Project) -> dict[str, User]:
    """The first member of each role of ``project``, by role: who acts in each app's demo records."""
    people: dict[str, User] = {}
    for membership in project.memberships.select_related("user").order_by("id"):
        people.setdefault(membership.role, membership.user)
    return people


def demo_exists() -> bool:
    """Whether the demo project has been loaded."""
    return Project.objects.filter(code=DEMO_CODE).exists()


@transaction.atomic
def load_demo() -> Project:
    """Create the demo organizations, people, project, charter and records (once)."""
    existing = Project.objects.filter(code=DEMO_CODE).first()
    if existing is not None:
        return existing
    vendor, _ = Organization.objects.get_or_create(
        name="华信数科 Huaxin Digital", defaults={"kind": OrganizationKind.VENDOR}
    )
    client, _ = Organization.objects.get_or_create(
        name="湖畔零售 Lakeside Retail", defaults={"kind": OrganizationKind.CLIENT}
    )
    people: dict[str, User] = {}
    for person in PEOPLE:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            user = User.objects.create_user(
                person.email,
                DEMO_PASSWORD,
                full_name=person.name,
                title=person.title,
                language=person.language,
                organization=vendor if person.side == Side.TEAM else client,
            )
        people[person.key] = user
    if not User.objects.filter(email="admin@huaxin.example").exists():
        User.objects.create_superuser(
            "admin@huaxin.example", DEMO_PASSWORD, full_name="Operator 运维", organization=vendor
        )
    pm = people["pm"]
    project = services.do_create_project(
        code=DEMO_CODE,
        name="湖畔零售 ERP 升级 · Lakeside Retail ERP upgrade",
        client=client,
        vendor=vendor,
        actor=pm,
        preset=DecisionPreset.JOINT,
        status=ProjectStatus.ACTIVE,
        summary=(
            "将 120 家门店和 3 个区域仓从旧版 ERP 迁移到 SAP S/4HANA，统一库存、采购与财务。\n"
            "Move 120 stores and 3 regional warehouses from the legacy ERP to SAP S/4HANA, "
            "unifying inventory, purchasing and finance."
        ),
        start_date=dt.date(2026, 9, 1),
        target_date=dt.date(2027, 6, 30),
        budget="4800000.00",
        currency="CNY",
        time_zone="Asia/Shanghai",
        language=Language.CHINESE,
        internal_notes=(
            "内部：目标毛利 24%，数据迁移外包给合作方，报价中含 8% 风险储备。\n"
            "Internal: target margin 24%; data migration subcontracted; 8% risk reserve in the price."
        ),
    )
    for person in PEOPLE[1:]:
        services.do_add_member(project, user=people[person.key], role=person.role, actor=pm)

    sections = {
        "scope_in": (
            "门店 POS 对接、库存、采购、财务总账与应收应付、三个区域仓的仓储管理、历史数据迁移（3 年）、"
            "关键用户培训。\nStore POS integration, inventory, purchasing, general ledger, AP/AR, warehouse "
            "management for three regional warehouses, migration of 3 years of history, key-user training."
        ),
        "scope_out": (
            "电商平台改造、人力资源与薪资模块、门店硬件更换。\n"
            "E-commerce replatforming, HR and payroll, store hardware replacement."
        ),
        "assumptions": (
            "客户在每个阶段前两周提供关键用户；旧系统数据字典在 9 月 15 日前交付。\n"
            "The client names key users two weeks before each phase; the legacy data dictionary "
            "arrives by 15 September."
        ),
        "expectations": (
            "每周五提交状态报告；重大变更在 5 个工作日内决策。\n"
            "A status report every Friday; major changes decided within 5 working days."
        ),
        "quality_standards": (
            "关键业务流程 100% 通过用户验收测试；P1 缺陷上线前清零；系统可用性 ≥ 99.5%。\n"
            "100% of key business processes pass UAT; zero open P1 defects at go-live; "
            "availability ≥ 99.5%."
        ),
    }
    for key, body in sections.items():
        services.do_update_section(project, key=key, body=body, version=0, actor=pm)

    goals = [
        (
            "全部 120 家门店在 2027 年 6 月 30 日前切换到新 ERP / All 120 stores live on the new ERP",
            "已上线门店数 Stores live",
            "120",
            dt.date(2027, 6, 30),
            Visibility.SHARED,
        ),
        (
            "月结时间从 8 天缩短到 3 天 / Month-end close from 8 days to 3",
            "月结天数 Close days",
            "≤ 3",
            dt.date(2027, 9, 30),
            Visibility.SHARED,
        ),
        (
            "库存准确率提升到 98% / Inventory accuracy up to 98%",
            "盘点差异率 Count variance",
            "≥ 98%",
            dt.date(2027, 9, 30),
            Visibility.SHARED,
        ),
        (
            "控制交付成本在预算内并保持毛利 / Deliver within cost and keep the margin",
            "毛利率 Margin",
            "≥ 24%",
            dt.date(2027, 7, 31),
            Visibility.INTERNAL,
        ),
    ]
    for statement, measure, target, due, vis in goals:
        services.do_add_charter_item(
            project,
            kind="goals",
            actor=pm,
            data={
                "statement": statement,
                "measure": measure,
                "target": target,
                "due_date": due,
                "visibility": vis,
            },
        )

    kpis = [
        (
            "进度偏差 Schedule variance",
            "里程碑平均延误天数 Average milestone slip",
            "天 days",
            "lower",
            0,
            5,
            10,
        ),
        (
            "需求确认率 Requirements confirmed",
            "已确认需求占比 Share of requirements confirmed",
            "%",
            "higher",
            100,
            90,
            75,
        ),
        (
            "缺陷逃逸率 Defect escape rate",
            "UAT 后发现的缺陷占比 Defects found after UAT",
            "%",
            "lower",
            2,
            5,
            10,
        ),
        (
            "客户满意度 Client satisfaction",
            "阶段末调查 End-of-phase survey (1–5)",
            "分 pts",
            "higher",
            4.5,
            4,
            3.5,
        ),
    ]
    made: dict[str, Any] = {}
    for name, definition, unit, direction, kpi_target, warn, alarm in kpis:
        made[name] = services.do_add_charter_item(
            project,
            kind="kpis",
            actor=pm,
            data={
                "name": name,
                "definition": definition,
                "unit": unit,
                "direction": direction,
                "target": kpi_target,
                "warning_threshold": warn,
                "alarm_threshold": alarm,
            },
        )
    # Twelve Fridays of values, entered by the PM, from the first week of the project.
    weekly = {
        "需求确认率 Requirements confirmed": (40, 52, 61, 66, 72, 77, 81, 84, 86, 88, 89, 91),
        "进度偏差 Schedule variance": (0, 0, 0, 1, 1, 2, 2, 3, 4, 4, 5, 6),
    }
    for name, values in weekly.items():
        for week, value in enumerate(values):
            kpi_values.do_record_measurement(
                made[name], value=value, measured_on=dt.date(2026, 9, 4) + dt.timedelta(weeks=week), actor=pm
            )
    services.do_add_charter_item(
        project,
        kind="kpis",
        actor=pm,
        data={
            "name": "人天消耗 Effort burn",
            "definition": "实际人天 / 计划人天 Actual vs planned person-days",
            "unit": "%",
            "direction": "lower",
            "target": 100,
            "warning_threshold": 105,
            "alarm_threshold": 115,
            "visibility": Visibility.INTERNAL,
        },
    )

    stakeholder_rows = [
        (
            "刘洋 Liu Yang",
            Side.CLIENT,
            "湖畔零售 Lakeside Retail",
            "首席信息官 CIO",
            Level.HIGH,
            Level.HIGH,
            "liu.yang@lakeside.example",
            people["sponsor"],
            Visibility.SHARED,
        ),
        (
            "周莎拉 Sarah Zhou",
            Side.CLIENT,
            "湖畔零售 Lakeside Retail",
            "IT 项目经理 IT PM",
            Level.MEDIUM,
            Level.HIGH,
            "sarah.zhou@lakeside.example",
            people["client_pm"],
            Visibility.SHARED,
        ),
        (
            "孙丽 Sun Li",
            Side.CLIENT,
            "湖畔零售 Lakeside Retail",
            "财务经理 Finance manager",
            Level.MEDIUM,
            Level.HIGH,
            "sun.li@lakeside.example",
            people["reviewer"],
            Visibility.SHARED,
        ),
        (
            "吴强 Wu Qiang",
            Side.CLIENT,
            "湖畔零售 Lakeside Retail",
            "门店运营总监 Head of store operations",
            Level.HIGH,
            Level.MEDIUM,
            "+86 21 5555 0101",
            None,
            Visibility.SHARED,
        ),
        (
            "王芳 Wang Fang",
            Side.TEAM,
            "华信数科 Huaxin Digital",
            "项目经理 Project manager",
            Level.HIGH,
            Level.HIGH,
            "wang.fang@huaxin.example",
            pm,
            Visibility.SHARED,
        ),
        (
            "李明 Li Ming",
            Side.TEAM,
            "华信数科 Huaxin Digital",
            "技术负责人 Technical lead",
            Level.MEDIUM,
            Level.HIGH,
            "li.ming@huaxin.example",
            people["lead"],
            Visibility.SHARED,
        ),
        (
            "数据迁移合作方 Migration subcontractor",
            Side.TEAM,
            "数迁科技 DataMove Ltd",
            "分包商 Subcontractor",
            Level.LOW,
            Level.MEDIUM,
            "pm@datamove.example",
            None,
            Visibility.INTERNAL,
        ),
    ]
    stakeholders = {}
    for name, side, org, role_title, influence, interest, contact, user, vis in stakeholder_rows:
        stakeholders[name.split(" ")[0]] = services.do_add_charter_item(
            project,
            kind="stakeholders",
            actor=pm,
            data={
                "name": name,
                "side": side,
                "organization": org,
                "role_title": role_title,
                "influence": influence,
                "interest": interest,
                "contact": contact,
                "user": user,
                "visibility": vis,
            },
        )

    deliverable_rows = [
        (
            "业务蓝图 Business blueprint",
            "各业务流程的目标设计，经客户签字确认。To-be process design signed off by the client.",
            dt.date(2026, 11, 20),
            {"王芳": "R", "刘洋": "A", "周莎拉": "C", "孙丽": "C", "李明": "R"},
        ),
        (
            "系统配置与开发 Configured system",
            "配置完成并通过集成测试的 S/4HANA 系统。S/4HANA configured and integration-tested.",
            dt.date(2027, 3, 31),
            {"李明": "R", "王芳": "A", "周莎拉": "I"},
        ),
        (
            "数据迁移 Data migration",
            "三年历史数据迁移并对账。Three years of history migrated and reconciled.",
            dt.date(2027, 5, 15),
            {"李明": "R", "王芳": "A", "孙丽": "C", "数据迁移合作方": "R"},
        ),
        (
            "用户培训 Key-user training",
            "关键用户培训与培训材料（中英文）。Key-user training and bilingual materials.",
            dt.date(2027, 6, 10),
            {"王芳": "R", "周莎拉": "A", "吴强": "C"},
        ),
        (
            "上线与切换 Go-live and cutover",
            "分三批门店切换，含回退方案。Cutover in three store waves with a fallback plan.",
            dt.date(2027, 6, 30),
            {"王芳": "R", "刘洋": "A", "吴强": "C", "周莎拉": "I", "孙丽": "I"},
        ),
    ]
    for name, description, due, raci in deliverable_rows:
        deliverable = services.do_add_charter_item(
            project,
            kind="deliverables",
            actor=pm,
            data={"name": name, "description": description, "due_date": due},
        )
        services.do_set_raci(
            deliverable,
            cells={stakeholders[k].pk: v for k, v in raci.items()},
            version=deliverable.version,
            actor=pm,
        )

    services.do_add_note(
        project,
        actor=pm,
        title="内部：报价假设 Internal: pricing assumptions",
        body="数据迁移按 1.2 亿行估算；超出部分走变更。Migration priced for 120M rows; "
        "beyond that is a change request.",
        visibility=Visibility.INTERNAL,
    )
    services.do_add_note(
        project,
        actor=people["lead"],
        title="内部：客户 IT 团队能力 Internal: client IT capacity",
        body="客户方 ABAP 开发只有 1 人，集成测试需预留缓冲。Only one ABAP developer on the client "
        "side; keep buffer in integration testing.",
        visibility=Visibility.INTERNAL,
    )
    services.do_add_note(
        project,
        actor=pm,
        title="启动会纪要 Kickoff summary",
        body="9 月 3 日启动会：确认范围、里程碑与每周五状态报告。Kickoff on 3 September: scope, "
        "milestones and Friday status reports agreed.",
        visibility=Visibility.SHARED,
    )

    charter = project.charter
    charter.refresh_from_db()
    services.do_confirm_charter(
        project,
        revision=charter.revision,
        actor=people["sponsor"],
        comment="范围与目标确认。Scope and goals confirmed.",
    )
    # An edit after the confirmation, so the home page shows what changed since.
    section = project.charter_sections.get(key="expectations")
    services.do_update_section(
        project,
        key="expectations",
        version=section.version,
        actor=pm,
        body=section.body
        + "\n每月第一个工作日召开月度评审会。A monthly review on the first working day of each month.",
    )
    return project


def demo_logins() -> list[tuple[str, str, str]]:
    """(email, role, name) of every demo login, for printing."""
    rows = [(p.email, str(Role(p.role).label), p.name) for p in PEOPLE]
    rows.append(("admin@huaxin.example", "Operator (Django admin)", "Operator 运维"))
    return rows
