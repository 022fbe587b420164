"""Background jobs of requirements: the specification PDF of a big backlog."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tandem.core.jobs import JobKind, JobOutput, Progress, register
from tandem.core.scoping import Viewer
from tandem.projects.models import Project
from tandem.requirements import exports
from tandem.requirements.queries import requirements_of


class SpecificationPdf(JobKind):
    """The requirements specification as PDF, built through the requester's scope."""

    name = "requirements_pdf"
    label = _("Requirements specification (PDF)")

    def is_big(self, user: Viewer, project: Project, params: dict[str, Any]) -> bool:
        """Over ``JOBS_SPEC_PDF_OVER`` requirements the reader may see."""
        return requirements_of(user, project).count() > settings.JOBS_SPEC_PDF_OVER

    def build(self, user: Viewer, project: Project, params: dict[str, Any], progress: Progress) -> JobOutput:
        """The same PDF as the synchronous download, with progress per page."""
        return JobOutput(
            exports.export_pdf(user, project, progress=progress),
            f"{project.code}-requirements.pdf",
            "application/pdf",
        )


SPECIFICATION_PDF = register(SpecificationPdf())
