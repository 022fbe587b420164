"""Demo registers for a project: a dozen bilingual risks with score history, issues, a conflict, decisions.

Built through the services, so scores, history and the audit trail are genuine. Call after the demo
plan (``tandem.planning.demo.load_demo_plan``) so the overdue decision blocks real tasks:

    from tandem.risks.demo import load_demo_risks
    load_demo_risks(project)            # idempotent: a second call adds nothing
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tandem.core.choices import Visibility
from tandem.planning.choices import TaskKind, TaskStatus
from tandem.planning.models import Task
from tandem.projects.choices import DecisionKind, Role
from tandem.projects.demo import demo_people
from tandem.projects.models import Project
from tandem.risks import services
from tandem.risks.models import Risk

#: (title, category, probability, impact, dimension, strategy, internal, later probability/impact or None)
RISKS: tuple[tuple[str, str, int, int, str, str, bool, tuple[int, int] | None], ...] = (
    ("关键用户离职 Key user leaves mid-project", "resource", 3, 4, "schedule", "mitigate", False, (2, 4)),
    ("主数据质量差 Poor master data quality", "quality", 4, 4, "quality", "mitigate", False, (4, 5)),
    ("接口规格延迟 Interface specs arrive late", "technical", 4, 3, "schedule", "mitigate", False, (5, 3)),
    ("双十一高峰冻结 Peak-season change freeze", "schedule", 3, 5, "schedule", "avoid", False, None),
    ("分包商人员流失 Subcontractor attrition", "resource", 3, 3, "cost", "transfer", True, None),
    ("汇率波动 Exchange-rate swing on licences", "cost", 2, 3, "cost", "accept", True, None),
    ("数据出境合规 Cross-border data compliance", "legal", 2, 5, "scope", "escalate", False, (3, 5)),
    ("需求蔓延 Scope creep from store operations", "scope", 4, 3, "scope", "mitigate", False, None),
    ("客户决策缓慢 Slow client decisions", "client", 4, 4, "schedule", "escalate", False, (5, 4)),
    (
        "性能不达标 Peak-load performance below target",
        "technical",
        2,
        4,
        "quality",
        "mitigate",
        False,
        (2, 3),
    ),
    ("竞品上线 Competitor launches first", "market", 2, 2, "scope", "accept", False, None),
    ("报价低估 Fixed-price estimate too low", "cost", 3, 4, "cost", "mitigate", True, (4, 4)),
)


@transaction.atomic
def load_demo_risks(project: Project, *, today: dt.date | None = None) -> int:
    """Fill the registers of ``project`` once; return the number of risks."""
    if Risk.objects.filter(project=project).exists():
        return Risk.objects.filter(project=project).count()
    today = today or timezone.localdate()
    people = demo_people(project)
    pm = people[Role.PROJECT_MANAGER]
    team = [people[r] for r in (Role.PROJECT_MANAGER, Role.LEAD, Role.MEMBER) if r in people]
    client_pm = people.get(Role.CLIENT_PM) or people.get(Role.SPONSOR)
    risks: list[Risk] = []
    # Schedule risks threaten work still ahead: they mark its rows on the Gantt and feed the
    # milestones' contingency buffer.
    ahead = list(
        Task.objects.filter(project=project, is_summary=False, visibility=Visibility.SHARED)
        .exclude(kind=TaskKind.MILESTONE)
        .exclude(status=TaskStatus.DONE)
        .order_by("start", "id")
        .values_list("pk", flat=True)
    )
    for n, (title, category, p, i, dimension, strategy, internal, later) in enumerate(RISKS):
        owner = team[n % len(team)]
        threatened = [ahead[(n * 5) % len(ahead)]] if ahead and dimension == "schedule" else []
        risk = services.do_add_risk(
            project,
            actor=pm,
            title=title,
            description=title.split(" ", 1)[-1],
            category=category,
            probability=p,
            impact=i,
            impact_dimension=dimension,
            strategy=strategy,
            owner_id=owner.pk if owner else None,
            next_review=today + dt.timedelta(days=(n % 4) * 7 - 3),
            contingency_days=i if dimension == "schedule" else 0,
            contingency_money=p * 10000 if dimension == "cost" else 0,
            visibility=Visibility.INTERNAL if internal else Visibility.SHARED,
            trigger="连续两周未达到里程碑 Two weeks without milestone progress" if n % 3 == 0 else "",
            task_ids=threatened,
        )
        if later is not None:
            risk = services.do_update_risk(
                risk, version=risk.version, actor=pm, probability=later[0], impact=later[1]
            )
        services.do_add_risk_action(
            risk,
            actor=pm,
            description="制定应对方案 Agree the response with the owner",
            owner_id=owner.pk if owner else None,
            due_date=today + dt.timedelta(days=(n % 3) * 10 - 5),
        )
        risks.append(risk)
    # One risk has occurred and become an issue; another issue arose on its own.
    occurred = risks[1]
    services.do_mark_risk_occurred(
        occurred,
        version=occurred.version,
        actor=pm,
        impact="迁移试运行失败 The trial migration failed on 12% of articles",
        due_date=today + dt.timedelta(days=7),
    )
    services.do_add_issue(
        project,
        actor=pm,
        title="测试环境不可用 Test environment down for two days",
        description="The shared SIT environment was unavailable.",
        severity="high",
        escalation_level="pm",
        owner_id=pm.pk,
        due_date=today + dt.timedelta(days=2),
    )
    services.do_add_conflict(
        project,
        actor=pm,
        subject="架构方案分歧 Disagreement on the integration architecture",
        parties="Solution architect · Client IT lead",
        person_ids=[u.pk for u in team[:2]],
        root_cause="expectations",
        resolution_method="mediation",
    )
    # Decisions waiting for the client: one overdue, blocking tasks not yet started.
    blocked = list(
        Task.objects.filter(project=project, is_summary=False, visibility=Visibility.SHARED)
        .exclude(kind=TaskKind.MILESTONE)
        .exclude(status=TaskStatus.DONE)
        .filter(percent_complete=0)
        .order_by("start", "id")[:2]
    )
    decider = client_pm.pk if client_pm else None
    services.do_add_decision(
        project,
        actor=pm,
        question="支付网关选型 Which payment gateway for the stores?",
        options=["UnionPay 银联", "Alipay + WeChat Pay 支付宝 + 微信支付"],
        recommendation="Alipay + WeChat Pay: most store customers already pay this way.",
        decider_id=decider,
        decision_kind="" if decider else DecisionKind.APPROVE_CHANGE,
        due_date=today - dt.timedelta(days=5),
        blocked_task_ids=[t.pk for t in blocked],
    )
    services.do_add_decision(
        project,
        actor=pm,
        question="上线窗口 Go-live window: before or after Spring Festival?",
        options=["Before 春节前", "After 春节后"],
        recommendation="After: the stores' peak ends then.",
        decision_kind=DecisionKind.APPROVE_CHANGE,
        due_date=today + dt.timedelta(days=10),
    )
    return len(risks)
