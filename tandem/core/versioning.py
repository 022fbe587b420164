"""Optimistic concurrency, one rule for every service: a write names the version it read."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from tandem.core.errors import ConflictError

M = TypeVar("M", bound=models.Model)


def check_version(current: Any, version: int | None, message: str | Promise | None = None) -> None:
    """Refuse a write based on another version than the stored one.

    ``message`` names the record for the reader ("this task…"); it takes ``%(yours)s`` and
    ``%(theirs)s``. A missing version is a validation error on ``version``; a stale one a conflict
    that carries the stored version.
    """
    if version is None:
        raise ValidationError({"version": [_("The version you edited is required.")]})
    stored = current.version
    if int(version) != stored:
        text = str(
            message
            or _(
                "Someone else changed this in the meantime (you edited version %(yours)s, it is now at "
                "version %(theirs)s). Reload to see their change, then apply yours again."
            )
        )
        raise ConflictError(text % {"yours": version, "theirs": stored}, current_version=stored)


def locked(instance: M) -> M:
    """Re-read ``instance`` inside the transaction, locking its row where the database can."""
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)
