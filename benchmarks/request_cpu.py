"""CPU per request, by kind of request of the load test, measured in-process without the load.

    .venv/bin/python benchmarks/request_cpu.py                      # every kind, 5 rounds, SQLite
    .venv/bin/python benchmarks/request_cpu.py --profile "page: project home" --top 30
    .venv/bin/python benchmarks/request_cpu.py --database postgres://postgres@127.0.0.1:5432/tandem_bench

Builds a fresh demo database (as ``load.py`` does), signs in every demo person (a session and an API
token each) and sends each request of ``load.py``'s mix through Django's request handler in this
process, with the whole middleware chain and the settings ``tandem serve`` runs with (the
``X-Query-Count`` header on, as in the load test). For each kind it prints the CPU milliseconds per
request (``time.process_time``, mean over every person and round, so a busy machine shifts it
little) and the SQL statements per request (the lowest and highest over the people). On PostgreSQL
it adds the database server's CPU per request (every ``postgres`` process of this machine, read from
/proc before and after each kind): the load test's two cores serve both. ``--profile`` adds
cProfile's top functions for the kinds named, over the same requests.

The load test's writes are measured too: a comment (POST) and a task edit (the read and the PATCH
together, as ``load.py`` times them).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
from harness import DEMO_CODE
from load import READS, Person, people


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5, help="requests per person and kind (default 5)")
    parser.add_argument("--database", default="", help="postgres://… (dropped and created); default SQLite")
    parser.add_argument("--profile", action="append", default=[], metavar="KIND", help="cProfile this kind")
    parser.add_argument("--kind", action="append", default=[], metavar="KIND", help="measure only this kind")
    parser.add_argument("--top", type=int, default=25, help="functions shown per profile (default 25)")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (default cumulative)")
    parser.add_argument(
        "--dump", type=Path, metavar="DIR", help="with --profile: also save each kind's pstats file in DIR"
    )
    parser.add_argument(
        "--queries",
        action="store_true",
        help="also list the SQL of each kind's first measured request, each with the Tandem line that ran it",
    )
    args = parser.parse_args(argv)
    return harness.run_isolated(
        "request-cpu", args.database, keep=False, body=lambda env, workdir: run(args, env)
    )


def run(args: argparse.Namespace, env: dict[str, str]) -> int:
    harness.load_demo(env)
    harness.use_database_here(env)
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()
    persons = people([DEMO_CODE])
    rng = random.Random(2026)
    rows = []
    profiles: dict[str, str] = {}
    statements: dict[str, list[str]] = {}
    for kind, send in kinds():
        if args.kind and kind not in args.kind:
            continue
        cpu: list[float] = []
        queries: list[int] = []
        database_cpu = 0.0
        profiler = cProfile.Profile() if kind in args.profile else None
        for person in persons:
            if kind == "write: task edit" and not person.edits_plan[DEMO_CODE]:
                continue
            if kind == "write: comment" and not person.comments[DEMO_CODE]:
                continue
            web = Client(handler, {"HTTP_COOKIE": "=".join(person.cookie)})
            api = Client(handler, {"HTTP_AUTHORIZATION": f"Bearer {person.token}"})
            send(web, api, person, rng)  # warm-up: imports, template and URL caches
            if args.queries and kind not in statements:
                statements[kind] = _statements_of(partial(send, web, api, person, rng))
            database_before = harness.cpu_seconds_of_command("postgres") if args.database else 0.0
            for _ in range(args.rounds):
                if profiler is not None:
                    profiler.enable()
                started = time.process_time()
                counted = send(web, api, person, rng)
                cpu.append(time.process_time() - started)
                if profiler is not None:
                    profiler.disable()
                queries.append(counted)
            if args.database:
                database_cpu += harness.cpu_seconds_of_command("postgres") - database_before
        rows.append(
            [
                kind,
                str(len(cpu)),
                f"{statistics.mean(cpu) * 1000:.1f}",
                f"{statistics.median(cpu) * 1000:.1f}",
                *([f"{database_cpu / len(cpu) * 1000:.1f}"] if args.database else []),
                f"{min(queries)}–{max(queries)}" if min(queries) != max(queries) else str(min(queries)),
            ]
        )
        if profiler is not None:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
            profiles[kind] = out.getvalue()
            if args.dump:
                args.dump.mkdir(parents=True, exist_ok=True)
                profiler.dump_stats(args.dump / (re.sub(r"\W+", "-", kind).strip("-") + ".prof"))
    mix = {kind: weight for kind, weight, _path in READS} | {"write: comment": 3, "write: task edit": 3}
    weights = sum(mix[r[0]] for r in rows)
    weighted = sum(float(r[2]) * mix[r[0]] for r in rows) / weights
    header = ["Request", "Requests", "CPU ms (mean)", "CPU ms (median)", "SQL"]
    if args.database:
        header.insert(4, "PostgreSQL CPU ms (mean)")
    print(harness.machine())
    print()
    print(harness.markdown_table(header, rows))
    print()
    print(f"Weighted by load.py's mix: {weighted:.1f} ms of CPU per request.")
    if args.database:
        database = sum(float(r[4]) * mix[r[0]] for r in rows) / weights
        print(f"PostgreSQL, weighted the same: {database:.1f} ms of its CPU per request.")
    for kind, text in profiles.items():
        print(f"\n## cProfile: {kind}\n\n```\n{text.strip()}\n```")
    for kind, lines in statements.items():
        print(f"\n## SQL: {kind} ({len(lines)} statements)\n")
        print("\n".join(lines))
    return 0


def _statements_of(send: Callable[[], int]) -> list[str]:
    """Each statement ``send`` runs: the innermost Tandem line that ran it, and the SQL's start."""
    import traceback

    from django.db import connection

    found: list[str] = []
    root = str(Path(__file__).resolve().parent.parent / "tandem")

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        frames = [
            f
            for f in traceback.extract_stack()
            if f.filename.startswith(root) and "/middleware.py" not in f.filename
        ]
        last = frames[-1] if frames else None
        where = f"{last.filename[len(root) - 6 :]}:{last.lineno} {last.name}" if last else "?"
        found.append(f"- `{where}` {' '.join(sql.split())[:140]}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        send()
    return found


@dataclass
class Answer:
    """A response as the handler gave it: status, headers, body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """Requests straight through Django's WSGI handler, as gunicorn calls it (signals included, so the
    per-request database connection handling is what the server does), with fixed extra headers."""

    def __init__(self, handler: Any, extra: dict[str, str]) -> None:
        self.handler = handler
        self.extra = extra

    def request(self, method: str, url: str, body: bytes = b"") -> Answer:
        path, _sep, query = url.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/json" if body else "",
            **self.extra,
        }
        seen: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            seen["status"], seen["headers"] = int(status.split()[0]), dict(headers)

        result = self.handler(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            result.close()  # request_finished: what closes or keeps the database connection
        return Answer(seen["status"], seen["headers"], content)

    def get(self, url: str) -> Answer:
        return self.request("GET", url)


Send = Callable[[Client, Client, Person, random.Random], int]


def kinds() -> list[tuple[str, Send]]:
    """(kind, send) for each request of load.py's mix; send returns the request's SQL count."""
    found: list[tuple[str, Send]] = []
    for kind, _weight, path in READS:
        found.append((kind, _reader(path)))
    found.append(("write: comment", _comment))
    found.append(("write: task edit", _edit_task))
    return found


def _reader(path: str) -> Send:
    def send(web: Client, api: Client, person: Person, rng: random.Random) -> int:
        task = rng.choice(person.tasks[DEMO_CODE]) if "{task}" in path else 0
        url = path.format(code=DEMO_CODE, task=task)
        return _checked(api.get(url) if url.startswith("/api/") else web.get(url))

    return send


def _comment(web: Client, api: Client, person: Person, rng: random.Random) -> int:
    task = rng.choice(person.tasks[DEMO_CODE])
    body = {"body": f"Load test note {rng.randrange(10**6)}: checked with the store team."}
    return _checked(
        api.request(
            "POST", f"/api/v1/projects/{DEMO_CODE}/comments?target=task:{task}", json.dumps(body).encode()
        )
    )


def _edit_task(web: Client, api: Client, person: Person, rng: random.Random) -> int:
    pk = rng.choice(person.tasks[DEMO_CODE])
    url = f"/api/v1/projects/{DEMO_CODE}/tasks/{pk}"
    read = api.get(url)
    task = read.json()
    minutes = max(60, task["duration_minutes"] + rng.choice((-60, 60)))
    body = {"duration_minutes": minutes, "version": task["version"]}
    return _checked(read) + _checked(api.request("PATCH", url, json.dumps(body).encode()))


def _checked(answer: Answer) -> int:
    if answer.status >= 400:
        raise harness.BenchmarkError(f"HTTP {answer.status}: {answer.body[:300]!r}")
    return int(answer.headers["X-Query-Count"])


if __name__ == "__main__":
    sys.exit(main())
