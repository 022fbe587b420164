"""The acceptance certificate: a PDF per language of what was signed, its digital signature, its check.

A certificate is rendered from the frozen ``AcceptanceRequest.content`` only (never from live rows,
which may change after signing), in the project's language and, on request, in the other one. With
an instance signing key (``TANDEM_SIGNING_KEY``, a PKCS#12 file) the PDF carries a PAdES signature
made with pyHanko that standard readers validate; without one it says plainly that it is not
digitally signed and how to check it by its hash.

Anyone holding a certificate can check it without signing in (:func:`verify`): by the content
SHA-256 it prints, or by the SHA-256 of the PDF file itself. It verifies only while the stored
content still hashes to the digest taken at signing, so a row changed behind Tandem's back answers
"does not verify".
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import re
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override
from django_tasks import task

from tandem.accounts.choices import Language
from tandem.core import jobs, pdf
from tandem.core.choices import JobStatus
from tandem.core.models import Job
from tandem.projects.choices import Role
from tandem.quality import content as signed_content
from tandem.quality.choices import (
    SIGNED_STATES,
    AcceptanceDecision,
    CriterionResult,
    CriterionSource,
    CriterionVerdict,
    CycleKind,
)
from tandem.quality.models import AcceptanceCertificate, AcceptanceRequest

if TYPE_CHECKING:
    from tandem.core.jobs import Progress
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project

#: A SHA-256 in hex, as the certificate prints it (upper case accepted).
SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
#: The largest PDF the verification page hashes.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
LANGUAGES: tuple[str, ...] = tuple(Language.values)
LANGUAGE_LABELS: tuple[tuple[str, str], ...] = tuple(Language.choices)
#: The background job that issues a certificate on request (``quality.jobs``).
JOB_KIND = "acceptance_certificate"


# Reading ------------------------------------------------------------------------------------------


def access_signed_request(user: Viewer, project: Project, pk: Any) -> AcceptanceRequest:
    """The signed acceptance ``pk`` of ``project`` the user may read; 404 for a draft, an undecided or
    withdrawn request, one the user may not know exists (a client reads shared ones only), or a bad id."""
    try:
        number = int(pk)
        if not 1 <= number <= 2**63 - 1:
            raise ValueError(pk)
        return (
            AcceptanceRequest.objects.visible_to(user)
            .select_related("project")
            .get(project=project, pk=number, status__in=SIGNED_STATES, content__isnull=False)
        )
    except (AcceptanceRequest.DoesNotExist, TypeError, ValueError) as missing:
        raise Http404(_("No such signed acceptance.")) from missing


def clean_language(value: Any) -> str:
    """A language a certificate is issued in; a ``ValidationError`` on ``language`` otherwise."""
    if value not in LANGUAGES:
        raise ValidationError(
            {"language": _("Choose one of: %(choices)s.") % {"choices": ", ".join(LANGUAGES)}}
        )
    return str(value)


def project_language(request: AcceptanceRequest) -> str:
    """The language the certificate is issued in at signing: the one frozen in the content."""
    language = (request.content or {}).get("language") or request.project.language
    return language if language in LANGUAGES else settings.LANGUAGE_CODE


def issued(request: AcceptanceRequest, language: str) -> AcceptanceCertificate | None:
    """The certificate of ``request`` in ``language`` when it is issued and its file is stored."""
    certificate = AcceptanceCertificate.objects.filter(request=request, language=language).first()
    if certificate is None or not _stored(certificate):
        return None
    return certificate


def _stored(certificate: AcceptanceCertificate) -> bool:
    name = certificate.file.name
    return bool(name) and certificate.file.storage.exists(str(name))


def filename(request: AcceptanceRequest, language: str) -> str:
    """An ASCII file name for the download."""
    return f"{request.project.code}-{request.code}-certificate-{language}.pdf"


# Rendering ----------------------------------------------------------------------------------------


def _label(choices: Any, value: Any) -> str:
    return str(choices(value).label) if value in choices.values else str(value or "")


def _moment(value: str | None, zone: Any) -> str:
    """An ISO time shown in the project's time zone, with the zone's name."""
    if not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} ({local.tzname()}, {zone})"


def verification_url() -> str:
    """Where anyone checks a certificate (the public page)."""
    return f"{settings.SITE_URL}/verify/"


def context(request: AcceptanceRequest, *, digitally_signed: bool) -> dict[str, Any]:
    """What the certificate template renders, from the frozen content (call inside the language)."""
    data: dict[str, Any] = request.content or {}
    zone = request.project.zone
    criteria = [
        {
            "text": c.get("text", ""),
            "source": _label(CriterionSource, c.get("source")),
            "requirement": c.get("requirement") or "",
            "mandatory": bool(c.get("mandatory")),
            "result": _label(CriterionResult, c.get("result")),
            "result_code": c.get("result", ""),
            "reviews": [
                {
                    "reviewer": r.get("reviewer", ""),
                    "verdict": _label(CriterionVerdict, r.get("verdict")),
                    "comment": r.get("comment", ""),
                    "at": _moment(r.get("at"), zone),
                }
                for r in c.get("reviews", [])
            ],
        }
        for c in data.get("criteria", [])
    ]
    evidence = data.get("evidence") or {}
    cycles = [c | {"kind_label": _label(CycleKind, c.get("kind"))} for c in evidence.get("test_cycles", [])]
    signer = data.get("signed_by") or {}
    return {
        "data": data,
        "project": data.get("project") or {},
        "request": data.get("request") or {},
        "deliverable": data.get("deliverable"),
        "milestone": data.get("milestone"),
        "decision": data.get("decision", ""),
        "decision_label": _label(AcceptanceDecision, data.get("decision")),
        "comment": data.get("comment", ""),
        "criteria": criteria,
        "conditions": data.get("conditions", []),
        "cycles": cycles,
        "documents": evidence.get("documents", []),
        "demo_meeting": evidence.get("demo_meeting"),
        "signer": signer,
        "signer_role": _label(Role, signer.get("role")),
        "signed_at": _moment(data.get("signed_at"), zone),
        "sha256": request.content_sha256,
        "verify_url": verification_url(),
        "digitally_signed": digitally_signed,
    }


def render_pdf(
    request: AcceptanceRequest, language: str, *, digitally_signed: bool, progress: Progress | None = None
) -> bytes:
    """The certificate's PDF (A4, CJK font) in ``language``, before any digital signature."""
    with override(language):
        html = render_to_string(
            "quality/certificate.html",
            context(request, digitally_signed=digitally_signed) | {"language": language},
        )
        return pdf.write_pdf(html, progress=progress, expected_pages=2)


