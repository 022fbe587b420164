"""The PostgreSQL write of a reschedule: array literals against binary COPY, in the same run.

    .venv/bin/python benchmarks/pg_write.py --database postgres://postgres@127.0.0.1:5432/tandem_bench_write
    .venv/bin/python benchmarks/pg_write.py --database … --rounds 30 --sizes 100,1000,5000

Builds a fresh PostgreSQL database (its name must contain "bench"; dropped afterwards) with the demo
and a generated 5,000-task plan imported as BIG, then, in this process:

1. ``core.bulk.bulk_write_prepared`` writes the moved dates and floats of the first N tasks of BIG
   (the columns and the epoch-second dates a reschedule writes), once with array literals and once
   by COPY, alternating, each in its own transaction, the dates shifted by 8 hours every write so
   every row really changes;
2. the duration change of ``e2e.py`` (``PATCH`` on the earliest critical task, 8 h longer and back,
   through Django's request handler with the PM's token), in pairs by one way then the other;
3. the same 5,000-row write (array literals) into ``planning_task``, into a copy of it without its
   foreign-key triggers, and into a narrow table of only the written columns (both made in the
   throw-away database), alternating: what a side table for the computed columns would save.

For each: the median wall time, this process's CPU (``time.process_time``) and the PostgreSQL
backend's CPU (from ``/proc/<pid>/schedstat``, when the server runs on this machine). The server's
CPU and this process's CPU are what a busy machine shifts least; wall time includes waiting for both.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
from e2e import BIG, chosen_task

#: The two ways, as the row count from which ``bulk_write_prepared`` copies (COPY even for one row).
WAYS = {"array literals": 10**9, "COPY": 1}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True, help="postgres://… (dropped and created)")
    parser.add_argument("--rounds", type=int, default=20, help="writes per way and size (default 20)")
    parser.add_argument("--sizes", default="30,100,300,1000,5000", help="rows per write")
    parser.add_argument("--patches", type=int, default=20, help="PATCH requests per way (default 20)")
    args = parser.parse_args(argv)
    return harness.run_isolated(
        "pg-write", args.database, keep=False, body=lambda env, work: run(args, env, work)
    )


def run(args: argparse.Namespace, env: dict[str, str], workdir: Path) -> int:
    harness.load_demo(env)
    plan = workdir / "plan.xml"
    harness.generate_plan(5000, plan)
    harness.import_plan(env, plan, BIG)
    harness.use_database_here(env)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
        cursor.execute("VACUUM ANALYZE planning_task")
    server = _server_cpu(backend)
    print(harness.machine())
    print()
    print(writes(args, server))
    print()
    print(patches(args, server))
    print()
    print(layouts(args, server))
    harness.close_django_connections()
    return 0


def _server_cpu(pid: int) -> Callable[[], float | None]:
    """The PostgreSQL backend's CPU seconds so far, or None when it is not a process of this machine."""
    path = Path(f"/proc/{pid}/schedstat")

    def read() -> float | None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int(path.read_text().split()[0]) / 1e9
        return None

    return read


@contextlib.contextmanager
def _way(threshold: int) -> Iterator[None]:
    from tandem.core import bulk

    before = bulk.COPY_FROM_ROWS
    bulk.COPY_FROM_ROWS = threshold
    try:
        yield
    finally:
        bulk.COPY_FROM_ROWS = before


def _timed(
    server: Callable[[], float | None], action: Callable[[], Any]
) -> tuple[float, float, float | None]:
    s0, c0, w0 = server(), time.process_time(), time.perf_counter()
    action()
    wall, cpu, s1 = time.perf_counter() - w0, time.process_time() - c0, server()
    return wall, cpu, (s1 - s0 if s0 is not None and s1 is not None else None)


def _cells(samples: list[tuple[float, float, float | None]]) -> list[str]:
    servers = [s for _w, _c, s in samples if s is not None]
    return [
        harness.ms(statistics.median(w for w, _c, _s in samples) * 1000),
        harness.ms(statistics.median(c for _w, c, _s in samples) * 1000),
        harness.ms(statistics.median(servers) * 1000) if servers else "—",
    ]


def writes(args: argparse.Namespace, server: Callable[[], float | None]) -> str:
    """``bulk_write_prepared`` of the reschedule's dates and floats, both ways, alternating."""
    from django.db import connection, transaction

    from tandem.core.bulk import bulk_write_prepared
    from tandem.planning.models import Task
    from tandem.planning.scheduling import COMPUTED_FIELDS

    fields, epochs = COMPUTED_FIELDS[:9], COMPUTED_FIELDS[:6]
    seconds = ", ".join(f"CAST(EXTRACT(EPOCH FROM t.{f}) AS bigint)" for f in epochs)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {seconds}, t.total_float_minutes, t.free_float_minutes, t.critical, t.id"
            " FROM planning_task t JOIN projects_project p ON p.id = t.project_id"
            " WHERE p.code = %s AND t.start IS NOT NULL ORDER BY t.id",
            [BIG],
        )
        stored = cursor.fetchall()
    sizes = [int(n) for n in args.sizes.split(",")]
    samples: dict[tuple[int, str], list[tuple[float, float, float | None]]] = {}
    shift = 0
    for round_ in range(args.rounds + 1):
        for size in sizes:
            ways = list(WAYS.items())
            for way, threshold in ways if round_ % 2 else reversed(ways):
                shift = 8 * 3600 - shift
                rows = [(*(v + shift for v in r[:6]), *r[6:]) for r in stored[:size]]

                def write(rows: list[tuple[Any, ...]] = rows) -> None:
                    with transaction.atomic():
                        bulk_write_prepared(Task, fields, rows, epoch_fields=epochs)

                with _way(threshold):
                    sample = _timed(server, write)
                if round_:  # the first round warms both ways up
                    samples.setdefault((size, way), []).append(sample)
    with _way(WAYS["array literals"]), transaction.atomic():
        bulk_write_prepared(Task, fields, stored, epoch_fields=epochs)
    table = [[f"{size:,}", way, *_cells(samples[size, way])] for size in sizes for way in WAYS]
    header = ["Rows", "Way", "Wall (median)", "Client CPU", "PostgreSQL CPU"]
    return f"Writing the moved rows ({args.rounds} writes per line):\n\n" + harness.markdown_table(
        header, table
    )


