"""CPM benchmark: Tandem's full schedule of a 100,000-activity plan against reference implementations.

Run: ``.venv/bin/python benchmarks/cpm.py [--tasks 100000] [--no-mpxj]``

1. Builds a random layered network (about two links per activity; 70 % FS, 10 % each SS/FF/SF,
   a fifth lagged, some negative) on MS Project's standard calendar.
2. Times ``tandem_engine.schedule`` (forward + backward pass, floats, critical path), says which
   path it took (the vectorised one for this plan), and times once the generic path and reading
   every activity's dates from the result.
3. Times rescheduling a 10,000-activity plan after one duration change (before MPXJ, whose JVM
   keeps working in the background after its run) and checks some against schedules from scratch.
4. Times a networkx topological forward pass (all link types and lags, in working minutes) and
   checks that it finds the same project length as Tandem.
5. If the ``mpxj`` package and Java are present, schedules the same network with MPXJ's
   ``MicrosoftScheduler`` and checks that it finds the same project finish.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TypeVar

import networkx as nx

from tandem_engine import (
    Activity,
    Calendar,
    LagUnit,
    Link,
    LinkType,
    Network,
    schedule,
    working_minutes_between,
)
from tandem_engine.cpm import _schedule_generic, fast_path_refusal

T = TypeVar("T")
START = datetime(2026, 11, 23, 8, 0)
CALENDAR = Calendar.standard("standard")


def build(tasks: int, links_per_task: float = 2.0, seed: int = 20261123, fs_only: bool = False) -> Network:
    """A random DAG: activity i links forward to activities within the next ~200 (plans are local)."""
    rng = random.Random(seed)
    activities = tuple(
        Activity(
            i,
            duration=rng.choice((0, 240, 480, 960, 1440, 2400, 4800)) if i % 50 else 0,
            milestone=i % 50 == 0,
        )
        for i in range(tasks)
    )
    kinds = [LinkType.FS] * 7 + [LinkType.SS, LinkType.FF, LinkType.SF]
    links: list[Link] = []
    seen: set[tuple[int, int]] = set()
    target = int(tasks * links_per_task)
    while len(links) < target:
        a = rng.randrange(tasks - 1)
        b = min(tasks - 1, a + 1 + int(rng.expovariate(1 / 60)))
        if (a, b) in seen:
            continue
        seen.add((a, b))
        kind = LinkType.FS if fs_only else rng.choice(kinds)
        lag = 0.0 if fs_only or rng.random() > 0.2 else float(rng.choice((-480, -240, 240, 480, 960, 2400)))
        links.append(Link(a, b, kind, lag, LagUnit.WORKING))
    return Network(activities, tuple(links), {"standard": CALENDAR}, "standard", START)


def best_of(runs: int, func: Callable[[], T]) -> tuple[float, float, T]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        value = func()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times), value


_NX_CODES = {
    LinkType.FS: (False, True),
    LinkType.SS: (True, True),
    LinkType.FF: (False, False),
    LinkType.SF: (True, False),
}


def networkx_forward(network: Network) -> int:
    """Project length in working minutes by a topological forward pass (all four link types, lags).

    On one calendar every date is a count of working minutes from the project start, so the pass is
    integer arithmetic: a start- or finish-driving end plus the lag bounds the successor's start or
    finish; nothing starts before the project start.
    """
    graph = nx.DiGraph()
    durations = {a.id: a.duration for a in network.activities}
    graph.add_nodes_from(durations)
    for link in network.links:
        graph.add_edge(link.predecessor, link.successor, code=_NX_CODES[link.type], lag=round(link.lag))
    start: dict[object, int] = {}
    finish: dict[object, int] = {}
    for node in nx.topological_sort(graph):
        d = durations[node]
        earliest = 0
        for pred, _, data in graph.in_edges(node, data=True):
            from_start, to_start = data["code"]
            t = (start[pred] if from_start else finish[pred]) + data["lag"]
            earliest = max(earliest, t if to_start else t - d)
        start[node] = earliest
        finish[node] = earliest + d
    return max(finish.values())


def mpxj_finish(network: Network) -> tuple[float, datetime] | None:
    """Schedule ``network`` with MPXJ's MicrosoftScheduler; (seconds, project finish), or None."""
    try:
        import jpype
        import mpxj  # noqa: F401 - starts nothing, adds the jars to the class path
    except ImportError:
        return None
    if not jpype.isJVMStarted():
        jpype.startJVM()
    from java.time import LocalDateTime
    from org.mpxj import Duration, ProjectFile, Relation, RelationType, TimeUnit
    from org.mpxj.cpm import MicrosoftScheduler

    types = {
        LinkType.FS: RelationType.FINISH_START,
        LinkType.SS: RelationType.START_START,
        LinkType.FF: RelationType.FINISH_FINISH,
        LinkType.SF: RelationType.START_FINISH,
    }
    project = ProjectFile()
    calendar = project.addDefaultBaseCalendar()
    project.setDefaultCalendar(calendar)
    tasks = {}
    no_work = Duration.getInstance(0.0, TimeUnit.HOURS)
    for activity in network.activities:
        task = project.addTask()
        task.setName(str(activity.id))
        duration = Duration.getInstance(activity.duration / 60.0, TimeUnit.HOURS)
        task.setDuration(duration)
        task.setActualDuration(no_work)  # the scheduler wants progress stated, even when there is none
        task.setRemainingDuration(duration)
        task.setMilestone(activity.milestone)
        tasks[activity.id] = task
    for link in network.links:
        tasks[link.successor].addPredecessor(
            Relation.Builder()
            .predecessorTask(tasks[link.predecessor])
            .type(types[link.type])
            .lag(Duration.getInstance(link.lag / 60.0, TimeUnit.HOURS))
        )
    start = LocalDateTime.of(START.year, START.month, START.day, START.hour, START.minute)
    t0 = time.perf_counter()
    MicrosoftScheduler().schedule(project, start)
    elapsed = time.perf_counter() - t0
    finish = max(t.getFinish() for t in project.getTasks())
    return elapsed, datetime.fromisoformat(str(finish))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--no-mpxj", action="store_true")
    args = parser.parse_args()
    print(f"CPython {platform.python_version()} on {platform.machine()}, {args.tasks} activities")

    t0 = time.perf_counter()
    network = build(args.tasks)
    print(
        f"built {len(network.activities)} activities, {len(network.links)} links "
        f"in {time.perf_counter() - t0:.2f} s"
    )
    best, median, result = best_of(3, lambda: schedule(network))
    length = working_minutes_between(CALENDAR, result.project_start, result.project_finish)
    print(
        f"tandem full schedule:        best {best:.3f} s, median {median:.3f} s, "
        f"finish {result.project_finish} ({length} working min), "
        f"critical path {len(result.critical_path)} activities"
    )
    refusal = fast_path_refusal(network)
    print(f"  path: {'vectorised' if refusal is None else 'generic (' + refusal + ')'}")
    t0 = time.perf_counter()
    rows = [result[a.id] for a in network.activities]
    print(f"  reading all {len(rows)} activities' dates from the result: {time.perf_counter() - t0:.3f} s")
    t0 = time.perf_counter()
    generic = _schedule_generic(network)
    same = generic.project_finish == result.project_finish and generic.critical_path == result.critical_path
    print(
        f"  generic path (one run): {time.perf_counter() - t0:.3f} s, "
        f"{'same finish and critical path' if same else 'DIFFERENT RESULT'}"
    )
    del generic, rows
    # Before MPXJ: the JVM keeps compiling and collecting in the background after its run.
    reschedule_benchmark()
    nx_best, nx_median, nx_length = best_of(3, lambda: networkx_forward(network))
    agree = "agree" if nx_length == length else f"DISAGREE (Tandem {length})"
    print(
        f"networkx forward pass only:  best {nx_best:.3f} s, median {nx_median:.3f} s, "
        f"{nx_length} working min -> {agree}; Tandem is {nx_best / best:.1f}x faster"
    )
    if not args.no_mpxj:
        outcome = mpxj_finish(network)
        if outcome is None:
            print("MPXJ: not available")
        else:
            elapsed, finish = outcome
            tandem = result.project_finish
            same = "agree" if finish == tandem else f"DISAGREE (Tandem {tandem})"
            print(
                f"MPXJ MicrosoftScheduler:     {elapsed:.3f} s (one run), finish {finish} -> {same}; "
                f"Tandem is {elapsed / best:.1f}x faster"
            )


