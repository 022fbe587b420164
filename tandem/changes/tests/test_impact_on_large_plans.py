"""Impact analysis on plans with a deep tree: its cost does not grow with the plan, and it predicts the plan.

The plans here are built with ``bulk_create`` (phases holding sub-phases, tasks and milestones; links
between tasks and onto phases) and scheduled once, as an imported plan would be.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.changes import impact, services
from tandem.changes.models import ChangeRequest, SandboxEdit
from tandem.core.choices import Visibility
from tandem.planning import scheduling
from tandem.planning import services as planning
from tandem.planning.choices import TaskKind
from tandem.planning.models import Dependency, Task
from tandem.testing.personas import World

from .conftest import DAY


def grow_plan(world: World, tasks: int, *, seed: int = 7) -> list[Task]:
    """Add ``tasks`` rows to the project's plan (a tenth of them phases and sub-phases), link and schedule it.

    Returns the leaf rows added, in creation order.
    """
    rng = random.Random(seed)
    project = world.project
    start = Task.objects.filter(project=project).count()
    phases: list[Task] = []
    leaves: list[Task] = []
    for n in range(tasks):
        number = start + n
        if n % 10 == 0:
            parent = rng.choice(phases) if phases and rng.random() < 0.4 else None
            phases.append(
                Task.objects.create(
                    project=project,
                    parent=parent,
                    position=number,
                    name=f"Phase {number}",
                    kind=TaskKind.PHASE,
                    visibility=Visibility.INTERNAL if n % 30 == 20 else Visibility.SHARED,
                )
            )
            continue
        milestone = n % 7 == 0
        leaves.append(
            Task(
                project=project,
                parent=phases[-1],
                position=number,
                name=f"{'Milestone' if milestone else 'Task'} {number}",
                kind=TaskKind.MILESTONE if milestone else TaskKind.TASK,
                duration_minutes=0 if milestone else rng.choice((DAY // 2, DAY, 2 * DAY, 5 * DAY)),
            )
        )
    leaves = Task.objects.bulk_create(leaves)
    pairs: set[tuple[int, int]] = set()
    for i, task in enumerate(leaves[:-1]):
        for _ in range(2):
            pairs.add((task.pk, leaves[min(len(leaves) - 1, i + rng.randint(1, 12))].pk))
    parent_of = {t.pk: t.parent_id for t in [*phases, *leaves]}
    last_below: dict[int, int] = {}  # each phase's latest leaf, however deep
    for leaf in leaves:
        node = leaf.parent_id
        while node is not None:
            last_below[node] = max(last_below.get(node, 0), leaf.pk)
            node = parent_of.get(node)
    for phase in phases[1::4]:  # links on summary rows apply to their leaves; these keep the plan acyclic
        later = [t for t in leaves if t.pk > last_below.get(phase.pk, phase.pk) + 3]
        if later:
            pairs.add((phase.pk, later[0].pk))
    Dependency.objects.bulk_create(
        Dependency(project=project, predecessor_id=p, successor_id=s) for p, s in sorted(pairs) if p != s
    )
    scheduling.reschedule(project)
    return leaves


def propose(world: World, leaves: list[Task]) -> ChangeRequest:
    """A request with one edit of every plan kind, written by the PM."""
    pm, project = world.pm, world.project
    request = services.do_propose_change(project, actor=pm, title="Scope change")
    critical = [t for t in leaves if Task.objects.get(pk=t.pk).critical and t.kind == TaskKind.TASK]
    first_phase = Task.objects.filter(project=project, kind=TaskKind.PHASE).order_by("id").first()
    assert first_phase is not None and critical

    def edit(edit_kind: str, **payload: Any) -> SandboxEdit:
        return services.do_add_edit(request, actor=pm, kind=edit_kind, payload=payload)

    added = edit("add_task", name="Data migration", duration_minutes=4 * DAY, parent_id=first_phase.pk)
    signed = edit("add_task", name="Migration signed off", kind=TaskKind.MILESTONE)
    edit("add_link", predecessor=leaves[3].pk, successor=impact.new_ref(added.pk))
    edit("add_link", predecessor=impact.new_ref(added.pk), successor=impact.new_ref(signed.pk))
    edit("add_link", predecessor=impact.new_ref(signed.pk), successor=leaves[len(leaves) // 2].pk)
    edit("change_task", task_id=critical[len(critical) // 3].pk, duration_minutes=9 * DAY)
    edit("change_task", task_id=leaves[1].pk, start="2026-02-02")
    link = Dependency.objects.filter(project=project, predecessor_id=critical[-1].pk).first()
    if link is not None:
        edit("remove_link", dependency_id=link.pk)
    nested = Task.objects.filter(project=project, kind=TaskKind.PHASE, parent__isnull=False).first()
    doomed = nested or Task.objects.filter(project=project, kind=TaskKind.PHASE).last()
    assert doomed is not None
    edit("remove_task", task_id=doomed.pk)
    return ChangeRequest.objects.select_related("project").get(pk=request.pk)


def test_the_queries_of_an_impact_do_not_grow_with_the_plan(world: World) -> None:
    pm, project = world.pm, world.project
    leaves = grow_plan(world, 20)
    planning.do_approve_baseline(planning.do_save_baseline(project, name="Agreed", actor=pm), actor=pm)
    request = propose(world, leaves)
    edits = list(request.edits.all())
    with CaptureQueriesContext(connection) as small:
        small_impact = impact.compute_impact(project, edits, actor=pm)

    grow_plan(world, 200, seed=8)
    with CaptureQueriesContext(connection) as large:
        large_impact = impact.compute_impact(project, edits, actor=pm)

    assert Task.objects.filter(project=project).count() == 220
    assert len(large_impact["milestones"]) > len(small_impact["milestones"])
    # The request's settings; the tasks; the links; the project calendar (looked up, then read with its
    # exceptions); the agreed baseline and its milestones' rows: the same however many rows there are.
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    assert len(small) <= 10


def test_the_impact_predicts_the_plan_the_approval_produces(world: World) -> None:
    pm, project = world.pm, world.project
    grow_plan(world, 60, seed=3)
    planning.do_approve_baseline(planning.do_save_baseline(project, name="Agreed", actor=pm), actor=pm)
    leaves = grow_plan(world, 140, seed=4)
    request = propose(world, leaves)
    before = {t.pk: t for t in Task.objects.filter(project=project)}
    summaries_before = {t.parent_id for t in before.values() if t.parent_id is not None}
    critical_before = {pk for pk, t in before.items() if t.critical and pk not in summaries_before}
    services.do_compute_impact(request, actor=pm)
    request = ChangeRequest.objects.select_related("project").get(pk=request.pk)
    request = services.do_submit_change(request, actor=pm, version=request.version)
    assert request.frozen_impact is not None
    data = request.frozen_impact.data
    decided = services.do_decide_change(
        request, actor=world.sponsor, version=request.version, outcome="approve"
    )
    assert decided.status == "applied"

    # The plan as the approval left it, scheduled from its rows.
    after = {t.pk: t for t in Task.objects.filter(project=project)}
    summaries_after = {t.parent_id for t in after.values() if t.parent_id is not None}
    critical_after = {pk for pk, t in after.items() if t.critical and pk not in summaries_after}
    zone = scheduling.zone_of(project)

    def iso(value: dt.datetime | None) -> str | None:
        return None if value is None else value.astimezone(zone).isoformat()

    assert data["current_finish"] == iso(max(t.finish for t in before.values() if t.finish))
    assert data["new_finish"] == iso(max(t.finish for t in after.values() if t.finish))
    assert data["new_finish"] != data["current_finish"]
    by_name = {t.name: t for t in after.values()}
    removed = [m for m in data["milestones"] if m["removed"]]
    assert removed and all(m["task_id"] not in after and m["new_finish"] is None for m in removed)
    kept = [m for m in data["milestones"] if not m["removed"]]
    assert len(kept) == sum(1 for t in after.values() if t.kind == TaskKind.MILESTONE)
    for milestone in kept:
        row = after[milestone["task_id"]] if milestone["task_id"] else by_name[milestone["name"]]
        assert milestone["new_finish"] == iso(row.finish), milestone["name"]
        if not milestone["added"]:
            assert milestone["current_finish"] == iso(before[row.pk].finish)
    assert [m["name"] for m in data["milestones"] if m["added"]] == ["Migration signed off"]

    def names(pks: set[int], rows: dict[int, Task]) -> list[str]:
        return sorted(rows[pk].name for pk in pks)

    assert sorted(row["name"] for row in data["critical_joins"]) == names(
        critical_after - critical_before, after
    )
    assert sorted(row["name"] for row in data["critical_leaves"]) == names(
        critical_before - critical_after, before
    )
    assert data["critical_joins"] and data["critical_leaves"]
