"""Background jobs of status reports: the PDF of a report on a big project."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tandem.core.jobs import JobKind, JobOutput, Progress, register, whole_number
from tandem.core.scoping import Viewer
from tandem.planning.models import Task
from tandem.projects.models import Project
from tandem.reports import queries, rendering


class ReportPdf(JobKind):
    """A status report as PDF; only a reader of the report may start it."""

    name = "report_pdf"
    label = _("Status report (PDF)")
    parameters = {"report": whole_number}

    def check(self, user: Viewer, project: Project, params: dict[str, Any]) -> None:
        """The report must be one the requester may read (404 otherwise)."""
        queries.access_report(user, project, params["report"])

    def is_big(self, user: Viewer, project: Project, params: dict[str, Any]) -> bool:
        """On a plan of over ``JOBS_REPORT_PDF_OVER`` tasks."""
        return Task.objects.filter(project=project).count() > settings.JOBS_REPORT_PDF_OVER

    def build(self, user: Viewer, project: Project, params: dict[str, Any], progress: Progress) -> JobOutput:
        """The same PDF as the synchronous download, with progress per page."""
        report = queries.access_report(user, project, params["report"])
        return JobOutput(
            rendering.render_pdf(report, progress=progress),
            rendering.filename(report, "pdf"),
            "application/pdf",
        )


REPORT_PDF = register(ReportPdf())
