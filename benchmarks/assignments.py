"""Scheduling and costing with resource assignments: CPU time of each step on the CPM benchmark's network.

Run: ``.venv/bin/python benchmarks/assignments.py [--tasks N] [--no-mpxj] [--sample N] [--one-calendar]``

Builds ``benchmarks/cpm.py``'s seeded network, adds two resource calendars (a night shift and a
four-day week), 200 people (most on the project calendar) with a rate history, and one or two
assignments per task at 50 % or 100 %; then times, in CPU seconds (``time.process_time``: the
machine's cores are shared), ``apply_assignments``, ``schedule`` and ``cost_schedule``. It also
checks that the plan without assignments still takes the vectorised path and is not slowed down:
``apply_assignments`` returns it unchanged.

Then, if the ``mpxj`` package and Java are present, builds the same network, calendars, people and
assignments as an MPXJ ``ProjectFile`` and times MPXJ's ``MicrosoftScheduler`` on it (the
scheduling call only), and compares the early and late dates of a seeded sample of tasks with
Tandem's. MPXJ schedules a task with assignments from each assignment's *work* on its resource's
calendar (the task finishes when its last assignment does), Tandem from the task's duration on the
union of its resources' calendars; so each MPXJ assignment is given the work Tandem's
``cost_schedule`` computed for it, which is the work MS Project would store for that plan.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.cpm import START, build
from tandem_engine import (
    STANDARD_DAY,
    Assignment,
    Calendar,
    LinkType,
    Network,
    Rate,
    RateEntry,
    Resource,
    ResourcePlan,
    ScheduleResult,
    TaskCost,
    apply_assignments,
    cost_schedule,
    parse_working_ranges,
    schedule,
    working_minutes_between,
)
from tandem_engine.cpm import fast_path_refusal

FIELDS = ("early_start", "early_finish", "late_start", "late_finish")


def with_assignments(
    network: Network, seed: int = 7, *, one_calendar: bool = False
) -> tuple[Network, ResourcePlan]:
    """The network with two more calendars, and a seeded plan of 200 people assigned to every task
    (with ``one_calendar``, the same people and assignments, everybody on the project calendar)."""
    rng = random.Random(seed)
    night = Calendar("night", week=(parse_working_ranges("22:00-00:00"),) * 5 + ((), ()), name="Night shift")
    four = Calendar("four", week=(STANDARD_DAY,) * 4 + ((), (), ()), name="Four-day week")
    network = replace(network, calendars={**network.calendars, "night": night, "four": four})
    calendars = [None, None, None, "night", "four"]
    people: dict[int | str, Resource] = {}
    for k in range(200):
        history = (
            RateEntry(standard=Rate(rng.choice([40.0, 55.0, 80.0])), cost_per_use=rng.choice([0.0, 20.0])),
            RateEntry(datetime(2030, 1, 1), standard=Rate(90.0)),
        )
        calendar = rng.choice(calendars)
        people[k] = Resource(k, calendar_id=None if one_calendar else calendar, rates=(history,))
    assignments = [
        Assignment(a.id, r, units=rng.choice([0.5, 1.0]))
        for a in network.activities
        for r in rng.sample(range(200), rng.choice([1, 1, 2]))
    ]
    return network, ResourcePlan(resources=people, assignments=tuple(assignments))


def mpxj_schedule(
    network: Network, plan: ResourcePlan, costs: dict[Any, TaskCost], sample: list[Any]
) -> tuple[tuple[float, float, float], dict[Any, tuple[datetime, ...]]] | str:
    """Schedule the plan with MPXJ's MicrosoftScheduler: ((wall clock, thread CPU, process CPU) seconds,
    the sampled tasks' dates), or why not."""
    try:
        import jpype
        import mpxj  # noqa: F401 - starts nothing, adds the jars to the class path

        if not jpype.isJVMStarted():
            jpype.startJVM()
    except Exception as error:  # no package, no Java: the comparison is optional
        return f"not available ({type(error).__name__}: {error})"
    from java.time import DayOfWeek, LocalDateTime, LocalTime
    from org.mpxj import DayType, Duration, LocalTimeRange, ProjectFile, Relation, RelationType, TimeUnit
    from org.mpxj.cpm import MicrosoftScheduler

    project = ProjectFile()
    standard = project.addDefaultBaseCalendar()  # Monday-Friday 08:00-12:00, 13:00-17:00, as Tandem's
    project.setDefaultCalendar(standard)
    calendars: dict[Any, Any] = {network.calendar_id: standard}
    for calendar_id, calendar in network.calendars.items():
        if calendar_id in calendars:
            continue
        target = project.addCalendar()
        target.setName(calendar.name or str(calendar_id))
        for day, ranges in zip(DayOfWeek.values(), calendar.week, strict=True):  # Monday first, as Tandem's
            target.setCalendarDayType(day, DayType.WORKING if ranges else DayType.NON_WORKING)
            hours = target.addCalendarHours(day)
            for begin, end in ranges:
                to_time = LocalTime.MIDNIGHT if end == 1440 else LocalTime.of(end // 60, end % 60)
                hours.add(LocalTimeRange(LocalTime.of(begin // 60, begin % 60), to_time))
        calendars[calendar_id] = target
    people: dict[Any, Any] = {}
    for resource_id, resource in plan.resources.items():
        person = project.addResource()
        person.setName(str(resource_id))
        if resource.calendar_id is not None:
            person.setCalendar(calendars[resource.calendar_id])
        people[resource_id] = person
    hours = TimeUnit.HOURS
    nothing = Duration.getInstance(0.0, hours)
    tasks = {}
    for activity in network.activities:
        task = project.addTask()
        task.setName(str(activity.id))
        duration = Duration.getInstance(activity.duration / 60.0, hours)
        task.setDuration(duration)
        task.setActualDuration(nothing)  # the scheduler wants progress stated, even when there is none
        task.setRemainingDuration(duration)
        task.setMilestone(activity.milestone)
        tasks[activity.id] = task
    work = {(a.task_id, a.resource_id): a.work for cost in costs.values() for a in cost.assignments}
    for assignment in plan.assignments:
        row = tasks[assignment.task_id].addResourceAssignment(people[assignment.resource_id])
        row.setUnits(assignment.units * 100.0)
        amount = Duration.getInstance(work[assignment.task_id, assignment.resource_id] / 60.0, hours)
        row.setWork(amount)
        row.setRemainingWork(amount)
        row.setActualWork(nothing)
    types = {
        LinkType.FS: RelationType.FINISH_START,
        LinkType.SS: RelationType.START_START,
        LinkType.FF: RelationType.FINISH_FINISH,
        LinkType.SF: RelationType.START_FINISH,
    }
    for link in network.links:
        tasks[link.successor].addPredecessor(
            Relation.Builder()
            .predecessorTask(tasks[link.predecessor])
            .type(types[link.type])
            .lag(Duration.getInstance(link.lag / 60.0, hours))
        )
    start = LocalDateTime.of(START.year, START.month, START.day, START.hour, START.minute)
    from java.lang.management import ManagementFactory

    threads = ManagementFactory.getThreadMXBean()
    t0, c0, p0 = time.perf_counter(), threads.getCurrentThreadCpuTime(), time.process_time()
    MicrosoftScheduler().schedule(project, start)
    elapsed = time.perf_counter() - t0
    cpu = (threads.getCurrentThreadCpuTime() - c0) / 1e9  # the scheduling thread's CPU
    process_cpu = time.process_time() - p0  # and the JVM's compiler and collector threads

    def read(task: Any) -> tuple[datetime, ...]:
        return tuple(
            datetime.fromisoformat(str(value))
            for value in (
                task.getEarlyStart(),
                task.getEarlyFinish(),
                task.getLateStart(),
                task.getLateFinish(),
            )
        )

    return (elapsed, cpu, process_cpu), {i: read(tasks[i]) for i in sample}


def compare(
    shaped: Network, result: ScheduleResult, theirs: dict[Any, tuple[datetime, ...]]
) -> tuple[int, int, dict[str, int]]:
    """(tasks whose four dates are equal, tasks whose dates are the same point of working time, differing
    dates per field). Two instants are the same point of working time when the task's calendar has no
    work between them: Friday 17:00 and Monday 08:00, or 12:00 and 13:00."""
    activities = {a.id: a for a in shaped.activities}
    equal = same_work_time = 0
    differing = dict.fromkeys(FIELDS, 0)
    for task_id, dates in theirs.items():
        ours = result[task_id]
        calendar = shaped.calendars[activities[task_id].calendar_id or shaped.calendar_id]
        exact = True
        close = True
        for field, theirs_at in zip(FIELDS, dates, strict=True):
            ours_at = getattr(ours, field)
            if ours_at == theirs_at:
                continue
            exact = False
            if working_minutes_between(calendar, min(ours_at, theirs_at), max(ours_at, theirs_at)):
                close = False
                differing[field] += 1
        equal += exact
        same_work_time += close
    return equal, same_work_time, differing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--no-mpxj", action="store_true", help="skip MPXJ's scheduler (no JVM)")
    parser.add_argument("--sample", type=int, default=2000, help="tasks whose dates are compared with MPXJ's")
    parser.add_argument(
        "--one-calendar",
        action="store_true",
        help="everybody on the project calendar (no resource calendars)",
    )
    args = parser.parse_args()
    plain = build(args.tasks)
    assert apply_assignments(plain, ResourcePlan()) is plain and fast_path_refusal(plain) is None
    network, plan = with_assignments(plain, one_calendar=args.one_calendar)
    t0 = time.process_time()
    shaped = apply_assignments(network, plan)
    t1 = time.process_time()
    w1 = time.perf_counter()
    result = schedule(shaped)
    wall = time.perf_counter() - w1
    t2 = time.process_time()
    costs = cost_schedule(network, plan, result)
    t3 = time.process_time()
    print(
        f"{args.tasks} tasks, {len(plan.assignments)} assignments: apply_assignments {t1 - t0:.2f} s, "
        f"schedule {t2 - t1:.2f} s ({fast_path_refusal(shaped) or 'vectorised path'}), "
        f"cost_schedule {t3 - t2:.2f} s of CPU"
    )
    total = sum(c.cost for c in costs.values())
    print(f"project finish {result.project_finish:%Y-%m-%d %H:%M}, cost {total:,.2f}")

    if args.no_mpxj:
        return
    sample = sorted(random.Random(3).sample([a.id for a in network.activities], min(args.sample, args.tasks)))
    outcome = mpxj_schedule(network, plan, costs, sample)
    if isinstance(outcome, str):
        print(f"MPXJ MicrosoftScheduler: {outcome}; comparison skipped")
        return
    (elapsed, cpu, process_cpu), theirs = outcome
    equal, close, differing = compare(shaped, result, theirs)
    finish = max(theirs[i][1] for i in theirs)
    print(
        f"MPXJ MicrosoftScheduler with the same assignments (one run, scheduling call only): {cpu:.2f} s "
        f"of CPU in its thread ({process_cpu:.2f} s with the JVM's other threads), {elapsed:.2f} s of "
        f"wall clock; Tandem's schedule: {t2 - t1:.2f} s of CPU, {wall:.2f} s of wall clock -> "
        f"Tandem {cpu / (t2 - t1):.1f}x faster in CPU, {elapsed / wall:.1f}x in wall clock"
    )
    print(
        f"  {len(theirs)} sampled tasks: all four early/late dates equal for {equal} "
        f"({100 * equal / len(theirs):.1f} %), the same points of working time for {close} "
        f"({100 * close / len(theirs):.1f} %); dates that differ by working time: "
        + ", ".join(f"{k} {v}" for k, v in differing.items())
        + f"; latest sampled early finish: MPXJ {finish:%Y-%m-%d %H:%M}, "
        f"Tandem {max(result[i].early_finish for i in theirs):%Y-%m-%d %H:%M}"
    )


if __name__ == "__main__":
    main()