def reschedule_benchmark() -> None:
    """Time ``with_durations`` after one duration change on a 10,000-activity plan."""
    small = build(10_000, seed=7)
    t0 = time.perf_counter()
    base = schedule(small)
    full = time.perf_counter() - t0
    rng = random.Random(11)
    timings = []
    mismatches = 0
    for k in range(30):
        target = rng.randrange(len(small.activities))
        new = small.activities[target].duration + 480 * (1 + k % 5)
        t0 = time.perf_counter()
        after = base.with_durations({target: new})
        timings.append(time.perf_counter() - t0)
        if k % 10 == 0:  # check a third of them against a schedule from scratch
            acts = list(small.activities)
            acts[target] = replace(acts[target], duration=new)
            fresh = schedule(replace(small, activities=tuple(acts)))
            mismatches += (
                fresh.project_finish != after.project_finish
                or fresh.critical_path != after.critical_path
                or any(fresh[i] != after[i] for i in range(len(acts)))
            )
    print(
        f"10,000 activities ({len(small.links)} links): full schedule {full * 1000:.0f} ms; "
        f"after one duration change, incremental reschedule best {min(timings) * 1000:.1f} ms, median "
        f"{statistics.median(timings) * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms "
        f"({'matches' if not mismatches else 'DIFFERS FROM'} a full reschedule)"
    )


if __name__ == "__main__":
    main()
