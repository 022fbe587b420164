"""Model validation shared by every service: Django's checks plus what the databases refuse."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _


def full_clean(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """Validate ``instance`` and raise one ``ValidationError`` naming every field at fault.

    Beyond ``Model.full_clean``: text may not contain NUL characters, which PostgreSQL cannot
    store (SQLite can, so without this check the same input would pass on one database only).
    """
    errors: dict[str, list[str]] = {}
    for field in instance._meta.concrete_fields:
        if exclude and field.name in exclude:
            continue
        if isinstance(field, models.CharField | models.TextField):
            value = getattr(instance, field.attname, None)
            if isinstance(value, str) and "\x00" in value:
                errors[field.name] = [_("Null characters are not allowed.")]
    try:
        instance.full_clean(exclude=exclude, validate_unique=True, validate_constraints=True)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
