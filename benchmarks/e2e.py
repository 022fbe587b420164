"""End-to-end benchmark: a large plan used through the real server, as its project manager.

    .venv/bin/python benchmarks/e2e.py                 # 5,000 tasks on SQLite
    .venv/bin/python benchmarks/e2e.py --tasks 20000   # 20,000 tasks
    .venv/bin/python benchmarks/e2e.py --database postgres://postgres@127.0.0.1:5432/tandem_bench
    .venv/bin/python benchmarks/e2e.py --quick         # a smoke run: 500 tasks, 3 runs each

Builds a fresh database (the demo, for its people and a small plan to compare with), generates an
MS Project file with ``benchmarks/plangen.py`` and imports it with ``tandem plan import`` (timed),
adds 500 requirements traced to tasks, starts ``tandem serve`` and times each measure through HTTP:
median and p95 of the client's times, the answer's size, and the server's SQL count and own time
(from the ``X-Query-Count`` and ``Server-Timing`` headers it sends when TANDEM_QUERY_COUNT_HEADER=1).
Beside the writes, the engine's own time for the same schedule, measured in the same run on the
network built from the database: the floor no request can go under. Prints Markdown tables; exits
non-zero when a step fails or a request answers an unexpected status. Stops the server and drops
the database it made, on failure too.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
from harness import PM_EMAIL, Sample, summarise

BIG = "BIG"


@dataclass
class Measure:
    """One line of the results table."""

    project: str
    name: str
    samples: list[Sample] = field(default_factory=list)
    floor: str = "—"
    note: str = ""
    failed: str = ""


@dataclass
class Floor:
    """The engine's own times on the plan, measured in this process (milliseconds)."""

    tasks: int = 0
    links: int = 0
    load_ms: float = 0.0
    build_ms: float = 0.0
    schedule_ms: float = 0.0
    incremental_ms: float = 0.0
    added_ms: float = 0.0


@dataclass
class Bench:
    """A run's state: where the server is, who calls, what was measured."""

    base: str
    client: httpx.Client
    web: httpx.Client
    runs: int
    budget: float
    measures: list[Measure] = field(default_factory=list)

    def measure(
        self,
        project: str,
        name: str,
        send: Callable[[int], tuple[Sample, httpx.Response]],
        *,
        ok: tuple[int, ...] = (200,),
        warm: bool = False,
        runs: int | None = None,
        floor: str = "—",
    ) -> Measure:
        """Time ``send(i)`` ``runs`` times (fewer once the time budget is spent, but at least once)."""
        row = Measure(project, name, floor=floor)
        self.measures.append(row)
        runs = runs or self.runs
        started = time.monotonic()
        try:
            if warm:
                send(-1)
            for i in range(runs):
                sample, response = send(i)
                if sample.status not in ok:
                    row.failed = f"HTTP {sample.status}: {response.text[:300]}"
                    break
                row.samples.append(sample)
                if time.monotonic() - started > self.budget:
                    row.note = f"stopped after {i + 1} runs (budget {self.budget:.0f} s)"
                    break
        except (httpx.HTTPError, harness.BenchmarkError, KeyError, ValueError) as exc:
            row.failed = f"{type(exc).__name__}: {exc}"
        print(f"  {project} · {name}: {_cell(row)}", file=sys.stderr, flush=True)
        return row

    def api(self, method: str, path: str, **kwargs: Any) -> tuple[Sample, httpx.Response]:
        """A timed API call with the PM's token."""
        return harness.timed(self.client, method, f"{self.base}/api/v1{path}", **kwargs)

    def page(self, path: str) -> tuple[Sample, httpx.Response]:
        """A timed page (or page data) request with the PM's session."""
        return harness.timed(self.web, "GET", f"{self.base}{path}")


def _cell(row: Measure) -> str:
    if row.failed:
        return "FAILED " + row.failed
    if not row.samples:
        return row.note or "no sample"
    s = summarise(row.samples)
    return f"median {harness.ms(s.median_ms)}, p95 {harness.ms(s.p95_ms)}, {s.queries} queries"


