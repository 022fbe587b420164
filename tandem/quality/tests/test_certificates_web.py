"""The certificate pages: the download of a signed acceptance's PDF, and the public verification page."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tandem.core.choices import JobStatus, Visibility
from tandem.core.models import Job
from tandem.quality import certificates
from tandem.quality.choices import AcceptanceStatus
from tandem.quality.models import AcceptanceRequest
from tandem.testing.personas import VIEWERS, World

from .certificate_support import DELIVERABLE, SIGNER, signed_acceptance

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SIGNING_KEY = ""


def _client(world: World, viewer: str, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    person = world.viewer(viewer)
    if person is not None:
        client.force_login(person)
    return client


@pytest.fixture
def issued(world: World) -> tuple[AcceptanceRequest, str]:
    """A shared signed acceptance with its English certificate; the certificate's file hash."""
    acceptance = signed_acceptance(world)
    return acceptance, certificates.issue_certificate(acceptance, "en").file_sha256


def _url(world: World, acceptance: AcceptanceRequest, language: str = "") -> str:
    url = reverse("web:acceptance_certificate", args=[world.project.code, acceptance.pk])
    return url + (f"?language={language}" if language else "")


EXPECTED = dict(zip(VIEWERS, (302, 404, 404, 200, 200, 200, 200, 200), strict=True))


@pytest.mark.parametrize("viewer", VIEWERS)
def test_members_open_the_certificate_and_nobody_else(
    viewer: str, world: World, issued: tuple[AcceptanceRequest, str]
) -> None:
    acceptance, file_sha256 = issued
    response = _client(world, viewer).get(_url(world, acceptance))
    assert response.status_code == EXPECTED[viewer]
    if response.status_code == 200:
        assert response["Content-Type"] == "application/pdf"
        assert hashlib.sha256(response.content).hexdigest() == file_sha256


def test_a_draft_or_internal_request_is_unknown_to_the_client(world: World) -> None:
    draft = signed_acceptance(world, code="ACC-002", status=AcceptanceStatus.DRAFT, content=None)
    internal = signed_acceptance(world, code="ACC-003", visibility=Visibility.INTERNAL)
    assert _client(world, "pm").get(_url(world, draft)).status_code == 404
    assert _client(world, "sponsor").get(_url(world, internal)).status_code == 404
    assert _client(world, "pm").get(_url(world, internal)).status_code == 200  # the page that issues it


def test_the_other_language_is_issued_through_a_job(
    world: World, issued: tuple[AcceptanceRequest, str], django_capture_on_commit_callbacks: Any
) -> None:
    acceptance, _file = issued
    client = _client(world, "sponsor", csrf=False)
    page = client.get(_url(world, acceptance, "zh-hans"))
    assert page.status_code == 200
    assert "Issue the certificate" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(_url(world, acceptance, "zh-hans"))
    job = Job.objects.get(kind="acceptance_certificate")
    assert started.status_code == 302
    assert started["Location"] == reverse("web:job_detail", args=[world.project.code, job.pk])
    assert job.status == JobStatus.DONE
    shown = client.get(_url(world, acceptance, "zh-hans"))
    assert shown.status_code == 200 and shown["Content-Type"] == "application/pdf"
    assert client.get(_url(world, acceptance, "fr")).status_code == 400


def test_anyone_verifies_a_certificate_by_its_hash(
    world: World, issued: tuple[AcceptanceRequest, str]
) -> None:
    acceptance, file_sha256 = issued
    anonymous = Client()
    page = anonymous.get(reverse("web:verify_certificate"))
    assert page.status_code == 200
    assert 'name="sha256"' in page.content.decode()
    for digest in (acceptance.content_sha256, file_sha256):
        answer = anonymous.get(reverse("web:verify_certificate"), {"sha256": digest}).content.decode()
        assert "This certificate is valid." in answer
        for shown in ("ERP ERP upgrade", DELIVERABLE, SIGNER, "Accept with conditions"):
            assert shown in answer
        # Nothing beyond what the certificate states: no criterion, no condition, no reviewer.
        assert "Fix the rounding" not in answer and "Rita Reviewer" not in answer
    unknown = anonymous.get(reverse("web:verify_certificate"), {"sha256": "0" * 64}).content.decode()
    assert "Tandem issued no certificate with this hash." in unknown


def test_the_verification_page_speaks_chinese(world: World, issued: tuple[AcceptanceRequest, str]) -> None:
    acceptance, _file = issued
    client = Client(headers={"accept-language": "zh-hans"})
    answer = client.get(reverse("web:verify_certificate"), {"sha256": acceptance.content_sha256})
    text = answer.content.decode()
    assert 'lang="zh-Hans"' in text
    assert "验证" in text


def test_a_malformed_hash_is_a_form_error(db: None) -> None:
    response = Client().get(reverse("web:verify_certificate"), {"sha256": "not-a-hash"})
    assert response.status_code == 400
    assert "Enter a SHA-256: 64 hexadecimal characters." in response.content.decode()


def test_an_uploaded_certificate_verifies_and_the_upload_needs_the_csrf_token(
    world: World, issued: tuple[AcceptanceRequest, str]
) -> None:
    acceptance, _file = issued
    data = acceptance.certificates.get(language="en").file.read()
    url = reverse("web:verify_certificate")
    refused = Client(enforce_csrf_checks=True).post(url, {"file": SimpleUploadedFile("c.pdf", data)})
    assert refused.status_code == 403
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(url)
    token = page.cookies["csrftoken"].value
    answer = browser.post(url, {"file": SimpleUploadedFile("c.pdf", data), "csrfmiddlewaretoken": token})
    assert answer.status_code == 200
    assert "This certificate is valid." in answer.content.decode()
    other = browser.post(
        url, {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.7"), "csrfmiddlewaretoken": token}
    )
    assert "This certificate does not verify." in other.content.decode()
    empty = browser.post(url, {"csrfmiddlewaretoken": token})
    assert empty.status_code == 400