# The digital signature ---------------------------------------------------------------------------


def has_signing_key() -> bool:
    """Whether this instance signs certificates (``TANDEM_SIGNING_KEY`` names a PKCS#12 file)."""
    return bool(settings.SIGNING_KEY)


@functools.cache
def _signer(path: str, password: str) -> Any:
    from pyhanko.sign import signers

    try:
        with open(path, "rb") as key_file:
            data = key_file.read()
        return signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=[], passphrase=password.encode() or None
        )
    except (OSError, ValueError) as failure:
        raise ImproperlyConfigured(
            f"TANDEM_SIGNING_KEY ({path}) is not a PKCS#12 file this password opens: {failure}"
        ) from failure


def sign_pdf(document: bytes, *, code: str, signer_name: str) -> bytes:
    """``document`` with a PAdES signature made with the instance's key (which must be configured)."""
    # pyHanko is loaded only when a certificate is signed.
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = _signer(str(settings.SIGNING_KEY), settings.SIGNING_KEY_PASSWORD)
    metadata = signers.PdfSignatureMetadata(
        field_name="TandemAcceptance",
        name=signer_name or None,
        reason=f"Tandem acceptance {code}",
        location=settings.SITE_URL,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(document))
    signed = signers.sign_pdf(writer, metadata, signer=signer)
    return bytes(signed.getvalue())


