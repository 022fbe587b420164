"""The reschedule's memo: reusing the last reschedule never changes what a reschedule computes.

Each test edits a plan through the services (which reschedule with the memo of the previous edit),
then forgets every memo and reschedules from scratch: that second reschedule must find every row
already right, i.e. write nothing and leave every computed column as it was.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tandem.core.choices import Visibility
from tandem.planning import scheduling, services
from tandem.planning.choices import TaskKind
from tandem.planning.models import Dependency, Task
from tandem.testing.personas import World
from tandem.testing.plans import DAY

from .conftest import at

pytestmark = pytest.mark.django_db

COLUMNS = ("id", *scheduling.COMPUTED_FIELDS)


def _computed(world: World) -> list[tuple[Any, ...]]:
    return list(Task.objects.filter(project=world.project).order_by("id").values_list(*COLUMNS))


def _assert_as_from_scratch(world: World) -> None:
    """A reschedule without any memo finds nothing to change."""
    before = _computed(world)
    scheduling.forget_memos()
    with CaptureQueriesContext(connection) as queries:
        scheduling.reschedule(world.project)
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert writes == []
    assert _computed(world) == before


def _fresh(task: Task) -> Task:
    return Task.objects.get(pk=task.pk)


def _edit(world: World, rng: random.Random, step: int) -> None:
    """One random edit of the plan, as a planner would make it through the services."""
    pm, project = world.pm, world.project
    tasks = list(Task.objects.filter(project=project).order_by("id"))
    leaves = [t for t in tasks if not t.is_summary]
    phases = [t for t in tasks if t.kind == TaskKind.PHASE]
    edits = "duration duration duration add link unlink move constraint progress manual visibility delete"
    edits += " rollback"
    choice = rng.choice(edits.split())
    task = _fresh(rng.choice(leaves))
    if choice == "duration" and task.kind != TaskKind.MILESTONE:
        minutes = rng.choice([DAY // 2, DAY, 2 * DAY, 5 * DAY])
        services.do_update_task(task, version=task.version, actor=pm, duration_minutes=minutes)
    elif choice == "add":
        parent = {"parent_id": rng.choice(phases).pk} if phases and rng.random() < 0.6 else {}
        services.do_add_task(project, actor=pm, name=f"Added {step}", duration_minutes=DAY, **parent)
    elif choice == "link":
        a, b = sorted(rng.sample(tasks, 2), key=lambda t: t.pk)
        exists = Dependency.objects.filter(predecessor_id=a.pk, successor_id=b.pk).exists()
        if not exists and a.parent_id != b.pk and b.parent_id != a.pk:
            try:
                with transaction.atomic():
                    services.do_add_dependency(
                        project,
                        predecessor_id=a.pk,
                        successor_id=b.pk,
                        actor=pm,
                        type=rng.choice(["FS", "SS"]),
                    )
            except Exception:  # a loop or a link a summary cannot take: refused, nothing written
                pass
    elif choice == "unlink":
        link = Dependency.objects.filter(project=project).order_by("?").first()
        if link is not None:
            services.do_remove_dependency(link, actor=pm)
    elif choice == "move" and phases:
        services.do_move_task(task, version=task.version, actor=pm, parent_id=rng.choice(phases).pk)
    elif choice == "constraint":
        services.do_update_task(
            task,
            version=task.version,
            actor=pm,
            constraint_type="SNET",
            constraint_date=at(2026, 1, 5 + rng.randrange(20), 8, 0),
        )
    elif choice == "progress":
        services.do_update_task(
            task, version=task.version, actor=pm, percent_complete=rng.choice([0, 30, 100])
        )
    elif choice == "manual" and task.kind != TaskKind.MILESTONE:
        start = at(2026, 1, 6 + rng.randrange(10), 8, 0)
        services.do_update_task(
            task,
            version=task.version,
            actor=pm,
            manual=True,
            start=start,
            finish=start + dt.timedelta(days=1),
        )
    elif choice == "visibility":
        other = Visibility.INTERNAL if task.visibility == Visibility.SHARED else Visibility.SHARED
        services.do_update_task(task, version=task.version, actor=pm, visibility=other)
    elif choice == "delete" and len(leaves) > 3:
        services.do_delete_task(task, version=task.version, actor=pm)
    elif choice == "rollback" and task.kind != TaskKind.MILESTONE:
        # An edit whose transaction fails after its reschedule: the memo saw a plan that never was.
        with pytest.raises(RuntimeError), transaction.atomic():
            services.do_update_task(task, version=task.version, actor=pm, duration_minutes=7 * DAY)
            raise RuntimeError("the rest of the request failed")


def _seed_plan(world: World) -> None:
    pm, project = world.pm, world.project
    for p in range(3):
        phase = services.do_add_task(project, actor=pm, name=f"Phase {p}", kind=TaskKind.PHASE)
        previous = None
        for i in range(5):
            kind = {"kind": TaskKind.MILESTONE} if i == 4 else {"duration_minutes": DAY * (1 + i % 3)}
            task = services.do_add_task(project, actor=pm, name=f"P{p} T{i}", parent_id=phase.pk, **kind)
            if previous is not None:
                services.do_add_dependency(
                    project, predecessor_id=previous.pk, successor_id=task.pk, actor=pm
                )
            previous = task


@pytest.mark.parametrize("seed", range(6))
def test_random_edits_reschedule_as_from_scratch(world: World, seed: int) -> None:
    _seed_plan(world)
    rng = random.Random(seed)
    for step in range(25):
        _edit(world, rng, step)
        _assert_as_from_scratch(world)


def test_a_duration_change_reuses_the_last_schedule(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit that changes only durations reschedules incrementally from the memo, not from scratch."""
    _seed_plan(world)
    task = Task.objects.filter(project=world.project, kind=TaskKind.TASK).order_by("id").first()
    assert task is not None
    scheduling.reschedule(world.project)  # the memo of the plan as it stands
    full: list[object] = []
    real = scheduling.engine.schedule
    monkeypatch.setattr(scheduling.engine, "schedule", lambda *a, **k: full.append(1) or real(*a, **k))
    services.do_update_task(task, version=task.version, actor=world.pm, duration_minutes=4 * DAY)
    assert full == []
    _assert_as_from_scratch(world)


def test_a_change_made_behind_the_memo_is_seen(world: World) -> None:
    """A row changed without the services (another process, a raw update) is read, not assumed."""
    _seed_plan(world)
    task = Task.objects.filter(project=world.project, kind=TaskKind.TASK).order_by("id").first()
    assert task is not None
    scheduling.reschedule(world.project)
    Task.objects.filter(pk=task.pk).update(duration_minutes=9 * DAY)
    Task.objects.filter(project=world.project).exclude(pk=task.pk).update(early_start=None)
    scheduling.reschedule(world.project)
    assert _fresh(task).finish - _fresh(task).start > dt.timedelta(days=9)
    _assert_as_from_scratch(world)
