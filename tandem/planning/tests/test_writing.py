"""The plan's write path: a reschedule writes what moved, once per transaction, under one plan lock."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.core import bulk
from tandem.core.bulk import bulk_write, bulk_write_prepared
from tandem.core.models import Activity
from tandem.planning import scheduling, services, writing
from tandem.planning.models import Dependency, Task
from tandem.testing.api import Caller
from tandem.testing.personas import World, build_world
from tandem.testing.plans import DAY, Plan, build_small_plan

from .conftest import at


def _updates(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]


def _chain(world: World, n: int) -> list[Task]:
    """``n`` one-day tasks in a chain, added in one bulk request."""
    outcome = services.do_bulk_plan(
        world.project,
        actor=world.pm,
        create=[{"ref": f"t{i}", "name": f"Step {i}", "duration_minutes": DAY} for i in range(n)],
        links=[{"predecessor_ref": f"t{i}", "successor_ref": f"t{i + 1}"} for i in range(n - 1)],
    )
    return list(Task.objects.filter(pk__in=outcome.created).order_by("start", "id"))


def test_a_second_reschedule_of_an_unchanged_plan_writes_nothing(plan: Plan) -> None:
    with CaptureQueriesContext(connection) as queries:
        scheduling.reschedule(plan.world.project)
    assert _updates(queries) == []


def test_a_duration_change_writes_only_the_rows_it_moved_with_one_statement(world: World) -> None:
    tasks = _chain(world, 6)
    other = services.do_add_task(world.project, actor=world.pm, name="Apart", duration_minutes=DAY)
    last = tasks[-1]
    with CaptureQueriesContext(connection) as queries:
        scheduling_before = Task.objects.get(pk=other.pk).finish
        services.do_update_task(tasks[3], version=tasks[3].version, actor=world.pm, duration_minutes=2 * DAY)
    # The edited row's own save, then one keyed write of the computed columns (on SQLite one prepared
    # statement run for each moved row, which Django logs once as "N times: UPDATE …").
    keyed = [
        q["sql"]
        for q in queries.captured_queries
        if "UPDATE" in q["sql"] and "early_start" in q["sql"] and "updated_at" not in q["sql"]
    ]
    assert len(keyed) == 1
    assert Task.objects.get(pk=other.pk).finish == scheduling_before
    assert Task.objects.get(pk=last.pk).finish == last.finish + dt.timedelta(days=1)


def test_stored_dates_round_trip_exactly_as_save_stores_them(world: World) -> None:
    task = services.do_add_task(world.project, actor=world.pm, name="Dates", duration_minutes=DAY)
    when = at(2026, 3, 2, 13, 30)
    task.early_start, task.late_finish, task.total_float_minutes, task.critical = when, None, -5, True
    assert bulk_write(Task, [task], ["early_start", "late_finish", "total_float_minutes", "critical"]) == 1
    stored = Task.objects.get(pk=task.pk)
    assert (stored.early_start, stored.late_finish, stored.total_float_minutes, stored.critical) == (
        when,
        None,
        -5,
        True,
    )
    # And the reschedule reads them back as unchanged once it has put its own values in place.
    scheduling.reschedule(world.project)
    with CaptureQueriesContext(connection) as queries:
        scheduling.reschedule(world.project)
    assert _updates(queries) == []


def test_an_edit_costs_the_same_number_of_queries_on_a_bigger_plan(world: World) -> None:
    def edit_cost(tasks: list[Task]) -> int:
        task = Task.objects.get(pk=tasks[1].pk)
        with CaptureQueriesContext(connection) as queries:
            services.do_update_task(task, version=task.version, actor=world.pm, duration_minutes=3 * DAY)
        return len(queries)

    small = edit_cost(_chain(world, 5))
    big = edit_cost(_chain(world, 120))
    assert big == small


def test_edits_in_one_block_reschedule_once_at_its_end(plan: Plan, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = scheduling.reschedule

    def counted(project: Any) -> scheduling.Outcome:
        calls.append(project.pk)
        return real(project)

    monkeypatch.setattr(scheduling, "reschedule", counted)
    pm, project = plan.world.pm, plan.world.project
    with writing.one_reschedule(project):
        design = services.do_update_task(
            plan.design, version=plan.design.version, actor=pm, duration_minutes=DAY
        )
        services.do_add_task(project, actor=pm, name="Extra", duration_minutes=DAY)
        services.do_update_task(plan.build, version=plan.build.version, actor=pm, duration_minutes=DAY)
        assert calls == []
    assert calls == [project.pk]
    assert design.version == plan.design.version + 1
    # Design now takes one day, so Build starts on the second day.
    assert plan.fresh(plan.build).start == at(2026, 1, 6)


def test_a_loop_found_at_the_end_of_a_block_rolls_the_whole_block_back(plan: Plan) -> None:
    pm, project = plan.world.pm, plan.world.project
    before = Task.objects.filter(project=project).count()
    with pytest.raises(Exception) as caught, writing.one_reschedule(project):
        services.do_add_task(project, actor=pm, name="Lost", duration_minutes=DAY)
        services.do_add_dependency(
            project, predecessor_id=plan.build.pk, successor_id=plan.design.pk, actor=pm
        )
    assert "loop" in str(caught.value)
    assert Task.objects.filter(project=project).count() == before
    assert not Dependency.objects.filter(predecessor=plan.build, successor=plan.design).exists()


# ---------------------------------------------------------------- the bulk API


def test_the_bulk_api_adds_tasks_under_new_parents_links_them_and_changes_others(plan: Plan) -> None:
    pm = Caller(plan.world, "pm")
    body = {
        "create": [
            {"ref": "ph", "name": "Phase 2", "kind": "phase"},
            {"ref": "a", "parent_ref": "ph", "name": "Migrate", "duration_minutes": DAY},
            {"ref": "b", "parent_ref": "ph", "name": "Verify", "duration_minutes": 2 * DAY},
        ],
        "links": [
            {"predecessor_id": plan.golive.pk, "successor_ref": "a"},
            {"predecessor_ref": "a", "successor_ref": "b", "type": "SS", "lag_minutes": DAY // 2},
        ],
        "update": [{"id": plan.design.pk, "version": plan.design.version, "duration_minutes": DAY}],
    }
    answer = pm.call("POST", "/projects/ERP/tasks/bulk", body)
    assert answer.status == 200, answer.text
    refs = answer.json["refs"]
    assert set(refs) == {"ph", "a", "b"}
    created = {row["name"]: row for row in answer.json["created"]}
    assert created["Migrate"]["parent_id"] == refs["ph"]
    assert created["Phase 2"]["is_summary"] is True
    # Scheduled once, after everything: Design takes a day now, Go-live moved, Migrate follows it.
    assert answer.json["updated"][0]["duration_minutes"] == DAY
    golive = plan.fresh(plan.golive)
    assert created["Migrate"]["start"] is not None
    assert dt.datetime.fromisoformat(created["Migrate"]["start"]) >= golive.finish
    assert len(answer.json["links"]) == 2
    assert (
        Activity.objects.filter(
            project=plan.world.project, verb="added", target_type="planning.task", target_id=str(refs["b"])
        ).count()
        == 1
    )
    assert Activity.objects.filter(project=plan.world.project, verb="linked").count() >= 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"create": [{"name": "ok"}, {"name": ""}]}, "create.1.name"),
        ({"create": [{"name": "x", "parent_ref": "nope"}]}, "create.0.parent_ref"),
        ({"create": [{"name": "x", "ref": "r"}, {"name": "y", "ref": "r"}]}, "create.1.ref"),
        (
            {
                "create": [{"name": "x", "ref": "r"}],
                "links": [{"predecessor_ref": "r", "successor_id": 10**9}],
            },
            "links.0.successor_id",
        ),
        ({"update": [{"id": 10**9, "version": 1, "name": "x"}]}, "update.0.id"),
    ],
)
def test_a_bad_row_refuses_the_whole_bulk_request_naming_it(
    plan: Plan, body: dict[str, Any], field: str
) -> None:
    before = (Task.objects.count(), Dependency.objects.count(), Activity.objects.count())
    answer = Caller(plan.world, "pm").call("POST", "/projects/ERP/tasks/bulk", body)
    assert answer.status in (400, 422), answer.text
    assert field in answer.text
    assert (Task.objects.count(), Dependency.objects.count(), Activity.objects.count()) == before


def test_a_bulk_loop_is_refused_and_nothing_is_stored(plan: Plan) -> None:
    before = Task.objects.count()
    body = {
        "create": [
            {"ref": "a", "name": "A", "duration_minutes": DAY},
            {"ref": "b", "name": "B", "duration_minutes": DAY},
        ],
        "links": [
            {"predecessor_ref": "a", "successor_ref": "b"},
            {"predecessor_ref": "b", "successor_ref": "a"},
        ],
    }
    answer = Caller(plan.world, "pm").call("POST", "/projects/ERP/tasks/bulk", body)
    assert answer.status == 422
    assert "loop" in answer.text
    assert Task.objects.count() == before


def test_a_client_cannot_name_or_add_internal_work_in_bulk(plan: Plan) -> None:
    sponsor = Caller(plan.world, "sponsor")
    hidden = sponsor.call(
        "POST", "/projects/ERP/tasks/bulk", {"create": [{"name": "Mine", "parent_id": plan.secret.pk}]}
    )
    assert hidden.status in (403, 422)
    assert "Margin" not in hidden.text
    viewer = Caller(plan.world, "client_viewer").call(
        "POST", "/projects/ERP/tasks/bulk", {"create": [{"name": "x"}]}
    )
    assert viewer.status == 403


def test_a_bulk_request_costs_queries_by_batch_not_by_row(world: World) -> None:
    def cost(n: int) -> int:
        body = [{"ref": "ph", "name": "Phase", "kind": "phase"}] + [
            {"ref": f"t{i}", "parent_ref": "ph", "name": f"T{i}", "duration_minutes": DAY} for i in range(n)
        ]
        links = [{"predecessor_ref": f"t{i}", "successor_ref": f"t{i + 1}"} for i in range(n - 1)]
        with CaptureQueriesContext(connection) as queries:
            services.do_bulk_plan(world.project, actor=world.pm, create=body, links=links)
        return len(queries)

    cost(3)  # the project calendar is created on the first reschedule
    # Rows are inserted in batches (SQLite caps the parameters of one statement): far below one per row.
    assert cost(200) - cost(10) < 190 / 10


# ---------------------------------------------------------------- concurrent writers


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)")
def test_fifty_simultaneous_edits_of_different_tasks_never_deadlock_or_lose_an_update() -> None:
    world = build_world()
    plan = build_small_plan(world, extra=50)
    tasks = list(Task.objects.filter(project=world.project, name__startswith="Extra").order_by("id"))
    assert len(tasks) == 50
    services.do_bulk_plan(
        world.project,
        actor=world.pm,
        links=[{"predecessor_id": plan.build.pk, "successor_id": t.pk} for t in tasks]
        + [{"predecessor_id": t.pk, "successor_id": plan.golive.pk} for t in tasks],
    )
    tasks = list(Task.objects.filter(pk__in=[t.pk for t in tasks]).order_by("id"))
    audits_before = Activity.objects.filter(verb="updated").count()
    barrier = threading.Barrier(len(tasks))
    answers: dict[int, Any] = {}

    def edit(task: Task, minutes: int) -> None:
        try:
            caller = Caller(world, "pm")
            barrier.wait()
            answers[task.pk] = caller.call(
                "PATCH",
                f"/projects/ERP/tasks/{task.pk}",
                {"version": task.version, "duration_minutes": minutes},
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(task, DAY * (2 + n % 5))) for n, task in enumerate(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(a.status for a in answers.values())
    assert len(statuses) == 50
    assert all(s in (200, 409) for s in statuses), statuses
    succeeded = [pk for pk, a in answers.items() if a.status == 200]
    for n, task in enumerate(tasks):
        if task.pk in succeeded:
            assert Task.objects.get(pk=task.pk).duration_minutes == DAY * (2 + n % 5)
    assert Activity.objects.filter(verb="updated").count() - audits_before == len(succeeded)
    # The plan is consistent: Go-live follows the longest of the edited tasks, as a fresh schedule says.
    longest = max(Task.objects.get(pk=t.pk).finish for t in tasks)
    assert Task.objects.get(pk=plan.golive.pk).start == longest


@pytest.fixture(params=["literals", "copy"])
def write_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each of PostgreSQL's two ways of sending the rows: array literals, and ``COPY`` from one row on."""
    if request.param == "copy":
        if connection.vendor != "postgresql":
            pytest.skip("COPY is PostgreSQL's path; SQLite runs one prepared statement per row")
        monkeypatch.setattr(bulk, "COPY_FROM_ROWS", 1)
    else:
        monkeypatch.setattr(bulk, "COPY_FROM_ROWS", 10**9)
    return str(request.param)


