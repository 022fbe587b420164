"""The certificate API, called as every kind of viewer: the download of a signed acceptance's PDF, and
the public verification of a certificate by its hash."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.test.utils import override_settings

from tandem.core.choices import Visibility
from tandem.quality import certificates
from tandem.quality.choices import AcceptanceStatus
from tandem.testing.api import MEMBERS_READ, TEAM_READS, Caller, Case, matrix_test, world_fixture
from tandem.testing.personas import World

from .certificate_support import CONDITION, DELIVERABLE, SIGNER, certificate_text, signed_acceptance

P = "/projects/ERP/acceptances"
ANYONE = "200 200 200 200 200 200 200 200"
NOBODY = "401 404 404 404 404 404 404 404"

CASES = [
    Case("certificates.download", "GET", P + "/{signed}/certificate", MEMBERS_READ),
    Case("certificates.download-language", "GET", P + "/{signed}/certificate?language=en", MEMBERS_READ),
    Case(
        "certificates.not-issued",
        "GET",
        P + "/{signed}/certificate?language=zh-hans",
        MEMBERS_READ.replace("200", "202"),
    ),
    Case("certificates.internal", "GET", P + "/{internal}/certificate", TEAM_READS.replace("200", "202")),
    Case("certificates.draft", "GET", P + "/{draft}/certificate", NOBODY),
    Case(
        "certificates.other-project",
        "GET",
        "/projects/OTHER/acceptances/{signed}/certificate",
        "401 404 404 404 404 404 404 404",
    ),
    Case(
        "certificates.bad-language",
        "GET",
        P + "/{signed}/certificate?language=fr",
        "401 422 422 422 422 422 422 422",
    ),
    Case("certificates.verify", "GET", "/certificates/verify?sha256={content_sha256}", ANYONE),
    Case("certificates.verify-file", "GET", "/certificates/verify?sha256={file_sha256}", ANYONE),
    Case("certificates.verify-unknown", "GET", "/certificates/verify?sha256=" + "0" * 64, ANYONE),
    Case(
        "certificates.verify-malformed",
        "GET",
        "/certificates/verify?sha256=xyz",
        ANYONE.replace("200", "422"),
    ),
]


@pytest.fixture(scope="module", autouse=True)
def _media(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"), SIGNING_KEY="", SITE_URL="https://tandem.example.com"
    ):
        yield


def seed(world: World) -> dict[str, Any]:
    """A signed shared acceptance with its English certificate, an internal one, and a draft."""
    signed = signed_acceptance(world)
    certificate = certificates.issue_certificate(signed, "en")
    internal = signed_acceptance(world, code="ACC-002", visibility=Visibility.INTERNAL)
    draft = signed_acceptance(
        world, code="ACC-003", status=AcceptanceStatus.DRAFT, visibility=Visibility.INTERNAL, content=None
    )
    return {
        "signed": signed.pk,
        "internal": internal.pk,
        "draft": draft.pk,
        "content_sha256": signed.content_sha256,
        "file_sha256": certificate.file_sha256,
    }


api_world = world_fixture(seed)

test_it_answers_each_viewer_as_the_matrix_says = matrix_test(CASES)


def test_a_client_downloads_the_issued_pdf(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    response = Caller(world, "client_viewer").get(f"{P}/{ids['signed']}/certificate")
    assert response.status == 200
    assert hashlib.sha256(response.content).hexdigest() == ids["file_sha256"]
    text = " ".join(certificate_text(response.content).split())
    for expected in (DELIVERABLE, CONDITION, SIGNER, ids["content_sha256"]):
        assert expected in text


def test_a_certificate_not_issued_answers_its_job(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    caller = Caller(world, "sponsor")
    first = caller.get(f"{P}/{ids['signed']}/certificate?language=zh-hans")
    assert first.status == 202
    assert first.json["kind"] == "acceptance_certificate"
    assert first.json["status"] == "queued"
    again = caller.get(f"{P}/{ids['signed']}/certificate?language=zh-hans")
    assert again.json["id"] == first.json["id"]  # the pending job, not a second one
    job = caller.get(f"/projects/ERP/jobs/{first.json['id']}")
    assert job.status == 200


def test_the_verification_states_only_what_the_certificate_does(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    answer = Caller(world).get(f"/certificates/verify?sha256={ids['content_sha256'].upper()}").json
    assert answer == {
        "valid": True,
        "match": "content",
        "project": "ERP ERP upgrade",
        "request": "ACC-001 Accept the data migration",
        "deliverable": DELIVERABLE,
        "decision": "accept_with_conditions",
        "signed_by": SIGNER,
        "signed_at": "2026-03-03T06:30:00Z",
        "digitally_signed": False,
    }
    by_file = Caller(world).get(f"/certificates/verify?sha256={ids['file_sha256']}").json
    assert by_file["valid"] and by_file["match"] == "file"
    unknown = Caller(world).get("/certificates/verify?sha256=" + "a" * 64).json
    assert unknown == {
        "valid": False,
        "match": None,
        "project": None,
        "request": None,
        "deliverable": None,
        "decision": None,
        "signed_by": None,
        "signed_at": None,
        "digitally_signed": None,
    }


def test_a_tampered_row_does_not_verify(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    from tandem.quality.models import AcceptanceRequest

    signed = AcceptanceRequest.objects.get(pk=ids["signed"])
    AcceptanceRequest.objects.filter(pk=signed.pk).update(content=signed.content | {"decision": "accept"})
    answer = Caller(world).get(f"/certificates/verify?sha256={ids['content_sha256']}").json
    assert answer["valid"] is False
    assert answer["match"] == "content"
    assert answer["decision"] is None


@pytest.mark.parametrize("digest", ["xyz", "0" * 63, "g" * 64, ""])
def test_a_malformed_hash_is_a_422_naming_sha256(
    digest: str, api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, _ids = api_world
    response = Caller(world).get(f"/certificates/verify?sha256={digest}")
    assert response.status == 422
    assert [error["field"] for error in response.json["detail"]] == ["sha256"]