# ---------------------------------------------------------------------------------------------
# Setting up: the plan, the requirements, the engine's floor


def add_requirements(code: str, count: int) -> None:
    """``count`` requirements through the service (numbered, versioned, audited), each traced to two tasks."""
    from tandem.accounts.models import User
    from tandem.planning.models import Task
    from tandem.projects.models import Project
    from tandem.requirements.models import TraceLink
    from tandem.requirements.services import do_create_requirement

    pm = User.objects.get(email=PM_EMAIL)
    project = Project.objects.get(code=code)
    leaves = list(
        Task.objects.filter(project=project, is_summary=False).order_by("id").values_list("id", flat=True)
    )
    links = []
    for i in range(count):
        requirement = do_create_requirement(
            project,
            actor=pm,
            title=f"Requirement {i + 1}: the system records stock movements of store {i % 97}",
            description=f"**Why**: stores reconcile stock daily.\n\n- movement kinds\n- audit of changes {i}",
            priority=("must", "should", "could")[i % 3],
            acceptance_criteria=[f"A movement of store {i % 97} shows within a minute", "Totals reconcile"],
        )
        for task_id in (leaves[(7 * i) % len(leaves)], leaves[(7 * i + 3) % len(leaves)]):
            links.append(TraceLink(requirement=requirement, task_id=task_id, created_by=pm))
    TraceLink.objects.bulk_create(links, ignore_conflicts=True)


def chosen_task(code: str) -> tuple[int, int]:
    """(id, duration) of the leaf task whose change moves most of the plan: the earliest critical one."""
    from tandem.planning.models import Task

    leaves = Task.objects.filter(project__code=code, is_summary=False, kind="task", manual=False)
    task = (
        leaves.filter(critical=True).order_by("early_start", "id").first()
        or leaves.order_by("early_start").first()
    )
    if task is None:
        raise harness.BenchmarkError(f"{code} has no task to change.")
    return task.pk, task.duration_minutes


def starts_of(code: str) -> dict[int, Any]:
    """Every task's start, to count how many a change moved."""
    from tandem.planning.models import Task

    return dict(Task.objects.filter(project__code=code).values_list("id", "start"))


