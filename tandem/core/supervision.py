"""Keep the background worker and the clock running: restart a child that dies, with a capped backoff.

``tandem serve`` runs this supervisor as its own process (``python -m tandem.core.supervision``),
not as a thread beside gunicorn: gunicorn's arbiter reaps *every* child of its process with
``waitpid(-1)``, so children started there would have their exit status stolen. Here the
supervisor is the only one waiting for its children, it logs how each one ended, and it stops them
all on SIGTERM/SIGINT or when the process that started it goes away. Plain standard library: no
Django, so a broken settings module or database cannot take the supervisor down with the worker.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

#: The first restart waits this long; each quick death doubles it, up to ``MAX_DELAY``.
MIN_DELAY = 1.0
MAX_DELAY = 30.0
#: A child that ran this long before dying was healthy: its next restart waits ``MIN_DELAY`` again.
STABLE_AFTER = 60.0
#: How often the supervisor looks at its children (and at its own parent).
POLL_INTERVAL = 0.2
#: How long children get to stop after SIGTERM before they are killed.
STOP_TIMEOUT = 10.0


@dataclass
class Child:
    """One supervised command: its process while it runs, when it may start again otherwise."""

    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    delay: float = MIN_DELAY
    restart_at: float | None = field(default=None)


class Supervisor:
    """Start each child, restart those that exit, and stop them all when asked."""

    def __init__(
        self,
        children: Sequence[tuple[str, list[str]]],
        *,
        log: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.children = [Child(name, list(command)) for name, command in children]
        self.log = log if log is not None else sys.stderr
        self.clock = clock
        self.stopping = False

    def say(self, message: str) -> None:
        """One line on the log (stderr), at once: operators read it while things happen."""
        print(message, file=self.log, flush=True)

    def start(self, child: Child) -> None:
        """Start ``child``'s command now."""
        child.process = subprocess.Popen(child.command)  # noqa: S603 - Tandem's own commands
        child.started_at = self.clock()
        child.restart_at = None

    def check(self) -> None:
        """Note the children that exited (and schedule their restart); start those that are due."""
        now = self.clock()
        for child in self.children:
            if child.process is not None:
                code = child.process.poll()
                if code is None:
                    continue
                if now - child.started_at >= STABLE_AFTER:
                    child.delay = MIN_DELAY  # it had been healthy: this is a new failure, not a loop
                self.say(f"{child.name} exited with code {code}; restarting in {child.delay:g}s")
                child.process = None
                child.restart_at = now + child.delay
                child.delay = min(child.delay * 2, MAX_DELAY)
            elif child.restart_at is None or now >= child.restart_at:
                self.start(child)

    def stop(self) -> None:
        """SIGTERM every running child, wait for them together, SIGKILL those still running after that."""
        running = [c.process for c in self.children if c.process is not None and c.process.poll() is None]
        for process in running:
            process.terminate()
        deadline = self.clock() + STOP_TIMEOUT
        for process in running:
            try:
                process.wait(timeout=max(0.0, deadline - self.clock()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def run(self, parent_alive: Callable[[], bool] = lambda: True) -> None:
        """Supervise until asked to stop or until ``parent_alive()`` says the parent is gone."""
        try:
            while not self.stopping and parent_alive():
                self.check()
                time.sleep(POLL_INTERVAL)
        finally:
            self.stop()


def main(argv: list[str] | None = None) -> None:
    """``python -m tandem.core.supervision '[["name", ["cmd", "arg"]], …]'``: supervise those commands."""
    args = sys.argv[1:] if argv is None else argv
    children = [(str(name), [str(part) for part in command]) for name, command in json.loads(args[0])]
    supervisor = Supervisor(children)
    parent = os.getppid()

    def request_stop(signum: int, frame: Any) -> None:
        supervisor.stopping = True

    for name in ("SIGTERM", "SIGINT"):
        signal.signal(getattr(signal, name), request_stop)
    # Started by `tandem serve`: if serve dies without stopping us (kill -9), we are re-parented.
    supervisor.run(parent_alive=lambda: os.getppid() == parent)


if __name__ == "__main__":
    main()
