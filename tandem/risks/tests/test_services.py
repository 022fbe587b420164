"""The registers' services and queries: scores and history, closing, occurrence, decisions and their delay."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.core.choices import Visibility
from tandem.core.errors import ConflictError
from tandem.core.models import Activity
from tandem.core.scoping import ClientLens
from tandem.projects.choices import DecisionKind
from tandem.risks import queries, services
from tandem.risks.choices import DecisionStatus, RiskLevel, RiskStatus
from tandem.risks.models import Conflict, RiskScore
from tandem.testing.personas import World

from .conftest import Plan


def test_it_scores_levels_and_keeps_history(world: World) -> None:
    risk = services.do_add_risk(
        world.project, actor=world.member, title="Key user leaves", probability=4, impact=4
    )
    assert (risk.score, risk.inherent_score) == (16, 16)
    assert queries.access_risk(world.pm, world.project, risk.pk).level == RiskLevel.CRITICAL
    risk = services.do_update_risk(risk, version=1, actor=world.member, probability=2)
    assert (risk.score, risk.inherent_score) == (8, 16)
    services.do_update_risk(risk, version=2, actor=world.member, title="Key user may leave")
    assert list(RiskScore.objects.filter(risk=risk).values_list("score", flat=True)) == [16, 8]
    with pytest.raises(ConflictError):
        services.do_update_risk(risk, version=2, actor=world.member, impact=1)
    services.do_update_risk_settings(
        world.project, version=0, actor=world.pm, low_max=3, medium_max=6, high_max=10
    )
    assert queries.access_risk(world.pm, world.project, risk.pk).level == RiskLevel.HIGH


def test_bad_scores_name_their_fields(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.do_add_risk(
            world.project, actor=world.pm, title="", probability=6, owner_id=world.outsider.pk
        )
    assert set(exc.value.message_dict) == {"owner_id"}
    with pytest.raises(ValidationError) as exc:
        services.do_add_risk(world.project, actor=world.pm, title="", probability=6, impact=0)
    assert {"title", "probability", "impact"} <= set(exc.value.message_dict)


def test_closing_needs_the_close_risk_right(world: World) -> None:
    risk = services.do_add_risk(world.project, actor=world.pm, title="Vendor delay")
    with pytest.raises(PermissionDenied):
        services.do_close_risk(risk, version=1, actor=world.member)
    with pytest.raises(PermissionDenied):
        services.do_update_risk(risk, version=1, actor=world.member, status=RiskStatus.CLOSED)
    closed = services.do_close_risk(risk, version=1, actor=world.client_pm)  # joint preset: PM and client PM
    assert closed.status == RiskStatus.CLOSED and closed.closed_at is not None


def test_a_risk_that_occurs_becomes_a_linked_issue(world: World) -> None:
    risk = services.do_add_risk(world.project, actor=world.pm, title="Data quality", probability=5, impact=4)
    issue = services.do_mark_risk_occurred(risk, version=1, actor=world.pm, due_date=dt.date(2026, 3, 1))
    risk.refresh_from_db()
    assert risk.status == RiskStatus.OCCURRED and issue.risk_id == risk.pk and issue.severity == "critical"
    with pytest.raises(ValidationError):
        services.do_mark_risk_occurred(risk, version=risk.version, actor=world.pm)


def test_the_client_raises_shared_records_and_viewers_only_read(world: World) -> None:
    risk = services.do_add_risk(world.project, actor=world.sponsor, title="Budget freeze")
    assert risk.visibility == Visibility.SHARED
    with pytest.raises(ValidationError):
        services.do_add_issue(world.project, actor=world.client_pm, title="x", visibility=Visibility.INTERNAL)
    for viewer in (world.client_viewer, world.team_viewer, world.reviewer):
        with pytest.raises(PermissionDenied):
            services.do_add_risk(world.project, actor=viewer, title="x")
    with pytest.raises(PermissionDenied):
        services.do_update_risk(risk, version=1, actor=world.client_pm, title="y")
    with pytest.raises(PermissionDenied):
        services.do_add_conflict(world.project, actor=world.client_pm, subject="x")


def test_clients_never_read_internal_records_or_counts(world: World) -> None:
    pm, project = world.pm, world.project
    services.do_add_risk(project, actor=pm, title="Shared", probability=2, impact=2)
    secret = services.do_add_risk(
        project, actor=pm, title="Margin", probability=5, impact=5, visibility="internal"
    )
    services.do_add_risk_action(secret, actor=pm, description="Renegotiate", due_date=dt.date(2020, 1, 1))
    conflict = services.do_add_conflict(project, actor=pm, subject="Lead vs architect")
    assert conflict.visibility == Visibility.INTERNAL and Conflict.objects.count() == 1
    for reader in (world.client_pm, ClientLens(world.pm)):
        assert [r.title for r in queries.risks_of(reader, project)] == ["Shared"]
        assert queries.heat_map(reader)["total"] == 1
        assert queries.heat_map(reader)["grid"][4][4] == 0
        assert not queries.conflicts_of(reader, project).exists()
        assert queries.risk_overview(reader, project).overdue_actions == []
    assert queries.heat_map(pm)["grid"][4][4] == 1
    assert len(queries.risk_overview(pm, project).overdue_actions) == 1
    assert not Activity.objects.visible_to(world.client_pm).filter(target_label="Margin").exists()


def test_decisions_are_taken_by_the_named_member_or_a_right_holder(world: World) -> None:
    pm, project = world.pm, world.project
    named = services.do_add_decision(
        project, actor=pm, question="Which payment gateway?", options=["A", "B"], decider_id=world.sponsor.pk
    )
    by_right = services.do_add_decision(
        project,
        actor=pm,
        question="Accept the pilot?",
        decision_kind=DecisionKind.ACCEPT_DELIVERABLE,
        due_date=dt.date(2020, 1, 1),
    )
    assert [d.question for d in queries.decisions_waiting_for(world.sponsor)] == [
        "Accept the pilot?",
        "Which payment gateway?",
    ]
    assert [d.question for d in queries.decisions_waiting_for(world.client_pm)] == ["Accept the pilot?"]
    assert by_right.shown_status == DecisionStatus.OVERDUE
    with pytest.raises(PermissionDenied):
        services.do_decide(named, version=1, actor=world.client_pm, outcome="A")
    with pytest.raises(ValidationError) as exc:
        services.do_decide(named, version=1, actor=world.sponsor, outcome=" ")
    assert "outcome" in exc.value.message_dict
    decided = services.do_decide(named, version=1, actor=world.sponsor, outcome="A", rationale="cheaper")
    assert decided.status == DecisionStatus.DECIDED and decided.decided_by == world.sponsor
    with pytest.raises(ValidationError) as exc:
        services.do_add_decision(project, actor=pm, question="?", decider_id=world.member.pk)
    assert "decider_id" in exc.value.message_dict


def test_an_overdue_decision_reports_how_far_the_milestone_slips(plan: Plan) -> None:
    world = plan.world
    decision = services.do_add_decision(
        world.project,
        actor=world.pm,
        question="Approve the design?",
        decider_id=world.client_pm.pk,
        due_date=dt.date(2026, 1, 5),
        blocked_task_ids=[plan.build.pk, plan.secret.pk],
    )
    # Design ends on Tuesday 2026-01-06; on Wednesday the blocked tasks could start at once,
    # or one working day later if the decision waits until Thursday.
    impact = queries.decision_delay_impact(world.pm, decision, today=dt.date(2026, 1, 7))
    assert impact.to_day == dt.date(2026, 1, 8)
    assert [s.task.name for s in impact.milestones] == ["Go-live"]
    assert impact.milestone_slip_days == 1.0
    assert {s.task.name: s.slip_days for s in impact.blocked} == {"Build": 1.0, "Margin review": 1.0}
    client = queries.decision_delay_impact(world.client_pm, decision, today=dt.date(2026, 1, 7))
    assert [s.task.name for s in client.blocked] == ["Build"]
    shown = queries.access_decision(world.client_pm, world.project, decision.pk)
    assert [t.name for t in shown.shown_tasks] == ["Build"]
    # On Monday, before design is done, a day's wait costs nothing yet.
    early = queries.decision_delay_impact(world.pm, decision, today=dt.date(2026, 1, 5))
    assert early.milestone_slip_days == 0.0
    # Nothing was written to the plan.
    plan.build.refresh_from_db()
    assert plan.build.constraint_type == "ASAP"


def test_a_friday_delay_skips_the_weekend(plan: Plan) -> None:
    world = plan.world
    decision = services.do_add_decision(
        world.project,
        actor=world.pm,
        question="Go?",
        decider_id=world.client_pm.pk,
        blocked_task_ids=[plan.build.pk],
    )
    impact = queries.decision_delay_impact(world.pm, decision, today=dt.date(2026, 1, 9))
    assert impact.to_day == dt.date(2026, 1, 12)
    assert impact.milestone_slip_days == 1.0


def test_an_action_becomes_a_task_of_the_plan(world: World) -> None:
    risk = services.do_add_risk(world.project, actor=world.pm, title="Interface spec late")
    action = services.do_add_risk_action(
        risk, actor=world.pm, description="Agree spec freeze", owner_id=world.member.pk
    )
    action = services.do_make_action_a_task(action, version=1, actor=world.pm, duration_minutes=480)
    assert action.task is not None and action.task.name == "Agree spec freeze"
    with pytest.raises(PermissionDenied):
        services.do_update_risk_action(action, version=action.version, actor=world.client_pm, done=True)
    done = services.do_update_risk_action(action, version=action.version, actor=world.member, done=True)
    assert done.done
