"""Generating, editing, approving and sending reports; what they say; immutability once sent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.core.choices import Visibility
from tandem.core.errors import ConflictError
from tandem.core.models import Activity
from tandem.planning import services as planning
from tandem.planning.choices import ConstraintType, TaskStatus
from tandem.projects import services as project_services
from tandem.projects.choices import DecisionPreset
from tandem.reports import queries, rendering, services
from tandem.reports.choices import ReportStatus
from tandem.reports.models import StatusReport
from tandem.risks import services as risk_services

from .conftest import DAY, EARLY, Plan

START, END = dt.date(2026, 1, 5), dt.date(2026, 1, 9)


def _generate(plan: Plan, **extra: object) -> StatusReport:
    world = plan.world
    return services.generate_report(
        world.project, period_start=START, period_end=END, actor=world.pm, now=EARLY, **extra
    )


def test_a_slipping_milestone_is_named_with_its_days(plan: Plan) -> None:
    report = _generate(plan)
    schedule = report.facts["rag"]["dimensions"]["schedule"]
    assert schedule["colour"] == "red"
    assert {"code": "milestone_slip", "params": {"name": "Go-live", "days": 7}} in schedule["reasons"]
    assert report.rag == "red"
    golive = next(m for m in report.facts["schedule"]["milestones"] if m["name"] == "Go-live")
    assert golive["slip_days"] == 7 and golive["baseline"] < golive["forecast"]
    assert "Milestone “Go-live” is forecast 7 working days late." in report.summary
    assert report.status == ReportStatus.DRAFT and report.visibility == Visibility.INTERNAL


def test_the_facts_name_only_shared_records(plan: Plan) -> None:
    world = plan.world
    risk_services.do_add_risk(
        world.project,
        actor=world.pm,
        title="Subcontractor margin",
        probability=5,
        impact=5,
        visibility="internal",
    )
    risk_services.do_add_risk(world.project, actor=world.pm, title="Key user leaves", probability=4, impact=4)
    risk_services.do_add_issue(world.project, actor=world.pm, title="Margin slip", visibility="internal")
    report = _generate(plan)
    text = rendering.render_markdown_text(report) + str(report.facts)
    for secret in ("Margin review", "Subcontractor payout", "Subcontractor margin", "Margin slip"):
        assert secret not in text
    assert "Key user leaves" in text and "Go-live" in text


def test_a_client_never_sees_a_draft(plan: Plan) -> None:
    world = plan.world
    report = _generate(plan)
    for persona in ("sponsor", "client_pm", "client_viewer", "reviewer"):
        assert not queries.reports_of(world.viewer(persona), world.project).exists()
    assert queries.reports_of(world.member, world.project).filter(pk=report.pk).exists()


def test_the_author_edits_the_narrative_and_may_only_make_the_rating_worse(plan: Plan) -> None:
    world = plan.world
    risk_services.do_add_risk(world.project, actor=world.pm, title="Key user leaves", probability=1, impact=1)
    # Without a slip the schedule is green.
    report = services.generate_report(
        world.other_project, period_start=START, period_end=END, actor=world.other_pm, now=EARLY
    )
    assert report.rag == "green"
    edited = services.do_edit_report(
        report,
        actor=world.other_pm,
        version=1,
        summary="All good.",
        rag_override="amber",
        rag_override_reason="Vendor",
    )
    assert edited.summary == "All good." and edited.shown_rag == "amber" and edited.version == 2
    red = _generate(plan)
    with pytest.raises(ValidationError) as caught:
        services.do_edit_report(red, actor=world.pm, version=1, rag_override="green", rag_override_reason="x")
    assert "rag_override" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.do_edit_report(
            edited, actor=world.other_pm, version=2, rag_override="red", rag_override_reason=""
        )
    assert "rag_override_reason" in caught.value.message_dict
    with pytest.raises(ConflictError):
        services.do_edit_report(edited, actor=world.other_pm, version=1, summary="stale")


def test_only_writers_generate(plan: Plan) -> None:
    world = plan.world
    for persona in ("member", "sponsor", "client_pm"):
        with pytest.raises(PermissionDenied):
            services.generate_report(
                world.project, period_start=START, period_end=END, actor=world.viewer(persona), now=EARLY
            )
    with pytest.raises(ValidationError) as caught:
        services.generate_report(world.project, period_start=END, period_end=START, actor=world.pm)
    assert "period_end" in caught.value.message_dict


def test_approval_workflow_when_required(plan: Plan) -> None:
    world = plan.world
    services.do_update_report_settings(world.project, actor=world.pm, version=0, require_approval=True)
    report = _generate(plan)
    with pytest.raises(ValidationError):
        services.do_send_report(report, actor=world.pm, version=1)
    report = services.do_submit_report(report, actor=world.pm, version=1)
    assert report.status == ReportStatus.AWAITING_APPROVAL
    with pytest.raises(ValidationError):
        services.do_edit_report(report, actor=world.pm, version=2, summary="late edit")
    with pytest.raises(PermissionDenied):
        services.do_approve_report(report, actor=world.sponsor, version=2)
    report = services.do_return_report(report, actor=world.pm, version=2, reason="Tone it down")
    assert report.status == ReportStatus.DRAFT
    report = services.do_submit_report(report, actor=world.pm, version=3)
    report = services.do_approve_report(report, actor=world.pm, version=4)
    assert report.status == ReportStatus.APPROVED and report.approved_by == world.pm
    report = services.do_send_report(report, actor=world.pm, version=5)
    assert report.status == ReportStatus.SENT


def test_the_client_pm_writes_and_approves_when_the_client_acts_as_pm(plan: Plan) -> None:
    world = plan.world
    project_services.do_apply_decision_preset(
        world.project, preset=DecisionPreset.CLIENT_AS_PM, actor=world.pm
    )
    world.project.refresh_from_db()
    report = services.generate_report(
        world.project, period_start=START, period_end=END, actor=world.client_pm, now=EARLY
    )
    assert queries.access_report(world.client_pm, world.project, report.pk) == report
    assert not queries.reports_of(world.client_viewer, world.project).exists()


def test_a_sent_report_is_shared_immutable_and_keeps_its_snapshot(plan: Plan) -> None:
    world = plan.world
    report = _generate(plan)
    report = services.do_edit_report(report, actor=world.pm, version=1, summary="Go-live moves a week.")
    sent = services.do_send_report(report, actor=world.pm, version=2)
    assert sent.visibility == Visibility.SHARED and sent.sent_by == world.pm
    assert "Go-live moves a week." in sent.sent_html and "Go-live moves a week." in sent.sent_markdown
    assert set(sent.recipients) >= {world.sponsor.email, world.pm.email, world.client_viewer.email}
    for call in (
        lambda: services.do_edit_report(sent, actor=world.pm, version=sent.version, summary="rewrite"),
        lambda: services.do_send_report(sent, actor=world.pm, version=sent.version),
        lambda: services.do_submit_report(sent, actor=world.pm, version=sent.version),
        lambda: services.do_approve_report(sent, actor=world.pm, version=sent.version),
        lambda: services.do_return_report(sent, actor=world.pm, version=sent.version),
    ):
        with pytest.raises(ConflictError) as caught:
            call()
        assert "can no longer change" in caught.value.message
    # Live data moves on; the sent report does not.
    StatusReport.objects.filter(pk=sent.pk).update(summary="tampered")
    again = StatusReport.objects.get(pk=sent.pk)
    assert "Go-live moves a week." in rendering.render_body(again)
    assert queries.access_report(world.client_viewer, world.project, sent.pk) == sent
    assert Activity.objects.filter(verb="sent", target_id=str(sent.pk)).exists()


def test_the_plan_for_the_next_period_names_a_started_task_once(plan: Plan) -> None:
    """A task already in progress whose planned start falls in the next period is listed as in
    progress only, not a second time among the work due to start."""
    world = plan.world
    early = planning.do_add_task(
        world.project,
        actor=world.pm,
        name="Data migration",
        duration_minutes=DAY,
        constraint_type=ConstraintType.SNET,
        constraint_date=dt.datetime(2026, 1, 13, 9, 0, tzinfo=EARLY.tzinfo),
    )
    planning.do_update_task(early, version=early.version, actor=world.pm, status=TaskStatus.IN_PROGRESS)
    report = _generate(plan)
    work = report.facts["work"]
    assert [t["name"] for t in work["in_progress"]].count("Data migration") == 1
    assert "Data migration" not in [t["name"] for t in work["next"]]
    assert report.next_steps.count("Data migration") == 1
    plan_section = rendering.render_plain_text(report).split("Plan for the next period")[1].split("\n## ")[0]
    assert plan_section.count("Data migration") == 1


def test_a_milestone_deleted_since_the_agreed_baseline_is_reported_as_deleted(plan: Plan) -> None:
    world = plan.world
    planning.do_delete_task(plan.golive, version=plan.golive.version, actor=world.pm)
    planning.do_delete_task(plan.secret_milestone, version=plan.secret_milestone.version, actor=world.pm)
    report = _generate(plan)
    milestones = report.facts["schedule"]["milestones"]
    assert [(m["name"], m["baseline"], m.get("deleted")) for m in milestones] == [
        ("Go-live", "2026-01-09", True)
    ]
    reasons = report.facts["rag"]["dimensions"]["schedule"]["reasons"]
    assert not any(r["code"] in ("milestone_slip", "milestone_missed") for r in reasons)
    assert "deleted from the plan" in rendering.render_markdown_text(report)
