"""Form fields taken from model fields, so a field's label, limits, choices and default are declared once.

``model_field(Risk, "title")`` is the form field of ``Risk.title``: its capitalised verbose name as the
label, its help text, ``max_length``, range validators, choices and default, required unless the
model allows blank. A form passes keyword arguments only where it differs from the model (a widget, a
narrower choice list, its own wording). A relation becomes a plain choice field whose choices the form
fills in (project members, the plan's tasks), since the services take ids rather than objects; a JSON
list becomes a multiple choice, or the ``form_class`` given (text with one item per line).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db import models
from django.utils.text import capfirst

from tandem.core.validation import field_bounds

if TYPE_CHECKING:
    from django.db.models import Model

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _bounds(field: models.Field[Any, Any]) -> dict[str, Any]:
    """A number's bounds the model sets (``min_value``, ``max_value``), not the database column's range."""
    lowest, highest = field_bounds(field)
    bounds = {"min_value": lowest, "max_value": highest}
    return {key: value for key, value in bounds.items() if value is not None}


def model_field(model: type[Model], name: str, **overrides: Any) -> Any:
    """The form field of ``model``'s field ``name`` (a field name or ``*_id``), with ``overrides``."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return form_field(field, **overrides)


def form_field(field: models.Field[Any, Any], **overrides: Any) -> Any:
    """The form field of a model field, with ``overrides`` (also a ``ModelForm``'s ``formfield_callback``)."""
    if field.is_relation or isinstance(field, models.JSONField):
        typed = "coerce" in overrides
        if field.many_to_many or isinstance(field, models.JSONField):
            choice_class: type[forms.Field] = (
                forms.TypedMultipleChoiceField if typed else forms.MultipleChoiceField
            )
        else:
            choice_class = forms.TypedChoiceField if typed else forms.ChoiceField
        form_class = overrides.pop("form_class", choice_class)
        shared = {
            "label": capfirst(field.verbose_name),
            "help_text": field.help_text,
            "required": not field.blank,
        }
        return form_class(**{**shared, **overrides})
    defaults = {} if field.choices else _bounds(field)
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        defaults["widget"] = DATE_WIDGET
    return field.formfield(**{**defaults, **overrides})


class ModelFieldsForm(forms.ModelForm):  # type: ignore[type-arg]
    """A form whose ``Meta.fields`` come from the model through ``form_field``; it checks their shape only.

    It builds no model instance: the ``do_*`` service creates or updates the record and applies the
    model's rules, so the form's cleaned values are the service's keyword arguments.
    """

    class Meta:
        formfield_callback = staticmethod(form_field)

    def _post_clean(self) -> None:
        """Skip building and validating an instance; the service does both."""
