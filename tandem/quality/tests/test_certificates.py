"""The acceptance certificate: its PDF in both languages, its digital signature, issuing and verifying."""

from __future__ import annotations

import copy
import hashlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import Http404
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from tandem.core import jobs
from tandem.core.choices import JobStatus, Visibility
from tandem.core.models import Job
from tandem.quality import certificates
from tandem.quality.choices import AcceptanceStatus
from tandem.quality.models import AcceptanceCertificate, AcceptanceRequest
from tandem.testing.personas import World

from .certificate_support import (
    CONDITION,
    CRITERION,
    CRITERION_ZH,
    DELIVERABLE,
    SIGNER,
    SIGNING_KEY_PASSWORD,
    certificate_fonts,
    certificate_text,
    make_signing_key,
    signed_acceptance,
)

pytestmark = pytest.mark.django_db
KIND = "acceptance_certificate"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SIGNING_KEY = ""
    settings.SITE_URL = "https://tandem.example.com"


@pytest.fixture
def signing_key(settings: Any, tmp_path: Path) -> Any:
    """A self-signed certificate and key configured as the instance's signing key; the certificate."""
    path, certificate = make_signing_key(tmp_path)
    settings.SIGNING_KEY = str(path)
    settings.SIGNING_KEY_PASSWORD = SIGNING_KEY_PASSWORD
    return certificate


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Deliverable", "Decision: Accept with conditions", "Signed by", "Conditions"]),
        ("zh-hans", ["交付物", "决策"]),
    ],
)
def test_it_prints_what_was_signed_in_either_language(world: World, language: str, words: list[str]) -> None:
    acceptance = signed_acceptance(world)
    certificate = certificates.issue_certificate(acceptance, language)
    data = certificate.file.read()
    text = certificate_text(data)
    flat = _flat(text)
    assert "验收证书 / Acceptance certificate" in text
    for expected in [DELIVERABLE, CRITERION, CRITERION_ZH, CONDITION, SIGNER, "ERP", "ERP upgrade"]:
        assert expected in flat, expected
    details = ["ACC-001", "Northwind Retail", "Acme Delivery", "UAT 1", "Migration report", "2026-03-31"]
    for expected in details:
        assert expected in flat, expected
    for word in words:
        assert word in flat, word
    # The content's SHA-256 in full, on one line; the signing time in the project's time zone.
    assert acceptance.content_sha256 in text.split()
    assert "2026-03-03 14:30" in flat
    assert "https://tandem.example.com/verify/" in flat
    assert certificate.language == language
    assert not certificate.digitally_signed
    # Chinese text is drawn with the CJK font, not as empty boxes.
    assert "WenQuanYi-Micro-Hei" in certificate_fonts(data)


def test_without_a_key_the_pdf_says_it_is_not_digitally_signed(world: World) -> None:
    certificate = certificates.issue_certificate(signed_acceptance(world), "en")
    flat = _flat(certificate_text(certificate.file.read()))
    assert "This PDF is not digitally signed. Check it by its hash instead." in flat
    assert not certificate.digitally_signed


def test_with_a_key_the_pdf_carries_a_valid_pades_signature(world: World, signing_key: Any) -> None:
    certificate = certificates.issue_certificate(signed_acceptance(world), "zh-hans")
    assert certificate.digitally_signed
    data = certificate.file.read()
    assert certificate.file_sha256 == hashlib.sha256(data).hexdigest()
    assert "not digitally signed" not in _flat(certificate_text(data))
    root = asn1_x509.Certificate.load(signing_key.public_bytes(serialization.Encoding.DER))

    def validate(pdf: bytes) -> Any:
        signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
        return signature, validate_pdf_signature(signature, ValidationContext(trust_roots=[root]))

    signature, status = validate(data)
    assert status.intact
    assert status.valid
    assert signature.sig_object["/Reason"] == "Tandem acceptance ACC-001"
    assert signature.sig_object["/Name"] == SIGNER
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"

    # One byte changed inside the signed range: the signature no longer covers the document.
    start = data.index(b"stream", 2000) + 40
    tampered = data[:start] + bytes([data[start] ^ 0x01]) + data[start + 1 :]
    _signature, broken = validate(tampered)
    assert not broken.intact


def test_a_wrong_key_password_is_a_configuration_error(world: World, signing_key: Any, settings: Any) -> None:
    settings.SIGNING_KEY_PASSWORD = "wrong"
    with pytest.raises(ImproperlyConfigured):
        certificates.issue_certificate(signed_acceptance(world), "en")
    assert not AcceptanceCertificate.objects.exists()


def test_a_certificate_once_issued_does_not_change(world: World) -> None:
    acceptance = signed_acceptance(world)
    first = certificates.issue_certificate(acceptance, "en")
    again = certificates.issue_certificate(acceptance, "en")
    assert again.pk == first.pk
    assert again.file.name == first.file.name
    assert again.file_sha256 == first.file_sha256
    assert AcceptanceCertificate.objects.filter(request=acceptance).count() == 1


def test_a_lost_file_is_issued_again(world: World) -> None:
    acceptance = signed_acceptance(world)
    first = certificates.issue_certificate(acceptance, "en")
    first.file.storage.delete(first.file.name)
    again = certificates.issue_certificate(acceptance, "en")
    assert again.pk == first.pk
    assert again.file.storage.exists(again.file.name)
    assert again.file_sha256 == hashlib.sha256(again.file.read()).hexdigest()


