"""In a real browser: the sponsor asks for the specification of a big backlog, watches the job, downloads it.

The database worker runs the job while the page is open; the progress bar's HTMX polling shows the
finished job and its download link without a reload.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.management import call_command
from playwright.sync_api import expect

from tandem.core.choices import JobStatus
from tandem.core.models import Job
from tandem.testing.browser import BROWSER_MARKS, sign_in
from tandem.testing.personas import World
from tandem.testing.requirements import add_requirements

pytestmark = BROWSER_MARKS

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_the_sponsor_builds_the_specification_in_the_background(
    transactional_db: None,
    live_server: Any,
    world: World,
    browser: Any,
    pages: list[Any],
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.TASKS = DATABASE_TASKS
    settings.MEDIA_ROOT = tmp_path
    settings.JOBS_SPEC_PDF_OVER = 5
    add_requirements(world.project, 8)
    base = live_server.url

    page = sign_in(browser, base, world.sponsor.email, pages=pages)
    page.goto(f"{base}/projects/ERP/requirements/")
    page.click("button[data-background-job=requirements_pdf]")
    page.wait_for_url(re.compile(r".*/projects/ERP/jobs/\d+/$"))
    bar = page.locator("progress#job-progress")
    expect(bar).to_have_attribute("aria-valuenow", "0")
    expect(page.locator("#job-status")).to_have_attribute("data-status", "queued")

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert Job.objects.get().status == JobStatus.DONE

    # The page polls and shows the finished job without a reload.
    link = page.locator("a:has-text('Download ERP-requirements.pdf')")
    expect(link).to_be_visible(timeout=15_000)
    expect(bar).to_have_attribute("aria-valuenow", "100")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "ERP-requirements.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
