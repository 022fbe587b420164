"""Load test: 50 people using Tandem at once for a fixed time, against the real server on loopback.

    .venv/bin/python benchmarks/load.py                        # 50 users, 60 s, demo data, SQLite
    .venv/bin/python benchmarks/load.py --database postgres://postgres@127.0.0.1:5432/tandem_bench
    .venv/bin/python benchmarks/load.py --big-plan 5000        # the demo plus a 5,000-task plan
    .venv/bin/python benchmarks/load.py --users 10 --seconds 15  # a smoke run

Builds a fresh database with the demo, starts ``tandem serve`` (gunicorn with its shipped processes
and threads: two processes per core, 2 threads each) and runs a closed loop of simulated users, each
a thread with its own keep-alive connection and its own signed-in session and API token, one of the
demo's eight people (team and client alike). Each user picks a request from a weighted mix (pages,
Gantt data, task list, API reads, and a few writes: task edits by the people allowed to edit the
plan, comments by those allowed to comment), waits for the whole answer, thinks for 0.25-0.75 s and
goes on.

Reports requests per second, p50 and p95, errors (5xx, transport failures, timeouts and any
unexpected status; a 409 conflict between two editors is counted apart, it is a correct answer), per
kind of request, and the CPU share of the load generator itself and of the server (CPU seconds over
wall seconds; 100 % is one core), so a saturated generator cannot pass for a slow server. Exits 1
when any request failed or the set-up did.

Why threads and httpx rather than locust: the rates here are tens to a few hundred requests per
second, which a thread pool drives with a few per cent of one core (the run measures and prints that
share); httpx is already one of Tandem's dependencies, while locust would bring gevent and its
monkey-patching, Flask and a dozen other packages into the development environment for no
measurement we need.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
from harness import DEMO_CODE, percentile

from tandem.core.management.commands.serve import default_workers


@dataclass(frozen=True)
class Person:
    """A demo login as the load test uses it: its credentials and what it may see and do."""

    email: str
    token: str
    cookie: tuple[str, str]
    tasks: dict[str, list[int]]
    edits_plan: dict[str, bool]
    comments: dict[str, bool]


@dataclass
class Result:
    """One request of the run."""

    kind: str
    seconds: float
    status: int
    ended: float


@dataclass
class Tally:
    """Every user's results, gathered under a lock."""

    results: list[Result] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, result: Result, failure: str = "") -> None:
        with self.lock:
            self.results.append(result)
            if failure:
                self.failures[failure] += 1


# ---------------------------------------------------------------------------------------------
# What a user does

#: The reads of the mix: (kind, weight, path); ``{code}`` is the project, ``{task}`` a task it sees.
READS = [
    ("page: project home", 12, "/projects/{code}/"),
    ("page: Gantt", 4, "/projects/{code}/plan/gantt/"),
    ("page: Gantt data", 12, "/projects/{code}/plan/gantt/data/"),
    ("page: task list", 10, "/projects/{code}/plan/list/"),
    ("page: board", 5, "/projects/{code}/plan/board/"),
    ("page: requirements", 4, "/projects/{code}/requirements/"),
    ("page: risks", 3, "/projects/{code}/risks/"),
    ("api: task list", 12, "/api/v1/projects/{code}/tasks"),
    ("api: a task", 10, "/api/v1/projects/{code}/tasks/{task}"),
    ("api: requirements", 5, "/api/v1/projects/{code}/requirements"),
    ("api: changes", 4, "/api/v1/projects/{code}/changes"),
    ("api: milestones", 3, "/api/v1/projects/{code}/milestones"),
]


