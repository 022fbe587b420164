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

import tandem_engine
from tandem.core.choices import Visibility
from tandem.planning import scheduling, services
from tandem.planning.choices import TaskKind
from tandem.planning.models import Dependency, PlanStamp, Task
from tandem.testing.personas import World
from tandem.testing.plans import DAY

from .conftest import at

pytestmark = pytest.mark.django_db

COLUMNS = ("id", *scheduling.COMPUTED_FIELDS)


def _computed(world: World) -> list[tuple[Any, ...]]:
    return list(Task.objects.filter(project=world.project).order_by("id").values_list(*COLUMNS))


def _memo(world: World) -> scheduling.PlanMemo | None:
    return scheduling._MEMOS.get((connection.alias, world.project.pk))


def _assert_as_from_scratch(world: World, *, same_memo: bool = False) -> None:
    """A reschedule without any memo finds nothing to change; with ``same_memo``, the tree, leaves and
    expanded links the last edit left in the memo are those a reschedule from scratch makes (its
    activities may differ: a manual row's dates are inputs the reschedule itself can rewrite)."""
    before = _computed(world)
    kept = _memo(world)
    scheduling.forget_memos()
    with CaptureQueriesContext(connection) as queries:
        scheduling.reschedule(world.project)
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert writes == []
    assert _computed(world) == before
    fresh = _memo(world)
    if same_memo and kept is not None and fresh is not None:
        assert kept.tree == fresh.tree
        assert kept.leaves == fresh.leaves
        assert kept.network is not None and fresh.network is not None
        assert kept.network.links == fresh.network.links


def _fresh(task: Task) -> Task:
    return Task.objects.get(pk=task.pk)


def _edit(world: World, rng: random.Random, step: int) -> str:
    """One random edit of the plan, as a planner would make it through the services; returns its kind."""
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
        # Tasks and phases (an empty phase, later given tasks; phases in phases), internal or shared,
        # at the top or in a phase: added at the end, each keeps the others' numbers.
        parent = {"parent_id": rng.choice(phases).pk} if phases and rng.random() < 0.6 else {}
        shared = {"visibility": Visibility.SHARED} if rng.random() < 0.4 else {}
        kind = {"kind": TaskKind.PHASE} if rng.random() < 0.2 else {"duration_minutes": DAY}
        services.do_add_task(project, actor=pm, name=f"Added {step}", **kind, **parent, **shared)
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
        target = _fresh(rng.choice(phases)) if phases and rng.random() < 0.3 else task
        other = Visibility.INTERNAL if target.visibility == Visibility.SHARED else Visibility.SHARED
        services.do_update_task(target, version=target.version, actor=pm, visibility=other)
    elif choice == "delete" and len(leaves) > 3:
        services.do_delete_task(task, version=task.version, actor=pm)
    elif choice == "rollback" and task.kind != TaskKind.MILESTONE:
        # An edit whose transaction fails after its reschedule: the memo saw a plan that never was.
        with pytest.raises(RuntimeError), transaction.atomic():
            services.do_update_task(task, version=task.version, actor=pm, duration_minutes=7 * DAY)
            raise RuntimeError("the rest of the request failed")
    return choice


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
        choice = _edit(world, rng, step)
        # A rolled-back edit leaves a memo of a plan that never was: only the rows are compared then.
        _assert_as_from_scratch(world, same_memo=choice != "rollback")


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


