"""Uploaded files checked by what they contain, not by their name or the type the browser declares.

One mechanism for every upload (expense receipts, test evidence): the declared content type must be
one the caller accepts and agree with the file's first bytes (plain text: valid UTF-8 without NUL
bytes and no binary signature), and the file must not be empty or larger than the caller's limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PLAIN_TEXT = "text/plain"
#: How the first bytes of each binary type begin.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
#: How much of a text file is read to tell it is text.
TEXT_PROBE_BYTES = 64 * 1024


def sniff(head: bytes) -> str:
    """The binary content type the first bytes of a file show ("" when none of the known ones)."""
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return ""


def looks_like_text(data: bytes) -> bool:
    """Whether ``data`` (the start of a file) is UTF-8 text: no NUL byte, no binary signature."""
    if b"\x00" in data or sniff(data[:16]):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the probe is still text.
        return exc.start >= len(data) - 3 and len(data) >= TEXT_PROBE_BYTES
    return True


def declared_type(upload: UploadedFile[Any]) -> str:
    """The content type the uploader declared, without parameters, in lower case."""
    return (upload.content_type or "").split(";")[0].strip().lower()


def check_upload(
    upload: UploadedFile[Any],
    *,
    accepted: Mapping[str, str],
    max_bytes: int,
    too_large: str,
    wrong_type: str,
    field: str = "file",
) -> str:
    """The extension (from ``accepted``: content type → extension) to store an accepted upload under.

    ``too_large`` takes ``%(size)s``; every refusal is a ``ValidationError`` on ``field``.
    """
    if upload.size is None or upload.size > max_bytes:
        raise ValidationError({field: [too_large % {"size": filesizeformat(max_bytes)}]})
    if upload.size == 0:
        raise ValidationError({field: [_("The file is empty.")]})
    declared = declared_type(upload)
    upload.seek(0)
    head = upload.read(TEXT_PROBE_BYTES if declared == PLAIN_TEXT else 16)
    upload.seek(0)
    text = declared == PLAIN_TEXT and looks_like_text(head)
    found = PLAIN_TEXT if text else sniff(head)
    if declared not in accepted or found != declared:
        raise ValidationError({field: [wrong_type]})
    return accepted[found]
