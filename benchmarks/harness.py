"""What the end-to-end benchmark and the load test share: a throw-away Tandem to measure.

A fresh database (a SQLite file in a temporary directory, or a PostgreSQL database created for the
run and dropped after it), the ``tandem`` command run against it, the real server (``tandem serve``,
gunicorn) with the opt-in ``X-Query-Count``/``Server-Timing`` headers, a token and a session for a
user, timed HTTP requests and the statistics printed. Everything started here is stopped and
removed on the way out, on failure too.

Not a test and not part of the application: run ``benchmarks/e2e.py`` or ``benchmarks/load.py``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

REPO = Path(__file__).resolve().parent.parent
#: The ``tandem`` command, run by the same Python as the benchmark.
TANDEM = [sys.executable, "-m", "tandem.cli"]
#: The demo's project manager: the person every measurement acts as.
PM_EMAIL = "wang.fang@huaxin.example"
DEMO_CODE = "RETAIL-ERP"


class BenchmarkError(RuntimeError):
    """A step of the benchmark failed; the message says which and why."""


# ---------------------------------------------------------------------------------------------
# The database and the environment of every process


@contextlib.contextmanager
def fresh_database(
    database_url: str | None, workdir: Path, *, keep: bool = False
) -> Iterator[dict[str, str]]:
    """The environment of a Tandem on a new, empty database; the database is dropped afterwards.

    Without ``database_url``: SQLite in ``workdir`` (Tandem's own default file, with its WAL and
    transaction settings). With a ``postgres://`` URL: that database is dropped and created again
    (its name must contain "bench", so a real database is never dropped by mistake).
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"TANDEM_DATABASE_URL", "DATABASE_URL"} and not key.startswith("TANDEM_")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tandem.settings",
        TANDEM_DATA_DIR=str(workdir),
        TANDEM_SECRET_KEY=secrets.token_urlsafe(50),
        TANDEM_HTTPS="0",
        TANDEM_QUERY_COUNT_HEADER="1",
        TANDEM_LOG_LEVEL="ERROR",
        PYTHONUNBUFFERED="1",
    )
    if not database_url:
        yield env
        return
    parts = urlsplit(database_url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise BenchmarkError(f"--database takes a postgres:// URL, not {database_url!r}")
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise BenchmarkError(f"Refusing to drop and create {name!r}: name a database containing 'bench'.")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    _postgres(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    env["TANDEM_DATABASE_URL"] = database_url
    try:
        yield env
    finally:
        if not keep:
            _postgres(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres(admin_url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement.encode())


def run_isolated(
    name: str, database_url: str, *, keep: bool, body: Callable[[dict[str, str], Path], int]
) -> int:
    """``body(env, workdir)`` on a fresh database in a new work directory, both removed afterwards.

    A failed step (``BenchmarkError``) is one line on stderr and exit status 1.
    """
    workdir = Path(tempfile.mkdtemp(prefix=f"tandem-{name}-"))
    print(f"Working in {workdir}", file=sys.stderr)
    try:
        with fresh_database(database_url or None, workdir, keep=keep) as env:
            return body(env, workdir)
    except BenchmarkError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


def use_database_here(env: dict[str, str]) -> None:
    """Point this process's Django at the benchmark's database (before ``django.setup()``)."""
    for key in [k for k in os.environ if k.startswith("TANDEM_") or k in {"DATABASE_URL"}]:
        del os.environ[key]
    os.environ.update(env)
    import django

    django.setup()


def close_django_connections() -> None:
    """Let go of this process's database connections (so SQLite readers and DROP DATABASE never wait)."""
    from django.db import connections

    connections.close_all()


def tandem(env: dict[str, str], *args: str, timeout: float = 3600) -> subprocess.CompletedProcess[str]:
    """Run ``tandem ARGS`` against the benchmark's database; a failure raises with its output."""
    done = subprocess.run(
        [*TANDEM, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise BenchmarkError(f"tandem {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done


def load_demo(env: dict[str, str]) -> None:
    """Create the tables and load the demo project with its people."""
    tandem(env, "migrate", "--no-input", "-v", "0")
    tandem(env, "demo", "--quiet-logins")


PLANGEN = Path(__file__).resolve().parent / "plangen.py"


def generate_plan(tasks: int, out: Path) -> None:
    """Write an MSPDI file of ``tasks`` tasks with ``benchmarks/plangen.py``."""
    if not PLANGEN.exists():
        raise BenchmarkError(f"{PLANGEN} is missing (it lands on main: `git merge main`); or pass --plan.")
    done = subprocess.run(
        [sys.executable, str(PLANGEN), "--tasks", str(tasks), "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not out.exists():
        raise BenchmarkError(f"plangen failed ({done.returncode}):\n{done.stderr[-3000:]}")


#: The demo's client organization: an imported plan for it can have the demo's client people as members.
DEMO_CLIENT = "湖畔零售 Lakeside Retail"


def import_plan(env: dict[str, str], plan: Path, code: str, client: str = DEMO_CLIENT) -> float:
    """Import ``plan`` as the new project ``code`` with the CLI, as the PM; returns the wall time (s)."""
    started = time.perf_counter()
    tandem(env, "plan", "import", str(plan), "--code", code, "--client", client, "--as", PM_EMAIL)
    return time.perf_counter() - started


# ---------------------------------------------------------------------------------------------
# Who calls


def api_token(email: str) -> str:
    """A new personal API token for the active user ``email`` (in this process's Django)."""
    from tandem.accounts.models import User
    from tandem.accounts.services import do_create_api_token

    user = User.objects.get(email__iexact=email, is_active=True)
    _token, raw = do_create_api_token(user, name=f"benchmark {dt.datetime.now():%H:%M:%S}", actor=user)
    return raw


def session_cookie(email: str) -> tuple[str, str]:
    """(cookie name, value) of a signed-in session for ``email``, as the sign-in page would make it.

    Made directly rather than by signing in, so a run does not pay (or measure) the password hash.
    """
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from tandem.accounts.models import User

    user = User.objects.get(email__iexact=email, is_active=True)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return settings.SESSION_COOKIE_NAME, str(store.session_key)


# ---------------------------------------------------------------------------------------------
# The server


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Server:
    """A running ``tandem serve``: its base URL and the process groups it leads (for CPU readings)."""

    base: str
    groups: tuple[int, ...]

    def cpu_seconds(self) -> float:
        """User and system CPU time used so far by every process of the server's groups."""
        return sum(cpu_seconds_of_group(group) for group in self.groups)


def cpu_seconds_of_command(prefix: str) -> float:
    """User and system CPU seconds of the live processes whose command name starts with ``prefix``
    (``"postgres"``: the database server's backends on this machine; from /proc, 0 elsewhere)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = stat.read_text()
            name = text[text.index("(") + 1 : text.rindex(")")]
            if name.startswith(prefix):
                fields = text.rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def cpu_seconds_of_group(group: int) -> float:
    """User and system CPU seconds of the live processes of a process group (from /proc; 0 elsewhere)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # The command name is in parentheses and may hold spaces: split after the last one.
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group:
                total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def running_server(
    env: dict[str, str],
    workdir: Path,
    *,
    port: int = 0,
    workers: int | None = None,
    threads: int | None = None,
    with_worker: bool = True,
) -> Iterator[Server]:
    """``tandem serve --no-worker`` on the loopback interface, stopped on the way out.

    With ``with_worker`` a background-job worker (``db_worker``, without the clock, whose periodic
    jobs would only add noise) runs beside it, so jobs a request queues (a PDF, an import) finish.
    """
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    log = (workdir / "server.log").open("ab")
    commands = [
        [
            *TANDEM,
            "serve",
            "--port",
            str(port),
            "--no-worker",
            # Without ``workers`` and ``threads``: as shipped (``tandem serve``'s own defaults).
            *(["--workers", str(workers)] if workers else []),
            *(["--threads", str(threads)] if threads else []),
        ]
    ]
    if with_worker:
        commands.append([*TANDEM, "db_worker", "--queue-name", "*", "--no-reload"])
    children: list[subprocess.Popen[bytes]] = []
    try:
        for command in commands:
            children.append(
                subprocess.Popen(
                    command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
            )
        _wait_until_up(base, children[0], workdir / "server.log")
        yield Server(base, (children[0].pid,))
    finally:
        for child in children:
            _stop(child)
        log.close()


def server_problems(workdir: Path, limit: int = 20) -> list[str]:
    """The last error lines of the server's log (worker timeouts, tracebacks), to say why requests failed."""
    log = workdir / "server.log"
    if not log.exists():
        return []
    marks = ("[ERROR]", "[CRITICAL]", "WORKER TIMEOUT", "Traceback", "Error:", "Exception")
    lines = log.read_text(errors="replace").splitlines()
    return [line for line in lines if any(mark in line for mark in marks)][-limit:]


def _wait_until_up(base: str, server: subprocess.Popen[bytes], log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchmarkError(f"The server stopped at start-up:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/login/", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise BenchmarkError(f"The server did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def _stop(child: subprocess.Popen[bytes]) -> None:
    """Stop a child we started, with its own children (it leads its own process group)."""
    if child.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGTERM)
    try:
        child.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()


# ---------------------------------------------------------------------------------------------
# Timed requests and their statistics


@dataclass(frozen=True)
class Sample:
    """One timed request as the client saw it, with what the server said about its own work."""

    seconds: float
    status: int
    size: int
    queries: int | None
    server_ms: float | None


def timed(client: httpx.Client, method: str, url: str, **kwargs: Any) -> tuple[Sample, httpx.Response]:
    """Send one request and read the whole answer; the time covers both."""
    started = time.perf_counter()
    response = client.request(method, url, **kwargs)
    body = response.content
    seconds = time.perf_counter() - started
    return Sample(
        seconds, response.status_code, len(body), query_count(response), server_ms(response)
    ), response


def query_count(response: httpx.Response) -> int | None:
    """The server's ``X-Query-Count``, when it sent one."""
    raw = response.headers.get("X-Query-Count")
    return int(raw) if raw and raw.isdigit() else None


def server_ms(response: httpx.Response) -> float | None:
    """The ``app`` duration of the server's ``Server-Timing`` header, in milliseconds."""
    for part in response.headers.get("Server-Timing", "").split(","):
        name, _, rest = part.strip().partition(";")
        if name == "app" and rest.startswith("dur="):
            with contextlib.suppress(ValueError):
                return float(rest[4:].split(";")[0])
    return None


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (with five values the 95th is the largest)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Summary:
    """The statistics of a series of samples."""

    runs: int
    median_ms: float
    p95_ms: float
    size: int
    queries: int | None
    server_ms: float | None
    statuses: list[int] = field(default_factory=list)


def summarise(samples: Sequence[Sample]) -> Summary:
    """Median and p95 of the client's times; median size, query count and server time."""
    times = [s.seconds * 1000 for s in samples]
    counts = [s.queries for s in samples if s.queries is not None]
    server = [s.server_ms for s in samples if s.server_ms is not None]
    return Summary(
        runs=len(samples),
        median_ms=statistics.median(times),
        p95_ms=percentile(times, 0.95),
        size=int(statistics.median([s.size for s in samples])),
        queries=int(statistics.median(counts)) if counts else None,
        server_ms=statistics.median(server) if server else None,
        statuses=sorted({s.status for s in samples}),
    )


def human_size(size: int) -> str:
    """Bytes as B, kB or MB (decimal)."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.2f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.1f} kB"
    return f"{size} B"


def ms(value: float | None) -> str:
    """Milliseconds, readable at both ends of the scale."""
    if value is None or math.isnan(value):
        return "—"
    return (
        f"{value / 1000:.2f} s"
        if value >= 10_000
        else f"{value:.0f} ms"
        if value >= 10
        else f"{value:.1f} ms"
    )


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    """The machine and load a run saw: CPU model and count, load average, Python, commit."""
    model = platform.processor() or "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return (
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · {model} · {os.cpu_count()} cores · "
        f"load average {load} · Python {platform.python_version()} · commit {commit or '?'}"
    )
