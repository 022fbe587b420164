"""Background jobs of onboarding: the project handbook as a PDF.

Laying out the handbook with the Chinese font takes over a second (measured: see docs/onboarding.md),
so the PDF is always built by the worker while the page shows progress.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from tandem.core.jobs import JobKind, JobOutput, Progress, one_of, register
from tandem.core.scoping import Viewer
from tandem.onboarding import handbook
from tandem.projects.models import Project

#: The languages the handbook is written in.
LANGUAGES = ("zh-hans", "en")


class HandbookPdf(JobKind):
    """The project handbook as PDF in one language, built through the requester's scope."""

    name = "handbook_pdf"
    label = _("Project handbook (PDF)")
    parameters = {"language": one_of(*LANGUAGES)}

    def is_big(self, user: Viewer, project: Project, params: dict[str, Any]) -> bool:
        """Always: the PDF takes over a second whatever the project's size."""
        return True

    def build(self, user: Viewer, project: Project, params: dict[str, Any], progress: Progress) -> JobOutput:
        """The handbook as it stands when the job runs."""
        language = params["language"]
        return JobOutput(
            handbook.export_pdf(user, project, language, progress=progress),
            f"{project.code}-handbook-{language}.pdf",
            "application/pdf",
        )


HANDBOOK_PDF = register(HandbookPdf())
