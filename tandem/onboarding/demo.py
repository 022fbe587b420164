"""Demo training material: a short guide, a link and a one-page cheat sheet for the client's people,
with the client PM two items in and the sponsor one; the client PM has opened their guide.

Built through the services, so the audit trail and the readiness checklist are genuine:

    from tandem.onboarding.demo import load_demo_onboarding
    load_demo_onboarding(project)          # idempotent: a second call adds nothing
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from tandem.onboarding import services
from tandem.onboarding.models import TrainingItem, TrainingKind
from tandem.projects.choices import Role
from tandem.projects.demo import demo_people
from tandem.projects.models import Project

APPROVAL_GUIDE = """\
变更请求如何审批 How a change request is decided

1. 打开“范围与变更 → 变更请求”,选择“等待决策”的请求。
   Open Scope and changes → Change requests and pick one awaiting decision.
2. 先看影响分析:对关键路径和完成日期的影响、成本影响。
   Read the impact analysis first: the critical path, the finish date, the cost.
3. 批准、拒绝或要求补充信息,并写下理由。
   Approve, reject or ask for more information, with your reasons.
4. 批准后计划重新设定基线,团队在项目动态中看到您的决定。
   Once approved the plan is re-baselined and the team sees your decision.
"""

CHEAT_SHEET = """\
决策权速查 Decision rights cheat sheet — ERP-2026

确认章程 Confirm charter: 发起人、客户项目经理 Sponsor, Client PM
确认需求 Confirm requirement: 客户项目经理、评审人 Client PM, Reviewer
批准变更 Approve change: 发起人、客户项目经理 Sponsor, Client PM
验收交付物 Accept deliverable: 发起人、客户项目经理 Sponsor, Client PM

有疑问先找双方项目经理,仍无法解决再升级到发起人。
Questions go to the two project managers first, then to the sponsor.
"""


@transaction.atomic
def load_demo_onboarding(project: Project) -> None:
    """Add the demo's training material and its partial completion to ``project`` once."""
    if TrainingItem.objects.filter(project=project).exists():
        return
    people = demo_people(project)
    pm = people[Role.PROJECT_MANAGER]
    guide = services.do_add_training_item(
        project,
        actor=pm,
        data={
            "kind": TrainingKind.GUIDE,
            "title": "变更请求如何审批 How to decide a change request",
            "body": APPROVAL_GUIDE,
            "audience_roles": [Role.SPONSOR, Role.CLIENT_PM],
        },
    )
    link = services.do_add_training_item(
        project,
        actor=pm,
        data={
            "kind": TrainingKind.LINK,
            "title": "挣值管理入门 Earned value in ten minutes",
            "url": "https://en.wikipedia.org/wiki/Earned_value_management",
            "body": "读懂 EVM 页面上的 SPI 和 CPI。Read the SPI and CPI on the earned value page.",
            "audience_roles": [Role.CLIENT_PM],
        },
    )
    sheet = services.do_add_training_item(
        project,
        actor=pm,
        data={
            "kind": TrainingKind.DOCUMENT,
            "title": "决策权速查 Decision rights cheat sheet",
            "body": "打印出来放在手边。Print it and keep it at hand.",
        },
        upload=SimpleUploadedFile(
            "decision-rights-cheat-sheet.txt", CHEAT_SHEET.encode("utf-8"), content_type="text/plain"
        ),
    )
    client_pm = people.get(Role.CLIENT_PM)
    if client_pm is not None:
        services.do_record_guide_opened(project, actor=client_pm)
        services.do_mark_training_done(guide, actor=client_pm)
        services.do_mark_training_done(sheet, actor=client_pm)
    sponsor = people.get(Role.SPONSOR)
    if sponsor is not None:
        services.do_mark_training_done(guide, actor=sponsor)
    del link  # the client PM has not read it yet: the readiness checklist shows training open