# Issuing ------------------------------------------------------------------------------------------


def build(
    request: AcceptanceRequest, language: str, *, progress: Progress | None = None
) -> tuple[bytes, bool]:
    """The final PDF of ``request`` in ``language`` and whether it carries a digital signature."""
    signing = has_signing_key()
    document = render_pdf(request, language, digitally_signed=signing, progress=progress)
    if not signing:
        return document, False
    if progress is not None:
        progress.begin(gettext_noop("Signing the PDF"), 1)
    signer = (request.content or {}).get("signed_by") or {}
    signed = sign_pdf(document, code=request.code, signer_name=signer.get("name", ""))
    if progress is not None:
        progress.advance()
    return signed, True


def issue_certificate(
    request: AcceptanceRequest, language: str, *, progress: Progress | None = None
) -> AcceptanceCertificate:
    """The certificate of a signed ``request`` in ``language``: the one issued, else a new one.

    A certificate once issued never changes: its file is made again only when none is stored (a
    lost file). The PDF is rendered (and signed) outside any transaction; the row is written in a
    short one, and a certificate issued meanwhile by another worker wins.
    """
    language = clean_language(language)
    if request.status not in SIGNED_STATES or request.content is None or not request.content_sha256:
        raise ValidationError({"request": _("Only a signed acceptance has a certificate.")})
    existing = issued(request, language)
    if existing is not None:
        return existing
    document, digitally_signed = build(request, language, progress=progress)
    stored = ContentFile(document, name=filename(request, language))
    file_sha256 = hashlib.sha256(document).hexdigest()
    saved = ""
    try:
        with transaction.atomic():
            certificate = (
                AcceptanceCertificate.objects.select_for_update()
                .filter(request=request, language=language)
                .first()
            )
            if certificate is not None and _stored(certificate):
                return certificate
            if certificate is None:
                certificate = AcceptanceCertificate(request=request, language=language)
            certificate.file.save(stored.name or "certificate.pdf", stored, save=False)
            saved = str(certificate.file.name)
            certificate.file_sha256 = file_sha256
            certificate.digitally_signed = digitally_signed
            certificate.save()
    except IntegrityError:  # issued by another worker between our read and our insert
        if saved:
            AcceptanceCertificate.file.field.storage.delete(saved)
        return AcceptanceCertificate.objects.get(request=request, language=language)
    return certificate


@task()
def issue_certificate_task(request_id: int, language: str) -> str:
    """The background task that issues one certificate (primitive arguments only)."""
    request = AcceptanceRequest.objects.select_related("project").filter(pk=request_id).first()
    if request is None or request.status not in SIGNED_STATES or request.content is None:
        return "skipped"
    return issue_certificate(request, language).file_sha256


def schedule_certificates(request: AcceptanceRequest) -> None:
    """Queue the certificate in the project's language (after commit when called in a transaction).

    The signing service calls this once the content is frozen; the other language is issued on
    request (the ``acceptance_certificate`` job).
    """
    transaction.on_commit(
        functools.partial(issue_certificate_task.enqueue, request.pk, project_language(request))
    )


def certificate_or_job(
    user: Viewer, project: Project, request: AcceptanceRequest, language: str
) -> AcceptanceCertificate | Job:
    """The issued certificate in ``language``, else the caller's job that issues it (one already
    queued or running for the same certificate, or a new one)."""
    language = clean_language(language)
    certificate = issued(request, language)
    if certificate is not None:
        return certificate
    pending = (
        jobs.jobs_of(user, project)
        .filter(
            kind=JOB_KIND,
            status__in=(JobStatus.QUEUED, JobStatus.RUNNING),
            parameters__request=request.pk,
            parameters__language=language,
        )
        .select_related("project")
        .first()
    )
    return pending or jobs.do_start_job(
        user, project, JOB_KIND, {"request": request.pk, "language": language}
    )


