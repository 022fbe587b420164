"""Change requests end to end through the services: impact, submission, decisions, application."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tandem.changes import impact, queries, services, tasks
from tandem.changes.choices import ApprovalRule, ChangeStatus, Refusal
from tandem.changes.models import ChangeRequest, Decision, Reminder
from tandem.core import clock
from tandem.core.errors import ConflictError
from tandem.planning import queries as planning_queries
from tandem.planning import services as planning
from tandem.planning.models import Baseline, Dependency, Task

from .conftest import DAY, Plan, reports_change


def fresh(request: ChangeRequest) -> ChangeRequest:
    return ChangeRequest.objects.select_related("project").get(pk=request.pk)


def submitted(plan: Plan, **extra: object) -> ChangeRequest:
    request = reports_change(plan, **extra)
    pm = plan.world.pm
    services.do_compute_impact(request, actor=pm)
    return services.do_submit_change(fresh(request), actor=pm, version=fresh(request).version)


def test_it_numbers_requests_per_project_and_starts_them_as_drafts(plan: Plan) -> None:
    world = plan.world
    first = services.do_propose_change(world.project, actor=world.reviewer, title="A")
    second = services.do_propose_change(world.project, actor=world.sponsor, title="B", urgency="high")
    assert (first.code, second.code) == ("CR-001", "CR-002")
    assert first.status == ChangeStatus.DRAFT and second.urgency == "high"
    with pytest.raises(PermissionDenied):
        services.do_propose_change(world.project, actor=world.client_viewer, title="C")
    with pytest.raises(ValidationError) as caught:
        services.do_propose_change(world.project, actor=world.sponsor, title="D", visibility="internal")
    assert "visibility" in caught.value.message_dict


def test_the_impact_is_computed_without_touching_the_plan(plan: Plan) -> None:
    world = plan.world
    services.do_update_change_settings(world.project, actor=world.pm, day_rate="4000")
    request = reports_change(plan)
    before = list(Task.objects.order_by("id").values_list("id", "finish", "version"))
    found = services.do_compute_impact(request, actor=world.pm)
    assert list(Task.objects.order_by("id").values_list("id", "finish", "version")) == before
    data = found.data
    assert dt.datetime.fromisoformat(data["new_finish"]) > dt.datetime.fromisoformat(data["current_finish"])
    assert data["finish_change_minutes"] == 2 * DAY and data["baseline_slip_minutes"] == 2 * DAY
    golive = next(m for m in data["milestones"] if m["name"] == "Go-live")
    assert golive["slipped"] and golive["slip_minutes"] == 2 * DAY
    assert dt.datetime.fromisoformat(golive["baseline_finish"]) == plan.golive.finish
    assert [j["name"] for j in data["critical_joins"]] == ["Reports"]
    assert data["critical_leaves"] == []
    assert (
        data["added_effort_minutes"] == 2 * DAY and data["added_cost"] == "8000.00" and data["cost_complete"]
    )
    assert found.fingerprint == impact.plan_fingerprint(world.project)
    assert fresh(request).status == ChangeStatus.ANALYSING


def test_a_client_never_reads_internal_tasks_inside_an_impact(plan: Plan) -> None:
    world = plan.world
    request = services.do_propose_change(world.project, actor=world.pm, title="Deeper review")
    services.do_add_edit(
        request,
        actor=world.pm,
        kind="change_task",
        payload={"task_id": plan.secret.pk, "duration_minutes": 10 * DAY},
        cost="1200",
    )
    found = services.do_compute_impact(request, actor=world.pm)
    team = queries.impact_for(world.pm, world.project, found)
    client = queries.impact_for(world.sponsor, world.project, found)
    assert team is not None and client is not None
    assert [j["name"] for j in team["critical_joins"]] == ["Margin review"]
    assert "Build" in [row["name"] for row in team["critical_leaves"]]
    assert "Margin review" not in str(client)
    assert "Build" in [row["name"] for row in client["critical_leaves"]]
    assert client["added_cost"] == "1200.00" and client["edits"] == []
    assert queries.edits_of(world.sponsor, request).count() == 0


def test_a_loop_in_the_sandbox_is_refused_naming_the_tasks(plan: Plan) -> None:
    world = plan.world
    request = services.do_propose_change(world.project, actor=world.pm, title="Loop")
    services.do_add_edit(
        request,
        actor=world.pm,
        kind="add_link",
        payload={"predecessor": plan.golive.pk, "successor": plan.design.pk},
    )
    with pytest.raises(ValidationError) as caught:
        services.do_compute_impact(request, actor=world.pm)
    assert "Go-live" in caught.value.message_dict["edits"][0]


def test_bad_edits_name_their_field(plan: Plan) -> None:
    world = plan.world
    request = services.do_propose_change(world.project, actor=world.pm, title="Bad")
    cases = [
        ("add_task", {"name": ""}, "name"),
        ("add_task", {"name": "x", "duration_minutes": -1}, "duration_minutes"),
        ("change_task", {"task_id": plan.build.pk}, "duration_minutes"),
        ("change_task", {"task_id": plan.build.pk, "start": "next week"}, "start"),
        ("add_link", {"predecessor": plan.build.pk, "successor": "new-999"}, "successor"),
        ("remove_link", {"dependency_id": "x"}, "dependency_id"),
        ("remove_task", {"task_id": 0}, "task_id"),
        ("add_task", {"name": "x", "colour": "red"}, "colour"),
        ("resize", {}, "kind"),
    ]
    for kind, payload, field in cases:
        with pytest.raises(ValidationError) as caught:
            services.do_add_edit(request, actor=world.pm, kind=kind, payload=payload)
        assert field in caught.value.message_dict, (kind, payload)
    with pytest.raises(PermissionDenied):
        services.do_add_edit(request, actor=world.member, kind="add_task", payload={"name": "x"})
    with pytest.raises(PermissionDenied):
        services.do_add_edit(request, actor=world.sponsor, kind="add_task", payload={"name": "x"})


def test_the_final_approval_applies_the_edits_and_approves_a_re_baseline(plan: Plan) -> None:
    world = plan.world
    request = submitted(plan)
    assert request.status == ChangeStatus.AWAITING and request.frozen_impact is not None
    frozen_finish = request.frozen_impact.data["new_finish"]
    decided = services.do_decide_change(
        request, actor=world.sponsor, version=request.version, outcome="approve"
    )
    assert decided.status == ChangeStatus.APPLIED
    reports = Task.objects.get(project=world.project, name="Reports")
    assert Dependency.objects.filter(predecessor=plan.build, successor=reports).exists()
    assert Dependency.objects.filter(predecessor=reports, successor=plan.golive).exists()
    assert plan.fresh(plan.golive).finish == dt.datetime.fromisoformat(frozen_finish)
    agreed = planning_queries.agreed_baseline(world.pm, world.project)
    assert agreed is not None and agreed.pk == decided.baseline_id and agreed.name.startswith("CR-001")
    assert agreed.approved_by == world.sponsor
    steps = [h.to_status for h in queries.history_of(decided)]
    assert steps == ["draft", "analysing", "awaiting", "approved", "applied"]
    scope = queries.cumulative_scope(world.client_viewer, world.project)
    assert scope.changes == 1 and scope.effort_minutes == 2 * DAY and scope.days >= 2


def test_with_the_all_rule_every_approver_must_approve(plan: Plan) -> None:
    world = plan.world
    services.do_update_change_settings(world.project, actor=world.pm, approval_rule=ApprovalRule.ALL)
    request = submitted(plan)
    once = services.do_decide_change(request, actor=world.sponsor, version=request.version, outcome="approve")
    assert once.status == ChangeStatus.AWAITING
    assert not Task.objects.filter(name="Reports").exists()
    with pytest.raises(ValidationError):
        services.do_decide_change(once, actor=world.sponsor, version=once.version, outcome="approve")
    twice = services.do_decide_change(once, actor=world.client_pm, version=once.version, outcome="approve")
    assert twice.status == ChangeStatus.APPLIED and Task.objects.filter(name="Reports").exists()


def test_a_decision_on_a_version_already_decided_is_a_conflict(plan: Plan) -> None:
    world = plan.world
    services.do_update_change_settings(world.project, actor=world.pm, approval_rule=ApprovalRule.ALL)
    request = submitted(plan)
    version = request.version
    services.do_decide_change(request, actor=world.sponsor, version=version, outcome="approve")
    with pytest.raises(ConflictError):
        services.do_decide_change(
            request, actor=world.client_pm, version=version, outcome="reject", comment="No"
        )
    assert fresh(request).status == ChangeStatus.AWAITING
    assert Decision.objects.filter(request=request).count() == 1


def test_a_plan_changed_since_the_impact_is_recomputed_and_never_applied(plan: Plan) -> None:
    world = plan.world
    request = submitted(plan)
    old = request.frozen_impact
    assert old is not None
    planning.do_update_task(plan.build, version=plan.build.version, actor=world.pm, duration_minutes=5 * DAY)
    with pytest.raises(ConflictError) as caught:
        services.do_decide_change(request, actor=world.sponsor, version=request.version, outcome="approve")
    assert "confirm" in caught.value.message
    again = fresh(request)
    assert again.status == ChangeStatus.AWAITING and again.frozen_impact_id != old.pk
    assert again.frozen_impact is not None
    assert again.frozen_impact.data["new_finish"] > old.data["new_finish"]
    assert not Task.objects.filter(name="Reports").exists()
    assert Baseline.objects.filter(project=world.project).count() == 1
    # The history says the approval was refused because the impact changed, never "approved", and
    # keeps the impact it was given on beside the new one.
    (refused,) = Decision.objects.filter(request=request)
    assert refused.refusal == Refusal.IMPACT_CHANGED and refused.impact_id == old.pk
    assert str(refused.label) == "Refused: the impact changed"
    confirmed = services.do_decide_change(
        again, actor=world.sponsor, version=again.version, outcome="approve"
    )
    assert confirmed.status == ChangeStatus.APPLIED
    latest = Decision.objects.filter(request=request).order_by("at", "id").last()
    assert latest is not None and latest.refusal == "" and latest.impact_id == again.frozen_impact_id


def test_a_rejection_changes_nothing_and_more_information_reopens_the_sandbox(plan: Plan) -> None:
    world = plan.world
    request = submitted(plan)
    with pytest.raises(ValidationError) as caught:
        services.do_decide_change(request, actor=world.sponsor, version=request.version, outcome="more_info")
    assert "comment" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        services.do_decide_change(request, actor=world.pm, version=request.version, outcome="approve")
    asked = services.do_decide_change(
        request, actor=world.sponsor, version=request.version, outcome="more_info", comment="Which reports?"
    )
    assert asked.status == ChangeStatus.MORE_INFO
    services.do_update_change(asked, actor=world.pm, version=asked.version, description="Daily and weekly.")
    services.do_compute_impact(fresh(asked), actor=world.pm)
    resubmitted = services.do_submit_change(fresh(asked), actor=world.pm, version=fresh(asked).version)
    assert resubmitted.status == ChangeStatus.AWAITING and resubmitted.round == 2
    tasks = Task.objects.count()
    rejected = services.do_decide_change(
        resubmitted, actor=world.client_pm, version=resubmitted.version, outcome="reject", comment="Too late"
    )
    assert rejected.status == ChangeStatus.REJECTED
    assert Task.objects.count() == tasks and Baseline.objects.count() == 1


def test_submitting_with_an_outdated_impact_recomputes_it_first(plan: Plan) -> None:
    world = plan.world
    request = reports_change(plan)
    with pytest.raises(ConflictError):
        services.do_submit_change(request, actor=world.pm, version=request.version)
    assert fresh(request).status == ChangeStatus.ANALYSING and queries.latest_impact(request) is not None
    done = services.do_submit_change(fresh(request), actor=world.pm, version=fresh(request).version)
    assert done.status == ChangeStatus.AWAITING


def test_reminders_go_to_pending_approvers_once_a_day(
    plan: Plan, django_capture_on_commit_callbacks: Any
) -> None:
    world = plan.world
    today = dt.date(2026, 3, 2)
    due = submitted(plan, decision_due_date=today + dt.timedelta(days=1))
    later = submitted(plan, decision_due_date=today + dt.timedelta(days=5))
    services.do_decide_change(
        later, actor=world.sponsor, version=later.version, outcome="more_info", comment="?"
    )
    now = timezone.make_aware(dt.datetime.combine(today, dt.time(9)))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_reminders(now) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.sponsor.email, world.client_pm.email])
    assert all(due.code in m.subject for m in mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_reminders(now) == 0
        call_command("remind_changes", "--date", (today + dt.timedelta(days=1)).isoformat())
    assert len(mail.outbox) == 4 and Reminder.objects.count() == 4


def test_the_clock_reminds_approvers_once_a_day_in_their_language(
    plan: Plan, django_capture_on_commit_callbacks: Any
) -> None:
    world = plan.world
    world.sponsor.language = "zh-hans"
    world.sponsor.save(update_fields=["language"])
    today = dt.date(2026, 3, 2)
    submitted(plan, decision_due_date=today)
    morning = timezone.make_aware(dt.datetime.combine(today, dt.time(7, 59)))
    for minutes in (0, 2, 3, 600):  # 07:59 is too early; then one reminder each, however many ticks
        with django_capture_on_commit_callbacks(execute=True):
            clock.tick(morning + dt.timedelta(minutes=minutes))
        assert len(mail.outbox) == (0 if minutes == 0 else 2)
    by_person = {m.to[0]: m.subject for m in mail.outbox}
    assert "作出决策" in by_person[world.sponsor.email]
    assert "decision" in by_person[world.client_pm.email]


def test_a_rolled_back_reminder_run_sends_nothing(
    plan: Plan, django_capture_on_commit_callbacks: Any
) -> None:
    today = dt.date(2026, 3, 2)
    submitted(plan, decision_due_date=today)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        tasks.send_reminders(timezone.now(), today=today)
        raise RuntimeError
    assert mail.outbox == [] and not Reminder.objects.exists()


def test_cost_from_the_day_rate_is_unknown_without_one(plan: Plan) -> None:
    world = plan.world
    request = reports_change(plan)
    data = services.do_compute_impact(request, actor=world.pm).data
    assert data["cost_complete"] is False and Decimal(data["added_cost"]) == 0


def test_an_approved_change_revises_a_confirmed_requirement_with_its_code(plan: Plan) -> None:
    from tandem.requirements import services as requirement_services
    from tandem.requirements.models import Requirement

    world = plan.world
    requirement = requirement_services.do_create_requirement(
        world.project, actor=world.pm, title="Sales report", description="Weekly", priority="should"
    )
    requirement_services.do_confirm_requirement(
        requirement, actor=world.client_pm, version_number=requirement.current_version
    )
    requirement = Requirement.objects.get(pk=requirement.pk)
    with pytest.raises(ValidationError):
        requirement_services.do_revise_requirement(
            requirement, actor=world.pm, version=requirement.version, description="Daily"
        )
    request = reports_change(plan)
    services.do_add_edit(
        request,
        actor=world.pm,
        kind="revise_requirement",
        payload={"requirement_id": requirement.code, "description": "Daily", "priority": "must"},
    )
    assert list(fresh(request).affected_requirements.all()) == [requirement]
    services.do_compute_impact(fresh(request), actor=world.pm)
    request = services.do_submit_change(fresh(request), actor=world.pm, version=fresh(request).version)
    services.do_decide_change(request, actor=world.sponsor, version=request.version, outcome="approve")
    revised = Requirement.objects.get(pk=requirement.pk)
    assert (revised.description, revised.priority) == ("Daily", "must")
    latest = revised.versions.order_by("-number").first()
    assert latest is not None and latest.change_ref == request.code and latest.number == 2
