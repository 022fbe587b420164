"""Read back the text of a PDF Tandem rendered (tests only), with pypdf."""

from __future__ import annotations

import io

from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    """The text of every page, in order, pages separated by a blank line."""
    reader = PdfReader(io.BytesIO(data))
    return "\n\n".join(page.extract_text() or "" for page in reader.pages)
