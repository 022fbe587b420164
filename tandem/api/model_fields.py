"""API schema fields taken from model fields, so a field's description, limits and choices are declared once.

``title: str = model_field(Risk, "title")`` gives the schema field ``Risk.title``'s verbose name and
help text as its description, its ``max_length`` (and ``min_length=1`` unless it may be blank), the
bounds of its range validators (``ge``, ``le``; a positive integer is ``ge=0``) and its decimal digits.
The annotation stays the schema's own strict type (``StrictInt``, ``IsoDate``, a ``TextChoices`` of the
model for a choice field); ``model_field`` supplies only the ``Field`` metadata. A field with choices
documents them as its ``enum`` when its annotation does not already. Keyword arguments override or add
to what the model gives: a default, a limit the model leaves open (a text field's length), the schema's
own wording.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import translation
from django.utils.text import capfirst
from ninja import Field

from tandem.core.validation import field_bounds

if TYPE_CHECKING:
    from django.db.models import Model

POSITIVE = (models.PositiveIntegerField, models.PositiveSmallIntegerField, models.PositiveBigIntegerField)


class ModelChoices:
    """A choice field's ``json_schema_extra``: its choices, where the schema is a bare string or number."""

    def __init__(self, field: models.Field[Any, Any]) -> None:
        """Remember the model field whose choices these are."""
        self.field = field
        self.values = [value for value, _label in field.flatchoices]

    def __call__(self, schema: dict[str, Any]) -> None:
        """Add ``enum`` to the field's JSON schema (and its non-null branch) unless it has one."""
        branches = schema.get("anyOf", [schema])
        for branch in branches:
            if branch.get("type") in ("string", "integer") and "enum" not in branch:
                branch["enum"] = list(self.values)


def description(field: models.Field[Any, Any]) -> str:
    """The field's English verbose name, with its help text if it has one."""
    with translation.override("en"):
        label = str(capfirst(field.verbose_name))
        help_text = str(field.help_text)
    return f"{label}: {help_text}" if help_text else label


def field_limits(field: models.Field[Any, Any]) -> dict[str, Any]:
    """The pydantic constraints the model field sets: length, range, digits."""
    if field.choices:
        values = [value for value, _label in field.flatchoices]
        if values and all(isinstance(value, int) for value in values):
            return {"ge": min(values), "le": max(values)}
        return {}
    limits: dict[str, Any] = {}
    if isinstance(field, models.CharField | models.TextField):
        if not field.blank:
            limits["min_length"] = 1
        if field.max_length:
            limits["max_length"] = field.max_length
    lowest, highest = field_bounds(field)
    if lowest is None and isinstance(field, POSITIVE):
        lowest = 0
    if lowest is not None:
        limits["ge"] = lowest
    if highest is not None:
        limits["le"] = highest
    if isinstance(field, models.DecimalField):
        limits["max_digits"] = field.max_digits
        limits["decimal_places"] = field.decimal_places
    return limits


def model_field(model: type[Model], name: str, default: Any = ..., **overrides: Any) -> Any:
    """The schema ``Field`` of ``model``'s field ``name``, with ``default`` and ``overrides``."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    metadata: dict[str, Any] = {"description": description(field), **field_limits(field)}
    if field.choices:
        metadata["json_schema_extra"] = ModelChoices(field)
    given = () if "default_factory" in overrides else (default,)
    return Field(*given, **{**metadata, **overrides})
