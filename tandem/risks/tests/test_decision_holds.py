"""Open client decisions hold the tasks they block; deciding or withdrawing releases them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tandem.core import clock
from tandem.core.choices import Visibility
from tandem.core.models import Activity
from tandem.planning import scheduling, writing
from tandem.planning import services as planning
from tandem.planning.choices import ConstraintType, TaskStatus
from tandem.planning.models import Task
from tandem.risks import queries, services
from tandem.risks.tests.conftest import Plan

pytestmark = pytest.mark.django_db


def _finish_design(plan: Plan) -> None:
    """Design was done on time (5–6 January)."""
    pm, zone = plan.world.pm, scheduling.zone_of(plan.world.project)
    planning.do_update_task(
        plan.design,
        version=plan.design.version,
        actor=pm,
        status=TaskStatus.DONE,
        percent_complete=100,
        actual_start=dt.datetime(2026, 1, 5, 8, 0, tzinfo=zone),
        actual_finish=dt.datetime(2026, 1, 6, 17, 0, tzinfo=zone),
    )


def _day(value: dt.datetime | None, plan: Plan) -> dt.date:
    """The project-local day of an aware datetime."""
    assert value is not None
    return value.astimezone(scheduling.zone_of(plan.world.project)).date()


def _decision(plan: Plan, *blocked: Task, due: dt.date) -> object:
    world = plan.world
    return services.do_add_decision(
        world.project,
        actor=world.pm,
        question="Which payment provider?",
        options=["Alipay", "WeChat Pay"],
        decider_id=world.client_pm.pk,
        due_date=due,
        blocked_task_ids=[t.pk for t in blocked],
        visibility=Visibility.SHARED,
    )


def test_deciding_an_overdue_decision_moves_the_blocked_task_earlier(plan: Plan) -> None:
    _finish_design(plan)
    world = plan.world
    free_start = Task.objects.get(pk=plan.build.pk).start
    assert _day(free_start, plan) == dt.date(2026, 1, 7)

    decision = _decision(plan, plan.build, due=dt.date(2026, 1, 9))  # long overdue
    build = Task.objects.get(pk=plan.build.pk)
    today = timezone.localdate()
    assert _day(build.held_until, plan) > today
    assert _day(build.start, plan) > today  # held until after today
    assert build.hold_reason == "Which payment provider?"
    golive_held = Task.objects.get(pk=plan.golive.pk).finish

    services.do_decide(decision, version=decision.version, actor=world.client_pm, outcome="Alipay")  # type: ignore[arg-type]

    build = Task.objects.get(pk=plan.build.pk)
    assert build.held_until is None and build.hold_reason == ""
    assert build.start == free_start  # right after the finished design again
    golive = Task.objects.get(pk=plan.golive.pk)
    assert golive.finish is not None and golive_held is not None and golive.finish < golive_held
    verbs = list(Activity.objects.filter(project=world.project).values_list("verb", flat=True))
    assert "held" in verbs and "released" in verbs


def test_a_future_due_date_holds_until_that_day_and_withdrawal_releases(plan: Plan) -> None:
    world = plan.world
    due = timezone.localdate() + dt.timedelta(days=40)
    decision = _decision(plan, plan.build, due=due)
    build = Task.objects.get(pk=plan.build.pk)
    assert _day(build.held_until, plan) == due
    assert _day(build.start, plan) >= due
    services.do_withdraw_decision(decision, version=decision.version, actor=world.pm)  # type: ignore[arg-type]
    assert Task.objects.get(pk=plan.build.pk).held_until is None


def test_the_hold_combines_with_a_later_snet_and_leaves_other_constraints(plan: Plan) -> None:
    world, zone = plan.world, scheduling.zone_of(plan.world.project)
    late = dt.datetime(2027, 3, 1, 8, 0, tzinfo=zone)
    planning.do_update_task(
        plan.build,
        version=plan.build.version,
        actor=world.pm,
        constraint_type=ConstraintType.SNET,
        constraint_date=late,
    )
    _decision(plan, plan.build, plan.golive, due=timezone.localdate())
    build = Task.objects.get(pk=plan.build.pk)
    assert build.held_until is not None and build.held_until < late
    assert build.start == late  # the later of the two
    assert build.constraint_type == ConstraintType.SNET and build.constraint_date == late


def test_daily_refresh_moves_the_hold_of_an_overdue_decision(plan: Plan) -> None:
    world = plan.world
    _decision(plan, plan.build, due=dt.date(2026, 1, 9))
    first = Task.objects.get(pk=plan.build.pk).held_until
    later_day = timezone.localdate() + dt.timedelta(days=14)
    changed = services.refresh_decision_holds(world.project, today=later_day)
    assert [t.pk for t in changed] == [plan.build.pk]
    build = Task.objects.get(pk=plan.build.pk)
    assert first is not None and build.held_until is not None and build.held_until > first
    assert _day(build.start, plan) > later_day
    assert services.refresh_decision_holds(world.project, today=later_day) == []  # nothing moves twice


def test_the_clock_moves_the_hold_of_an_overdue_decision_once_a_day(plan: Plan) -> None:
    _decision(plan, plan.build, due=dt.date(2026, 1, 9))
    first = Task.objects.get(pk=plan.build.pk).held_until
    zone = scheduling.zone_of(plan.world.project)
    later = dt.datetime.combine(timezone.localdate() + dt.timedelta(days=14), dt.time(0, 5), tzinfo=zone)
    clock.tick(later)
    build = Task.objects.get(pk=plan.build.pk)
    assert first is not None and build.held_until is not None and build.held_until > first
    assert _day(build.start, plan) > later.date()
    moved = Activity.objects.filter(target_id=str(plan.build.pk), verb="held").count()
    # Another tick that day, even after the hold was put back by hand, does nothing: the day is done.
    Task.objects.filter(pk=plan.build.pk).update(held_until=first)
    clock.tick(later + dt.timedelta(hours=12))
    assert Task.objects.get(pk=plan.build.pk).held_until == first
    assert Activity.objects.filter(target_id=str(plan.build.pk), verb="held").count() == moved
    clock.tick(later + dt.timedelta(days=1))  # the next day it moves again
    assert Task.objects.get(pk=plan.build.pk).held_until != first


def test_what_a_client_sees_after_deciding_never_includes_internal_tasks(plan: Plan) -> None:
    _finish_design(plan)
    world = plan.world
    decision = _decision(plan, plan.build, plan.secret, due=dt.date(2026, 1, 9))
    services.do_decide(decision, version=decision.version, actor=world.client_pm, outcome="Alipay")  # type: ignore[arg-type]
    seen = queries.access_decision(world.client_pm, world.project, decision.pk)  # type: ignore[attr-defined]
    assert [t.pk for t in seen.shown_tasks] == [plan.build.pk]  # type: ignore[attr-defined]
    team = queries.access_decision(world.pm, world.project, decision.pk)  # type: ignore[attr-defined]
    assert {t.pk for t in team.shown_tasks} == {plan.build.pk, plan.secret.pk}  # type: ignore[attr-defined]
    client_activity = Activity.objects.visible_to(world.client_pm).filter(project=world.project)
    assert not client_activity.filter(target_id=plan.secret.pk, verb__in=["held", "released"]).exists()
    assert client_activity.filter(target_id=plan.build.pk, verb="released").exists()


def test_delay_impact_ignores_the_decisions_own_hold(plan: Plan) -> None:
    world = plan.world
    decision = _decision(plan, plan.build, due=dt.date(2026, 1, 9))
    impact = queries.decision_delay_impact(world.pm, decision)  # type: ignore[arg-type]
    assert impact.blocked and impact.blocked[0].slip_days == 1.0
    assert impact.milestone_slip_days == 1.0


@pytest.mark.parametrize("today", [dt.date(2026, 12, 4), dt.date(2026, 12, 5), dt.date(2026, 12, 6)])
def test_a_day_of_delay_costs_a_working_day_whatever_day_it_is(plan: Plan, today: dt.date) -> None:
    """On a Saturday or Sunday the decision can come on Monday at the earliest: one day later is Tuesday."""
    decision = _decision(plan, plan.build, due=dt.date(2026, 1, 9))
    impact = queries.decision_delay_impact(plan.world.pm, decision, today=today)  # type: ignore[arg-type]
    assert impact.blocked and impact.blocked[0].slip_days == 1.0
    assert impact.milestone_slip_days == 1.0


def _rebuilt_without_own_hold(
    plan: queries._PlanInMemory, project: object, blocked_ids: set[int], others: dict[int, dt.datetime]
) -> object:
    """The network as built from scratch with the blocked rows held by the other decisions only."""
    kept = {pk: plan.by_id[pk].held_until for pk in blocked_ids}
    for pk in kept:
        plan.by_id[pk].held_until = others.get(pk)
    links = scheduling.load_links(project)  # type: ignore[arg-type]
    network = scheduling.build_network(project, plan.tasks, links, plan.calendars)  # type: ignore[arg-type]
    for pk, held_until in kept.items():
        plan.by_id[pk].held_until = held_until
    return network


def test_the_impacts_of_several_decisions_read_the_plan_once_and_equal_networks_built_anew(
    plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The project home shows up to three overdue decisions: their impacts share one read of the plan
    and its network, each with its own blocked rows held by the other decisions only, and come out
    as they do with the network built from scratch for each decision."""
    world = plan.world
    first = _decision(plan, plan.build, due=dt.date(2026, 1, 9))
    second = _decision(plan, plan.build, plan.golive, due=dt.date(2026, 1, 12))  # holds what ``first`` holds
    third = _decision(plan, plan.secret, due=dt.date(2026, 1, 14))
    decisions = [first, second, third]
    reads: list[object] = []
    real_load = scheduling.load_rows
    monkeypatch.setattr(scheduling, "load_rows", lambda *a, **k: reads.append(a) or real_load(*a, **k))
    shared = queries.decision_delay_impacts(world.pm, decisions, today=dt.date(2026, 1, 7))  # type: ignore[arg-type]
    assert len(reads) == 1
    monkeypatch.setattr(queries, "_without_own_hold", _rebuilt_without_own_hold)
    scheduling.forget_derived_from_plan()  # computed from scratch, not from the plan kept above
    anew = [queries.decision_delay_impact(world.pm, d, today=dt.date(2026, 1, 7)) for d in decisions]  # type: ignore[arg-type]
    assert [(i.blocked, i.milestones, i.from_day, i.to_day) for i in shared] == [
        (i.blocked, i.milestones, i.from_day, i.to_day) for i in anew
    ]
    assert any(i.blocked for i in shared)