def engine_floor(code: str, task_id: int, duration: int, repeats: int = 5) -> Floor:
    """The engine's own times on the plan as the database holds it: load, build, schedule, reschedule."""
    import tandem_engine as engine
    from tandem.planning import scheduling
    from tandem.planning.models import Dependency, Task
    from tandem.projects.models import Project

    project = Project.objects.get(code=code)
    started = time.perf_counter()
    tasks = list(Task.objects.filter(project=project).order_by("id"))
    links = list(Dependency.objects.filter(project=project).order_by("id"))
    calendars = scheduling.engine_calendars(project, tasks, [])
    scheduling.number_outline(tasks)
    floor = Floor(tasks=len(tasks), links=len(links), load_ms=(time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    network = scheduling.build_network(project, tasks, links, calendars)
    floor.build_ms = (time.perf_counter() - started) * 1000
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = engine.schedule(network)
        times.append((time.perf_counter() - started) * 1000)
    floor.schedule_ms = statistics.median(times)
    assert result is not None
    times = []
    for i in range(repeats):
        started = time.perf_counter()
        result.with_durations({task_id: duration + 480 * (i + 1)})
        times.append((time.perf_counter() - started) * 1000)
    floor.incremental_ms = statistics.median(times)
    times = []
    for i in range(repeats):
        # A task added after the chosen one, as the benchmark's add and link do.
        added = engine.Activity(-1 - i, duration=480)
        extended = dataclasses.replace(
            network,
            activities=(*network.activities, added),
            links=(*network.links, engine.Link(task_id, added.id)),
        )
        started = time.perf_counter()
        result.with_additions(extended)
        times.append((time.perf_counter() - started) * 1000)
    floor.added_ms = statistics.median(times)
    return floor


def bulk_project(code: str) -> None:
    """An empty project the PM manages, for the bulk create (so the big plan keeps its size)."""
    from tandem.accounts.models import User
    from tandem.projects.models import Project
    from tandem.projects.services import do_create_project

    pm = User.objects.get(email=PM_EMAIL)
    do_create_project(code=code, name=f"Bulk {code}", client=Project.objects.get(code=BIG).client, actor=pm)


# ---------------------------------------------------------------------------------------------
# The measures


def reads(bench: Bench, code: str) -> None:
    """The pages and API reads of a plan: Gantt, board, lists, traceability, exports, the PDF."""
    plan = f"/projects/{code}/plan"
    bench.measure(code, "Gantt page data (JSON)", lambda i: bench.page(f"{plan}/gantt/data/"), warm=True)
    bench.measure(code, "Gantt page (HTML)", lambda i: bench.page(f"{plan}/gantt/"), warm=True)
    bench.measure(code, "Board page", lambda i: bench.page(f"{plan}/board/"), warm=True)
    bench.measure(code, "Task list page", lambda i: bench.page(f"{plan}/list/"), warm=True)
    bench.measure(
        code, "API task list (first page)", lambda i: bench.api("GET", f"/projects/{code}/tasks"), warm=True
    )
    bench.measure(
        code, "Traceability API", lambda i: bench.api("GET", f"/projects/{code}/traceability"), warm=True
    )
    for name in ("plan.xml", "plan.csv", "plan.xlsx"):
        bench.measure(
            code, f"Export {name}", lambda i, n=name: bench.api("GET", f"/projects/{code}/{n}"), warm=True
        )
    bench.measure(code, "Requirements spec PDF", lambda i: pdf(bench, code), warm=False)


def pdf(bench: Bench, code: str) -> tuple[Sample, httpx.Response]:
    """The specification as PDF; when the server answers 202 (a background job), wait for the file."""
    sample, response = bench.api("GET", f"/projects/{code}/requirements.pdf")
    if response.status_code != 202:
        return sample, response
    started = time.perf_counter() - sample.seconds
    follow = response.headers.get("Location") or _job_url(response)
    if not follow:
        raise harness.BenchmarkError("202 without a Location or a job URL to follow")
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        polled, answer = harness.timed(bench.client, "GET", httpx.URL(bench.base).join(follow))
        if answer.status_code == 200 and answer.headers.get("Content-Type", "").startswith("application/pdf"):
            done = Sample(time.perf_counter() - started, 200, polled.size, polled.queries, polled.server_ms)
            return done, answer
        if answer.status_code == 200 and (url := _job_url(answer)) and url != follow:
            follow = url
        elif answer.status_code not in (200, 202):
            return polled, answer
        time.sleep(0.2)
    raise harness.BenchmarkError("the PDF job did not finish within 300 s")


def _job_url(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    for key in ("download_url", "result_url", "file_url", "url", "status_url"):
        if isinstance(data.get(key), str) and data[key]:
            return str(data[key])
    return ""


def writes(bench: Bench, code: str, floor: Floor | None) -> None:
    """Change a duration so the plan moves, add tasks, link them after an existing task."""
    task_id, duration = chosen_task(code)
    harness.close_django_connections()
    full = f"schedule {harness.ms(floor.schedule_ms)}" if floor else "—"
    incremental = f"incremental {harness.ms(floor.incremental_ms)} · {full}" if floor else "—"
    added_floor = f"with_additions {harness.ms(floor.added_ms)} · {full}" if floor else "—"
    version = {
        "value": bench.client.get(f"{bench.base}/api/v1/projects/{code}/tasks/{task_id}").json()["version"]
    }
    before = starts_of(code)
    harness.close_django_connections()
    moved: list[int] = []

    def patch(i: int) -> tuple[Sample, httpx.Response]:
        # Alternately longer and back, so every run moves the rest of the plan.
        body = {"duration_minutes": duration + (480 if i % 2 == 0 else 0), "version": version["value"]}
        sample, response = bench.api("PATCH", f"/projects/{code}/tasks/{task_id}", json=body)
        if response.status_code == 200:
            version["value"] = response.json()["version"]
        if i == 0:  # how far the first change reached once its answer came back (not timed)
            moved.append(sum(1 for pk, start in starts_of(code).items() if before.get(pk) != start))
            harness.close_django_connections()
        return sample, response

    row = bench.measure(code, "Change a task's duration (PATCH)", patch, floor=incremental)
    if moved:
        row.note = (row.note + "; " if row.note else "") + f"the first change moved {moved[0]:,} task starts"

    added: list[int] = []

    def add_task(i: int) -> tuple[Sample, httpx.Response]:
        body = {"name": f"Benchmark task {i + 1}", "duration_minutes": 480}
        sample, response = bench.api("POST", f"/projects/{code}/tasks", json=body)
        if response.status_code == 201:
            added.append(response.json()["id"])
        return sample, response

    bench.measure(code, "Add a task (POST)", add_task, ok=(201,), floor=added_floor)

    def add_link(i: int) -> tuple[Sample, httpx.Response]:
        body = {"predecessor_id": task_id, "successor_id": added[i], "type": "FS"}
        return bench.api("POST", f"/projects/{code}/dependencies", json=body)

    bench.measure(
        code,
        "Add a link (POST dependencies)",
        add_link,
        ok=(201,),
        runs=len(added) or 1,
        floor=added_floor,
    )


def change_impact(bench: Bench, code: str, floor: Floor | None) -> None:
    """A change request with six plan edits; the impact computation is timed."""
    from tandem.planning.models import Task

    leaves = list(
        Task.objects.filter(project__code=code, is_summary=False, kind="task", manual=False)
        .order_by("early_start", "id")
        .values_list("id", "duration_minutes")[:200:40]
    )
    harness.close_django_connections()
    change = bench.client.post(
        f"{bench.base}/api/v1/projects/{code}/changes",
        json={"title": "Benchmark change: a second data migration rehearsal", "description": "Timed."},
    )
    if change.status_code != 201:
        bench.measures.append(
            Measure(code, "Change-request impact", failed=f"propose: HTTP {change.status_code}")
        )
        return
    ref = change.json()["code"]
    edits: list[dict[str, Any]] = [
        {"kind": "change_task", "payload": {"task_id": pk, "duration_minutes": minutes + 960}}
        for pk, minutes in leaves
    ]
    edits.append({"kind": "add_task", "payload": {"name": "Second rehearsal", "duration_minutes": 2400}})
    for edit in edits:
        answer = bench.client.post(f"{bench.base}/api/v1/projects/{code}/changes/{ref}/edits", json=edit)
        if answer.status_code != 201:
            bench.measures.append(
                Measure(
                    code,
                    "Change-request impact",
                    failed=f"edit: HTTP {answer.status_code} {answer.text[:200]}",
                )
            )
            return
    new_id = answer.json()["id"]
    bench.client.post(
        f"{bench.base}/api/v1/projects/{code}/changes/{ref}/edits",
        json={
            "kind": "add_link",
            "payload": {"predecessor": leaves[0][0], "successor": f"new-{new_id}", "type": "FS"},
        },
    )
    floor_text = f"2 × schedule {harness.ms(floor.schedule_ms)}" if floor else "—"
    bench.measure(
        code,
        f"Change-request impact ({len(edits) + 1} edits)",
        lambda i: bench.api("POST", f"/projects/{code}/changes/{ref}/impact"),
        ok=(201,),
        floor=floor_text,
    )


def bulk_create(bench: Bench, count: int) -> None:
    """``count`` tasks in one request, each run into its own empty project."""
    codes = [f"BULK{i + 1}" for i in range(bench.runs)]
    for code in codes:
        bulk_project(code)
    harness.close_django_connections()
    tasks = [{"name": f"Bulk task {n + 1}", "duration_minutes": 480} for n in range(count)]
    probe = bench.client.post(
        f"{bench.base}/api/v1/projects/{codes[0]}/tasks/bulk", json={"create": tasks[:1]}
    )
    if probe.status_code in (404, 405):
        bench.measures.append(
            Measure("BULK*", f"Bulk create {count:,} tasks", note=f"not available (HTTP {probe.status_code})")
        )
        print(f"  bulk create: not available (HTTP {probe.status_code})", file=sys.stderr)
        return
    bench.measure(
        "BULK*",
        f"Bulk create {count:,} tasks (POST tasks/bulk)",
        lambda i: bench.api("POST", f"/projects/{codes[i]}/tasks/bulk", json={"create": tasks}),
        ok=(200, 201),
        runs=len(codes),
    )


# ---------------------------------------------------------------------------------------------
# The run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=5000, help="tasks in the generated plan (default 5,000)")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 500 tasks, 3 runs, 50 requirements"
    )
    parser.add_argument(
        "--runs", type=int, default=0, help="timed runs per measure (default 7; 3 with --quick)"
    )
    parser.add_argument(
        "--budget", type=float, default=120, help="seconds after which a measure stops repeating"
    )
    parser.add_argument("--database", default="", help="postgres://… (dropped and created); default SQLite")
    parser.add_argument("--plan", type=Path, help="import this MSPDI file instead of generating one")
    parser.add_argument("--requirements", type=int, default=0, help="requirements to add (default 500)")
    parser.add_argument("--bulk", type=int, default=0, help="tasks in the bulk create (default 5,000)")
    parser.add_argument(
        "--import-runs", type=int, default=1, help="times the import is timed (new project each)"
    )
    parser.add_argument("--no-demo", action="store_true", help="skip the small-plan (demo) measures")
    parser.add_argument(
        "--keep", action="store_true", help="keep the PostgreSQL database and the work directory"
    )
    parser.add_argument("--json", type=Path, help="also write every sample here")
    args = parser.parse_args(argv)
    if args.quick:
        args.tasks = 500 if args.tasks == 5000 else args.tasks
    runs = args.runs or (3 if args.quick else 7)
    requirements = args.requirements or (50 if args.quick else 500)
    bulk = args.bulk or (500 if args.quick else 5000)

    return harness.run_isolated(
        "e2e",
        args.database,
        keep=args.keep,
        body=lambda env, workdir: run(args, env, workdir, runs=runs, requirements=requirements, bulk=bulk),
    )


def run(
    args: argparse.Namespace, env: dict[str, str], workdir: Path, *, runs: int, requirements: int, bulk: int
) -> int:
    """Set up, measure, print; 0 when every measure answered as expected."""
    step = _stepper()
    harness.load_demo(env)
    step("database and demo")
    plan = args.plan or workdir / "plan.xml"
    if not args.plan:
        harness.generate_plan(args.tasks, plan)
    step(f"plan generated ({plan.stat().st_size / 1e6:.1f} MB)")
    start_up = time.perf_counter()
    harness.tandem(env, "version")
    start_up = time.perf_counter() - start_up
    import_times = [
        harness.import_plan(env, plan, BIG if i == 0 else f"IMP{i}") for i in range(args.import_runs)
    ]
    step("imported")

    harness.use_database_here(env)
    token = harness.api_token(PM_EMAIL)
    cookie = harness.session_cookie(PM_EMAIL)
    add_requirements(BIG, requirements)
    step(f"{requirements} requirements")
    task_id, duration = chosen_task(BIG)
    floor = engine_floor(BIG, task_id, duration)
    step("engine floor")
    harness.close_django_connections()

    database = "PostgreSQL" if args.database else "SQLite"
    measures: list[Measure] = []
    imports = [Sample(t, 0, plan.stat().st_size, None, None) for t in import_times]
    measures.append(
        Measure(
            BIG,
            "MS Project import (CLI, whole command)",
            imports,
            floor=f"schedule {harness.ms(floor.schedule_ms)}",
            note=f"includes {start_up:.2f} s of process start (`tandem version`)",
        )
    )
    with (
        harness.running_server(env, workdir) as server,
        httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=600) as client,
        httpx.Client(cookies={cookie[0]: cookie[1]}, timeout=600) as web,
    ):
        base = server.base
        step("server up")
        bench = Bench(base, client, web, runs=runs, budget=args.budget, measures=measures)
        for _ in range(16):  # every gunicorn worker (up to 8, as shipped) imports and warms its caches
            web.get(f"{base}/projects/{harness.DEMO_CODE}/plan/gantt/data/")
        if not args.no_demo:
            reads(bench, harness.DEMO_CODE)
            writes(bench, harness.DEMO_CODE, None)
        reads(bench, BIG)
        writes(bench, BIG, floor)
        change_impact(bench, BIG, floor)
        bulk_create(bench, bulk)
        step("measured")

    source = f"from {args.plan.name}" if args.plan else f"{args.tasks:,} generated"
    print(report(measures, floor, database=database, source=source, runs=runs, requirements=requirements))
    if args.json:
        args.json.write_text(json.dumps([_as_json(m) for m in measures], indent=1))
    failed = [m for m in measures if m.failed]
    for m in failed:
        print(f"FAILED: {m.project} · {m.name}: {m.failed}", file=sys.stderr)
    for line in harness.server_problems(workdir) if failed else []:
        print(f"server: {line}", file=sys.stderr)
    return 1 if failed else 0


def _stepper() -> Callable[[str], None]:
    last = [time.perf_counter()]

    def step(what: str) -> None:
        now = time.perf_counter()
        print(f"[{now - last[0]:7.1f} s] {what}", file=sys.stderr, flush=True)
        last[0] = now

    return step


def report(
    measures: list[Measure], floor: Floor, *, database: str, source: str, runs: int, requirements: int
) -> str:
    """The Markdown the README records."""
    rows = []
    for m in measures:
        if m.failed:
            rows.append([m.project, m.name, "—", "**FAILED**", "", "", "", "", m.floor, m.failed[:120]])
            continue
        if not m.samples:
            rows.append([m.project, m.name, "0", "—", "—", "—", "—", "—", m.floor, m.note])
            continue
        s = summarise(m.samples)
        rows.append(
            [
                m.project,
                m.name,
                str(s.runs),
                harness.ms(s.median_ms),
                harness.ms(s.p95_ms),
                harness.human_size(s.size),
                "—" if s.queries is None else str(s.queries),
                harness.ms(s.server_ms),
                m.floor,
                m.note,
            ]
        )
    header = [
        "Plan",
        "Measure",
        "Runs",
        "Median",
        "p95",
        "Size",
        "SQL queries",
        "Server time",
        "Engine floor",
        "Note",
    ]
    return "\n".join(
        [
            f"**{database}**, plan {BIG} of {floor.tasks:,} rows ({source}), "
            f"{floor.links:,} links, "
            f"{requirements} requirements; {runs} timed runs per measure (p95 = nearest rank).",
            "",
            harness.machine(),
            "",
            harness.markdown_table(header, rows),
            "",
            f"Engine floor on {BIG} (same run, in-process): loading the rows and calendars "
            f"{harness.ms(floor.load_ms)}, building the network {harness.ms(floor.build_ms)}, "
            f"full schedule {harness.ms(floor.schedule_ms)} (median of 5), "
            f"reschedule after one duration change (`with_durations`) {harness.ms(floor.incremental_ms)}, "
            f"after a task and its link added (`with_additions`) {harness.ms(floor.added_ms)}.",
        ]
    )


def _as_json(m: Measure) -> dict[str, Any]:
    return {
        "project": m.project,
        "name": m.name,
        "floor": m.floor,
        "note": m.note,
        "failed": m.failed,
        "samples": [s.__dict__ for s in m.samples],
    }


if __name__ == "__main__":
    sys.exit(main())
