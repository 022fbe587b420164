"""Read-side benchmark: the Gantt data, the Gantt page, the board and the traceability matrix of a large plan.

Run: ``.venv/bin/python benchmarks/views.py [--tasks 5000] [--links 8000] [--requirements 500]``

1. Uses a fresh SQLite database in a temporary data directory (or the database named by
   ``TANDEM_DATABASE_URL``, which must be a scratch one: the script migrates it and adds a project).
2. Loads the demo's people, then builds project ``BIG``: ``--tasks`` rows in phases of 50 (one
   milestone in 50 rows), ``--links`` finish-to-start links between random earlier and later tasks,
   one row in ten internal, owners spread over the team, some progress, then one reschedule, an
   approved baseline, open risks on some tasks and ``--requirements`` requirements traced to tasks.
3. Times each read through Django's test client signed in as the PM and as the client PM (median
   of ``--runs`` after one warm-up), and reports the answer's size and its number of queries.

The timings are server time as the test client sees it (URL resolving, middleware, view, template),
without network.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(data_dir: str) -> None:
    """Point Django at a scratch database and migrate it."""
    if not os.environ.get("TANDEM_DATABASE_URL"):
        os.environ["TANDEM_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    import django
    from django.core.management import call_command

    django.setup()
    # The scratch data directory has no collected static files; the reads do not need them.
    warnings.filterwarnings("ignore", message="No directory at")
    call_command("migrate", verbosity=0)


def build(tasks: int, links: int, requirements: int, seed: int = 7) -> None:
    """Project BIG with the demo's people: the plan, a baseline, risks and requirements."""
    from django.db import transaction

    from tandem.core.choices import Visibility
    from tandem.planning import scheduling
    from tandem.planning import services as planning
    from tandem.planning.choices import TaskKind, TaskStatus
    from tandem.planning.models import Dependency, Task
    from tandem.projects import demo
    from tandem.projects import services as projects
    from tandem.projects.choices import Role
    from tandem.projects.models import Project
    from tandem.requirements import services as requirements_services
    from tandem.requirements.models import Requirement, TraceLink
    from tandem.risks import services as risks

    rng = random.Random(seed)
    demo_project = demo.load_demo()
    people = {m.role: m.user for m in demo_project.memberships.select_related("user")}
    pm, client_pm = people[Role.PROJECT_MANAGER], people[Role.CLIENT_PM]
    team = [m.user for m in demo_project.memberships.filter(side="team").select_related("user")]
    if Project.objects.filter(code="BIG").exists():
        return
    project = projects.do_create_project(
        code="BIG", name="Large plan", client=demo_project.client, vendor=demo_project.vendor, actor=pm
    )
    for membership in demo_project.memberships.exclude(user=pm):
        projects.do_add_member(project, user=membership.user, role=membership.role, actor=pm)
    scheduling.ensure_project_calendar(project)
    with transaction.atomic():
        rows: list[Task] = []
        phases = max(1, tasks // 50)
        for p in range(phases):
            rows.append(Task(project=project, name=f"Phase {p + 1}", kind=TaskKind.PHASE, position=p))
        Task.objects.bulk_create(rows)
        phase_rows = list(Task.objects.filter(project=project).order_by("position"))
        leaves: list[Task] = []
        for i in range(tasks - phases):
            milestone = i % 50 == 49
            status = rng.choice([TaskStatus.NOT_STARTED] * 3 + [TaskStatus.IN_PROGRESS, TaskStatus.DONE])
            leaves.append(
                Task(
                    project=project,
                    parent=phase_rows[i % phases],
                    position=i,
                    name=f"Task {i + 1} of the large plan",
                    kind=TaskKind.MILESTONE if milestone else TaskKind.TASK,
                    duration_minutes=0 if milestone else 480 * rng.randint(1, 10),
                    owner=rng.choice(team),
                    status=status,
                    percent_complete=100 if status == TaskStatus.DONE else rng.choice([0, 0, 25, 50]),
                    visibility=Visibility.INTERNAL if i % 10 == 0 else Visibility.SHARED,
                )
            )
        Task.objects.bulk_create(leaves, batch_size=500)
        ids = list(Task.objects.filter(project=project, parent__isnull=False).values_list("pk", flat=True))
        pairs: set[tuple[int, int]] = set()
        while len(pairs) < links:
            a, b = sorted(rng.sample(range(len(ids)), 2))
            if b - a <= 200:
                pairs.add((ids[a], ids[b]))
        Dependency.objects.bulk_create(
            [Dependency(project=project, predecessor_id=a, successor_id=b) for a, b in pairs], batch_size=500
        )
    with transaction.atomic():
        scheduling.reschedule(project)
    baseline = planning.do_save_baseline(project, name="Agreed plan", actor=pm)
    planning.do_approve_baseline(baseline, actor=client_pm)
    for n, task_id in enumerate(rng.sample(ids, 40)):
        risks.do_add_risk(
            project, actor=pm, title=f"Risk {n + 1}", task_ids=[task_id], probability=3, impact=4
        )
    for n in range(requirements):
        requirements_services.do_create_requirement(project, actor=pm, title=f"Requirement {n + 1}")
    reqs = list(Requirement.objects.filter(project=project).values_list("pk", flat=True))
    traced = rng.sample(ids, min(len(ids), 2 * len(reqs)))
    TraceLink.objects.bulk_create(
        [TraceLink(requirement_id=r, task_id=t) for r, t in zip(reqs * 2, traced, strict=False)]
    )


def measure(runs: int) -> list[tuple[str, str, float, int, int]]:
    """(view, who, median seconds, bytes, queries) for each read, as the PM and as the client PM."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tandem.projects.choices import Role
    from tandem.projects.models import Project

    project = Project.objects.get(code="BIG")
    people = {m.role: m.user for m in project.memberships.select_related("user")}
    reads = [
        ("Gantt data (JSON)", "/projects/BIG/plan/gantt/data/"),
        ("Gantt page", "/projects/BIG/plan/gantt/"),
        ("Board", "/projects/BIG/plan/board/"),
        ("Traceability API (first page)", "/api/v1/projects/BIG/traceability"),
        ("Traceability page", "/projects/BIG/requirements/traceability/"),
    ]
    out = []
    for who, role in (("PM", Role.PROJECT_MANAGER), ("client PM", Role.CLIENT_PM)):
        client = Client(HTTP_HOST="localhost")
        client.force_login(people[role])
        for name, path in reads:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - started)
            with CaptureQueriesContext(connection) as captured:
                client.get(path)
            out.append((name, who, statistics.median(times), len(response.content), len(captured)))
    return out


def main() -> None:
    """Build the plan, time the reads, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--links", type=int, default=8000)
    parser.add_argument("--requirements", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data-dir", default="", help="Keep the database here (reused when BIG exists).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tandem-bench-views-") as scratch:
        setup(args.data_dir or scratch)
        from django.db import connection

        started = time.perf_counter()
        build(args.tasks, args.links, args.requirements)
        took = time.perf_counter() - started
        print(f"Built BIG ({args.tasks} tasks, {args.links} links, {args.requirements} requirements)")
        print(f"in {took:.1f} s on {connection.vendor}, Python {platform.python_version()}.")
        print()
        print("| Read | As | Median | Size | Queries |")
        print("|---|---|---|---|---|")
        for name, who, seconds, size, queries in measure(args.runs):
            print(f"| {name} | {who} | {seconds * 1000:.0f} ms | {size / 1024:.0f} KiB | {queries} |")


if __name__ == "__main__":
    main()
