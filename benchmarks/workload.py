"""Workload heatmap benchmark: a pool of 200 people over 52 weeks, against a day-by-day reference.

Run: ``.venv/bin/python benchmarks/workload.py [--people 200] [--tasks 4000] [--assignments 6000]``

1. Creates a throwaway SQLite database in a temporary directory (migrated from scratch; nothing else
   is touched), the test personas, and four more projects of the vendor (two on the mainland China
   calendar, one with a task calendar of its own: a four-day week).
2. Adds ``--people`` work resources to the vendor's pool through the ORM (six roles, max units 50 to
   100 %, a third on the China base calendar, one or two leave spans each) and ``--tasks`` tasks with
   stored dates spread over the year (1 to 30 working days, starting at any hour), then
   ``--assignments`` assignments (distinct task × resource pairs) with their work.
3. Times, best of ``--repeat`` (wall clock; the machine's cores are shared):
   - the floor: the three value queries the heatmap cannot avoid (resources, leave, assignments);
   - ``workload_of`` itself (queries, calendars, the week split), counting its queries;
   - the API answer ``GET /api/v1/organizations/{id}/workload?weeks=52`` through Django's test client;
   - the page ``/organizations/{id}/workload/?weeks=52`` (the first 50 people);
   - the reference: the same numbers from a naive day-by-day Python walk (every day of every
     resource's window, every day of every task's span) on the same calendars, checked to agree
     with the fast computation to the minute.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def best_of(repeat: int, run: Callable[[], T]) -> tuple[float, T]:
    best, result = float("inf"), None
    for _ in range(repeat):
        began = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - began)
    assert result is not None
    return best, result


def build(world: Any, args: argparse.Namespace, start: dt.date) -> None:
    """The pool, the projects, the tasks and the assignments, seeded, through the ORM."""
    from tandem.planning import scheduling
    from tandem.planning.models import Calendar, Task
    from tandem.projects import services as projects
    from tandem.resources.models import Assignment, Resource, ResourceException

    rng = random.Random(20261204)
    pm = world.pm
    extra = [
        projects.do_create_project(
            code=f"P{n}",
            name=f"Rollout {n}",
            client=world.client,
            vendor=world.vendor,
            actor=pm,
            language="zh-hans" if n % 2 else "en",
        )
        for n in range(1, 5)
    ]
    all_projects = [world.project, world.other_project, *extra]
    for project in all_projects:
        scheduling.ensure_project_calendar(project)
    four_day = Calendar.objects.create(
        project=extra[0], name="Four days", working_weekdays=[0, 1, 2, 3], hours="08:00-12:00,13:00-17:00"
    )
    roles = ["Developer", "Tester", "Analyst", "Architect", "Designer", "Environment"]
    people = Resource.objects.bulk_create(
        Resource(
            organization=world.vendor,
            name=f"Person {k:03d}",
            role=roles[k % len(roles)],
            max_units=rng.choice([50, 80, 100, 100, 100]),
            calendar_base="china" if k % 3 == 0 else rng.choice(["", "standard"]),
        )
        for k in range(args.people)
    )
    leave = []
    for person in people:
        for _ in range(rng.choice([1, 2])):
            first = start + dt.timedelta(days=rng.randrange(args.weeks * 7))
            leave.append(
                ResourceException(
                    resource=person, start=first, end=first + dt.timedelta(days=rng.randrange(1, 10))
                )
            )
    ResourceException.objects.bulk_create(leave)
    tasks = []
    for n in range(args.tasks):
        project = all_projects[n % len(all_projects)]
        zone = project.zone
        day = start + dt.timedelta(days=rng.randrange(-14, args.weeks * 7))
        began = dt.datetime.combine(day, dt.time(rng.choice([8, 9, 10, 13, 15])), tzinfo=zone)
        span = dt.timedelta(days=rng.randint(1, 30) * 7 / 5, hours=rng.choice([0, 2, 4]))
        tasks.append(
            Task(
                project=project,
                name=f"Task {n}",
                position=n,
                duration_minutes=480,
                start=began,
                finish=began + span,
                calendar=four_day if project == extra[0] and n % 5 == 0 else None,
            )
        )
    tasks = Task.objects.bulk_create(tasks, batch_size=500)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < args.assignments:
        pairs.add((rng.randrange(len(tasks)), rng.randrange(len(people))))
    Assignment.objects.bulk_create(
        (
            Assignment(
                project_id=tasks[t].project_id,
                task=tasks[t],
                resource=people[r],
                units=100,
                work_minutes=rng.choice([240, 480, 960, 2400, 4800, 9600]),
            )
            for t, r in sorted(pairs)
        ),
        batch_size=500,
    )


def floor(organization_id: int, start: dt.date, weeks: int) -> int:
    """The three value queries the heatmap needs at least (resources, leave, assignments)."""
    from tandem.resources import workload
    from tandem.resources.models import Assignment, Resource, ResourceException

    window = workload._Window(start, weeks)
    ids = Resource.objects.filter(organization_id=organization_id, active=True).values("pk")
    people = list(Resource.objects.filter(pk__in=ids).values_list("pk", "name", "role", "max_units"))
    leave = list(
        ResourceException.objects.filter(resource_id__in=ids).values_list("resource_id", "start", "end")
    )
    rows = list(
        Assignment.objects.filter(workload._overlapping(window), resource_id__in=ids).values_list(
            *workload._ASSIGNMENT_FIELDS
        )
    )
    return len(people) + len(leave) + len(rows)


def naive(organization_id: int, start: dt.date, weeks: int) -> dict[int, tuple[list[float], list[float]]]:
    """The same numbers by walking every day: capacity per resource day, work per task day."""
    from tandem.resources import workload
    from tandem.resources.models import Assignment, Resource, ResourceException

    window = workload._Window(start, weeks)
    people = list(
        Resource.objects.filter(organization_id=organization_id, active=True).values_list(
            "pk", "max_units", "calendar_base"
        )
    )
    leave: dict[int, set[dt.date]] = defaultdict(set)
    for resource_id, first, last in ResourceException.objects.filter(
        resource__organization_id=organization_id
    ).values_list("resource_id", "start", "end"):
        for k in range((last - first).days + 1):
            leave[resource_id].add(first + dt.timedelta(days=k))
    rows = list(
        Assignment.objects.filter(
            workload._overlapping(window), resource__organization_id=organization_id
        ).values_list(*workload._ASSIGNMENT_FIELDS)
    )
    calendars = workload._Calendars(window.years(workload._years_of(rows)))
    keys = workload._task_calendars(rows, calendars)

    def day_minutes(calendar: Any, day: dt.date) -> list[tuple[int, int]]:
        ranges = calendar.week[day.weekday()]
        for exception in calendar.exceptions:
            if exception.start <= day <= exception.end:
                ranges = exception.working_times
        return list(ranges)

    out: dict[int, tuple[list[float], list[float]]] = {}
    for pk, units, base in people:
        calendar = calendars._compiled[calendars.base(base or "standard")].calendar
        capacity = [0.0] * weeks
        for d in range(weeks * 7):
            day = start + dt.timedelta(days=d)
            if day not in leave[pk]:
                capacity[d // 7] += sum(b - a for a, b in day_minutes(calendar, day)) * units / 100
        out[pk] = (capacity, [0.0] * weeks)
    for index, row in enumerate(rows):
        calendar = calendars._compiled[keys[index]].calendar
        zone = workload._zone(row[6], {})
        first = row[2].astimezone(zone).replace(tzinfo=None)
        last = row[3].astimezone(zone).replace(tzinfo=None)
        per_day: list[tuple[dt.date, int]] = []
        day = first.date()
        while day <= last.date():
            midnight = dt.datetime.combine(day, dt.time())
            minutes = 0
            for a, b in day_minutes(calendar, day):
                lo = max(midnight + dt.timedelta(minutes=a), first)
                hi = min(midnight + dt.timedelta(minutes=b), last)
                minutes += max(0, int((hi - lo).total_seconds() // 60))
            per_day.append((day, minutes))
            day += dt.timedelta(days=1)
        total = sum(m for _d, m in per_day)
        work = out[row[0]][1]
        if total == 0:
            week = (first.date() - start).days // 7
            if first.date() >= start and week < weeks:
                work[week] += row[8]
            continue
        for day, minutes in per_day:
            week = (day - start).days // 7
            if day >= start and week < weeks:
                work[week] += row[8] * minutes / total
    return out


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="tandem-workload-")
    try:
        run(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(workdir: str) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--tasks", type=int, default=4000)
    parser.add_argument("--assignments", type=int, default=6000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    os.environ["TANDEM_DATABASE_URL"] = f"sqlite:///{Path(workdir) / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks.harness import machine
    from tandem.resources import workload
    from tandem.testing.personas import build_world

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    world = build_world(with_records=False)
    start = dt.date(2026, 1, 5)
    began = time.perf_counter()
    build(world, args, start)
    print(f"{machine()}")
    print(
        f"Built {args.people} people, {args.tasks} tasks, {args.assignments} assignments "
        f"in {time.perf_counter() - began:.1f} s"
    )
    org = world.vendor.pk

    browser = Client()
    browser.force_login(world.pm)
    api_url = f"/api/v1/organizations/{org}/workload?start={start}&weeks={args.weeks}"
    page_url = f"/organizations/{org}/workload/?start={start}&weeks={args.weeks}"

    def get(url: str) -> Any:
        response = browser.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    # Warm up: imports (the holiday tables), URL resolvers, templates; then every figure is warm.
    for url in (api_url, page_url):
        get(url)
    t_floor, _count = best_of(args.repeat, lambda: floor(org, start, args.weeks))
    t_fast, found = best_of(args.repeat, lambda: workload.workload_of([org], start=start, weeks=args.weeks))
    with CaptureQueriesContext(connection) as captured:
        workload.workload_of([org], start=start, weeks=args.weeks)
    queries = len(captured.captured_queries)
    t_api, answer = best_of(args.repeat, lambda: get(api_url))
    t_page, _page = best_of(args.repeat, lambda: get(page_url))
    t_naive, reference = best_of(1, lambda: naive(org, start, args.weeks))

    worst = 0.0
    for row in found.rows:
        capacity, work = reference[row.resource_id]  # type: ignore[index]
        for fast, slow in zip(row.capacity_minutes + row.work_minutes, capacity + work, strict=True):
            worst = max(worst, abs(fast - slow))
    over = sum(sum(row.over) for row in found.rows)
    print(f"rows {len(found.rows)} × weeks {len(found.weeks)}; over-allocated cells {over}")
    print(f"floor (3 value queries)      {t_floor * 1000:8.1f} ms")
    print(f"workload_of                  {t_fast * 1000:8.1f} ms  ({queries} queries)")
    print(f"API answer                   {t_api * 1000:8.1f} ms  ({len(answer.content) / 1024:.0f} KiB)")
    print(f"page (first 50 people)       {t_page * 1000:8.1f} ms")
    print(f"naive day-by-day reference   {t_naive * 1000:8.1f} ms  (one run)")
    print(
        f"workload_of vs reference     {t_naive / t_fast:8.1f}×; vs floor {t_fast / t_floor:.1f}× the floor"
    )
    print(f"largest difference from the reference: {worst:.2f} minutes (rounding only: ≤ 0.5 expected)")
    assert worst <= 0.5 + 1e-6, worst


if __name__ == "__main__":
    main()
