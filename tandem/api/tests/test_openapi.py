"""The API describes itself: an OpenAPI document and a docs page, with both ways to sign in."""

from __future__ import annotations

import inspect
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.operation import Operation
from ninja.schema import NinjaGenerateJsonSchema

from tandem.api.api import api


def test_it_serves_the_openapi_document(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/projects/{code}/activity" in schema["paths"]
    schemes = schema["components"]["securitySchemes"]
    assert {"TokenAuth", "SessionAuth"} <= set(schemes)
    params = {p["name"] for p in schema["paths"]["/api/v1/projects/{code}/notes"]["get"]["parameters"]}
    assert {"limit", "offset"} <= params


def test_it_serves_a_docs_page(db: None) -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_an_unknown_api_path_answers_json_404_not_the_web_page(client: Client, db: None) -> None:
    """A typo under /api/v1 gets JSON naming the path, as every other API answer does."""
    response = client.get("/api/v1/projects/ERP/no-such-thing", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "/api/v1/projects/ERP/no-such-thing" in response.json()["detail"]
    assert client.get("/api/v1/openapi.json").status_code == 200


def _operations() -> dict[str, Operation]:
    """Every operation of the API by its OpenAPI operation id."""
    return {
        operation.operation_id or api.get_openapi_operation_id(operation): operation
        for _prefix, router in api._routers
        for path_view in router.path_operations.values()
        for operation in path_view.operations
    }


def _documented_operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) for every operation the document describes."""
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_it_gives_every_schema_its_own_component_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two shapes under one name would document one endpoint with another's body or answer."""
    written: dict[str, list[dict[str, Any]]] = defaultdict(list)
    add = OpenAPISchema.add_schema_definitions

    def recording(self: OpenAPISchema, definitions: dict[str, Any]) -> None:
        for name, definition in definitions.items():
            written[name].append(definition)
        add(self, definitions)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", recording)
    api.get_openapi_schema(path_prefix="/api/v1/")
    clashes = sorted(name for name, versions in written.items() if any(v != versions[0] for v in versions))
    assert clashes == []


def test_it_documents_the_body_each_handler_reads() -> None:
    """The body a client is told to send is the schema its handler validates, uploads included."""
    doc = api.get_openapi_schema(path_prefix="/api/v1/")
    operations = _operations()
    for path, method, documented in _documented_operations(doc):
        operation = operations[documented["operationId"]]
        content = documented.get("requestBody", {}).get("content", {})
        for model in operation.models:
            if model.__ninja_param_source__ != "body":
                continue
            (field,) = model.model_fields.values()
            schema = content["application/json"]["schema"]
            name = schema["$ref"].rsplit("/", 1)[1]
            expected = field.annotation.model_json_schema(  # type: ignore[union-attr]
                ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema
            )
            expected.pop("$defs", None)
            assert doc["components"]["schemas"][name] == expected, f"{method} {path}"
        if "request.FILES" in inspect.getsource(operation.view_func) or any(
            m.__ninja_param_source__ == "file" for m in operation.models
        ):
            assert "multipart/form-data" in content, f"{method} {path} documents no upload"
            upload = content["multipart/form-data"]["schema"]
            assert upload["properties"]["file"]["format"] == "binary", f"{method} {path}"