def test_an_added_task_and_link_reschedule_from_the_memo(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A task added at the end of a phase, then linked, keeps every other row's numbers and is
    scheduled from the last result: the tree is not numbered again, nothing scheduled from scratch."""
    _seed_plan(world)
    phase = Task.objects.filter(project=world.project, kind=TaskKind.PHASE).order_by("id").first()
    first = Task.objects.filter(parent=phase).order_by("id").first()
    assert phase is not None and first is not None
    scheduling.reschedule(world.project)
    calls: list[str] = []
    numbering, full = scheduling.number_outline, tandem_engine.cpm.schedule
    monkeypatch.setattr(scheduling, "number_outline", lambda *a: calls.append("numbered") or numbering(*a))
    monkeypatch.setattr(
        tandem_engine.cpm, "schedule", lambda *a, **k: calls.append("scheduled") or full(*a, **k)
    )
    monkeypatch.setattr(scheduling.engine, "schedule", tandem_engine.cpm.schedule)
    task = services.do_add_task(
        world.project, actor=world.pm, name="Late addition", parent_id=phase.pk, duration_minutes=9 * DAY
    )
    services.do_add_dependency(world.project, predecessor_id=first.pk, successor_id=task.pk, actor=world.pm)
    assert calls == []
    monkeypatch.undo()
    assert _fresh(task).start >= _fresh(first).finish
    _assert_as_from_scratch(world)


def test_additions_the_quick_paths_take_leave_the_memo_as_from_scratch(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows and links added at the end in the shapes where numbering them, or expanding the links,
    without redoing the whole plan is easiest to get wrong."""
    _seed_plan(world)
    pm, project = world.pm, world.project
    outer = Task.objects.filter(project=project, kind=TaskKind.PHASE).order_by("id").first()
    driver = Task.objects.filter(parent=outer).order_by("id").first()
    assert outer is not None and driver is not None
    shared = {"visibility": Visibility.SHARED}
    numbered: list[int] = []
    numbering = scheduling.number_outline
    monkeypatch.setattr(scheduling, "number_outline", lambda *a: numbered.append(1) or numbering(*a))

    def add(quick: bool, **data: Any) -> Task:
        numbered.clear()
        task = services.do_add_task(project, actor=pm, name=f"Added {len(data)}", **data)
        assert (numbered == []) is quick
        _assert_as_from_scratch(world, same_memo=True)
        return task

    inner = add(True, kind=TaskKind.PHASE, parent_id=outer.pk, **shared)
    add(False, parent_id=inner.pk, duration_minutes=DAY, **shared)  # the inner phase becomes a summary
    add(True, parent_id=outer.pk, duration_minutes=DAY)  # after the inner phase, in the outer one
    deep = add(True, parent_id=inner.pk, duration_minutes=2 * DAY, **shared)  # amid the outer's leaves
    add(True, duration_minutes=DAY, **shared)  # a shared row at the top
    add(False, parent_id=outer.pk, duration_minutes=DAY, position=0)  # not a last child
    internal = {"visibility": Visibility.INTERNAL}
    hidden = add(True, kind=TaskKind.PHASE, parent_id=outer.pk, **internal)
    add(False, parent_id=hidden.pk, duration_minutes=DAY, **internal)
    add(True, parent_id=hidden.pk, duration_minutes=DAY, **internal)
    add(False, parent_id=hidden.pk, duration_minutes=DAY, **shared)  # numbered among the plan's top rows
    for successor in (deep, inner):  # the phase's link repeats the pair its leaf already has
        services.do_add_dependency(project, predecessor_id=driver.pk, successor_id=successor.pk, actor=pm)
        _assert_as_from_scratch(world, same_memo=True)


def test_a_change_made_behind_the_memo_is_seen(world: World) -> None:
    """A row's inputs changed without the services (another process, a raw update) are read, not assumed."""
    _seed_plan(world)
    task = Task.objects.filter(project=world.project, kind=TaskKind.TASK).order_by("id").first()
    assert task is not None
    scheduling.reschedule(world.project)
    Task.objects.filter(pk=task.pk).update(duration_minutes=9 * DAY)
    scheduling.reschedule(world.project)
    assert _fresh(task).finish - _fresh(task).start > dt.timedelta(days=9)
    _assert_as_from_scratch(world)


def _rows_queries(queries: CaptureQueriesContext) -> tuple[list[str], list[str]]:
    """The statements of reschedules that read the plan's rows: the whole plan's (each row's key,
    with a manual row's dates), and those by id."""
    table = Task._meta.db_table
    selects = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT") and f'FROM "{table}"' in q["sql"]
    ]
    return [sql for sql in selects if "CASE WHEN" in sql], [sql for sql in selects if '"id" IN (' in sql]


