"""The API's input schemas take descriptions, limits and choices from the model fields."""

from __future__ import annotations

import enum
import importlib
import pkgutil
import types
import typing
from collections.abc import Iterator
from typing import Any

from ninja import Schema
from pydantic.fields import FieldInfo

import tandem.api
from tandem.api.model_fields import ModelChoices, model_field
from tandem.api.schemas import ProjectCreateIn, StrictInt
from tandem.meetings.models import CommunicationItem
from tandem.planning.models import Task
from tandem.risks.models import Risk


def _input_fields() -> Iterator[tuple[str, str, FieldInfo]]:
    """Every field of every schema in the API's ``*schemas`` modules."""
    for module_info in pkgutil.iter_modules(tandem.api.__path__):
        if not module_info.name.endswith("schemas"):
            continue
        module = importlib.import_module(f"tandem.api.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Schema) and value.__module__ == module.__name__:
                for name, info in value.model_fields.items():
                    yield value.__name__, name, info


def _allowed(annotation: Any) -> set[Any] | None:
    """The values an enum or ``Literal`` annotation (or its optional form) accepts; ``None``: any."""
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return {member.value for member in annotation}
    if typing.get_origin(annotation) is typing.Literal:
        return set(typing.get_args(annotation))
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        found = [_allowed(arg) for arg in typing.get_args(annotation) if arg is not type(None)]
        return found[0] if len(found) == 1 else None
    return None


def test_a_choice_field_accepts_the_model_choices_and_nothing_else() -> None:
    checked = 0
    for schema, name, info in _input_fields():
        if not isinstance(info.json_schema_extra, ModelChoices):
            continue
        field = info.json_schema_extra.field
        model_values = set(info.json_schema_extra.values) | ({""} if field.blank else set())
        allowed = _allowed(info.annotation)
        if allowed is None:  # an integer choice: its range is the choices' range
            assert isinstance(field.flatchoices[0][0], int), (schema, name)
            continue
        assert allowed <= model_values, (schema, name, allowed - model_values)
        assert set(info.json_schema_extra.values) <= allowed | {""}, (schema, name)
        checked += 1
    assert checked > 50


def test_the_schemas_take_limits_and_descriptions_from_the_model() -> None:
    project = ProjectCreateIn.model_json_schema()["properties"]
    assert project["code"]["maxLength"] == 20
    name = {"description": "Name", "minLength": 1, "maxLength": 200, "title": "Name", "type": "string"}
    assert project["name"] == name
    assert "minLength" not in project["internal_notes"]  # the model allows it blank

    class Probe(Schema):
        probability: StrictInt | None = model_field(Risk, "probability", None)
        percent: StrictInt = model_field(Task, "percent_complete", 0)
        weekday: StrictInt | None = model_field(CommunicationItem, "weekday", None)
        title: str = model_field(Risk, "title", description="What could go wrong.")

    properties = Probe.model_json_schema()["properties"]
    assert properties["probability"]["anyOf"][0] == {"type": "integer", "minimum": 1, "maximum": 5}
    assert properties["percent"]["minimum"] == 0 and properties["percent"]["maximum"] == 100
    assert properties["weekday"]["anyOf"][0]["enum"] == [0, 1, 2, 3, 4, 5, 6]
    assert properties["title"]["description"] == "What could go wrong."
    assert properties["title"]["maxLength"] == 200
