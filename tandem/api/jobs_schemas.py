"""Request and response shapes of background jobs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from ninja import Field, Schema

from tandem.core.models import Job


class JobIn(Schema):
    """A job to start: its kind and the parameters that kind takes."""

    kind: str = Field(
        max_length=40,
        description="`requirements_pdf`; `report_pdf` (params: `report`, an id); "
        "`plan_export` (params: `format`, one of `mspdi`, `xlsx`, `csv`)",
    )
    params: dict[str, Any] = Field(default_factory=dict, description="The kind's parameters")


class JobOut(Schema):
    """A job of the caller's: where it stands, and its file once done."""

    id: int
    kind: str
    status: str
    done: int
    total: int
    percent: int
    step: str
    error: str
    filename: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    expires_at: dt.datetime | None
    file_url: str | None

    @staticmethod
    def resolve_step(job: Job) -> str:
        """The step in the caller's language."""
        return gettext(job.step) if job.step else ""

    @staticmethod
    def resolve_error(job: Job) -> str:
        """The error in the caller's language (stored translated, or as a message id by the clock)."""
        return gettext(job.error) if job.error else ""

    @staticmethod
    def resolve_file_url(job: Job) -> str | None:
        """Where to download the file, once the job is done."""
        if job.status != "done":
            return None
        return reverse("api:job_file", kwargs={"code": job.project.code, "job_id": job.pk})
