"""Domain errors that the web and API layers translate into HTTP answers.

Not found is Django's ``Http404`` and not permitted is ``PermissionDenied``; invalid input is
``django.core.exceptions.ValidationError`` with a message per field. Only the conflict is ours.
A database lock that could not be had in time (:func:`is_lock_timeout`) is answered 503 with
``Retry-After``.
"""

from __future__ import annotations

import sqlite3

from django.conf import settings
from django.utils.translation import gettext as _


class ConflictError(Exception):
    """A write was based on a stale version of a record (answered with HTTP 409)."""

    def __init__(self, message: str, *, current_version: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.current_version = current_version


#: PostgreSQL's SQLSTATEs for "waited too long for a lock" (lock_timeout), "deadlock detected" and
#: "could not serialize access": the transaction was rolled back and can simply be retried.
RETRYABLE_SQLSTATES = frozenset({"55P03", "40P01", "40001"})
#: SQLite's messages for a write lock it could not get within its busy timeout.
SQLITE_LOCKED_MESSAGES = ("database is locked", "database table is locked")


def is_lock_timeout(exc: BaseException) -> bool:
    """Whether ``exc`` (a database error, or one it was raised from) means "busy: retry", not a bug."""
    seen: set[int] = set()
    error: BaseException | None = exc
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if getattr(error, "sqlstate", None) in RETRYABLE_SQLSTATES:
            return True
        if isinstance(error, sqlite3.OperationalError) and str(error).startswith(SQLITE_LOCKED_MESSAGES):
            return True
        error = error.__cause__  # Django raises its own error from the driver's
    return False


def busy_message() -> str:
    """What a caller is told when a lock could not be had in time (in the caller's language)."""
    return _("Tandem is busy with other changes to the same data. Please try again in a few seconds.")


def retry_after() -> str:
    """The ``Retry-After`` header's value, in seconds, for an answer 503 to a lock timeout."""
    return str(settings.DB_LOCK_RETRY_AFTER)