def test_a_trusted_reschedule_reads_the_computed_columns_of_changed_rows_only(world: World) -> None:
    """While the plan's stamp is the memo's, the whole plan is read without its computed columns,
    and the computed columns of the edited row alone, by id."""
    _seed_plan(world)
    task = Task.objects.filter(project=world.project, kind=TaskKind.TASK).order_by("id").first()
    assert task is not None
    scheduling.reschedule(world.project)
    memo = _memo(world)
    assert memo is not None and memo.stamp == PlanStamp.objects.get(project=world.project).stamp
    stamp = memo.stamp
    with CaptureQueriesContext(connection) as queries:
        services.do_update_task(task, version=task.version, actor=world.pm, duration_minutes=3 * DAY)
    (whole,), (by_id,) = _rows_queries(queries)
    assert '"early_start"' not in whole
    assert '"early_start"' in by_id
    assert PlanStamp.objects.get(project=world.project).stamp != stamp  # the edit moved rows
    _assert_as_from_scratch(world)


def test_another_reschedule_makes_the_memo_read_the_computed_columns_again(world: World) -> None:
    """Another process's reschedule leaves its own stamp: the memo's computed columns are no longer
    trusted, every row's are read, and what differs from the schedule is written back."""
    _seed_plan(world)
    scheduling.reschedule(world.project)
    # As another process would: other computed values (here, wrong ones) under another stamp.
    Task.objects.filter(project=world.project).update(early_start=None)
    PlanStamp.objects.filter(project=world.project).update(stamp=12345)
    with CaptureQueriesContext(connection) as queries:
        scheduling.reschedule(world.project)
    (whole,), by_id = _rows_queries(queries)
    assert '"early_start"' in whole and by_id == []
    assert not Task.objects.filter(project=world.project, early_start=None).exists()
    assert PlanStamp.objects.get(project=world.project).stamp != 12345
    _assert_as_from_scratch(world)


def test_a_rolled_back_reschedule_leaves_the_memo_untrusted(world: World) -> None:
    """A reschedule whose transaction is rolled back takes its stamp with it: the next reschedule
    reads every row's computed columns (the memo holds dates the database never kept)."""
    _seed_plan(world)
    task = Task.objects.filter(project=world.project, kind=TaskKind.TASK).order_by("id").first()
    assert task is not None
    scheduling.reschedule(world.project)
    before = _computed(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.do_update_task(task, version=task.version, actor=world.pm, duration_minutes=8 * DAY)
        raise RuntimeError("the rest of the request failed")
    assert _computed(world) == before
    fresh = _fresh(task)
    with CaptureQueriesContext(connection) as queries:
        services.do_update_task(fresh, version=fresh.version, actor=world.pm, percent_complete=10)
    (whole,), _by_id = _rows_queries(queries)
    assert '"early_start"' in whole
    _assert_as_from_scratch(world)


def test_a_row_saved_with_other_computed_values_is_read_again(world: World) -> None:
    """``save()`` changes a row's ``updated_at``: a row saved with computed values of its own (a
    stale instance, a script) is read again and gets the schedule's values back."""
    _seed_plan(world)
    task = Task.objects.filter(project=world.project, kind=TaskKind.TASK).order_by("id").last()
    assert task is not None
    scheduling.reschedule(world.project)
    right = _fresh(task).early_start
    row = _fresh(task)
    row.early_start = at(2030, 1, 1, 8, 0)
    row.save()
    scheduling.reschedule(world.project)
    assert _fresh(task).early_start == right
    _assert_as_from_scratch(world)
