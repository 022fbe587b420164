"""Training documents: what may be uploaded (a PDF, an image or plain text up to 20 MB, told by its
first bytes, not its name) and how a stored one is served (as a download, never a public address)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from tandem.core import uploads

if TYPE_CHECKING:
    from tandem.onboarding.models import TrainingItem

#: The largest training document accepted, in bytes.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
#: Accepted content types → the extension a stored document gets.
DOCUMENT_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    uploads.PLAIN_TEXT: ".txt",
}


def check_document(upload: UploadedFile[Any]) -> str:
    """The extension to store an accepted document under; a ValidationError on ``file`` otherwise."""
    return uploads.check_upload(
        upload,
        accepted=DOCUMENT_TYPES,
        max_bytes=MAX_DOCUMENT_BYTES,
        too_large=_("A training document may be at most %(size)s."),
        wrong_type=_("A training document is a PDF, an image (PNG, JPEG, GIF or WebP) or plain text."),
    )


def document_response(item: TrainingItem) -> HttpResponse:
    """The item's document as a download (404 when it has none)."""
    if not item.file:
        raise Http404(_("This training item has no document."))
    try:
        with item.file.open("rb") as stored:
            data = stored.read()
    except FileNotFoundError:
        raise Http404(_("This training item has no document.")) from None
    head = data[:16]
    content_type = uploads.sniff(head) or (
        uploads.PLAIN_TEXT if uploads.looks_like_text(data[: uploads.TEXT_PROBE_BYTES]) else ""
    )
    extension = DOCUMENT_TYPES.get(content_type, "")
    response = HttpResponse(data, content_type=content_type or "application/octet-stream")
    name = item.filename or f"training-{item.pk}{extension}"
    response["Content-Disposition"] = (
        f"attachment; filename=\"training-{item.pk}{extension}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
