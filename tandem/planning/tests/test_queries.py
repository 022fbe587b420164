"""The read side: what each side sees, baseline comparison, progress flags, and constant query counts."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.core.scoping import ClientLens
from tandem.planning import queries, scheduling, services
from tandem.planning.models import Task

from .conftest import DAY, Plan, at


def test_a_client_never_sees_an_internal_task_its_links_or_counts(plan: Plan) -> None:
    world = plan.world
    for who in ("client_viewer", "client_pm", "sponsor"):
        viewer = world.people[who]
        names = [t.name for t in queries.plan_of(viewer, world.project)]
        assert "Margin review" not in names and len(names) == 4
        links = {
            (d.predecessor.name, d.successor.name) for d in queries.dependencies_of(viewer, world.project)
        }
        assert links == {("Design", "Build"), ("Build", "Go-live")}
        assert queries.plan_summary(viewer, world.project)["tasks"] == 3
    assert queries.plan_summary(world.member, world.project)["tasks"] == 4
    assert len(queries.dependencies_of(world.member, world.project)) == 3
    lens = ClientLens(world.pm)
    assert "Margin review" not in [t.name for t in queries.plan_of(lens, world.project)]
    assert queries.plan_of(world.other_client, world.project).count() == 0
    assert queries.plan_of(world.outsider, world.project).count() == 0


def test_a_client_sees_shared_rows_under_an_internal_phase_as_top_level(plan: Plan) -> None:
    world = plan.world
    services.do_update_task(plan.phase, version=plan.phase.version, actor=world.pm, visibility="internal")
    rows = {
        t.name: (t.shown_wbs, t.shown_parent_id) for t in queries.plan_of(world.client_viewer, world.project)
    }
    assert rows == {"Design": ("1", None), "Build": ("2", None), "Go-live": ("3", None)}
    team = {t.name: (t.shown_wbs, t.shown_parent_id) for t in queries.plan_of(world.pm, world.project)}
    assert team["Design"] == ("1.1", plan.phase.pk)


def test_baseline_comparison_gives_the_variance_per_task(plan: Plan) -> None:
    world = plan.world
    baseline = services.do_save_baseline(world.project, name="B1", actor=world.pm)
    services.do_update_task(plan.design, version=1, actor=world.pm, duration_minutes=4 * DAY)
    rows = {
        v.task.name: v for v in queries.compare_with_baseline(world.client_viewer, world.project, baseline)
    }
    assert set(rows) == {"Phase 1", "Design", "Build", "Go-live"}
    assert rows["Design"].start_variance_minutes == 0 and rows["Design"].finish_variance_minutes == 2 * DAY
    assert rows["Go-live"].finish_variance_minutes == 2 * DAY and rows["Go-live"].slipped
    assert rows["Go-live"].baseline_finish == at(2026, 1, 9, 17)


def test_the_agreed_plan_is_the_latest_approved_baseline(plan: Plan) -> None:
    world = plan.world
    assert queries.agreed_baseline(world.client_viewer, world.project) is None
    first = services.do_save_baseline(world.project, name="B1", actor=world.pm)
    services.do_approve_baseline(first, actor=world.pm)
    services.do_save_baseline(world.project, name="B2 (not approved)", actor=world.pm)
    agreed = queries.agreed_baseline(world.client_viewer, world.project)
    assert agreed is not None and agreed.name == "B1"


def test_overdue_slipping_and_milestone_forecast(plan: Plan) -> None:
    world = plan.world
    baseline = services.do_save_baseline(world.project, name="B1", actor=world.pm)
    services.do_approve_baseline(baseline, actor=world.pm)
    services.do_update_task(plan.build, version=plan.build.version, actor=world.pm, duration_minutes=5 * DAY)
    now = at(2026, 1, 8, 12)
    overdue, _slipping = queries.flagged_tasks(world.pm, world.project, now=now)
    assert [t.name for t in overdue] == ["Design", "Margin review"]
    overdue, slipping = queries.flagged_tasks(world.client_viewer, world.project, now=now)
    assert [t.name for t in overdue] == ["Design"]
    assert {t.name for t in slipping} == {"Phase 1", "Build", "Go-live"}
    agreed, forecast = queries.milestone_forecast(world.client_viewer, world.project)
    assert agreed == baseline
    [golive] = forecast
    assert golive.forecast == at(2026, 1, 13, 17) and golive.variance_minutes == 2 * DAY and golive.slipping


def test_the_pages_flags_and_the_apis_flagged_tasks_name_the_same_rows_in_one_query(plan: Plan) -> None:
    world = plan.world
    now = at(2026, 1, 8, 12)
    names = {t.pk: t.name for t in Task.objects.filter(project=world.project)}

    def flags(viewer: Any, baseline: Any, at_: Any = now, **kw: Any) -> tuple[set[str], set[str]]:
        with CaptureQueriesContext(connection) as ctx:
            overdue, slipping = queries.flags_of(viewer, world.project, baseline, now=at_, **kw)
        assert len(ctx.captured_queries) == 1
        if not kw:  # the API's answer: the same rows, as tasks
            listed = queries.flagged_tasks(viewer, world.project, now=at_)
            assert ({t.pk for t in listed[0]}, {t.pk for t in listed[1]}) == (overdue, slipping)
        return {names[pk] for pk in overdue}, {names[pk] for pk in slipping}

    # Without an agreed baseline only deadlines make a task slip: give one row a deadline it misses.
    Task.objects.filter(pk=plan.design.pk).update(deadline=at(2026, 1, 1, 12))
    assert flags(world.pm, None) == ({"Design", "Margin review"}, {"Design"})
    assert flags(world.client_viewer, None) == ({"Design"}, {"Design"})  # the internal row is not read
    baseline = services.do_save_baseline(world.project, name="B1", actor=world.pm)
    services.do_approve_baseline(baseline, actor=world.pm)
    services.do_update_task(plan.build, version=plan.build.version, actor=world.pm, duration_minutes=5 * DAY)
    later_than_agreed = {"Phase 1", "Design", "Build", "Go-live"}
    assert flags(world.pm, baseline) == ({"Design", "Margin review"}, later_than_agreed)
    assert flags(world.client_viewer, baseline) == ({"Design"}, later_than_agreed)
    # Later, the slipping summary row has finished too: slipping, never overdue (its leaves are).
    later = at(2026, 3, 2, 12)
    assert flags(world.pm, baseline, later) == (
        {"Design", "Build", "Margin review", "Go-live"},
        later_than_agreed,
    )
    # Among given ids only.
    assert flags(world.pm, baseline, ids=[plan.build.pk]) == (set(), {"Build"})


def test_list_queries_do_not_grow_with_the_plan(plan: Plan) -> None:
    world = plan.world
    baseline = services.do_save_baseline(world.project, name="B1", actor=world.pm)

    def count() -> int:
        scheduling.forget_derived_from_plan()  # the calendar is kept per plan revision: count its read
        with CaptureQueriesContext(connection) as ctx:
            list(queries.plan_of(world.client_viewer, world.project))  # 1 tasks with owners
            list(queries.dependencies_of(world.client_viewer, world.project))  # 1 links with both tasks
            # compare: 1 baseline rows, 1 tasks, 1 plan revision, 2 project calendar with its exceptions
            queries.compare_with_baseline(world.client_viewer, world.project, baseline)
        return len(ctx.captured_queries)

    count()  # warms the per-request cache of the viewer's membership
    before = count()
    for n in range(10):
        task = services.do_add_task(
            world.project, actor=world.pm, name=f"Extra {n}", duration_minutes=DAY, owner_id=world.member.pk
        )
        services.do_add_dependency(
            world.project, predecessor_id=plan.build.pk, successor_id=task.pk, actor=world.pm
        )
    assert count() == before
    assert Task.objects.filter(project=world.project).count() == 15