def test_the_keyed_write_stores_any_text_moment_and_null_exactly(world: World, write_path: str) -> None:
    """On PostgreSQL the values travel as array literals or binary ``COPY`` rows: quoting must survive
    every character, a moment its offset and microseconds."""
    names = [
        "plain",
        'a "quoted" name',
        "back\\slash\\",
        "{braces},commas",
        "NULL",
        "",
        "中文 名称",
        "line\nbreak",
    ]
    tasks = [
        services.do_add_task(world.project, actor=world.pm, name=f"t{i}", duration_minutes=DAY) for i in names
    ]
    shanghai = dt.timezone(dt.timedelta(hours=8))
    rows = [
        (
            name,
            dt.datetime(2026, 3, 2, 13, 30, i, 250 * i, tzinfo=shanghai),
            i % 2 == 0,
            -5 * i,
            None,
            task.pk,
        )
        for i, (name, task) in enumerate(zip(names, tasks, strict=True))
    ]
    fields = ("name", "early_start", "critical", "total_float_minutes", "free_float_minutes")
    assert bulk_write_prepared(Task, fields, rows) == len(rows)
    stored = {
        t.pk: (t.name, t.early_start, t.critical, t.total_float_minutes, t.free_float_minutes)
        for t in Task.objects.filter(pk__in=[t.pk for t in tasks])
    }
    assert [stored[row[-1]] for row in rows] == [row[:-1] for row in rows]


