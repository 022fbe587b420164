"""The Redis-backed job queue for larger installs works end to end: enqueue, an RQ worker runs it.

It runs Tandem in subprocesses with the settings a larger install uses (the settings add the RQ apps
at start-up, which one test process cannot change), against the Redis server on 127.0.0.1:6379.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django_tasks import task

SCRIPT_ENQUEUE = """
import django
django.setup()
from tandem.core.tests.test_redis_queue import add
print(add.enqueue(2, 3).id)
"""

SCRIPT_RESULT = """
import sys
import django
django.setup()
from django_tasks import default_task_backend
result = default_task_backend.get_result(sys.argv[1])
print(result.status, result.return_value if result.is_finished else "")
"""


@task()
def add(a: int, b: int) -> int:
    """A job the worker must import by its module path and run."""
    return a + b


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(
    importlib.util.find_spec("django_tasks_rq") is None, reason="the redis extra is not installed"
)
@pytest.mark.skipif(not _redis_up(), reason="no Redis server on 127.0.0.1:6379")
def test_a_task_enqueued_to_redis_is_run_by_an_rq_worker(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tandem.settings",
        "TANDEM_DATA_DIR": str(tmp_path),
        "TANDEM_TASKS_BACKEND": "django_tasks_rq.RQBackend",
        "TANDEM_REDIS_URL": "redis://127.0.0.1:6379/7",
    }
    env.pop("TANDEM_DATABASE_URL", None)
    env.pop("DATABASE_URL", None)

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip()

    task_id = run("-c", SCRIPT_ENQUEUE).splitlines()[-1]
    assert run("-c", SCRIPT_RESULT, task_id).split()[0].endswith("READY")
    run("-m", "tandem.cli", "rqworker", "--burst", "--job-class", "django_tasks_rq.Job", "default")
    assert run("-c", SCRIPT_RESULT, task_id).split() == ["SUCCESSFUL", "5"]
