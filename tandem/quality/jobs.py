"""Background jobs of quality: an acceptance certificate in a language not issued yet.

Rendering a certificate with the Chinese font and signing it takes about two seconds (measured on
the development machine: 2.0–2.5 s per language), so the certificate not issued at signing is built
by the worker while the page shows progress.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from tandem.core.jobs import JobKind, JobOutput, Progress, one_of, register, whole_number
from tandem.core.scoping import Viewer
from tandem.projects.models import Project
from tandem.quality import certificates


class AcceptanceCertificateJob(JobKind):
    """The certificate of a signed acceptance in one language; only a reader of the request starts it."""

    name = certificates.JOB_KIND
    label = _("Acceptance certificate (PDF)")
    parameters = {"request": whole_number, "language": one_of(*certificates.LANGUAGES)}

    def check(self, user: Viewer, project: Project, params: dict[str, Any]) -> None:
        """The request must be a signed one the requester may read (404 otherwise)."""
        certificates.access_signed_request(user, project, params["request"])

    def build(self, user: Viewer, project: Project, params: dict[str, Any], progress: Progress) -> JobOutput:
        """The issued certificate's file (issuing it first when it is not yet)."""
        request = certificates.access_signed_request(user, project, params["request"])
        certificate = certificates.issue_certificate(request, params["language"], progress=progress)
        with certificate.file.open("rb") as stored:
            data = stored.read()
        return JobOutput(data, certificates.filename(request, certificate.language), "application/pdf")


ACCEPTANCE_CERTIFICATE = register(AcceptanceCertificateJob())
