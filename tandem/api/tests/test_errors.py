"""Every error under /api/v1 is answered as documented JSON: a server fault, an oversized body, each one."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings

from tandem.projects import services as project_services
from tandem.testing.personas import World

from .conftest import API, Caller


def _fail(*args: Any, **kwargs: Any) -> None:
    """A service that breaks, as a bug deep in the code would."""
    raise RuntimeError("secret internal detail")


def test_a_server_fault_is_answered_500_json_without_the_traceback(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(project_services, "do_add_note", _fail)
    response = Caller(world, "pm").call("POST", "/projects/ERP/notes", {"title": "t"})
    assert response.status == 500
    assert set(response.json) == {"detail"}
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    # The operators still see what happened.
    assert "secret internal detail" in caplog.text


def test_an_oversized_body_is_answered_413_json(world: World) -> None:
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        response = Caller(world, "pm").call("POST", "/projects/ERP/notes", {"title": "t", "body": "x" * 5000})
    assert response.status == 413
    assert set(response.json) == {"detail"}


def _chinese_client(world: World) -> Client:
    """The project manager signed in, reading Chinese."""
    world.pm.language = "zh-hans"
    world.pm.save()
    client = Client()
    client.force_login(world.pm)
    return client


def test_an_unparsable_body_is_answered_400_json_in_the_callers_language(world: World) -> None:
    client = _chinese_client(world)
    url = f"{API}/projects/ERP/notes"
    response = client.post(url, data="[1]", content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求正文必须是一个 JSON 对象。"


def test_a_limit_taken_from_the_model_is_answered_in_the_callers_language(world: World) -> None:
    client = _chinese_client(world)
    url = f"{API}/projects/ERP/risks"
    body = '{"title": "", "probability": 6, "impact": 0}'
    response = client.post(url, data=body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 422
    messages = {d["field"]: d["message"] for d in response.json()["detail"]}
    assert messages == {
        "title": "此字段不能为空。",
        "probability": "确保该值小于或等于5。",
        "impact": "确保该值大于或等于1。",
    }


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) of the whole document."""
    doc = Client().get(f"{API}/openapi.json").json()
    return [(path, method, op) for path, methods in doc["paths"].items() for method, op in methods.items()]


def test_it_documents_every_error_an_operation_can_answer(db: None) -> None:
    """401 when signed in, 403/404 on a project, 409 on a write, 422 with any input, each as JSON."""
    for path, method, operation in _operations():
        statuses = {int(status) for status in operation["responses"]}
        expected = {500}
        if "security" in operation and {} not in operation["security"]:
            expected.add(401)
        if "{code}" in path:
            expected |= {403, 404}
        if method != "get":
            expected |= {409, 422}
        if operation.get("parameters") or "requestBody" in operation:
            expected.add(422)
        if "requestBody" in operation:
            expected |= {400, 413}
        assert expected <= statuses, f"{method} {path} documents no {sorted(expected - statuses)}"
        for status in statuses - {200, 201, 204}:
            content = operation["responses"][str(status)]["content"]["application/json"]["schema"]
            assert re.fullmatch(r"#/components/schemas/\w+", content["$ref"]), f"{method} {path} {status}"


def test_the_documented_error_shapes_are_the_answers(world: World) -> None:
    schemas = Client().get(f"{API}/openapi.json").json()["components"]["schemas"]
    invalid = Caller(world, "pm").call("POST", "/projects/ERP/notes", {"title": 5})
    assert invalid.status == 422
    assert set(invalid.json) == set(schemas["ValidationErrorOut"]["properties"])
    assert set(invalid.json["detail"][0]) == set(schemas["FieldErrorOut"]["properties"])
    stale = Caller(world, "pm").call("PATCH", "/projects/ERP", {"version": 99, "name": "x"})
    assert stale.status == 409
    assert set(stale.json) == set(schemas["VersionConflictOut"]["properties"])
    unauthenticated = Caller(world).get("/projects")
    assert unauthenticated.status == 401
    assert set(unauthenticated.json) == set(schemas["ErrorOut"]["properties"])