def patches(args: argparse.Namespace, server: Callable[[], float | None]) -> str:
    """The duration change of ``e2e.py`` through Django's request handler, in pairs one way then the other."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    task_id, duration = chosen_task(BIG)
    client = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {harness.api_token(harness.PM_EMAIL)}")
    url = f"/api/v1/projects/{BIG}/tasks/{task_id}"
    version = client.get(url).json()["version"]
    from tandem.core.bulk import COPY_FROM_ROWS

    # As shipped: the edited task's own row (its duration changed) is a write of one row.
    shipped = {"array literals": WAYS["array literals"], f"COPY from {COPY_FROM_ROWS} rows": COPY_FROM_ROWS}
    samples: dict[str, list[tuple[float, float, float | None]]] = {way: [] for way in shipped}
    queries: dict[str, int] = {}
    ways = list(shipped.items())
    for i in range(2 * len(ways) * (args.patches // 2 + 1)):
        way, threshold = ways[(i // 2) % len(ways)]
        body = json.dumps({"duration_minutes": duration + (480 if i % 2 == 0 else 0), "version": version})
        answers: list[Any] = []

        def send(body: str = body, answers: list[Any] = answers) -> None:
            answers.append(client.patch(url, body, "application/json"))

        with _way(threshold), CaptureQueriesContext(connection) as logged:
            sample = _timed(server, send)
        answer = answers[0]
        if answer.status_code != 200:
            raise harness.BenchmarkError(f"PATCH answered {answer.status_code}: {answer.content[:300]!r}")
        version = answer.json()["version"]
        if i >= 2 * len(ways):  # the first pair of each way warms up
            samples[way].append(sample)
            queries[way] = len(logged.captured_queries)
    table = [[way, str(len(samples[way])), *_cells(samples[way]), str(queries[way])] for way in shipped]
    header = ["Way", "Requests", "Wall (median)", "Client CPU", "PostgreSQL CPU", "SQL statements"]
    title = "Changing a task's duration on BIG (PATCH in-process; 4,997 task starts move):"
    return f"{title}\n\n{harness.markdown_table(header, table)}"


def layouts(args: argparse.Namespace, server: Callable[[], float | None]) -> str:
    """The 5,000-row write into the task table, a trigger-less copy of it, and a narrow table."""
    from django.db import connection, transaction

    from tandem.core.bulk import bulk_write_prepared
    from tandem.planning.models import Task
    from tandem.planning.scheduling import COMPUTED_FIELDS

    fields, epochs = COMPUTED_FIELDS[:9], COMPUTED_FIELDS[:6]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_task_copy (LIKE planning_task INCLUDING ALL) WITH (fillfactor = 70)"
        )
        cursor.execute("INSERT INTO bench_task_copy SELECT * FROM planning_task")
        cursor.execute(
            "CREATE TABLE bench_task_schedule (id bigint PRIMARY KEY, start timestamptz, finish timestamptz,"
            " early_start timestamptz, early_finish timestamptz, late_start timestamptz,"
            " late_finish timestamptz, total_float_minutes integer, free_float_minutes integer,"
            " critical boolean) WITH (fillfactor = 70)"
        )
        cursor.execute(f"INSERT INTO bench_task_schedule SELECT id, {', '.join(fields)} FROM planning_task")
        cursor.execute("VACUUM ANALYZE bench_task_copy")
        cursor.execute("VACUUM ANALYZE bench_task_schedule")
        cursor.execute(
            "SELECT "
            + ", ".join(f"CAST(EXTRACT(EPOCH FROM {f}) AS bigint)" for f in epochs)
            + ", total_float_minutes, free_float_minutes, critical, id FROM planning_task"
            " WHERE start IS NOT NULL ORDER BY id LIMIT 5000"
        )
        stored = cursor.fetchall()
    tables = {"planning_task": "planning_task", "the same without its triggers": "bench_task_copy"}
    tables["a narrow table of the nine columns"] = "bench_task_schedule"
    samples: dict[str, list[tuple[float, float, float | None]]] = {name: [] for name in tables}
    shift = 0
    for round_ in range(args.rounds + 1):
        for name, table in tables.items():
            shift = 8 * 3600 - shift
            rows = [(*(v + shift for v in r[:6]), *r[6:]) for r in stored]
            Task._meta.db_table = table  # the same model's columns, written into another table

            def write(rows: list[tuple[Any, ...]] = rows) -> None:
                with transaction.atomic():
                    bulk_write_prepared(Task, fields, rows, epoch_fields=epochs)

            try:
                with _way(WAYS["array literals"]):
                    sample = _timed(server, write)
            finally:
                Task._meta.db_table = "planning_task"
            if round_:
                samples[name].append(sample)
    table = [[name, *_cells(samples[name])] for name in tables]
    header = ["Table", "Wall (median)", "Client CPU", "PostgreSQL CPU"]
    title = f"The same write of {len(stored):,} rows into three layouts ({args.rounds} writes each):"
    return f"{title}\n\n{harness.markdown_table(header, table)}"


if __name__ == "__main__":
    sys.exit(main())
