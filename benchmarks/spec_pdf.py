"""Time the requirements specification PDF of a project with N requirements, in and out of the request.

Builds the test personas' world and N requirements in a throw-away SQLite database, then, as the
sponsor signed in through Django's test client:

1. the synchronous download, ``GET /projects/ERP/requirements/specification.pdf`` (WeasyPrint's real
   output inside the request: what a big project did before background jobs);
2. the page's button on a big backlog, ``POST /projects/ERP/jobs/`` (the request stores a queued job
   and a task row for the database worker) and one poll of the status fragment;
3. the job itself, run as the database worker runs it (``core.jobs.run``), with the number of
   progress writes it made and the PDF's pages.

    .venv/bin/python benchmarks/spec_pdf.py --requirements 500
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requirements", type=int, default=500)
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="tandem-bench-")
    os.environ["TANDEM_DATA_DIR"] = data
    os.environ.pop("TANDEM_DATABASE_URL", None)
    os.environ["TANDEM_TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from pypdf import PdfReader

    from tandem.core import jobs
    from tandem.core.models import Job
    from tandem.testing.personas import build_world
    from tandem.testing.requirements import add_requirements

    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    world = build_world(with_records=False)
    add_requirements(world.project, args.requirements, confirmer=world.client_pm)
    client = Client()
    client.force_login(world.sponsor)

    started = time.perf_counter()
    response = client.get("/projects/ERP/requirements/specification.pdf")
    synchronous = time.perf_counter() - started
    assert response.status_code == 200
    pages = len(PdfReader(io.BytesIO(response.content)).pages)
    print(f"{args.requirements} requirements: {len(response.content) / 1e6:.2f} MB, {pages} pages")
    print(f"before  GET specification.pdf (PDF built in the request): {synchronous:.2f} s")

    started = time.perf_counter()
    response = client.post("/projects/ERP/jobs/", {"kind": "requirements_pdf"})
    start = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    job = Job.objects.get()
    started = time.perf_counter()
    client.get(response["Location"], headers={"HX-Request": "true"})
    poll = time.perf_counter() - started
    print(f"after   POST jobs/ (job queued): {start * 1000:.0f} ms; a status poll: {poll * 1000:.0f} ms")

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        outcome = jobs.run(job.pk)
        background = time.perf_counter() - started
    writes = sum(1 for q in queries.captured_queries if q["sql"].startswith('UPDATE "core_job"'))
    job.refresh_from_db()
    print(f"        the job in the worker: {background:.2f} s ({outcome}, {writes} writes of its row)")


if __name__ == "__main__":
    main()
