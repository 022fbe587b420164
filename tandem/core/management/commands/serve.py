"""`tandem serve`: run Tandem's web app and API with gunicorn, static files served by WhiteNoise.

With the embedded database task backend, serve also starts the background worker (``db_worker``)
and the clock (``tandem clock``) under a supervisor process (:mod:`tandem.core.supervision`) that
restarts either one when it dies, logging it to stderr, and stops them when serve stops.
``--no-worker`` leaves them out (run them yourself, or on other machines).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from gunicorn.app.base import BaseApplication

from tandem.core import supervision

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"


def background_commands() -> list[tuple[str, list[str]]]:
    """The named worker and clock to run beside the web server (none unless tasks use the database)."""
    if settings.TASKS.get("default", {}).get("BACKEND") != DATABASE_BACKEND:
        return []
    tandem = [sys.executable, "-m", "tandem.cli"]
    return [
        ("background worker", [*tandem, "db_worker", "--queue-name", "*", "--no-reload"]),
        ("clock", [*tandem, "clock"]),
    ]


@contextmanager
def running(commands: list[tuple[str, list[str]]]) -> Iterator[subprocess.Popen[bytes] | None]:
    """Run the named commands under a supervisor process; stop it (and so them) on the way out.

    The supervisor gets a session of its own, so Ctrl+C in the terminal reaches gunicorn only and
    the background children are stopped in order, by SIGTERM from here, once the web server is down.
    """
    if not commands:
        yield None
        return
    supervisor = subprocess.Popen(  # noqa: S603 - our own module and commands
        [sys.executable, "-m", "tandem.core.supervision", json.dumps(commands)], start_new_session=True
    )
    try:
        yield supervisor
    finally:
        supervisor.terminate()
        try:
            supervisor.wait(timeout=supervision.STOP_TIMEOUT + 5)
        except subprocess.TimeoutExpired:
            supervisor.kill()
            supervisor.wait()


class _Server(BaseApplication):  # type: ignore[misc]
    """Gunicorn embedded in the command, configured from its options."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from tandem.wsgi import application

        return application


def default_workers() -> int:
    """Two worker processes per processor core this process may use (at least 2, at most 8).

    Python runs one thread of a process at a time: on 2 cores, the 50-user load test served 16 %
    more requests per second with 4 processes of 2 threads than with 2 of 4, each request costing
    11 % less CPU (less time lost handing the interpreter lock between threads; ``benchmarks/
    README.md``, 2026-12-06). Two threads per process still cover the time a request waits for the
    database. Each process holds its own copy of the application (about 115 MB resident on the demo).
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return min(8, max(2, 2 * cores))


class Command(BaseCommand):
    help = "Serve Tandem over HTTP (gunicorn with threads; put a TLS proxy in front in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="worker processes (default two per processor core, at most 8: here %(default)s)",
        )
        parser.add_argument("--threads", type=int, default=2, help="threads per worker (default 2)")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start the background worker and the clock beside the web server",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 < options["port"] < 65536:
            self.stderr.write("--port must be between 1 and 65535")
            raise SystemExit(2)
        commands = [] if options["no_worker"] else background_commands()
        self.stdout.write(
            f"Tandem is serving on http://{options['host']}:{options['port']}/ (Ctrl+C stops it)"
        )
        if commands:
            self.stdout.write(
                "Background jobs: a database worker and the clock run beside it, restarted if they die."
            )
        with running(commands):
            _Server(
                {
                    "bind": f"{options['host']}:{options['port']}",
                    "workers": options["workers"],
                    "threads": options["threads"],
                    "worker_class": "gthread",
                    "accesslog": "-",
                    "timeout": 60,
                    # Keep an idle connection open longer than a reader pauses between clicks, so a
                    # browser's next request does not race the server closing it (gunicorn's 2 s).
                    "keepalive": 15,
                }
            ).run()
