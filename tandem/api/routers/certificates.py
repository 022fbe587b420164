"""Acceptance certificates: the PDF of a signed acceptance, and the public check of a certificate."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from tandem.api.auth import AUTH
from tandem.api.jobs_schemas import JobOut
from tandem.api.routers.common import caller_and_project
from tandem.core.models import Job
from tandem.quality import certificates

router = Router(tags=["acceptance certificates"], auth=AUTH)


class CertificateQuery(Schema):
    """Which language's certificate (the project's language when left out)."""

    language: Literal["zh-hans", "en"] | None = None


class VerifyQuery(Schema):
    """The hash to check: the content SHA-256 a certificate prints, or the SHA-256 of its PDF file."""

    sha256: str = Field(
        min_length=64,
        max_length=64,
        pattern=r"^[0-9a-fA-F]{64}$",
        description="A SHA-256 in hexadecimal (64 characters)",
    )


class VerificationOut(Schema):
    """Whether a certificate is genuine, and only what the certificate itself states."""

    valid: bool
    match: Literal["content", "file"] | None = Field(
        description="`content`: the signed content's hash; `file`: a certificate PDF's hash; null: unknown"
    )
    project: str | None
    request: str | None
    deliverable: str | None
    decision: Literal["accept", "accept_with_conditions", "reject"] | None
    signed_by: str | None
    signed_at: dt.datetime | None
    digitally_signed: bool | None


@router.get(
    "/projects/{code}/acceptances/{request_id}/certificate",
    response={200: None, 202: JobOut},
    summary="An acceptance certificate (PDF)",
)
def certificate(
    request: HttpRequest, code: str, request_id: int, query: Query[CertificateQuery]
) -> HttpResponse | Status[Job]:
    """The certificate PDF of a signed acceptance the caller may read; 202 with the job that issues it
    when it is not issued yet in that language (follow the job, then download its file)."""
    user, project = caller_and_project(request, code)
    signed = certificates.access_signed_request(user, project, request_id)
    language = query.language or certificates.project_language(signed)
    issued = certificates.certificate_or_job(user, project, signed, language)
    if isinstance(issued, Job):
        return Status(202, issued)
    return certificates.file_response(issued)


@router.get(
    "/certificates/verify", response=VerificationOut, summary="Verify an acceptance certificate", auth=None
)
def verify_certificate(request: HttpRequest, query: Query[VerifyQuery]) -> certificates.Verification:
    """Check a certificate by a hash, without signing in: valid only while the signed content is unchanged."""
    return certificates.verify(query.sha256)
