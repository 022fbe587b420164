"""Background jobs (core.jobs), shown on the specification PDF and the plan export: the worker runs them,
progress is recorded cheaply, a failure is shown, files expire."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from tandem.core import jobs
from tandem.core.choices import JobStatus, Visibility
from tandem.core.models import Job
from tandem.core.scoping import ClientLens
from tandem.core.tasks import tidy_jobs
from tandem.projects.models import Membership
from tandem.testing.personas import World, build_world
from tandem.testing.requirements import add_requirements

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def pdf_text(data: bytes) -> str:
    """All the text of a PDF, as pypdf extracts it."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def start_and_run(user: Any, world: World, kind: str, params: dict[str, Any] | None = None) -> Job:
    """Start a job as the pages do and let the (immediate) backend run it at commit."""
    job = jobs.do_start_job(user, world.project, kind, params or {})
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    return job


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_builds_the_specification_pdf(settings: Any) -> None:
    settings.TASKS = DATABASE_TASKS
    world = build_world(with_records=False)
    add_requirements(world.project, 12, confirmer=world.client_pm)
    job = jobs.do_start_job(world.pm, world.project, "requirements_pdf", {})
    # Queued, not run: the database backend waits for a worker.
    assert DBTaskResult.objects.count() == 1
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert job.filename == "ERP-requirements.pdf" and job.content_type == "application/pdf"
    assert job.done == job.total > 0 and job.percent == 100
    assert job.expires_at is not None and job.expires_at > timezone.now() + timedelta(hours=23)
    text = pdf_text(job.file.read())
    assert "Bulk requirement 1" in text and "Bulk requirement 12" in text
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_progress_is_recorded_per_step_and_page_with_few_writes(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    add_requirements(world.project, 40)
    with django_capture_on_commit_callbacks() as callbacks:
        job = jobs.do_start_job(world.pm, world.project, "requirements_pdf", {})
    with CaptureQueriesContext(connection) as queries:
        for callback in callbacks:
            callback()
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "core_job"')]
    # Each step is written when it begins, pages at most twice a second: far fewer writes than pages.
    assert any("Reading requirements" in sql for sql in writes)
    assert any("Laying out pages" in sql for sql in writes)
    assert any("Writing the PDF" in sql for sql in writes)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.step == "Done"
    pages = len(PdfReader(io.BytesIO(job.file.read())).pages)
    assert pages > 10
    assert len(writes) < pages


def test_a_client_s_file_is_built_through_the_client_s_scope(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    add_requirements(world.project, 3, visibility=Visibility.SHARED)
    hidden = add_requirements(world.project, 1, visibility=Visibility.INTERNAL)[0]
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.do_start_job(world.client_pm, world.project, "requirements_pdf", {})
    job.refresh_from_db()
    text = pdf_text(job.file.read())
    assert "Bulk requirement 1" in text and hidden.title not in text


def test_a_team_member_previewing_the_client_view_gets_the_client_s_file(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    hidden = add_requirements(world.project, 1, visibility=Visibility.INTERNAL)[0]
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.do_start_job(ClientLens(world.pm), world.project, "requirements_pdf", {})
    job.refresh_from_db()
    assert job.as_client and job.requested_by == world.pm
    assert hidden.title not in pdf_text(job.file.read())


def test_a_requester_who_left_the_project_gets_an_error_not_the_file(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        job = jobs.do_start_job(world.member, world.project, "plan_export", {"format": "csv"})
    Membership.objects.filter(project=world.project, user=world.member).delete()
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.file
    assert job.error == "You may no longer read this output."


def test_an_unexpected_failure_is_logged_and_shown_as_a_short_message(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: Any, caplog: Any
) -> None:
    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("disk full at /var/secret/path")

    monkeypatch.setattr("tandem.planning.interop.export_xlsx", broken)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.do_start_job(world.pm, world.project, "plan_export", {"format": "xlsx"})
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "secret" not in job.error and job.error.startswith("The file could not be produced.")
    assert "disk full" in caplog.text


def test_a_job_runs_once_even_when_enqueued_twice(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.do_start_job(world.pm, world.project, "plan_export", {"format": "csv"})
    assert jobs.run(job.pk) == "skipped"


def test_expired_jobs_and_their_files_are_removed(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.do_start_job(world.pm, world.project, "plan_export", {"format": "csv"})
    job.refresh_from_db()
    path = Path(job.file.path)
    assert path.read_bytes().startswith("\ufeff".encode())
    assert jobs.delete_expired(timezone.now()) == 0
    assert jobs.delete_expired(job.expires_at + timedelta(seconds=1)) == 1
    assert not path.exists() and not Job.objects.filter(pk=job.pk).exists()


@pytest.mark.parametrize(
    ("kind", "params", "field"),
    [
        ("pdf_of_everything", {}, "kind"),
        ("report_pdf", {}, "params.report"),
        ("report_pdf", {"report": "seven"}, "params.report"),
        ("plan_export", {"format": "pdf"}, "params.format"),
        ("requirements_pdf", {"colour": "red"}, "params.colour"),
    ],
)
def test_bad_input_names_the_field(world: World, kind: str, params: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        jobs.do_start_job(world.pm, world.project, kind, params)
    assert field in refused.value.message_dict
    assert not Job.objects.exists()


def test_a_job_a_dead_worker_left_is_failed_by_the_clock_then_removed(world: World, settings: Any) -> None:
    job = Job.objects.create(project=world.project, requested_by=world.pm, kind="requirements_pdf")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    now = timezone.now()
    tidy_jobs(now)
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING  # still young: it may be working
    later = now + timedelta(hours=settings.JOBS_KEEP_HOURS, minutes=1)
    tidy_jobs(later)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == "The job did not finish. Start it again."
    tidy_jobs(later + timedelta(hours=settings.JOBS_KEEP_HOURS, minutes=1))
    assert not Job.objects.filter(pk=job.pk).exists()