def test_only_a_signed_acceptance_has_a_certificate(world: World) -> None:
    draft = signed_acceptance(world, code="ACC-002")
    AcceptanceRequest.objects.filter(pk=draft.pk).update(status=AcceptanceStatus.IN_REVIEW)
    draft.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        certificates.issue_certificate(draft, "en")
    assert "request" in refused.value.message_dict
    with pytest.raises(ValidationError) as bad_language:
        certificates.issue_certificate(signed_acceptance(world), "fr")
    assert "language" in bad_language.value.message_dict


def test_signing_queues_the_project_language_after_commit(
    world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    acceptance = signed_acceptance(world)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        certificates.schedule_certificates(acceptance)
        assert not AcceptanceCertificate.objects.exists()
    assert len(callbacks) == 1
    issued = AcceptanceCertificate.objects.get(request=acceptance)
    assert issued.language == world.project.language


def test_the_other_language_is_a_job_with_progress(
    world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    acceptance = signed_acceptance(world)
    with django_capture_on_commit_callbacks(execute=True):
        job = certificates.certificate_or_job(world.sponsor, world.project, acceptance, "zh-hans")
    assert isinstance(job, Job)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert job.kind == "acceptance_certificate"
    assert job.total >= 1
    issued = AcceptanceCertificate.objects.get(request=acceptance, language="zh-hans")
    assert hashlib.sha256(job.file.read()).hexdigest() == issued.file_sha256
    # Once issued, the same call answers the certificate itself.
    assert certificates.certificate_or_job(world.sponsor, world.project, acceptance, "zh-hans") == issued


def test_a_pending_job_is_reused(world: World) -> None:
    acceptance = signed_acceptance(world)
    first = certificates.certificate_or_job(world.pm, world.project, acceptance, "en")
    second = certificates.certificate_or_job(world.pm, world.project, acceptance, "en")
    assert first == second


def test_the_job_refuses_a_request_the_requester_may_not_read(world: World) -> None:
    internal = signed_acceptance(world, code="ACC-003", visibility=Visibility.INTERNAL)
    with pytest.raises(Http404):
        jobs.do_start_job(world.client_pm, world.project, KIND, {"request": internal.pk, "language": "en"})
    with pytest.raises(ValidationError) as invalid:
        jobs.do_start_job(world.pm, world.project, KIND, {"request": internal.pk, "language": "fr"})
    assert "params.language" in invalid.value.message_dict


# Verification -------------------------------------------------------------------------------------


def test_it_verifies_the_content_hash(world: World) -> None:
    acceptance = signed_acceptance(world)
    answer = certificates.verify(acceptance.content_sha256.upper())
    assert answer.valid
    assert answer.match == "content"
    assert answer.project == "ERP ERP upgrade"
    assert answer.request == "ACC-001 Accept the data migration"
    assert answer.deliverable == DELIVERABLE
    assert answer.decision == "accept_with_conditions"
    assert answer.signed_by == SIGNER
    assert answer.signed_at is not None and answer.signed_at.isoformat() == "2026-03-03T06:30:00+00:00"
    assert answer.digitally_signed is False


def test_it_verifies_the_file_hash_and_an_uploaded_file(world: World, signing_key: Any) -> None:
    certificate = certificates.issue_certificate(signed_acceptance(world), "en")
    answer = certificates.verify(certificate.file_sha256)
    assert answer.valid
    assert answer.match == "file"
    assert answer.digitally_signed is True
    uploaded = certificates.verify_file(io.BytesIO(certificate.file.read()))
    assert uploaded == answer
    assert not certificates.verify_file(io.BytesIO(b"%PDF-1.7 something else")).valid


def test_a_tampered_row_does_not_verify(world: World) -> None:
    acceptance = signed_acceptance(world)
    certificate = certificates.issue_certificate(acceptance, "en")
    changed = copy.deepcopy(acceptance.content)
    changed["decision"] = "accept"
    changed["conditions"] = []
    AcceptanceRequest.objects.filter(pk=acceptance.pk).update(content=changed)
    for digest, match in ((acceptance.content_sha256, "content"), (certificate.file_sha256, "file")):
        answer = certificates.verify(digest)
        assert not answer.valid
        assert answer.match == match
        assert answer.project is None and answer.decision is None and answer.signed_by is None


def test_an_unknown_hash_does_not_verify(world: World) -> None:
    signed_acceptance(world)
    answer = certificates.verify("0" * 64)
    assert answer == certificates.Verification(valid=False)


def test_a_verification_reads_a_fixed_number_of_rows(
    world: World, django_assert_max_num_queries: Any
) -> None:
    for number in range(2, 12):
        signed_acceptance(world, code=f"ACC-{number:03d}")
    acceptance = signed_acceptance(world)
    certificate = certificates.issue_certificate(acceptance, "en")
    # The request with its project; then whether any of its certificates is digitally signed.
    with django_assert_max_num_queries(2):
        assert certificates.verify(acceptance.content_sha256).valid
    # No request has this hash; the certificate with its request and project.
    with django_assert_max_num_queries(2):
        assert certificates.verify(certificate.file_sha256).valid


@pytest.mark.parametrize("digest", ["", "abc", "g" * 64, "0" * 63, "0" * 65, None, 12])
def test_a_malformed_hash_is_refused_naming_the_field(digest: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        certificates.verify(digest)
    assert list(refused.value.message_dict) == ["sha256"]


def test_an_upload_over_20_mb_is_refused(db: None) -> None:
    with pytest.raises(ValidationError) as refused:
        certificates.verify_file(io.BytesIO(b""), size=certificates.MAX_UPLOAD_BYTES + 1)
    assert "file" in refused.value.message_dict
    with pytest.raises(ValidationError):
        certificates.verify_file(io.BytesIO(b"x" * (certificates.MAX_UPLOAD_BYTES + 1)))
