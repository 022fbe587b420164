"""Something of every kind that waits on someone, in a project of the personas' world (inbox tests).

Records are made through the services wherever the flow is short (requirements, client decisions,
change requests, baselines); states that take a long flow to reach (a report awaiting approval,
minutes to approve, an acceptance in review, submitted weeks) are written as the services leave them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tandem.changes import services as change_services
from tandem.changes.models import ChangeRequest
from tandem.core.choices import Visibility
from tandem.costs.choices import SheetStatus
from tandem.costs.models import CostSettings, Timesheet
from tandem.meetings.choices import MeetingStatus
from tandem.meetings.models import Meeting
from tandem.planning import services as planning_services
from tandem.planning.models import Baseline
from tandem.projects.models import Project
from tandem.quality.choices import AcceptanceStatus
from tandem.quality.models import AcceptanceCriterion, AcceptanceRequest
from tandem.reports.choices import ReportStatus
from tandem.reports.models import StatusReport
from tandem.requirements import services as requirement_services
from tandem.requirements.models import Requirement
from tandem.risks import services as risk_services
from tandem.risks.models import ClientDecision
from tandem.testing.personas import World
from tandem.testing.plans import DAY, Plan, build_small_plan

#: A date the decisions are due by, in the past (so they are overdue).
PAST = dt.date(2026, 1, 9)


def requirement_in_review(
    world: World,
    project: Project | None = None,
    *,
    title: str = "Stock levels",
    visibility: str = Visibility.SHARED,
) -> Requirement:
    """A requirement sent for review (it waits for confirmation)."""
    project = project or world.project
    pm = world.other_pm if project == world.other_project else world.pm
    requirement = requirement_services.do_create_requirement(
        project, actor=pm, title=title, visibility=visibility
    )
    return requirement_services.do_change_status(
        requirement, actor=pm, status="in_review", version=requirement.version
    )


def client_decision(
    world: World,
    *,
    decider: Any = None,
    kind: str = "",
    visibility: str = Visibility.SHARED,
    due: dt.date | None = PAST,
) -> ClientDecision:
    """An open decision for the client, with two options."""
    return risk_services.do_add_decision(
        world.project,
        actor=world.pm,
        question="Pilot in Shanghai or Beijing?",
        options=["Shanghai", "Beijing"],
        decider_id=decider.pk if decider is not None else None,
        decision_kind=kind,
        due_date=due,
        visibility=visibility,
    )


def change_awaiting(
    world: World,
    plan: Plan,
    *,
    title: str = "Sales reports",
    visibility: str = Visibility.SHARED,
    due: dt.date | None = PAST,
) -> ChangeRequest:
    """A change request submitted for decision, with its impact frozen (two days of reports added)."""
    pm = world.pm
    request = change_services.do_propose_change(
        world.project, actor=pm, title=title, visibility=visibility, decision_due_date=due
    )
    added = change_services.do_add_edit(
        request, actor=pm, kind="add_task", payload={"name": "Reports", "duration_minutes": 2 * DAY}
    )
    ref = f"new-{added.pk}"
    change_services.do_add_edit(
        request, actor=pm, kind="add_link", payload={"predecessor": plan.build.pk, "successor": ref}
    )
    change_services.do_add_edit(
        request, actor=pm, kind="add_link", payload={"predecessor": ref, "successor": plan.golive.pk}
    )
    request = ChangeRequest.objects.get(pk=request.pk)
    change_services.do_compute_impact(request, actor=pm)
    request = ChangeRequest.objects.select_related("project").get(pk=request.pk)
    return change_services.do_submit_change(request, actor=pm, version=request.version)


def plan_with_baseline(world: World) -> Plan:
    """The small plan with an approved baseline (change requests compare with it)."""
    return build_small_plan(world, baseline="Kick-off")


def baseline_to_approve(world: World, *, name: str = "Re-plan after CR-001") -> Baseline:
    """A baseline the PM saved and nobody approved yet."""
    return planning_services.do_save_baseline(world.project, name=name, actor=world.pm, reason="Re-plan")


def report_awaiting(world: World, *, visibility: str = Visibility.SHARED) -> StatusReport:
    """A status report submitted for approval."""
    return StatusReport.objects.create(
        project=world.project,
        title="Week 12",
        period_start=dt.date(2026, 3, 16),
        period_end=dt.date(2026, 3, 20),
        status=ReportStatus.AWAITING_APPROVAL,
        visibility=visibility,
    )


def minutes_to_approve(
    world: World, *, organizer: Any = None, visibility: str = Visibility.SHARED
) -> Meeting:
    """A held meeting with written minutes, not approved yet."""
    start = timezone.now() - dt.timedelta(days=2)
    return Meeting.objects.create(
        project=world.project,
        title="Steering committee",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        organizer=organizer,
        status=MeetingStatus.HELD,
        minutes="Agreed the pilot.",
        visibility=visibility,
    )


def acceptance_in_review(world: World, *, reviewers: tuple[Any, ...] = ()) -> AcceptanceRequest:
    """An acceptance request sent for review, with one criterion."""
    request = AcceptanceRequest.objects.create(
        project=world.project,
        code="ACC-001",
        title="Data migration",
        status=AcceptanceStatus.IN_REVIEW,
        due_date=PAST,
        submitted_at=timezone.now(),
        visibility=Visibility.SHARED,
    )
    request.reviewers.set(reviewers)
    AcceptanceCriterion.objects.create(request=request, text="All master data migrated")
    return request


def weeks_submitted(
    world: World, *, status: str = SheetStatus.SUBMITTED, client_approves: bool = False, user: Any = None
) -> Timesheet:
    """A member's submitted week (team-approved when ``status`` says so)."""
    if client_approves:
        CostSettings.objects.update_or_create(project=world.project, defaults={"client_approves_time": True})
    return Timesheet.objects.create(
        project=world.project,
        user=user or world.member,
        week=dt.date(2026, 3, 16),
        status=status,
        submitted_at=timezone.now(),
    )