def test_on_postgresql_dates_may_travel_as_seconds_since_1970(world: World, write_path: str) -> None:
    """The reschedule's dates go to PostgreSQL as integers that ``to_timestamp`` turns into moments."""
    if connection.vendor != "postgresql":
        pytest.skip("epoch seconds are PostgreSQL's path; SQLite stores the dates' text")
    task = services.do_add_task(world.project, actor=world.pm, name="Epoch", duration_minutes=DAY)
    moment = dt.datetime(2026, 3, 2, 13, 30, tzinfo=dt.UTC)
    rows = [(int(moment.timestamp()), None, -5, task.pk)]
    fields = ("early_start", "late_finish", "total_float_minutes")
    assert bulk_write_prepared(Task, fields, rows, epoch_fields=("early_start", "late_finish")) == 1
    stored = Task.objects.get(pk=task.pk)
    assert (stored.early_start, stored.late_finish, stored.total_float_minutes) == (moment, None, -5)


def test_on_postgresql_a_naive_moment_is_refused_either_way(world: World, write_path: str) -> None:
    """PostgreSQL would read a naive moment in the session's time zone, not as ``save()`` stores it."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite stores what Django's adapter makes of the value")
    task = services.do_add_task(world.project, actor=world.pm, name="Naive", duration_minutes=DAY)
    with pytest.raises(ValueError, match="naive"):
        bulk_write_prepared(Task, ("early_start",), [(dt.datetime(2026, 3, 2, 13, 30), task.pk)])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's path")
def test_a_second_copied_write_in_one_transaction_writes_only_its_own_rows(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The temporary table keeps a transaction's earlier rows until commit; a write must not apply them."""
    monkeypatch.setattr(bulk, "COPY_FROM_ROWS", 1)
    first, second = (
        services.do_add_task(world.project, actor=world.pm, name=name, duration_minutes=DAY)
        for name in ("First", "Second")
    )
    fields = ("total_float_minutes", "critical")
    assert bulk_write_prepared(Task, fields, [(10, True, first.pk)]) == 1
    Task.objects.filter(pk=first.pk).update(total_float_minutes=20)
    assert bulk_write_prepared(Task, fields, [(30, False, second.pk)]) == 1
    stored = dict(Task.objects.filter(pk__in=[first.pk, second.pk]).values_list("pk", "total_float_minutes"))
    assert stored == {first.pk: 20, second.pk: 30}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's path")