def file_response(certificate: AcceptanceCertificate, *, download: bool = True) -> HttpResponse:
    """The certificate's PDF as a response (a download, or shown in the browser)."""
    with certificate.file.open("rb") as stored:
        response = HttpResponse(stored.read(), content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = (
        f'{disposition}; filename="{filename(certificate.request, certificate.language)}"'
    )
    return response


# Verification -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """The answer to "is this certificate genuine?": what matched, and only what the certificate states.

    ``match`` is ``"content"`` (the content SHA-256 printed on the certificate), ``"file"`` (the
    SHA-256 of a certificate PDF) or ``None`` (nothing Tandem issued). ``valid`` only when the
    stored content still hashes to the digest taken at signing; the details are given only then.
    """

    valid: bool
    match: str | None = None
    project: str | None = None
    request: str | None = None
    deliverable: str | None = None
    decision: str | None = None
    signed_by: str | None = None
    signed_at: dt.datetime | None = None
    digitally_signed: bool | None = None


def clean_sha256(value: Any) -> str:
    """A SHA-256 in lower-case hex; a ``ValidationError`` on ``sha256`` otherwise."""
    text = value.strip() if isinstance(value, str) else ""
    if not SHA256.match(text):
        raise ValidationError({"sha256": _("Enter a SHA-256: 64 hexadecimal characters.")})
    return text.lower()


def verify(sha256: Any) -> Verification:
    """Check a certificate by its content hash or its file's hash (malformed: ``ValidationError``)."""
    digest = clean_sha256(sha256)
    certificate: AcceptanceCertificate | None = None
    request = AcceptanceRequest.objects.select_related("project").filter(content_sha256=digest).first()
    match = "content"
    if request is None:
        certificate = (
            AcceptanceCertificate.objects.select_related("request__project")
            .filter(file_sha256=digest)
            .first()
        )
        if certificate is None:
            return Verification(valid=False)
        request, match = certificate.request, "file"
    data = request.content
    genuine = (
        request.status in SIGNED_STATES
        and data is not None
        and bool(request.content_sha256)
        and signed_content.digest(data) == request.content_sha256
    )
    if not genuine or not isinstance(data, dict):
        return Verification(valid=False, match=match)
    if certificate is not None:
        digitally_signed = certificate.digitally_signed
    else:
        digitally_signed = AcceptanceCertificate.objects.filter(
            request=request, digitally_signed=True
        ).exists()
    project = data.get("project") or {}
    req = data.get("request") or {}
    target = data.get("deliverable") or data.get("milestone") or {}
    signer = data.get("signed_by") or {}
    return Verification(
        valid=True,
        match=match,
        project=f"{project.get('code', '')} {project.get('name', '')}".strip(),
        request=f"{req.get('code', '')} {req.get('title', '')}".strip(),
        deliverable=target.get("name") or None,
        decision=data.get("decision"),
        signed_by=signer.get("name"),
        signed_at=_parse_time(data.get("signed_at")),
        digitally_signed=digitally_signed,
    )


def _parse_time(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def verify_file(upload: IO[bytes], *, size: int | None = None) -> Verification:
    """Check an uploaded certificate PDF by its SHA-256 (over ``MAX_UPLOAD_BYTES``: ``ValidationError``)."""
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": _("The file is larger than 20 MB; a certificate is much smaller.")})
    hasher = hashlib.sha256()
    read = 0
    while chunk := upload.read(1024 * 1024):
        read += len(chunk)
        if read > MAX_UPLOAD_BYTES:
            raise ValidationError(
                {"file": _("The file is larger than 20 MB; a certificate is much smaller.")}
            )
        hasher.update(chunk)
    return verify(hasher.hexdigest())