@dataclass
class User:
    """One simulated user: a person, a connection, a random stream of its own."""

    person: Person
    base: str
    projects: list[str]
    rng: random.Random
    tally: Tally
    think: tuple[float, float]
    api: httpx.Client = field(init=False)
    web: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.api = httpx.Client(
            base_url=f"{self.base}/api/v1",
            headers={"Authorization": f"Bearer {self.person.token}"},
            timeout=60,
        )
        self.web = httpx.Client(base_url=self.base, cookies=dict([self.person.cookie]), timeout=60)

    def actions(self) -> list[tuple[str, int, Callable[[str], httpx.Response]]]:
        """(kind, weight, send) of every request this user may make: the mix."""
        mix: list[tuple[str, int, Callable[[str], httpx.Response]]] = [
            (kind, weight, lambda code, path=path: self.get(path, code)) for kind, weight, path in READS
        ]
        if any(self.person.comments.values()):
            mix.append(("write: comment", 3, self.comment))
        if any(self.person.edits_plan.values()):
            mix.append(("write: task edit", 3, self.edit_task))
        return mix

    def get(self, path: str, code: str) -> httpx.Response:
        """A page (with the session) or an API read (with the token); ``{task}`` is a task it sees."""
        client = self.api if path.startswith("/api/v1/") else self.web
        url = path.removeprefix("/api/v1").format(code=code, task=self.task(code) if "{task}" in path else 0)
        return client.get(url)

    def task(self, code: str) -> int:
        return self.rng.choice(self.person.tasks[code])

    def comment(self, code: str) -> httpx.Response:
        if not self.person.comments[code]:
            return self.api.get(f"/projects/{code}/tasks/{self.task(code)}")
        body = {"body": f"Load test note {self.rng.randrange(10**6)}: checked with the store team."}
        return self.api.post(
            f"/projects/{code}/comments", params={"target": f"task:{self.task(code)}"}, json=body
        )

    def edit_task(self, code: str) -> httpx.Response:
        """Read a task, then lengthen or shorten it by an hour: two requests, timed together."""
        if not self.person.edits_plan[code]:
            return self.api.get(f"/projects/{code}/tasks/{self.task(code)}")
        pk = self.task(code)
        task = self.api.get(f"/projects/{code}/tasks/{pk}").json()
        minutes = max(60, task["duration_minutes"] + self.rng.choice((-60, 60)))
        return self.api.patch(
            f"/projects/{code}/tasks/{pk}", json={"duration_minutes": minutes, "version": task["version"]}
        )

    def run(self, until: float, ramp: float) -> None:
        mix = self.actions()
        kinds = [kind for kind, _weight, _send in mix]
        weights = [weight for _kind, weight, _send in mix]
        sends = {kind: send for kind, _weight, send in mix}
        time.sleep(self.rng.uniform(0, ramp))
        try:
            while time.monotonic() < until:
                kind = self.rng.choices(kinds, weights)[0]
                code = self.rng.choice(self.projects)
                started = time.perf_counter()
                failure = ""
                try:
                    response = sends[kind](code)
                    response.read()
                    status = response.status_code
                    if status >= 400 and status != 409:
                        failure = f"{kind}: HTTP {status}"
                except httpx.HTTPError as exc:
                    status, failure = 0, f"{kind}: {type(exc).__name__}"
                except (KeyError, ValueError, IndexError) as exc:  # an odd answer, or nothing to pick
                    status, failure = 0, f"{kind}: {type(exc).__name__} {exc}"
                ended = time.perf_counter()
                self.tally.add(Result(kind, ended - started, status, time.monotonic()), failure)
                time.sleep(self.rng.uniform(*self.think))
        finally:
            self.api.close()
            self.web.close()


# ---------------------------------------------------------------------------------------------
# Set-up and report


def people(codes: list[str]) -> list[Person]:
    """Every demo login with a token, a session, and what it sees and may do in each project."""
    from tandem.accounts.models import User as Account
    from tandem.communication.permissions import can_comment
    from tandem.planning.models import Task
    from tandem.projects.demo import PEOPLE
    from tandem.projects.models import Project
    from tandem.projects.permissions import Action, can

    projects = [Project.objects.get(code=code) for code in codes]
    found = []
    for demo in PEOPLE:
        account = Account.objects.get(email=demo.email)
        visible = {
            p.code: list(
                Task.objects.visible_to(account)
                .filter(project=p, is_summary=False)
                .values_list("id", flat=True)
            )
            for p in projects
        }
        found.append(
            Person(
                email=demo.email,
                token=harness.api_token(demo.email),
                cookie=harness.session_cookie(demo.email),
                tasks=visible,
                edits_plan={p.code: can(account, p, Action.EDIT_PLAN) for p in projects},
                comments={p.code: can_comment(account, p) for p in projects},
            )
        )
    return found


def add_members(code: str) -> None:
    """Give the demo's people the same roles in the big plan as in the demo, so they all use it."""
    from tandem.accounts.models import User as Account
    from tandem.projects.models import Membership, Project
    from tandem.projects.services import do_add_member

    demo, big = Project.objects.get(code=DEMO_CODE), Project.objects.get(code=code)
    pm = Account.objects.get(email=harness.PM_EMAIL)
    have = set(Membership.objects.filter(project=big).values_list("user_id", flat=True))
    for membership in Membership.objects.filter(project=demo).select_related("user"):
        if membership.user_id not in have:
            do_add_member(big, user=membership.user, role=membership.role, actor=pm)


