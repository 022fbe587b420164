"""A deliverable ready for acceptance: its criteria, a requirement traced to one of its tasks, the
milestone that completes when it is accepted, a UAT cycle with runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tandem.core.choices import Visibility
from tandem.planning import services as planning
from tandem.planning.choices import TaskKind
from tandem.planning.models import Task
from tandem.projects import services as projects
from tandem.projects.models import Deliverable
from tandem.quality import acceptance
from tandem.quality.choices import CycleKind, RunResult
from tandem.quality.models import AcceptanceRequest, TestCase, TestCycle, TestRun
from tandem.requirements.models import Requirement, TraceLink
from tandem.testing.personas import World


@dataclass
class Ready:
    """What ``ready_for_acceptance`` made."""

    deliverable: Deliverable
    phase: Task
    task: Task
    milestone: Task
    requirement: Requirement
    internal_requirement: Requirement
    cycle: TestCycle


def ready_for_acceptance(world: World) -> Ready:
    """The deliverable "Data migration" (two criteria), its task traced to REQ-101 and REQ-103 (one
    criterion each) and to an internal requirement (whose criterion never goes to the client), its
    milestone under the phase "Rollout", a UAT cycle of three runs."""
    pm, project = world.pm, world.project
    deliverable = projects.do_add_charter_item(
        project,
        kind="deliverables",
        actor=pm,
        data={"name": "Data migration", "acceptance_criteria": ["All stores migrated", "Stock reconciles"]},
    )
    phase = planning.do_add_task(project, actor=pm, name="Rollout", kind=TaskKind.PHASE)
    task = planning.do_add_task(
        project,
        actor=pm,
        name="Migrate data",
        parent_id=phase.pk,
        deliverable_id=deliverable.pk,
        duration_minutes=480,
    )
    milestone = planning.do_add_task(
        project,
        actor=pm,
        name="Go-live",
        kind=TaskKind.MILESTONE,
        parent_id=phase.pk,
        deliverable_id=deliverable.pk,
    )
    requirement = Requirement.objects.create(
        project=project, code="REQ-101", title="Prices", acceptance_criteria=["Prices match the old system"]
    )
    hidden = Requirement.objects.create(
        project=project,
        code="REQ-102",
        title="Audit",
        acceptance_criteria=["Internal audit signed off"],
        visibility=Visibility.INTERNAL,
    )
    training = Requirement.objects.create(
        project=project, code="REQ-103", title="Training", acceptance_criteria=["Key users trained"]
    )
    TraceLink.objects.create(requirement=requirement, task=task)
    TraceLink.objects.create(requirement=hidden, task=task)
    TraceLink.objects.create(requirement=training, task=task)
    cycle = TestCycle.objects.create(project=project, name="UAT 1", kind=CycleKind.UAT)
    for i, result in enumerate((RunResult.PASSED, RunResult.PASSED, RunResult.FAILED), start=1):
        case = TestCase.objects.create(project=project, code=f"TC-00{i}", title=f"Case {i}")
        TestRun.objects.create(cycle=cycle, case=case, result=result, assignee=world.reviewer)
    return Ready(deliverable, phase, task, milestone, requirement, hidden, cycle)


def draft(world: World, ready: Ready, **data: Any) -> AcceptanceRequest:
    """A draft for the deliverable with the reviewer and the cycle."""
    values = {
        "deliverable_id": ready.deliverable.pk,
        "reviewer_ids": [world.reviewer.pk],
        "test_cycle_ids": [ready.cycle.pk],
        "due_date": "2026-06-30",
        **data,
    }
    return acceptance.do_create_request(world.project, actor=world.pm, data=values)


def in_review(world: World, ready: Ready, **data: Any) -> AcceptanceRequest:
    """A request sent for review."""
    made = draft(world, ready, **data)
    return acceptance.do_submit(made, actor=world.pm, version=made.version)


def mark_all(world: World, request: AcceptanceRequest, verdict: str = "accepted") -> None:
    """The reviewer marks every criterion."""
    for criterion in request.criteria.all():
        criterion.request = request
        acceptance.do_review(criterion, actor=world.reviewer, verdict=verdict, comment="")
