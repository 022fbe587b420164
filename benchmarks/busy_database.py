"""A busy SQLite database seen through a real `tandem serve`: a token read, a write, a killed worker.

    .venv/bin/python benchmarks/busy_database.py [REPO] [--kill-worker]

REPO (default: this checkout) is the Tandem to measure, so an older checkout is the reference: run
the script once per checkout. It migrates a fresh database in a temporary data directory, creates a
token, serves on a free port and prints: the median of 30 token reads; one token read (due to record
its use) while another connection holds SQLite's write lock; one write while the lock is held; and
with --kill-worker, the time from SIGKILL of the background worker to its replacement.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

from tandem.testing.processes import descendants_running, wait_until  # noqa: E402

T = TypeVar("T")

NEW_TOKEN = """
from tandem.accounts.models import User
from tandem.accounts.services import do_create_api_token
user = User.objects.create_user(email="m@example.test", password="x", full_name="M")
print(do_create_api_token(user, name="m", actor=user)[1])
"""


def timed(call: Callable[[], T]) -> tuple[T, float]:
    """What ``call`` returns, and how long it took in milliseconds."""
    start = time.perf_counter()
    answer = call()
    return answer, (time.perf_counter() - start) * 1000


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    repo = Path(args[0]) if args else HERE
    python = str(repo / ".venv/bin/python")
    data = Path(tempfile.mkdtemp(prefix="tandem-busy-"))
    env = {k: v for k, v in os.environ.items() if k not in {"TANDEM_DATABASE_URL", "DATABASE_URL"}}
    env |= {"DJANGO_SETTINGS_MODULE": "tandem.settings", "TANDEM_DATA_DIR": str(data), "TANDEM_HTTPS": "0"}

    def tandem(*command: str) -> str:
        done = subprocess.run(
            [python, "-m", "tandem.cli", *command],
            env=env,
            cwd=repo,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout

    tandem("migrate", "--no-input", "-v0")
    raw = tandem("shell", "-c", NEW_TOKEN).strip().splitlines()[-1]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base, headers = f"http://127.0.0.1:{port}/api/v1", {"Authorization": f"Bearer {raw}"}
    with (data / "serve.log").open("wb") as log:
        server = subprocess.Popen(
            [python, "-m", "tandem.cli", "serve", "--port", str(port), "--workers", "1", "--threads", "4"],
            env=env,
            cwd=repo,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            measure(server, base, headers, data / "tandem.sqlite3")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(60)
    print("serve stopped with", server.returncode)


def measure(server: subprocess.Popen[bytes], base: str, headers: dict[str, str], database: Path) -> None:
    def me() -> httpx.Response:
        return httpx.get(f"{base}/me", headers=headers, timeout=120)

    def answers() -> bool:
        try:
            return me().status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(answers, what="the server")
    times = [timed(me)[1] for _ in range(30)]
    print(f"token GET /me, unlocked: median {statistics.median(times):.1f} ms of 30")
    lock = sqlite3.connect(database, isolation_level=None)
    lock.execute("UPDATE accounts_apitoken SET last_used_at = NULL")  # its use is due to be recorded
    lock.execute("BEGIN IMMEDIATE")
    answer, ms = timed(me)
    print(f"token GET /me, database write-locked: {answer.status_code} in {ms:.0f} ms")
    answer, ms = timed(
        lambda: httpx.post(f"{base}/me/tokens", headers=headers, json={"name": "x"}, timeout=120)
    )
    retry = answer.headers.get("retry-after")
    print(
        f"POST /me/tokens, database write-locked: {answer.status_code} (Retry-After {retry}) in {ms:.0f} ms"
    )
    lock.execute("ROLLBACK")
    if "--kill-worker" in sys.argv:
        worker = descendants_running(server.pid, "db_worker")[0]
        start = time.perf_counter()
        os.kill(worker, signal.SIGKILL)
        wait_until(lambda: [p for p in descendants_running(server.pid, "db_worker") if p != worker])
        print(f"worker killed (-9) to its replacement running: {(time.perf_counter() - start) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