def test_a_copied_write_is_counted_as_its_three_statements(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The temporary table, the COPY and the UPDATE: seen by execute wrappers (the X-Query-Count
    header) and by Django's query log (the tests' budgets) alike."""
    monkeypatch.setattr(bulk, "COPY_FROM_ROWS", 1)
    task = services.do_add_task(world.project, actor=world.pm, name="Counted", duration_minutes=DAY)
    wrapped: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        wrapped.append(sql.split()[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count), CaptureQueriesContext(connection) as logged:
        bulk_write_prepared(Task, ("total_float_minutes",), [(7, task.pk)])
    assert wrapped == ["CREATE", "COPY", "UPDATE"]
    assert [q["sql"].split()[0] for q in logged.captured_queries] == wrapped
    assert Task.objects.get(pk=task.pk).total_float_minutes == 7


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's path")
def test_a_reschedule_written_by_copy_is_what_a_fresh_schedule_finds(
    plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every computed column of a reschedule goes through COPY (dates as seconds, floats, flags, WBS)."""
    monkeypatch.setattr(bulk, "COPY_FROM_ROWS", 1)
    design, before = Task.objects.get(pk=plan.design.pk), Task.objects.get(pk=plan.golive.pk).start
    services.do_update_task(design, version=design.version, actor=plan.world.pm, duration_minutes=4 * DAY)
    services.do_add_task(plan.world.project, actor=plan.world.pm, name="After", duration_minutes=DAY)
    scheduling.forget_memos()
    with CaptureQueriesContext(connection) as queries:
        scheduling.reschedule(plan.world.project)
    assert _updates(queries) == []
    assert Task.objects.get(pk=plan.golive.pk).start > before  # two working days later
