"""Risks on the plan: links to tasks, markers by task, and the contingency buffer of milestones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tandem.core.choices import Visibility
from tandem.planning import scheduling
from tandem.planning import services as planning
from tandem.risks import queries, services
from tandem.risks.choices import RiskLevel, RiskStatus
from tandem.testing.personas import World

from .conftest import Plan


def _risk(world: World, title: str, tasks: list[int], **extra: object) -> object:
    return services.do_add_risk(world.project, actor=world.pm, title=title, task_ids=tasks, **extra)


def test_links_are_set_and_scoped(plan: Plan) -> None:
    world = plan.world
    risk = services.do_add_risk(
        world.project, actor=world.pm, title="Vendor late", task_ids=[plan.build.pk, plan.secret.pk]
    )
    assert {t.pk for t in queries.access_risk(world.pm, world.project, risk.pk).shown_tasks} == {
        plan.build.pk,
        plan.secret.pk,
    }
    # The client sees the shared risk but never its link to the internal task.
    shown = queries.access_risk(world.client_pm, world.project, risk.pk).shown_tasks
    assert [t.pk for t in shown] == [plan.build.pk]
    risk = services.do_update_risk(risk, version=1, actor=world.pm, task_ids=[plan.design.pk])
    assert list(risk.tasks.values_list("id", flat=True)) == [plan.design.pk]


def test_a_client_cannot_link_an_internal_or_foreign_task(plan: Plan) -> None:
    world = plan.world
    with pytest.raises(ValidationError) as err:
        services.do_add_risk(world.project, actor=world.client_pm, title="x", task_ids=[plan.secret.pk])
    assert "task_ids" in err.value.message_dict
    other = planning.do_add_task(world.other_project, actor=world.other_pm, name="Elsewhere")
    with pytest.raises(ValidationError) as err:
        services.do_add_risk(world.project, actor=world.pm, title="x", task_ids=[other.pk])
    assert "task_ids" in err.value.message_dict


def test_markers_by_task_follow_status_and_visibility(plan: Plan) -> None:
    world = plan.world
    _risk(world, "Key user leaves", [plan.build.pk], probability=5, impact=5)
    _risk(world, "Budget cut", [plan.build.pk], probability=1, impact=2, visibility=Visibility.INTERNAL)
    _risk(world, "Old worry", [plan.design.pk], status=RiskStatus.CLOSED)
    _risk(world, "Happened", [plan.design.pk], status=RiskStatus.OCCURRED)
    team = queries.risks_by_task(world.pm, world.project)
    assert [r.title for r in team[plan.build.pk]] == ["Key user leaves", "Budget cut"]
    assert queries.worst_level(team[plan.build.pk]) == RiskLevel.CRITICAL
    assert [r.title for r in team[plan.design.pk]] == ["Happened"]
    client = queries.risks_by_task(world.client_pm, world.project)
    assert [r.title for r in client[plan.build.pk]] == ["Key user leaves"]


def test_cone_walks_links_and_summary_rows() -> None:
    # 1 → 2 (summary of 3, 4); 5 → 2; 4 → 6 (milestone); 7 unrelated; 8 inside summary 9 with 10 → 9.
    tasks = [
        (1, None),
        (2, None),
        (3, 2),
        (4, 2),
        (5, None),
        (6, None),
        (7, None),
        (9, None),
        (8, 9),
        (10, None),
    ]
    links = [(1, 2), (5, 2), (4, 6), (8, 6), (10, 9)]
    cones = queries.predecessor_cone(tasks, links)
    assert cones[6] == {6, 4, 1, 5, 8, 10}
    assert cones[3] == {3, 1, 5}
    assert cones[2] == {2, 3, 4, 1, 5}


def test_milestone_buffer_counts_upstream_open_risks_the_viewer_sees(plan: Plan) -> None:
    world = plan.world
    _risk(world, "Design rework", [plan.design.pk], contingency_days=2)  # upstream via build
    _risk(world, "Cutover", [plan.golive.pk, plan.build.pk], contingency_days=3)  # counted once
    _risk(world, "Internal worry", [plan.build.pk], contingency_days=5, visibility=Visibility.INTERNAL)
    _risk(world, "Margin", [plan.secret.pk], contingency_days=7)  # not upstream of go-live
    _risk(world, "Closed", [plan.design.pk], contingency_days=11, status=RiskStatus.CLOSED)
    team = queries.milestone_buffers(world.pm, world.project)[plan.golive.pk]
    assert team.days == 2 + 3 + 5
    assert {r.title for r in team.risks} == {"Design rework", "Cutover", "Internal worry"}
    client = queries.milestone_buffers(world.client_pm, world.project)[plan.golive.pk]
    assert client.days == 2 + 3
    assert "Internal worry" not in {r.title for r in client.risks}


def test_a_shared_risk_on_an_internal_task_does_not_reach_the_client(plan: Plan) -> None:
    world = plan.world
    planning.do_add_dependency(
        world.project, predecessor_id=plan.secret.pk, successor_id=plan.golive.pk, actor=world.pm
    )
    _risk(world, "Margin", [plan.secret.pk], contingency_days=4)
    assert queries.milestone_buffers(world.pm, world.project)[plan.golive.pk].days == 4
    assert queries.milestone_buffers(world.client_pm, world.project)[plan.golive.pk].days == 0


def test_buffered_finish_adds_working_days(plan: Plan) -> None:
    world = plan.world
    zone = scheduling.zone_of(world.project)
    friday = dt.datetime(2026, 1, 9, 17, 0, tzinfo=zone)
    moved = queries.Buffer(3, []).finish(world.project, friday)
    assert moved == dt.datetime(2026, 1, 14, 17, 0, tzinfo=zone)  # Mon, Tue, Wed
    assert queries.Buffer(0, []).finish(world.project, friday) == friday
    assert queries.Buffer(3, []).finish(world.project, None) is None
