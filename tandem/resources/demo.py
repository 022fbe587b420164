"""The demo resource pools of RETAIL-ERP: both sides' people and environments, rates, leave, assignments.

Built through the services, so audit records and rules are genuine. Call after the demo plan
(``tandem.planning.demo.load_demo_plan``): every leaf task of the plan gets its people.

    from tandem.resources.demo import load_demo_resources
    load_demo_resources(project)        # idempotent: a second call adds nothing
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import Organization, User
from tandem.planning.models import Task
from tandem.projects.choices import Role
from tandem.projects.demo import demo_people
from tandem.projects.models import Project
from tandem.resources import services
from tandem.resources.choices import ResourceKind
from tandem.resources.models import Assignment, Resource


@dataclass(frozen=True)
class DemoResource:
    """A resource of one side's pool; ``login``: the project role whose account it is."""

    name: str
    role: str
    kind: str = ResourceKind.PERSON
    login: str = ""
    skills: tuple[str, ...] = ()
    label: str = ""
    #: Internal hourly rates: a year ago, then from three months ago (the history shows a raise).
    rates: tuple[int, int] | None = None


@dataclass(frozen=True)
class DemoPool:
    """The pool of the vendor (``vendor``) or the client."""

    vendor: bool
    resources: tuple[DemoResource, ...] = field(default=())


R = DemoResource
POOLS = (
    DemoPool(
        vendor=True,
        resources=(
            R(
                "王芳 Wang Fang",
                "项目经理 Project manager",
                login=Role.PROJECT_MANAGER,
                skills=("PMP",),
                rates=(620, 680),
            ),
            R(
                "李明 Li Ming",
                "技术负责人 Technical lead",
                login=Role.LEAD,
                skills=("SAP S/4", "架构"),
                rates=(580, 640),
            ),
            R(
                "陈艾玛 Emma Chen",
                "SAP 顾问 SAP consultant",
                login=Role.MEMBER,
                skills=("FI/CO", "MM"),
                rates=(450, 480),
            ),
            R("张伟 Zhang Wei", "开发工程师 Developer", skills=("ABAP", "接口 Interfaces"), rates=(380, 400)),
            R("刘静 Liu Jing", "数据工程师 Data engineer", skills=("SQL", "ETL"), rates=(360, 390)),
            R("Priya Nair", "测试工程师 Test engineer", skills=("SIT", "JMeter"), rates=(320, 340)),
            R(
                "压测服务器 Load-test servers",
                "环境 Environment",
                kind=ResourceKind.EQUIPMENT,
                rates=(90, 90),
            ),
        ),
    ),
    DemoPool(
        vendor=False,
        resources=(
            R("周莎拉 Sarah Zhou", "IT 项目经理 IT project manager", login=Role.CLIENT_PM),
            R("孙丽 Sun Li", "业务评审 Business reviewer", login=Role.REVIEWER, skills=("财务 Finance",)),
            R("何军 He Jun", "业务评审 Business reviewer", login=Role.CLIENT_VIEWER, skills=("门店 Stores",)),
            R("UAT 环境 UAT environment", "环境 Environment", kind=ResourceKind.EQUIPMENT),
            R("主数据交付 Master data delivery", "数据 Data", kind=ResourceKind.MATERIAL, label="批次 batch"),
        ),
    ),
)

#: Who works on a task besides its owner, by a word of its name.
HELPERS = (
    ("UAT", ("UAT 环境 UAT environment", "孙丽 Sun Li")),
    ("Migration", ("刘静 Liu Jing", "主数据交付 Master data delivery")),
    ("Cleansing", ("刘静 Liu Jing",)),
    ("Extraction", ("刘静 Liu Jing",)),
    ("Interface", ("张伟 Zhang Wei",)),
    ("configuration", ("张伟 Zhang Wei",)),
    ("SIT", ("Priya Nair",)),
    ("Load scripts", ("Priya Nair", "压测服务器 Load-test servers")),
    ("Peak-day", ("压测服务器 Load-test servers",)),
    ("Store", ("何军 He Jun",)),
    ("Finance", ("孙丽 Sun Li",)),
)
#: The units an assignment takes, in turn (50–100 %).
UNITS = (100, 50, 75, 100)
#: Who takes a task without an owner (the milestones): the project manager's resource.
FALLBACK = "王芳 Wang Fang"


def _add_pool(
    spec: DemoPool, organization: Organization, *, pm: User, logins: dict[str, User], today: dt.date
) -> dict[str, Resource]:
    resources: dict[str, Resource] = {}
    for item in spec.resources:
        user = logins.get(item.login)
        resource = services.do_add_resource(
            organization,
            actor=pm,
            kind=item.kind,
            name=item.name,
            user_id=user.pk if user and user.organization_id == organization.pk else None,
            role=item.role,
            skills=list(item.skills),
            material_label=item.label,
        )
        if item.rates:
            before, now = item.rates
            services.do_add_rate(
                resource, actor=pm, effective_from=today - dt.timedelta(days=365), standard_rate=before
            )
            services.do_add_rate(
                resource,
                actor=pm,
                effective_from=today - dt.timedelta(days=90),
                standard_rate=now,
                overtime_rate=now * 3 // 2,
            )
        resources[item.name] = resource
    return resources


@transaction.atomic
def load_demo_resources(project: Project, *, today: dt.date | None = None) -> int:
    """Fill both pools and assign every leaf task of ``project`` once; return the number of assignments."""
    if Assignment.objects.filter(project=project).exists():
        return Assignment.objects.filter(project=project).count()
    today = today or timezone.localdate()
    logins = demo_people(project)
    pm = logins[Role.PROJECT_MANAGER]
    resources: dict[str, Resource] = {}
    for spec in POOLS:
        organization = project.vendor if spec.vendor else project.client
        assert organization is not None, "the demo project has a client and a vendor"
        if Resource.objects.filter(organization=organization).exists():
            resources.update({r.name: r for r in Resource.objects.filter(organization=organization)})
        else:
            resources.update(_add_pool(spec, organization, pm=pm, logins=logins, today=today))
    on_leave = resources["陈艾玛 Emma Chen"]
    if not on_leave.exceptions.exists():
        services.do_add_leave(
            on_leave,
            actor=pm,
            start=today + dt.timedelta(days=14),
            end=today + dt.timedelta(days=18),
            note="年假 Annual leave",
        )
    by_user = {r.user_id: r for r in resources.values() if r.user_id}
    count = 0
    leaves = Task.objects.filter(project=project, is_summary=False).order_by("outline_key", "id")
    for n, task in enumerate(leaves):
        names = [by_user[task.owner_id].name if task.owner_id in by_user else FALLBACK]
        for word, helpers in HELPERS:
            if word in task.name:
                names += [h for h in helpers if h not in names]
        for k, name in enumerate(names):
            units = UNITS[(n + k) % len(UNITS)]
            services.do_assign(
                project,
                actor=pm,
                task_id=task.pk,
                resource_id=resources[name].pk,
                units=units,
                work_minutes=task.duration_minutes * units // 100,
            )
            count += 1
    return count
