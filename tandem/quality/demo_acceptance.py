"""Acceptance in the demo project: the business blueprint accepted (its criteria reviewed by the client's
reviewer and PM, signed by the sponsor, milestone M2 complete) and the data migration in review,
awaiting the sponsor's signature. Everything goes through the acceptance services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from tandem.planning.choices import TaskKind
from tandem.planning.models import Task
from tandem.projects import services as project_services
from tandem.projects.choices import Role
from tandem.projects.demo import demo_people
from tandem.projects.models import Deliverable
from tandem.quality import acceptance
from tandem.quality.choices import CriterionVerdict
from tandem.quality.models import AcceptanceRequest

if TYPE_CHECKING:
    from tandem.accounts.models import User
    from tandem.projects.models import Project

BLUEPRINT = "业务蓝图"
MIGRATION = "数据迁移"
CRITERIA = {
    BLUEPRINT: [
        "每个业务流程都有目标设计 Every business process has a to-be design",
        "财务与库存设计经关键用户评审 Finance and inventory designs reviewed by key users",
        "差距清单及处理方案已确认 Gap list and resolutions agreed",
    ],
    MIGRATION: [
        "三年历史数据已迁移 Three years of history migrated",
        "库存与财务余额对账一致 Stock and finance balances reconcile",
    ],
}


def _deliverable(project: Project, prefix: str, actor: User) -> Deliverable | None:
    """The demo deliverable whose name starts with ``prefix``, with its acceptance criteria."""
    found = Deliverable.objects.filter(project=project, name__startswith=prefix).first()
    if found is not None and not found.acceptance_criteria:
        found = project_services.do_update_charter_item(
            found, data={"acceptance_criteria": CRITERIA[prefix]}, version=found.version, actor=actor
        )
    return found


def _mark(request: AcceptanceRequest, reviewer: User, comment: str = "") -> None:
    for criterion in request.criteria.order_by("position"):
        criterion.request = request
        acceptance.do_review(criterion, actor=reviewer, verdict=CriterionVerdict.ACCEPTED, comment=comment)


@transaction.atomic
def load_demo_acceptance(project: Project) -> int:
    """Add the demo's two acceptance requests (once); returns how many were added."""
    if AcceptanceRequest.objects.filter(project=project).exists():
        return 0
    people = demo_people(project)
    pm, sponsor = people[Role.PROJECT_MANAGER], people[Role.SPONSOR]
    client_pm, reviewer = people[Role.CLIENT_PM], people[Role.REVIEWER]
    added = 0
    blueprint = _deliverable(project, BLUEPRINT, pm)
    if blueprint is not None:
        milestone = Task.objects.filter(
            project=project, kind=TaskKind.MILESTONE, name__startswith="M2"
        ).first()
        made = acceptance.do_create_request(
            project,
            actor=pm,
            data={
                "deliverable_id": blueprint.pk,
                "milestone_id": milestone.pk if milestone is not None else None,
                "reviewer_ids": [reviewer.pk, client_pm.pk],
                "due_date": blueprint.due_date,
                "description": "设计评审会后提交签署。Sent after the design review workshop.",
            },
        )
        made = acceptance.do_submit(made, actor=pm, version=made.version)
        _mark(made, reviewer, "与财务流程一致 Matches our finance processes")
        _mark(made, client_pm)
        made.refresh_from_db()
        acceptance.do_sign(
            made,
            actor=sponsor,
            version=made.version,
            decision="accept",
            comment="蓝图确认，可进入实施。Blueprint confirmed; go ahead with the build.",
        )
        added += 1
    migration = _deliverable(project, MIGRATION, pm)
    if migration is not None:
        made = acceptance.do_create_request(
            project,
            actor=pm,
            data={
                "deliverable_id": migration.pk,
                "reviewer_ids": [reviewer.pk],
                "due_date": migration.due_date,
            },
        )
        made = acceptance.do_submit(made, actor=pm, version=made.version)
        _mark(made, reviewer, "抽查 20 家门店无差异 20 stores sampled, no differences")
        added += 1
    return added
