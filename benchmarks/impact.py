"""Change-request impact benchmark: ``compute_impact`` on a large plan next to the engine's own schedule.

Run: ``.venv/bin/python benchmarks/impact.py [--tasks 5000] [--links 8000] [--milestones 100] [--profile]``
or ``.venv/bin/python benchmarks/impact.py --mspdi [--tasks 5000]`` (the plan of ``plangen.py``, imported).

1. Creates a throwaway SQLite database in a temporary directory (migrated from scratch; nothing
   else is touched), the test personas and their project.
2. Builds a plan of ``--tasks`` rows with ``bulk_create`` (seeded, so every run builds the same
   plan): summary rows of 50 tasks each, one milestone in fifty rows, ``--links`` finish-to-start
   links between nearby leaf tasks; schedules it once with ``reschedule`` and saves an approved
   baseline. With ``--mspdi`` the plan is ``benchmarks/plangen.py``'s instead, imported as
   ``tandem plan import`` does (the plan the issue measured).
3. Proposes a change request with a few sandbox edits through ``tandem.changes.services`` (add a
   task linked into the plan, lengthen a task, remove a link, remove a task, add a link).
4. Times, best of ``--repeat``: ``compute_impact`` (loads the rows, applies the edits in memory,
   schedules, compares with the plan and the baseline) and ``tandem_engine.schedule`` on the same
   plan's network, built beforehand (the floor: impact analysis cannot be faster than one schedule).
   Counts compute_impact's database queries. ``--profile`` prints the top of a cProfile run.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def best_of(repeat: int, run: Callable[[], T]) -> tuple[float, T]:
    best, result = float("inf"), None
    for _ in range(repeat):
        began = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - began)
    assert result is not None
    return best, result


def build_plan(project: Any, args: argparse.Namespace) -> None:
    """The plan with ``bulk_create``: a summary row per 50 tasks, milestones, nearby FS links; scheduled."""
    from tandem.planning import scheduling
    from tandem.planning.choices import TaskKind
    from tandem.planning.models import Dependency, Task

    rng = random.Random(20261203)
    per_phase = 50
    phases = Task.objects.bulk_create(
        Task(project=project, name=f"Phase {n + 1}", kind=TaskKind.PHASE, position=n)
        for n in range(max(1, args.tasks // (per_phase + 1)))
    )
    rows: list[Task] = []
    milestone_every = max(1, args.tasks // max(1, args.milestones))
    while len(phases) + len(rows) < args.tasks:
        n = len(rows)
        milestone = n % milestone_every == milestone_every - 1
        rows.append(
            Task(
                project=project,
                parent=phases[(n // per_phase) % len(phases)],
                position=n,
                name=f"Milestone {n}" if milestone else f"Task {n}",
                kind=TaskKind.MILESTONE if milestone else TaskKind.TASK,
                duration_minutes=0 if milestone else rng.choice((240, 480, 960, 1440, 2400)),
            )
        )
    leaves = Task.objects.bulk_create(rows, batch_size=500)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < args.links:
        i = rng.randrange(len(leaves) - 1)
        j = min(len(leaves) - 1, i + rng.randint(1, 60))
        pairs.add((leaves[i].pk, leaves[j].pk))
    Dependency.objects.bulk_create(
        (Dependency(project=project, predecessor_id=p, successor_id=s) for p, s in sorted(pairs)),
        batch_size=500,
    )
    scheduling.reschedule(project)


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="tandem-impact-")
    try:
        run(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(workdir: str) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--links", type=int, default=8000)
    parser.add_argument("--milestones", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile run")
    parser.add_argument(
        "--mspdi",
        action="store_true",
        help="import the plan benchmarks/plangen.py generates instead (--tasks rows; as the issue measured)",
    )
    parser.add_argument(
        "--rates",
        action="store_true",
        help="four developers with rates, one assigned to every leaf task; the change is priced by rates",
    )
    parser.add_argument("--dump", type=Path, help="write the impact's JSON there (to compare two versions)")
    args = parser.parse_args()

    os.environ["TANDEM_DATABASE_URL"] = f"sqlite:///{Path(workdir) / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import tandem_engine as engine
    from tandem.changes import impact, services
    from tandem.planning import scheduling
    from tandem.planning import services as planning
    from tandem.planning.choices import TaskKind
    from tandem.planning.models import Dependency, Task
    from tandem.testing.personas import build_world

    call_command("migrate", verbosity=0)
    world = build_world(with_records=False)
    project, pm = world.project, world.pm

    # ---------------------------------------------------------------- the plan
    began = time.perf_counter()
    if args.mspdi:
        from benchmarks.plangen import write_mspdi
        from tandem.planning import interop

        path = Path(workdir) / "plan.xml"
        write_mspdi(path, tasks=args.tasks)
        project = interop.import_plan(path, actor=pm, code="BIG", name="Large plan", client=world.client)
    else:
        build_plan(project, args)
    dev = None
    if args.rates:
        import datetime as dt

        from tandem.resources import services as resource_services
        from tandem.resources.models import Assignment

        devs = []
        for n in range(4):
            person = resource_services.do_add_resource(
                world.vendor, actor=pm, name=f"Dev {n}", cost_per_use=10
            )
            resource_services.do_add_rate(
                person, actor=pm, effective_from=dt.date(2020, 1, 1), standard_rate=80 + 10 * n
            )
            devs.append(person)
        dev = devs[0]
        leaf_ids = (
            Task.objects.filter(project=project, is_summary=False).order_by("id").values_list("pk", flat=True)
        )
        Assignment.objects.bulk_create(
            Assignment(project=project, task_id=pk, resource=devs[k % 4], units=100)
            for k, pk in enumerate(leaf_ids)
        )
        scheduling.reschedule(project)
    baseline = planning.do_save_baseline(project, name="Agreed", actor=pm)
    planning.do_approve_baseline(baseline, actor=pm)
    built = time.perf_counter() - began
    tasks_n = Task.objects.filter(project=project).count()
    links_n = Dependency.objects.filter(project=project).count()
    milestones_n = Task.objects.filter(project=project, kind=TaskKind.MILESTONE).count()
    summaries_n = Task.objects.filter(project=project, is_summary=True).count()
    critical_n = Task.objects.filter(project=project, critical=True, is_summary=False).count()
    leaves = list(Task.objects.filter(project=project, is_summary=False).order_by("id"))

    # ---------------------------------------------------------------- the change request
    request = services.do_propose_change(project, actor=pm, title="Bigger scope")
    middle = leaves[len(leaves) // 2]
    extra: dict[str, object] = {"assignments": [{"resource": dev.pk, "units": 100}]} if dev else {}
    added = services.do_add_edit(
        request,
        actor=pm,
        kind="add_task",
        payload={"name": "Extra reports", "duration_minutes": 4800, **extra},
    )
    ref = impact.new_ref(added.pk)
    services.do_add_edit(
        request, actor=pm, kind="add_link", payload={"predecessor": leaves[10].pk, "successor": ref}
    )
    services.do_add_edit(
        request, actor=pm, kind="add_link", payload={"predecessor": ref, "successor": middle.pk}
    )
    services.do_add_edit(
        request,
        actor=pm,
        kind="change_task",
        payload={"task_id": leaves[100].pk, "duration_minutes": 9600},
    )
    some_link = Dependency.objects.filter(project=project).order_by("id")[links_n // 3]
    services.do_add_edit(request, actor=pm, kind="remove_link", payload={"dependency_id": some_link.pk})
    services.do_add_edit(request, actor=pm, kind="remove_task", payload={"task_id": leaves[-5].pk})
    edits = list(request.edits.all())

    # ---------------------------------------------------------------- timings
    project.refresh_from_db()
    with CaptureQueriesContext(connection) as queries:
        data = impact.compute_impact(project, edits, actor=pm)
    impact_s, data = best_of(args.repeat, lambda: impact.compute_impact(project, edits, actor=pm))

    all_tasks = list(Task.objects.filter(project=project).order_by("id"))
    all_links = list(Dependency.objects.filter(project=project).order_by("id"))
    calendars = scheduling.engine_calendars(project, all_tasks)
    network = scheduling.build_network(project, all_tasks, all_links, calendars)
    schedule_s, result = best_of(args.repeat, lambda: engine.schedule(network))
    fingerprint_s, _digest = best_of(args.repeat, lambda: impact.plan_fingerprint(project))

    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores")
    print(
        f"plan: {tasks_n} tasks ({summaries_n} summary rows, {milestones_n} milestones, "
        f"{critical_n} critical tasks), {links_n} links; built and scheduled in {built:.1f} s"
    )
    print(f"change request: {len(edits)} edits")
    print(f"engine schedule of the plan (floor), best of {args.repeat}: {schedule_s * 1000:8.1f} ms")
    print(f"compute_impact, best of {args.repeat}:                  {impact_s * 1000:8.1f} ms")
    print(f"plan_fingerprint, best of {args.repeat}:                {fingerprint_s * 1000:8.1f} ms")
    print(f"compute_impact / schedule:                     {impact_s / schedule_s:8.1f} ×")
    print(f"compute_impact queries:                        {len(queries):8d}")
    print(
        f"finish: current {data['current_finish']}, new {data['new_finish']}, "
        f"{len(data['milestones'])} milestones compared, engine {result.project_finish:%Y-%m-%d %H:%M}"
    )
    if "cost_delta" in data:
        print(
            f"cost ({data['currency']}): before {data['cost_before']}, after {data['cost_after']}, "
            f"delta {data['cost_delta']}; {len(data['cost_changes'])} tasks change cost"
        )
    if args.dump:
        args.dump.write_text(json.dumps(data, indent=1, sort_keys=True))
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(impact.compute_impact, project, edits, actor=pm)
        stats: Any = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(30)


if __name__ == "__main__":
    main()
