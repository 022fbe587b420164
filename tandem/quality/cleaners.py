"""Cleaners for the ids a quality form or request names: each id must be a row of the project that the
actor sees, else a ``ValidationError`` naming the field (never a hint that a hidden row exists)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tandem.core import updates

if TYPE_CHECKING:
    from django.db.models import QuerySet


def row_id(name: str, visible: QuerySet[Any], message: str | None = None) -> updates.Cleaner:
    """A cleaner for ``name``: empty → None; the id of a row in ``visible`` → the id; else an error."""

    def clean(value: Any) -> int | None:
        if value in (None, ""):
            return None
        try:
            pk = int(value)
        except (TypeError, ValueError, OverflowError):
            pk = None
        if pk is None or isinstance(value, bool) or not visible.filter(pk=pk).exists():
            raise ValidationError({name: [message or _("No such record in this project.")]})
        return pk

    return clean
