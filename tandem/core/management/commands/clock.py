"""`tandem clock`: call every periodic job once a minute, at the top of the minute.

Each job is idempotent and works out for itself what is due (see :mod:`tandem.core.clock`), so two
clocks, a restart or a missed minute never do anything twice. ``--once`` runs one tick and prints how
each job went (for cron, or to check a deployment).
"""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from tandem.core import clock


def seconds_to_next_minute(now: float) -> float:
    """How long from ``now`` (epoch seconds) to the start of the next minute."""
    return 60.0 - (now % 60.0)


class Command(BaseCommand):
    help = "Run Tandem's periodic jobs once a minute (reminders, digests, webhook retries, reports)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="run one tick now, print each job's outcome, exit"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            failed = self._tick(verbose=True)
            if failed:
                raise SystemExit(1)
            return
        stop = threading.Event()

        def request_stop(signum: int, frame: Any) -> None:
            stop.set()

        for name in ("SIGTERM", "SIGINT"):
            signal.signal(getattr(signal, name), request_stop)
        jobs = ", ".join(clock.registered()) or "none"
        self.stdout.write(f"Tandem clock: running {jobs} at the top of every minute (Ctrl+C stops it)")
        while not stop.wait(seconds_to_next_minute(time.time())):
            # A long-running loop drops connections the database closed or that outlived their age.
            close_old_connections()
            self._tick(verbose=options["verbosity"] > 1)
            close_old_connections()
        self.stdout.write("Tandem clock stopped.")

    def _tick(self, *, verbose: bool) -> int:
        """Run every job once; report failures always and successes when ``verbose``."""
        now = timezone.now()
        outcome = clock.tick(now)
        failed = 0
        for name, error in outcome.items():
            if error is None:
                if verbose:
                    self.stdout.write(f"{now:%Y-%m-%d %H:%M} {name}: ok")
            else:
                failed += 1
                self.stderr.write(f"{now:%Y-%m-%d %H:%M} {name}: {error}")
        return failed
