"""Domain errors that the web and API layers translate into HTTP answers.

Not found is Django's ``Http404`` and not permitted is ``PermissionDenied``; invalid input is
``django.core.exceptions.ValidationError`` with a message per field. Only the conflict is ours.
"""

from __future__ import annotations


class ConflictError(Exception):
    """A write was based on a stale version of a record (answered with HTTP 409)."""

    def __init__(self, message: str, *, current_version: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.current_version = current_version
