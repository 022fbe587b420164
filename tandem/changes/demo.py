"""Four demo change requests on the demo plan: one applied with its re-baseline, one rejected, one
awaiting the client's decision and one draft — bilingual, built through the services, loaded once.

Call after the demo plan exists::

    from tandem.changes.demo import load_demo_changes
    load_demo_changes(project)   # returns the number of change requests of the project
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.changes import services
from tandem.changes.models import ChangeRequest, ChangeSettings
from tandem.planning.demo import DAY
from tandem.planning.models import Task
from tandem.projects.choices import DecisionKind, Role
from tandem.projects.demo import demo_people
from tandem.projects.models import Project
from tandem.projects.permissions import decision_roles

APPLIED = "会员积分报表 Loyalty points report"
REJECTED = "微信小程序下单 WeChat mini-program ordering"
AWAITING = "延长 UAT 执行 Extend UAT execution"
DRAFT = "门店盘点 App Store stock-take app"
DEMO_DAY_RATE = Decimal("3500")


def _task(project: Project, name: str) -> Task:
    return Task.objects.get(project=project, name=name)


def _approver(project: Project, people: dict[str, User]) -> User:
    for role in decision_roles(project, DecisionKind.APPROVE_CHANGE):
        if role in people:
            return people[role]
    raise ValueError("nobody in the demo project holds the right to approve changes")


def _submit(request: ChangeRequest, pm: User) -> ChangeRequest:
    services.do_compute_impact(request, actor=pm)
    request = ChangeRequest.objects.select_related("project").get(pk=request.pk)
    return services.do_submit_change(request, actor=pm, version=request.version)


@transaction.atomic
def load_demo_changes(project: Project, *, today: dt.date | None = None) -> int:
    """Create the four demo change requests that do not exist yet; the number of requests of the project."""
    people = demo_people(project)
    pm = people[Role.PROJECT_MANAGER]
    client_pm = people.get(Role.CLIENT_PM) or pm
    proposer = people.get(Role.REVIEWER) or client_pm
    approver = _approver(project, people)
    today = today or timezone.localdate()
    existing = set(ChangeRequest.objects.filter(project=project).values_list("title", flat=True))
    if not ChangeSettings.objects.filter(project=project).exists():
        services.do_update_change_settings(project, actor=pm, day_rate=DEMO_DAY_RATE)

    if APPLIED not in existing:
        readiness = _task(project, "试点门店准备 Pilot store readiness")
        pilot = _task(project, "试点运行 Pilot run")
        request = services.do_propose_change(
            project,
            actor=client_pm,
            title=APPLIED,
            description=(
                "门店经理需要每周查看会员积分的发放与兑换情况。\n"
                "Store managers need a weekly view of loyalty points issued and redeemed."
            ),
            urgency="high",
            requested_decision_date=today - dt.timedelta(days=20),
            affected_task_ids=[pilot.pk],
        )
        added = services.do_add_edit(
            request,
            actor=pm,
            kind="add_task",
            payload={
                "name": "会员积分报表 Loyalty points report",
                "duration_minutes": 3 * DAY,
                "parent_id": readiness.parent_id,
            },
        )
        ref = f"new-{added.pk}"
        # The pilot stores must have the report from the first day of the pilot run.
        services.do_add_edit(
            request, actor=pm, kind="add_link", payload={"predecessor": readiness.pk, "successor": ref}
        )
        services.do_add_edit(
            request, actor=pm, kind="add_link", payload={"predecessor": ref, "successor": pilot.pk}
        )
        request = _submit(request, pm)
        services.do_decide_change(
            request,
            actor=approver,
            version=request.version,
            outcome="approve",
            comment="同意，积分报表对门店很重要。Approved: the points report matters to the stores.",
        )

    if REJECTED not in existing:
        uat_done = _task(project, "M4 UAT 通过 UAT accepted")
        rollout = _task(project, "全面上线 Roll-out to all stores")
        request = services.do_propose_change(
            project,
            actor=client_pm,
            title=REJECTED,
            description=(
                "顾客希望通过微信小程序下单并到店自提。\n"
                "Customers want to order in a WeChat mini-program and collect in store."
            ),
            urgency="normal",
        )
        added = services.do_add_edit(
            request,
            actor=pm,
            kind="add_task",
            payload={"name": "微信小程序开发 WeChat mini-program build", "duration_minutes": 25 * DAY},
            cost="180000",
        )
        for link in (
            {"predecessor": uat_done.pk, "successor": f"new-{added.pk}"},
            {"predecessor": f"new-{added.pk}", "successor": rollout.pk},
        ):
            services.do_add_edit(request, actor=pm, kind="add_link", payload=link)
        request = _submit(request, pm)
        services.do_decide_change(
            request,
            actor=approver,
            version=request.version,
            outcome="reject",
            comment="本期不做，放到二期。Not in this phase: we will consider it for phase two.",
        )

    if AWAITING not in existing:
        uat = _task(project, "UAT 执行 UAT execution")
        request = services.do_propose_change(
            project,
            actor=pm,
            title=AWAITING,
            description=(
                "新增的会员积分报表需要在 UAT 中多测试十二天。\n"
                "The new loyalty report needs twelve more days of user acceptance testing."
            ),
            urgency="high",
            requested_decision_date=today + dt.timedelta(days=2),
            decision_due_date=today + dt.timedelta(days=3),
            affected_task_ids=[uat.pk],
        )
        services.do_add_edit(
            request,
            actor=pm,
            kind="change_task",
            payload={"task_id": uat.pk, "duration_minutes": uat.duration_minutes + 12 * DAY},
        )
        _submit(request, pm)

    if DRAFT not in existing:
        services.do_propose_change(
            project,
            actor=proposer,
            title=DRAFT,
            description=(
                "门店希望用手机 App 做月度盘点。\nStores would like a phone app for the monthly stock-take."
            ),
            urgency="low",
        )
    return ChangeRequest.objects.filter(project=project).count()
