"""The API describes itself: an OpenAPI document and a docs page, with both ways to sign in."""

from __future__ import annotations

from django.test import Client


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
