"""The supervisor of the worker and the clock: a dead child is logged and restarted, with a capped backoff."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tandem.core import supervision
from tandem.core.management.commands import serve
from tandem.testing.processes import command_line, descendants_running, wait_until
from tandem.testing.smtp import _free_port, running_smtp_server

EXIT_3 = [sys.executable, "-c", "raise SystemExit(3)"]
SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
SUPERVISOR = "tandem.core.supervision"


class FakeClock:
    """Monotonic time the test moves by hand, so backoff is checked without waiting for it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _wait_for_exit(child: supervision.Child) -> None:
    assert child.process is not None
    child.process.wait(timeout=30)


def test_it_restarts_a_child_that_exits_doubling_the_wait_up_to_the_cap() -> None:
    log, clock = io.StringIO(), FakeClock()
    supervisor = supervision.Supervisor([("background worker", EXIT_3)], log=log, clock=clock)
    child = supervisor.children[0]
    supervisor.check()  # first start
    waits = []
    for _ in range(7):
        _wait_for_exit(child)
        supervisor.check()
        assert child.process is None
        waits.append(child.restart_at - clock.now)  # type: ignore[operator]
        clock.now += waits[-1] - 0.01
        supervisor.check()
        assert child.process is None, "restarted before its backoff ended"
        clock.now += 0.01
        supervisor.check()
        assert child.process is not None
    assert waits == [1, 2, 4, 8, 16, 30, 30]
    lines = log.getvalue().splitlines()
    assert lines[0] == "background worker exited with code 3; restarting in 1s"
    assert lines[5] == "background worker exited with code 3; restarting in 30s"
    _wait_for_exit(child)


def test_it_waits_the_minimum_again_after_a_child_ran_for_a_while() -> None:
    log, clock = io.StringIO(), FakeClock()
    supervisor = supervision.Supervisor([("clock", EXIT_3)], log=log, clock=clock)
    child = supervisor.children[0]
    supervisor.check()
    for _ in range(3):  # three quick deaths: the next wait would be 8 s
        _wait_for_exit(child)
        supervisor.check()
        clock.now = child.restart_at  # type: ignore[assignment]
        supervisor.check()
    clock.now += supervision.STABLE_AFTER  # this run was a healthy one
    _wait_for_exit(child)
    supervisor.check()
    assert child.restart_at == clock.now + supervision.MIN_DELAY
    assert log.getvalue().splitlines()[-1] == "clock exited with code 3; restarting in 1s"
    supervisor.stop()


def test_it_names_the_signal_that_killed_a_child_by_its_code() -> None:
    log = io.StringIO()
    supervisor = supervision.Supervisor([("background worker", SLEEPER)], log=log)
    supervisor.check()
    child = supervisor.children[0]
    assert child.process is not None
    os.kill(child.process.pid, signal.SIGKILL)
    _wait_for_exit(child)
    supervisor.check()
    assert log.getvalue() == "background worker exited with code -9; restarting in 1s\n"


def test_serve_stops_the_supervisor_and_its_children_when_it_stops() -> None:
    with serve.running([("one", SLEEPER), ("two", SLEEPER)]) as supervisor:
        assert supervisor is not None
        sleepers = wait_until(
            lambda: len(found := descendants_running(supervisor.pid, SLEEPER[-1])) == 2 and found,
            what="both children to start",
        )
    assert supervisor.returncode is not None
    assert all(command_line(pid) == "" for pid in sleepers)


def test_the_supervisor_stops_its_children_when_its_parent_dies(tmp_path: Path) -> None:
    # A parent that starts the supervisor and is then killed with SIGKILL, leaving no chance to clean up.
    children = json.dumps([["s", SLEEPER]])
    script = (
        "import subprocess, sys, time;"
        f"subprocess.Popen([sys.executable, '-m', 'tandem.core.supervision', {children!r}]);"
        "time.sleep(120)"
    )
    parent = subprocess.Popen([sys.executable, "-c", script])
    try:
        sleeper = wait_until(lambda: descendants_running(parent.pid, SLEEPER[-1])[-1:], what="the child")[0]
        supervisor = wait_until(
            lambda: descendants_running(parent.pid, "tandem.core.supervision"), what="it"
        )[0]
    finally:
        parent.kill()
        parent.wait()
    wait_until(lambda: command_line(supervisor) == "", what="the supervisor to exit")
    wait_until(lambda: command_line(sleeper) == "", what="its child to exit")


def _environment(data_dir: Path, smtp_port: int) -> dict[str, str]:
    """A Tandem of its own: a SQLite file in ``data_dir``, mail to the test's SMTP server, database jobs."""
    env = {k: v for k, v in os.environ.items() if k not in {"TANDEM_DATABASE_URL", "DATABASE_URL"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tandem.settings",
            "TANDEM_DATA_DIR": str(data_dir),
            "TANDEM_HTTPS": "0",
            "TANDEM_EMAIL_HOST": "127.0.0.1",
            "TANDEM_EMAIL_PORT": str(smtp_port),
            "TANDEM_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        }
    )
    return env


ENQUEUE_A_RESET_MAIL = """
from tandem.accounts.models import User
from tandem.web.tasks import email_password_reset
user = User.objects.create_user(email="ada@example.test", password="x", full_name="Ada")
email_password_reset.enqueue(user.pk, "uid", "token", "127.0.0.1", "http")
"""


def test_serve_restarts_a_killed_worker_and_the_queued_job_gets_done(tmp_path: Path) -> None:
    tandem = [sys.executable, "-m", "tandem.cli"]
    log_path = tmp_path / "serve.log"
    with running_smtp_server() as smtp, log_path.open("wb") as log:
        env = _environment(tmp_path / "data", smtp.port)
        subprocess.run([*tandem, "migrate", "--no-input", "-v0"], env=env, check=True, timeout=300)
        port = _free_port()
        server = subprocess.Popen(
            [*tandem, "serve", "--port", str(port), "--workers", "1", "--threads", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(lambda: _answers(port), what="the web server")
            worker = wait_until(lambda: descendants_running(server.pid, "db_worker"), what="the worker")
            assert len(worker) == 1
            os.kill(worker[0], signal.SIGKILL)

            wait_until(
                lambda: b"background worker exited with code -9; restarting in 1s" in log_path.read_bytes(),
                what="the log of the worker's death",
            )
            restarted = wait_until(
                lambda: [pid for pid in descendants_running(server.pid, "db_worker") if pid != worker[0]],
                what="a new worker",
            )
            assert _answers(port), "the web server kept serving while the worker was down"
            subprocess.run([*tandem, "shell", "-c", ENQUEUE_A_RESET_MAIL], env=env, check=True, timeout=120)
            mail = smtp.wait_for(1, timeout=90)
            assert mail[0].recipients == ["ada@example.test"]
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    # serve stopped its supervisor, and the supervisor the restarted worker and the clock.
    wait_until(lambda: command_line(restarted[0]) == "", what="the worker to stop")
    assert server.returncode == 0, log_path.read_text()


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/login/", timeout=5).status_code < 500
    except httpx.HTTPError:
        return False