def report(
    tally: Tally,
    wall: float,
    window: tuple[float, float],
    generator_cpu: float,
    server_cpu: float,
    *,
    users: int,
    ramp: float,
    database: str,
    codes: list[str],
    workers: int = 2,
    threads: int = 4,
) -> str:
    """The Markdown the README records (rates over the steady window, after every user started)."""
    results = tally.results
    failed = sum(tally.failures.values())
    rows = []
    by_kind: dict[str, list[Result]] = defaultdict(list)
    for result in results:
        by_kind[result.kind].append(result)

    def line(name: str, items: list[Result], errors: int) -> list[str]:
        times = [r.seconds * 1000 for r in items]
        conflicts = sum(1 for r in items if r.status == 409)
        steady = sum(1 for r in items if window[0] <= r.ended <= window[1])
        return [
            name,
            str(len(items)),
            f"{steady / (window[1] - window[0]):.1f}",
            harness.ms(percentile(times, 0.50)),
            harness.ms(percentile(times, 0.95)),
            str(errors),
            str(conflicts),
        ]

    for kind in sorted(by_kind):
        errors = sum(n for what, n in tally.failures.items() if what.startswith(kind + ":"))
        rows.append(line(kind, by_kind[kind], errors))
    rows.append(["**all**", *line("", results, failed)[1:]])
    header = ["Request", "Count", "req/s", "p50", "p95", "Errors", "409 conflicts"]
    lines = [
        f"**{database}**, {users} users on {', '.join(codes)}, {window[1] - window[0]:.0f} s after a "
        f"{ramp:.0f} s ramp ({wall:.0f} s in all); think time 0.25-0.75 s; server `tandem serve` "
        f"({workers} workers x {threads} threads). req/s over the steady window; p50/p95 over every request.",
        "",
        harness.machine(),
        "",
        harness.markdown_table(header, rows),
        "",
        f"Load generator CPU: {generator_cpu / wall:.0%} of one core "
        f"({generator_cpu:.1f} s over {wall:.1f} s). Server CPU: {server_cpu / wall:.0%} of one core "
        f"({server_cpu:.1f} s). Goal: p95 <= 500 ms and 0 errors.",
    ]
    if tally.failures:
        lines += ["", "Errors: " + "; ".join(f"{what} x{n}" for what, n in tally.failures.most_common(10))]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50, help="simulated users (default 50)")
    parser.add_argument("--seconds", type=float, default=60, help="how long they work (default 60)")
    parser.add_argument(
        "--ramp", type=float, default=5, help="users start over this many seconds (default 5)"
    )
    parser.add_argument("--think", type=float, nargs=2, default=(0.25, 0.75), metavar=("MIN", "MAX"))
    parser.add_argument("--database", default="", help="postgres://… (dropped and created); default SQLite")
    parser.add_argument("--big-plan", type=int, default=0, metavar="TASKS", help="also use a generated plan")
    parser.add_argument("--plan", type=Path, help="with --big-plan: import this MSPDI file instead")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="server processes (default as shipped: %(default)s)",
    )
    parser.add_argument("--threads", type=int, default=2, help="threads per worker (default as shipped: 2)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the PostgreSQL database and the work directory"
    )
    args = parser.parse_args(argv)
    return harness.run_isolated(
        "load", args.database, keep=args.keep, body=lambda env, workdir: run(args, env, workdir)
    )


def run(args: argparse.Namespace, env: dict[str, str], workdir: Path) -> int:
    """Set up, load, report; 0 when no request failed."""
    harness.load_demo(env)
    codes = [DEMO_CODE]
    if args.big_plan or args.plan:
        plan = args.plan or workdir / "plan.xml"
        if not args.plan:
            harness.generate_plan(args.big_plan, plan)
        harness.import_plan(env, plan, "BIG")
        codes.append("BIG")
    harness.use_database_here(env)
    if "BIG" in codes:
        add_members("BIG")
    persons = people(codes)
    harness.close_django_connections()
    print(f"Set up; {args.users} users for {args.seconds:.0f} s…", file=sys.stderr, flush=True)
    tally = Tally()
    with harness.running_server(env, workdir, workers=args.workers, threads=args.threads) as server:
        for _ in range(2 * args.workers):  # every gunicorn worker imports and warms up before the clock
            httpx.get(f"{server.base}/projects/{DEMO_CODE}/", cookies=dict([persons[0].cookie]), timeout=60)
        rng = random.Random(args.seed)
        users = [
            User(
                persons[i % len(persons)],
                server.base,
                codes,
                random.Random(rng.random()),
                tally,
                tuple(args.think),
            )
            for i in range(args.users)
        ]
        started = time.monotonic()
        until = started + args.ramp + args.seconds
        cpu_before, server_before = _own_cpu(), server.cpu_seconds()
        threads = [
            threading.Thread(target=user.run, args=(until, args.ramp), name=f"user-{i}")
            for i, user in enumerate(users)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
        generator_cpu, server_cpu = _own_cpu() - cpu_before, server.cpu_seconds() - server_before
    for line in harness.server_problems(workdir) if tally.failures else []:
        print(f"server: {line}", file=sys.stderr)
    if not tally.results:
        print("FAILED: no request completed", file=sys.stderr)
        return 1
    database = "PostgreSQL" if args.database else "SQLite"
    window = (started + args.ramp, until)
    print(
        report(
            tally,
            wall,
            window,
            generator_cpu,
            server_cpu,
            users=args.users,
            ramp=args.ramp,
            database=database,
            codes=codes,
            workers=args.workers,
            threads=args.threads,
        )
    )
    return 1 if tally.failures else 0


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    sys.exit(main())
