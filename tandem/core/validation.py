"""Model validation shared by every service: Django's checks plus what the databases refuse."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

#: Characters no text may hold: the C0 controls other than tab, line feed and carriage return,
#: lone surrogates and the non-characters U+FFFE and U+FFFF. XML 1.0 cannot carry them, so one of
#: them in a title would break every XML-based export (MSPDI, Excel); PostgreSQL refuses NUL; and
#: nobody types them on purpose.
ILLEGAL_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def field_bounds(field: models.Field[Any, Any]) -> tuple[Any, Any]:
    """A number field's lowest and highest value the model sets (``None``: none), not its column's range."""
    column: tuple[int | None, int | None]
    if isinstance(field, models.IntegerField):
        column = connection.ops.integer_field_range(field.get_internal_type())
    elif isinstance(field, models.DecimalField):
        column = (None, None)
    else:
        return (None, None)
    lowest = highest = None
    for validator in field.validators:
        if isinstance(validator, MinValueValidator) and validator.limit_value != column[0]:
            lowest = validator.limit_value
        elif isinstance(validator, MaxValueValidator) and validator.limit_value != column[1]:
            highest = validator.limit_value
    return (lowest, highest)


def illegal_character(value: Any) -> str | None:
    """The first character of ``value`` (a string, or strings inside JSON lists and maps) no text may hold."""
    if isinstance(value, str):
        found = ILLEGAL_TEXT.search(value)
        return found.group() if found else None
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list | tuple):
        for item in value:
            if (char := illegal_character(item)) is not None:
                return char
    return None


def illegal_character_message(label: Any, char: str) -> str:
    """The error for a text called ``label`` that holds ``char``: names the field and the character."""
    return _("%(field)s contains the control character U+%(code)04X, which cannot be stored.") % {
        "field": capfirst(str(label)),
        "code": ord(char),
    }


def text_errors(instance: models.Model, exclude: Collection[str] | None = None) -> dict[str, list[str]]:
    """An error per text or JSON field of ``instance`` that holds a character no text may hold.

    Fields that are not editable are the system's own copies (sent reports, snapshots): they are
    not input, and refusing them would stop a send over a row stored before this rule existed.
    """
    errors: dict[str, list[str]] = {}
    for field in instance._meta.concrete_fields:
        if (exclude and field.name in exclude) or not field.editable:
            continue
        if isinstance(field, models.CharField | models.TextField | models.JSONField):
            char = illegal_character(getattr(instance, field.attname, None))
            if char is not None:
                errors[field.name] = [illegal_character_message(field.verbose_name, char)]
    return errors


def full_clean(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """Validate ``instance`` and raise one ``ValidationError`` naming every field at fault.

    Beyond ``Model.full_clean``: text may not contain control characters (``ILLEGAL_TEXT``), which
    PostgreSQL (NUL) or XML cannot store — SQLite can, so without this check the same input would
    pass on one database only and break the exports later.
    """
    errors = text_errors(instance, exclude)
    try:
        # The fields already at fault are not checked twice (the base models run the same rule).
        instance.full_clean(
            exclude=[*(exclude or []), *errors], validate_unique=True, validate_constraints=True
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
