"""The WSGI entry point: a worker imports its views at start and freezes what it loaded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import gc, sys
import tandem.wsgi
print(gc.get_freeze_count(), 'tandem.web.views.planning' in sys.modules, gc.get_threshold()[0])
"""


def test_a_worker_loads_its_views_and_freezes_them_out_of_the_collectors_walks(tmp_path: Path) -> None:
    env = {**os.environ, "TANDEM_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "tandem.settings"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    frozen, views, young = done.stdout.split()
    # Django and Tandem's modules are hundreds of thousands of objects; a few would mean no freeze.
    assert int(frozen) > 100_000
    assert views == "True"
    # A young collection every 7,000 allocations, not CPython's 700: a request allocates tens of
    # thousands of objects that reference counting frees anyway.
    assert int(young) == 7_000
