"""A finished background job with its file, for tests of who may see jobs and download their files."""

from __future__ import annotations

from django.core.files.base import ContentFile

from tandem.accounts.models import User
from tandem.core.choices import JobStatus
from tandem.core.models import Job
from tandem.projects.models import Project


def finished_plan_export(project: Project, requester: User) -> Job:
    """A done CSV export of ``project``'s plan that ``requester`` asked for (store under MEDIA_ROOT)."""
    job = Job.objects.create(
        project=project,
        requested_by=requester,
        kind="plan_export",
        parameters={"format": "csv"},
        status=JobStatus.DONE,
        filename=f"{project.code}-plan.csv",
        content_type="text/csv; charset=utf-8",
        step="Done",
        total=1,
        done=1,
    )
    job.file.save(f"{project.code}-plan.csv", ContentFile(b"Name\nKickoff\n"))
    return job
