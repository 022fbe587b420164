"""Receipts of expenses: what is accepted (a PDF or an image up to 10 MB, told by its first bytes, not
by its name) and how a stored receipt is named and served."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from tandem.core import uploads

if TYPE_CHECKING:
    from tandem.costs.models import Expense

#: The largest receipt accepted, in bytes.
MAX_RECEIPT_BYTES = 10 * 1024 * 1024
#: Accepted content types → the extension a stored receipt gets.
RECEIPT_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
}


def sniff(head: bytes) -> str:
    """The content type the first bytes of a file show ("" when none of the accepted ones)."""
    found = uploads.sniff(head)
    return found if found in RECEIPT_TYPES else ""


def check_receipt(upload: UploadedFile[Any]) -> str:
    """The extension to store an accepted receipt under; a ValidationError on ``file`` otherwise.

    The declared content type must be an accepted one and agree with the file's first bytes, so a
    script renamed ``receipt.pdf`` is refused whatever the browser says.
    """
    return uploads.check_upload(
        upload,
        accepted=RECEIPT_TYPES,
        max_bytes=MAX_RECEIPT_BYTES,
        too_large=_("A receipt may be at most %(size)s."),
        wrong_type=_("A receipt is a PDF or an image (PNG, JPEG, GIF or WebP)."),
    )


def stored_name(expense: Expense, extension: str) -> str:
    """The name a receipt is stored under (the storage adds the month's folder and a suffix if taken)."""
    return f"expense-{expense.pk}{extension}"


def content_type_of(head: bytes) -> str:
    """The content type to serve a stored receipt with (an unknown one as a download of bytes)."""
    return sniff(head) or "application/octet-stream"


def receipt_response(expense: Expense) -> HttpResponse:
    """The expense's receipt as a download (404 when it has none); never a public media address."""
    if not expense.receipt:
        raise Http404(_("This expense has no receipt."))
    try:
        with expense.receipt.open("rb") as stored:
            data = stored.read()
    except FileNotFoundError:
        raise Http404(_("This expense has no receipt.")) from None
    content_type = content_type_of(data[:16])
    extension = RECEIPT_TYPES.get(content_type, "")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="receipt-{expense.pk}{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