def test_the_plan_behind_delay_impacts_is_read_once_per_plan_revision(
    plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The project home computes the impacts on every view: the plan they are computed from is kept
    per process under the plan's revision, and any change of the plan (even one that moves no date)
    is a new revision, read again."""
    world = plan.world
    decision = _decision(plan, plan.build, due=dt.date(2026, 1, 9))
    reads: list[object] = []
    real_load = scheduling.load_rows
    # The reads without a reschedule's memo: the impacts' own (a reschedule reads the plan too).
    monkeypatch.setattr(
        scheduling, "load_rows", lambda *a, **k: (len(a) == 1 and reads.append(a)) or real_load(*a, **k)
    )
    schedules: list[object] = []
    real_schedule = queries.engine.schedule
    monkeypatch.setattr(
        queries.engine, "schedule", lambda *a, **k: schedules.append(a) or real_schedule(*a, **k)
    )
    day = dt.date(2026, 1, 7)
    first = queries.decision_delay_impact(world.pm, decision, today=day)  # type: ignore[arg-type]
    again = queries.decision_delay_impact(world.pm, decision, today=day)  # type: ignore[arg-type]
    assert len(reads) == 1
    assert len(schedules) == 2  # decided today and a day later, once: the second view scheduled nothing
    assert (again.blocked, again.milestones) == (first.blocked, first.milestones)

    revision = scheduling.plan_revision(world.project)
    golive = Task.objects.get(pk=plan.golive.pk)
    planning.do_update_task(golive, version=golive.version, actor=world.pm, name="Launch")  # no date moves
    assert scheduling.plan_revision(world.project) != revision
    renamed = queries.decision_delay_impact(world.pm, decision, today=day)  # type: ignore[arg-type]
    assert len(reads) == 2
    assert [s.task.name for s in renamed.milestones] == ["Launch"]

    # A milestone added after the blocked task is in the next answer, not left out by the kept plan.
    extra = planning.do_add_task(
        world.project, actor=world.pm, name="Pilot", kind="milestone", duration_minutes=0
    )
    planning.do_add_dependency(
        world.project, predecessor_id=plan.build.pk, successor_id=extra.pk, actor=world.pm
    )
    after = queries.decision_delay_impact(world.pm, decision, today=day)  # type: ignore[arg-type]
    assert extra.pk in {s.task.pk for s in after.milestones}
    assert len(reads) == 3


def test_an_emptied_plan_is_a_new_revision(plan: Plan) -> None:
    """The reschedule after the last task's deletion has no rows to schedule: it still draws a new
    revision, or values kept for the plan with that task would still be served."""
    world = plan.world
    top = list(Task.objects.filter(project=world.project, parent__isnull=True).order_by("id"))
    for task in top[:-1]:
        planning.do_delete_task(task, version=Task.objects.get(pk=task.pk).version, actor=world.pm)
    last = Task.objects.get(pk=top[-1].pk)
    revision = scheduling.plan_revision(world.project)
    assert revision
    planning.do_delete_task(last, version=last.version, actor=world.pm)
    assert not Task.objects.filter(project=world.project).exists()
    assert scheduling.plan_revision(world.project) not in (0, revision)


def test_inside_a_write_the_plan_is_read_as_the_transaction_sees_it(plan: Plan) -> None:
    """A change request's edits reschedule once at the end: between them the revision is the old
    one, so nothing kept under it is used inside the transaction."""
    project = plan.world.project
    calls: list[int] = []

    def build() -> int:
        calls.append(1)
        return len(scheduling.load_rows(project))

    first = scheduling.derived_from_plan(project, "rows", build)
    assert scheduling.derived_from_plan(project, "rows", build) == first
    assert len(calls) == 1
    with writing.one_reschedule(project):
        planning.do_add_task(project, actor=plan.world.pm, name="Inside", duration_minutes=480)
        assert scheduling.derived_from_plan(project, "rows", build) == first + 1
    assert len(calls) == 2
    assert scheduling.derived_from_plan(project, "rows", build) == first + 1  # a new revision after it
