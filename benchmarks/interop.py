"""Interop benchmark: importing a large MS Project plan and exporting it (MSPDI, CSV, Excel).

Run: ``.venv/bin/python benchmarks/interop.py [--tasks 5000 20000] [--no-mpxj] [--no-http]``
(``TANDEM_DATABASE_URL=postgres://…`` for PostgreSQL).

1. Writes generated plans (``benchmarks/plangen.py``: phases, 2 % milestones, 1.6 links a task) of
   each size to a temporary directory.
2. Creates a throw-away test database (as the test runner does; for SQLite a file, not memory, with
   the settings' pragmas) and the test personas.
3. For each size: the floor, the engine's own work on the same file (``tandem_engine.read_mspdi`` and
   ``schedule``); MPXJ reading the same file (``UniversalProjectReader``, in the same process through
   JPype) when Java is present; then Tandem's ``import_plan`` (``tandem plan import``), with the part
   spent in ``scheduling.reschedule`` and the query count.
4. For the imported plan: each export (``export_mspdi``, ``export_csv``, ``export_xlsx``), best of 3,
   wall and CPU time, size and query count; the same through the HTTP API as the project manager
   (``GET /api/v1/projects/{code}/plan.xml|csv|xlsx``); and MPXJ writing the plan it read as MSPDI.

Goals (issue "Tandem on large plans"): import of 5,000 tasks ≤ 5 s; each export of 5,000 tasks
≤ 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

import tandem_engine as engine  # noqa: E402
from benchmarks.plangen import write_mspdi  # noqa: E402
from tandem.planning import interop, mpxj_bridge, scheduling  # noqa: E402
from tandem.testing.personas import build_world  # noqa: E402

T = TypeVar("T")


def timed(fn: Callable[[], T]) -> tuple[float, float, T]:
    """(wall seconds, CPU seconds of this process, result) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def best_of(n: int, fn: Callable[[], T]) -> tuple[float, float, T]:
    """The best wall and CPU time of ``n`` calls (the machine is shared), and the last result."""
    runs = [timed(fn) for _ in range(n)]
    return min(r[0] for r in runs), min(r[1] for r in runs), runs[-1][2]


def mpxj_reader() -> Any | None:
    """MPXJ's UniversalProjectReader and MSPDIWriter classes in this process, or None without Java."""
    if not mpxj_bridge.java_available():
        return None
    try:
        import jpype
        import mpxj  # noqa: F401 - adds the jars to the class path
    except ImportError:
        return None
    if not jpype.isJVMStarted():
        jpype.startJVM()
    from org.mpxj.mspdi import MSPDIWriter
    from org.mpxj.reader import UniversalProjectReader

    return UniversalProjectReader, MSPDIWriter


def line(label: str, wall: float, cpu: float | None = None, extra: str = "") -> None:
    """One result line."""
    cpu_text = f" (CPU {cpu:6.3f} s)" if cpu is not None else " " * 17
    print(f"  {label:<58} {wall:7.3f} s{cpu_text} {extra}")


def run_size(tasks: int, directory: Path, world: Any, mpxj: Any | None, http: bool) -> None:
    """Generate, import and export a plan of ``tasks`` rows, printing every figure."""
    path = directory / f"plan{tasks}.xml"
    shape = write_mspdi(path, tasks)
    print(
        f"\nPlan of {shape.rows} tasks ({shape.phases} phases, {shape.milestones} milestones), "
        f"{shape.links} links, {path.stat().st_size / 1e6:.1f} MB of MSPDI"
    )
    data = path.read_bytes()

    def floor() -> Any:
        project = engine.read_mspdi(data, max_bytes=interop.MAX_IMPORT_BYTES)
        return engine.schedule(project.network)

    wall, cpu, _ = best_of(3, floor)
    line("reference: engine read_mspdi + schedule (best of 3)", wall, cpu)
    read_project = None
    if mpxj is not None:
        reader, _writer = mpxj
        wall, cpu, read_project = best_of(3, lambda: reader().read(str(path)))
        line("reference: MPXJ UniversalProjectReader.read (best of 3)", wall, None, "(JVM, CPU not counted)")

    spent: dict[str, float] = {"wall": 0.0, "cpu": 0.0}
    original = scheduling.reschedule

    def reschedule(project: Any) -> Any:
        start, cpu = time.perf_counter(), time.process_time()
        try:
            return original(project)
        finally:
            spent["wall"] += time.perf_counter() - start
            spent["cpu"] += time.process_time() - cpu

    scheduling.reschedule = reschedule  # type: ignore[assignment]
    try:
        with CaptureQueriesContext(connection) as queries:
            wall, cpu, project = timed(
                lambda: interop.import_plan(
                    path, actor=world.pm, code=f"BENCH{tasks}", client=world.project.client
                )
            )
    finally:
        scheduling.reschedule = original  # type: ignore[assignment]
    line("Tandem import_plan (one run)", wall, cpu, f"{len(queries.captured_queries)} queries")
    line("  of which scheduling.reschedule", spent["wall"], spent["cpu"])
    line("  import without reschedule", wall - spent["wall"], cpu - spent["cpu"])

    for name in ("export_mspdi", "export_csv", "export_xlsx"):
        export = getattr(interop, name)
        with CaptureQueriesContext(connection) as queries:
            wall, cpu, out = best_of(3, lambda export=export: export(world.pm, project))
        count = len(queries.captured_queries) // 3
        line(f"Tandem {name} (best of 3)", wall, cpu, f"{len(out) / 1e6:.2f} MB, {count} queries")
    if http:
        client = Client()
        client.force_login(world.pm)
        for suffix in ("xml", "csv", "xlsx"):
            url = f"/api/v1/projects/{project.code}/plan.{suffix}"
            wall, cpu, response = best_of(3, lambda url=url: client.get(url))
            assert response.status_code == 200, (url, response.status_code)
            line(f"GET {url} (best of 3)", wall, cpu, f"{len(response.content) / 1e6:.2f} MB")
    if mpxj is not None and read_project is not None:
        import jpype

        _reader, writer = mpxj
        stream = jpype.JClass("java.io.ByteArrayOutputStream")
        wall, cpu, _ = best_of(3, lambda: writer().write(read_project, stream()))
        line("reference: MPXJ MSPDIWriter.write of the plan it read (best of 3)", wall, None, "(JVM)")


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tasks", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--no-mpxj", action="store_true", help="skip the MPXJ references (no JVM)")
    parser.add_argument("--no-http", action="store_true", help="skip the exports through the HTTP API")
    args = parser.parse_args()
    print(
        f"Python {platform.python_version()}, database {connection.vendor}, {os.cpu_count()} CPUs, "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    setup_test_environment()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        if connection.vendor == "sqlite":
            # A file with the settings' pragmas (WAL), as served; the test runner's default is memory.
            settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(directory / "bench.sqlite3")
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            world = build_world(with_records=False)
            mpxj = None if args.no_mpxj else mpxj_reader()
            for tasks in args.tasks:
                run_size(tasks, directory, world, mpxj, http=not args.no_http)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    print(f"\nload average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
