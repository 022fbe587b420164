"""Fifty people edit fifty tasks of one plan at once against a real server on a SQLite file: no 5xx.

SQLite has one writer at a time: the server's writers queue on its write lock (transactions begin
IMMEDIATE, see settings), each edit reschedules the plan, and none may fail with a server error or
lose its update. The same on PostgreSQL, where the plan lock orders the writers, is tested in
``test_writing.py``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from django.db import connection

from tandem.testing.processes import wait_until
from tandem.testing.smtp import _free_port

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite server's own writer queue (PostgreSQL: test_writing.py)"
)

SET_UP = """
import json
from tandem.accounts.services import do_create_api_token
from tandem.planning import services
from tandem.planning.models import Task
from tandem.testing.personas import build_world
from tandem.testing.plans import build_small_plan
world = build_world()
plan = build_small_plan(world, extra=50)
tasks = list(Task.objects.filter(project=world.project, name__startswith="Extra").order_by("id"))
services.do_bulk_plan(
    world.project,
    actor=world.pm,
    links=[{"predecessor_id": plan.build.pk, "successor_id": t.pk} for t in tasks]
    + [{"predecessor_id": t.pk, "successor_id": plan.golive.pk} for t in tasks],
)
_token, raw = do_create_api_token(world.pm, name="load", actor=world.pm)
tasks = Task.objects.filter(pk__in=[t.pk for t in tasks]).order_by("id")
print(json.dumps({"token": raw, "tasks": [[t.pk, t.version] for t in tasks], "golive": plan.golive.pk}))
"""

CHECK = """
import json, os
from tandem.core.models import Activity
from tandem.planning.models import Task
ids = json.loads(os.environ["TANDEM_TEST_IDS"])
print(json.dumps({
    "durations": {str(t.pk): t.duration_minutes for t in Task.objects.filter(pk__in=ids)},
    "audits": Activity.objects.filter(verb="updated", target_type="planning.task").count(),
    "golive_start": str(Task.objects.get(name="Go-live").start),
    "latest_finish": str(max(t.finish for t in Task.objects.filter(pk__in=ids))),
}))
"""


def test_fifty_simultaneous_edits_on_sqlite_answer_200_or_409_and_lose_nothing(tmp_path: Path) -> None:
    tandem = [sys.executable, "-m", "tandem.cli"]
    env = {k: v for k, v in os.environ.items() if k not in {"TANDEM_DATABASE_URL", "DATABASE_URL"}}
    env |= {
        "DJANGO_SETTINGS_MODULE": "tandem.settings",
        "TANDEM_DATA_DIR": str(tmp_path),
        "TANDEM_HTTPS": "0",
    }
    subprocess.run([*tandem, "migrate", "--no-input", "-v0"], env=env, check=True, timeout=300)
    made = subprocess.run(
        [*tandem, "shell", "-c", SET_UP], env=env, check=True, timeout=300, capture_output=True
    )
    state = json.loads(made.stdout.decode().strip().splitlines()[-1])
    port = _free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [*tandem, "serve", "--port", str(port), "--workers", "2", "--threads", "8", "--no-worker"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}/api/v1/projects/ERP/tasks"
            headers = {"Authorization": f"Bearer {state['token']}"}
            wait_until(lambda: _answers(base, headers), what="the web server")
            barrier = threading.Barrier(len(state["tasks"]))
            statuses: dict[int, int] = {}

            def edit(n: int, pk: int, version: int) -> None:
                with httpx.Client(headers=headers, timeout=120) as client:
                    barrier.wait()
                    answer = client.patch(
                        f"{base}/{pk}", json={"version": version, "duration_minutes": 480 * (2 + n % 5)}
                    )
                    statuses[pk] = answer.status_code

            threads = [
                threading.Thread(target=edit, args=(n, pk, version))
                for n, (pk, version) in enumerate(state["tasks"])
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    assert len(statuses) == 50
    assert all(status in (200, 409) for status in statuses.values()), (statuses, log_path.read_text()[-3000:])
    ids = [pk for pk, _version in state["tasks"]]
    checked = subprocess.run(
        [*tandem, "shell", "-c", CHECK],
        env=env | {"TANDEM_TEST_IDS": json.dumps(ids)},
        check=True,
        timeout=120,
        capture_output=True,
    )
    after = json.loads(checked.stdout.decode().strip().splitlines()[-1])
    succeeded = [pk for pk, status in statuses.items() if status == 200]
    for n, pk in enumerate(ids):
        if pk in succeeded:
            assert after["durations"][str(pk)] == 480 * (2 + n % 5)
    assert after["audits"] == len(succeeded)
    assert after["golive_start"] == after["latest_finish"]


def _answers(base: str, headers: dict[str, str]) -> bool:
    try:
        return httpx.get(f"{base}?limit=1", headers=headers, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False
