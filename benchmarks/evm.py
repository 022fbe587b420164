"""Earned value benchmark: ``tandem.costs.evm.earned_value`` on a large plan next to the engine's own
``planned_value`` and ``s_curve`` of the same budget items.

Run: ``.venv/bin/python benchmarks/evm.py [--tasks 5000] [--links 8000] [--entries 20000]``

1. Creates a throwaway SQLite database in a temporary directory (migrated from scratch; nothing
   else is touched), the test personas and their project.
2. Builds ``impact.py``'s seeded plan (summary rows of 50 tasks, milestones, nearby FS links), gives
   every leaf task one of 20 people with a rate (so the plan has work and cost), schedules it, saves
   and approves a baseline, sets a seeded percent complete on the leaves and logs ``--entries``
   approved time entries over the first months.
3. Times, best of ``--repeat``, at a status date a third of the way through the plan:
   ``earned_value`` with the weekly S-curve (what the page and the API read), ``earned_value`` without
   it (what KPI sources and reports read), and the engine alone on the same budget items, built
   beforehand: ``planned_value`` at the status date and ``s_curve`` over the same weekly moments (the
   floor: the app cannot be faster than the engine's arithmetic). Counts ``earned_value``'s queries.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import platform
import pstats
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.impact import best_of, build_plan


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="tandem-evm-")
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
    parser.add_argument("--entries", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile run")
    args = parser.parse_args()

    os.environ["TANDEM_DATABASE_URL"] = f"sqlite:///{Path(workdir) / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tandem.costs import evm
    from tandem.costs.choices import SheetStatus
    from tandem.costs.models import TimeEntry, Timesheet, week_start
    from tandem.planning import scheduling
    from tandem.planning import services as planning
    from tandem.planning.models import BaselineTask, Task
    from tandem.resources.models import Assignment, Rate, Resource
    from tandem.testing.personas import build_world
    from tandem_engine.evm import BudgetItem, planned_value, s_curve

    call_command("migrate", verbosity=0)
    world = build_world(with_records=False)
    project, pm = world.project, world.pm
    rng = random.Random(20261204)

    # ---------------------------------------------------------------- the plan, costed
    began = time.perf_counter()
    build_plan(project, args)
    people = Resource.objects.bulk_create(
        Resource(organization=world.vendor, name=f"Person {n}", role="Developer") for n in range(20)
    )
    Rate.objects.bulk_create(
        Rate(resource=p, effective_from=dt.date(2025, 1, 1), standard_rate=rng.choice((300, 450, 600)))
        for p in people
    )
    leaves = list(Task.objects.filter(project=project, is_summary=False).exclude(duration_minutes=0))
    Assignment.objects.bulk_create(
        (Assignment(project=project, task=t, resource=rng.choice(people), units=100) for t in leaves),
        batch_size=500,
    )
    scheduling.forget_memos()
    scheduling.reschedule(project)
    planning.do_approve_baseline(planning.do_save_baseline(project, name="Agreed", actor=pm), actor=pm)
    for percent in (0, 25, 50, 80, 100):
        ids = [t.pk for t in leaves if rng.random() < 0.2]
        Task.objects.filter(pk__in=ids).update(percent_complete=percent)
    zone = scheduling.zone_of(project)
    rows = list(BaselineTask.objects.filter(baseline__project=project).values_list("start", "finish"))
    first = min(s for s, _f in rows if s).astimezone(zone).date()
    last = max(f for _s, f in rows if f).astimezone(zone).date()
    as_of = first + (last - first) / 3
    sheets: dict[dt.date, Timesheet] = {}
    entries = []
    span = max((as_of - first).days, 1)
    for _n in range(args.entries):
        day = first + dt.timedelta(days=rng.randrange(span))
        if day not in sheets:
            sheets[day] = Timesheet.objects.get_or_create(
                project=project,
                user=world.member,
                week=week_start(day),
                defaults={"status": SheetStatus.APPROVED},
            )[0]
        task = rng.choice(leaves)
        entries.append(
            TimeEntry(
                project=project,
                timesheet=sheets[day],
                task=task,
                user=world.member,
                day=day,
                minutes=rng.choice((60, 120, 240, 480)),
                cost_cents=rng.randrange(10_000, 400_000),
            )
        )
    TimeEntry.objects.bulk_create(entries, batch_size=1000)
    built = time.perf_counter() - began

    # ---------------------------------------------------------------- the reference: the engine alone
    summaries = evm._summaries(
        w for (w,) in BaselineTask.objects.filter(baseline__project=project).values_list("wbs")
    )
    items = [
        BudgetItem(cost, scheduling.to_local(s, zone), scheduling.to_local(f, zone))  # type: ignore[arg-type]
        for wbs, cost, s, f in BaselineTask.objects.filter(baseline__project=project).values_list(
            "wbs", "cost_cents", "start", "finish"
        )
        if wbs not in summaries and cost and s and f
    ]
    calendar = evm._calendar(project, max(f for _s, f in rows if f))
    weeks = [first - dt.timedelta(days=1), *evm._week_ends(first, max(last, as_of))]
    moments = [evm._end_of(day) for day in weeks]

    # ---------------------------------------------------------------- timings
    with CaptureQueriesContext(connection) as queries:
        result = evm.earned_value(project, as_of, viewer=world.client_pm)
    full_s, result = best_of(args.repeat, lambda: evm.earned_value(project, as_of, viewer=world.client_pm))
    figures_s, _r = best_of(args.repeat, lambda: evm.earned_value(project, as_of, with_curve=False))
    pv_s, pv = best_of(args.repeat, lambda: planned_value(items, calendar, evm._end_of(as_of)))
    curve_s, curve = best_of(args.repeat, lambda: s_curve(items, calendar, moments))
    f: Any = result.figures
    assert f is not None and f.pv == round(pv), (f.pv, pv)
    assert [p.pv for p in result.curve if p.ev is None] == [round(v) for v in curve]

    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores")
    print(
        f"plan: {Task.objects.filter(project=project).count()} tasks, {len(items)} costed leaves in the "
        f"baseline, {len(weeks)} weeks, {args.entries} time entries; built in {built:.1f} s"
    )
    print(
        f"as of {as_of}: BAC {f.bac / 100:,.2f}  PV {f.pv / 100:,.2f}  "
        f"EV {f.ev / 100:,.2f}  AC {f.ac / 100:,.2f}"
    )
    print(f"engine planned_value (one date), best of {args.repeat}:   {pv_s * 1000:8.1f} ms")
    print(f"engine s_curve ({len(moments)} weeks), best of {args.repeat}:     {curve_s * 1000:8.1f} ms")
    print(f"earned_value without the curve, best of {args.repeat}:  {figures_s * 1000:8.1f} ms")
    print(f"earned_value with the curve, best of {args.repeat}:     {full_s * 1000:8.1f} ms")
    print(f"earned_value (with curve) / engine (pv + s_curve):   {full_s / (pv_s + curve_s):8.2f} ×")
    print(f"earned_value queries:                          {len(queries):8d}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(evm.earned_value, project, as_of, viewer=world.client_pm)
        stats: Any = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(35)


if __name__ == "__main__":
    main()
