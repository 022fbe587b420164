"""Helpers for certificate tests: a signed acceptance built with the ORM, a signing key, the PDF's text.

``certificate_text(pdf_bytes)`` is shared with the acceptance browser test, which reads the text of
the certificate it downloads.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pypdf import PdfReader

from tandem.core.choices import Visibility
from tandem.quality import content
from tandem.quality.choices import AcceptanceStatus
from tandem.quality.models import AcceptanceRequest
from tandem.testing.personas import World

#: What the certificate of ``signed_acceptance`` must show.
DELIVERABLE = "Data migration"
CRITERION = "All master data migrated without loss"
CRITERION_ZH = "库存报表按门店汇总"
CONDITION = "Fix the rounding of unit prices"
SIGNER = "Sam Sponsor"
SIGNING_KEY_PASSWORD = "correct horse"


def certificate_text(pdf_bytes: bytes) -> str:
    """The text of every page of a PDF, pages joined by newlines (pypdf's extraction)."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def certificate_fonts(pdf_bytes: bytes) -> set[str]:
    """The names of the fonts a PDF's pages use (without the subset prefix)."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    return {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }


def signed_content(
    world: World, *, code: str = "ACC-001", decision: str = "accept_with_conditions"
) -> dict[str, Any]:
    """A realistic frozen content (format 1) of an acceptance of the ERP project's data migration."""
    project = world.project
    return {
        "format": content.CONTENT_FORMAT,
        "project": {
            "code": project.code,
            "name": project.name,
            "client": project.client.name,
            "vendor": project.vendor.name,
        },
        "request": {"code": code, "title": "Accept the data migration"},
        "deliverable": {"id": 1, "name": DELIVERABLE},
        "milestone": {"id": 2, "name": "Go-live"},
        "decision": decision,
        "comment": "Accepted after the second rehearsal.",
        "criteria": [
            {
                "text": CRITERION,
                "source": "deliverable",
                "requirement": None,
                "mandatory": True,
                "result": "accepted",
                "reviews": [
                    {
                        "reviewer": "Rita Reviewer",
                        "verdict": "accepted",
                        "comment": "Counts match the legacy system",
                        "at": "2026-03-02T02:00:00+00:00",
                    }
                ],
            },
            {
                "text": CRITERION_ZH,
                "source": "requirement",
                "requirement": "REQ-007",
                "mandatory": False,
                "result": "not_accepted",
                "reviews": [
                    {
                        "reviewer": "Cindy Client PM",
                        "verdict": "not_accepted",
                        "comment": "Rounding differs",
                        "at": "2026-03-02T03:00:00+00:00",
                    }
                ],
            },
        ],
        "conditions": [{"text": CONDITION, "due_date": "2026-03-31", "owner": "Bob Member"}],
        "evidence": {
            "test_cycles": [
                {"name": "UAT 1", "kind": "uat", "passed": 18, "failed": 1, "blocked": 0, "not_run": 1}
            ],
            "documents": [{"title": "Migration report", "filename": "migration.pdf", "sha256": "ab" * 32}],
            "demo_meeting": {"title": "Migration demo", "date": "2026-02-27"},
        },
        "signed_by": {"name": SIGNER, "email": "sam@northwind.test", "role": "sponsor"},
        "signed_at": "2026-03-03T06:30:00+00:00",
        "language": project.language,
    }


def signed_acceptance(world: World, *, code: str = "ACC-001", **overrides: Any) -> AcceptanceRequest:
    """A shared acceptance of the ERP project, signed by the sponsor, with its frozen content and digest."""
    data = signed_content(world, code=code)
    fields: dict[str, Any] = {
        "project": world.project,
        "code": code,
        "title": data["request"]["title"],
        "visibility": Visibility.SHARED,
        "status": AcceptanceStatus.ACCEPTED_WITH_CONDITIONS,
        "signed_by": world.sponsor,
        "signed_at": dt.datetime(2026, 3, 3, 6, 30, tzinfo=dt.UTC),
        "content": data,
        "content_sha256": content.digest(data),
    }
    return AcceptanceRequest.objects.create(**(fields | overrides))


def make_signing_key(directory: Path) -> tuple[Path, x509.Certificate]:
    """A self-signed certificate and its RSA key in a PKCS#12 file (password ``SIGNING_KEY_PASSWORD``)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Tandem test signer"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Acme Delivery"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        b"tandem",
        key,
        certificate,
        None,
        serialization.BestAvailableEncryption(SIGNING_KEY_PASSWORD.encode()),
    )
    path = directory / "signing.p12"
    path.write_bytes(data)
    return path, certificate
