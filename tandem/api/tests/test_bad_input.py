"""Invalid input of every kind is answered 4xx with the field at fault, never a 500."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from tandem.accounts import services as account_services
from tandem.testing.personas import World

from .conftest import API

BIG = 10**30
LONG = "x" * 100_000


def _ids(world: World) -> dict[str, Any]:
    return {key: record.pk for key, record in world.records.items()}


PLAN = "/projects/ERP/communication-plan"
CHANGES = "/projects/ERP/changes"
# The body is checked before the meeting is looked for, so an unknown meeting still names the field.
MEETING_DECISIONS = "/projects/ERP/meetings/1/decisions"

# (name, method, path, body, the field the answer must name; None: only the status class is checked)
CASES: list[tuple[str, str, str, Any, str | None]] = [
    ("note title wrong type", "POST", "/projects/ERP/notes", {"title": 123}, "title"),
    ("note title missing", "POST", "/projects/ERP/notes", {"body": "x"}, "title"),
    ("note title null", "POST", "/projects/ERP/notes", {"title": None}, "title"),
    ("note title too long", "POST", "/projects/ERP/notes", {"title": LONG}, "title"),
    ("note title with NUL", "POST", "/projects/ERP/notes", {"title": "a\x00b"}, "title"),
    ("note body with NUL", "POST", "/projects/ERP/notes", {"title": "ok", "body": "a\x00b"}, "body"),
    ("note title with a control character", "POST", "/projects/ERP/notes", {"title": "a\x11b"}, "title"),
    ("note body with an escape", "POST", "/projects/ERP/notes", {"title": "ok", "body": "\x1b[2J"}, "body"),
    ("note title with a lone surrogate", "POST", "/projects/ERP/notes", {"title": "a\ud800"}, "title"),
    (
        "note unknown visibility",
        "POST",
        "/projects/ERP/notes",
        {"title": "t", "visibility": "secret"},
        "visibility",
    ),
    (
        "goal measure too long",
        "POST",
        "/projects/ERP/charter/goals",
        {"statement": "s", "measure": LONG},
        "measure",
    ),
    (
        "goal bad date",
        "POST",
        "/projects/ERP/charter/goals",
        {"statement": "s", "due_date": "2026-02-30"},
        "due_date",
    ),
    (
        "goal date wrong type",
        "POST",
        "/projects/ERP/charter/goals",
        {"statement": "s", "due_date": 17},
        "due_date",
    ),
    (
        "goal negative position",
        "POST",
        "/projects/ERP/charter/goals",
        {"statement": "s", "position": -1},
        "position",
    ),
    (
        "goal huge position",
        "POST",
        "/projects/ERP/charter/goals",
        {"statement": "s", "position": BIG},
        "position",
    ),
    ("goal huge version", "PATCH", "/projects/ERP/charter/goals/{goal_shared}", {"version": BIG}, "version"),
    (
        "goal version as text",
        "PATCH",
        "/projects/ERP/charter/goals/{goal_shared}",
        {"version": "one"},
        "version",
    ),
    (
        "goal without version",
        "PATCH",
        "/projects/ERP/charter/goals/{goal_shared}",
        {"statement": "x"},
        "version",
    ),
    ("goal delete without version", "DELETE", "/projects/ERP/charter/goals/{goal_shared}", None, "version"),
    ("goal huge id", "GET", f"/projects/ERP/charter/goals/{BIG}", None, None),
    ("goal huge id patch", "PATCH", f"/projects/ERP/charter/goals/{BIG}", {"version": 1}, None),
    ("kpi target NaN", "POST", "/projects/ERP/charter/kpis", {"name": "k", "target": "NaN"}, "target"),
    (
        "kpi target infinite",
        "POST",
        "/projects/ERP/charter/kpis",
        {"name": "k", "target": "Infinity"},
        "target",
    ),
    ("kpi target huge", "POST", "/projects/ERP/charter/kpis", {"name": "k", "target": "1e40"}, "target"),
    ("kpi target text", "POST", "/projects/ERP/charter/kpis", {"name": "k", "target": "lots"}, "target"),
    (
        "kpi unknown direction",
        "POST",
        "/projects/ERP/charter/kpis",
        {"name": "k", "direction": "up"},
        "direction",
    ),
    (
        "stakeholder unknown level",
        "POST",
        "/projects/ERP/charter/stakeholders",
        {"name": "n", "influence": "huge"},
        "influence",
    ),
    ("section unknown key", "PUT", "/projects/ERP/charter/sections/nope", {"body": "b", "version": 0}, "key"),
    (
        "section body wrong type",
        "PUT",
        "/projects/ERP/charter/sections/scope_out",
        {"body": [], "version": 0},
        "body",
    ),
    (
        "raci unknown letter",
        "PUT",
        "/projects/ERP/charter/deliverables/{deliverable_shared}/raci",
        {"version": 1, "cells": [{"stakeholder_id": "{stakeholder_shared}", "letter": "Z"}]},
        "cells.0.letter",
    ),
    (
        "raci huge stakeholder",
        "PUT",
        "/projects/ERP/charter/deliverables/{deliverable_shared}/raci",
        {"version": 1, "cells": [{"stakeholder_id": BIG, "letter": "A"}]},
        "cells.0.stakeholder_id",
    ),
    (
        "raci two accountables",
        "PUT",
        "/projects/ERP/charter/deliverables/{deliverable_shared}/raci",
        {
            "version": 1,
            "cells": [
                {"stakeholder_id": "{stakeholder_shared}", "letter": "A"},
                {"stakeholder_id": "{stakeholder_internal}", "letter": "A"},
            ],
        },
        "raci",
    ),
    (
        "raci cells not a list",
        "PUT",
        "/projects/ERP/charter/deliverables/{deliverable_shared}/raci",
        {"version": 1, "cells": "A"},
        "cells",
    ),
    ("project bad status", "PATCH", "/projects/ERP", {"version": 1, "status": "sleeping"}, "status"),
    ("project bad date", "PATCH", "/projects/ERP", {"version": 1, "start_date": "yesterday"}, "start_date"),
    (
        "project target before start",
        "PATCH",
        "/projects/ERP",
        {"version": 1, "start_date": "2026-05-01", "target_date": "2026-04-01"},
        None,
    ),
    ("project huge budget", "PATCH", "/projects/ERP", {"version": 1, "budget": "1e30"}, "budget"),
    ("project negative budget", "PATCH", "/projects/ERP", {"version": 1, "budget": "-5"}, "budget"),
    ("project long currency", "PATCH", "/projects/ERP", {"version": 1, "currency": "EURO"}, "currency"),
    ("project bad language", "PATCH", "/projects/ERP", {"version": 1, "language": "xx"}, "language"),
    (
        "project bad time zone",
        "PATCH",
        "/projects/ERP",
        {"version": 1, "time_zone": "Mars/Olympus"},
        "time_zone",
    ),
    (
        "project create huge client",
        "POST",
        "/projects",
        {"code": "Q", "name": "Q", "client_id": BIG},
        "client_id",
    ),
    (
        "project create duplicate code",
        "POST",
        "/projects",
        {"code": "erp", "name": "Q", "client_id": "{client}"},
        "code",
    ),
    (
        "project create bad code",
        "POST",
        "/projects",
        {"code": "   ", "name": "Q", "client_id": "{client}"},
        "code",
    ),
    ("member bad role", "POST", "/projects/ERP/members", {"email": "x@y.test", "role": "boss"}, "role"),
    (
        "member unknown email",
        "POST",
        "/projects/ERP/members",
        {"email": "x@y.test", "role": "member"},
        "email",
    ),
    ("member huge id", "PATCH", f"/projects/ERP/members/{BIG}", {"role": "member"}, None),
    (
        "invitation bad email",
        "POST",
        "/projects/ERP/invitations",
        {"email": "not-an-email", "role": "member"},
        "email",
    ),
    ("invitation huge id", "DELETE", f"/projects/ERP/invitations/{BIG}", None, None),
    ("accept bad token", "POST", "/invitations/accept", {"token": LONG}, "token"),
    ("decision unknown kind", "PUT", "/projects/ERP/decision-rights/rule_world", {"roles": ["pm"]}, "kind"),
    (
        "decision unknown role",
        "PUT",
        "/projects/ERP/decision-rights/close_risk",
        {"roles": ["king"]},
        "roles.0",
    ),
    ("decision no role", "PUT", "/projects/ERP/decision-rights/close_risk", {"roles": []}, "roles"),
    ("preset unknown", "POST", "/projects/ERP/decision-rights/preset", {"preset": "anarchy"}, "preset"),
    ("confirm revision as text", "POST", "/projects/ERP/charter/confirm", {"revision": "latest"}, "revision"),
    ("token name too long", "POST", "/me/tokens", {"name": LONG}, "name"),
    ("token name blank", "POST", "/me/tokens", {"name": "   "}, "name"),
    ("token huge id", "DELETE", f"/me/tokens/{BIG}", None, None),
    ("profile bad language", "PATCH", "/me", {"language": "klingon"}, "language"),
    ("profile blank name", "PATCH", "/me", {"full_name": "  "}, "full_name"),
    ("limit zero", "GET", "/projects/ERP/notes?limit=0", None, "limit"),
    ("limit too big", "GET", "/projects/ERP/notes?limit=100000", None, "limit"),
    ("limit as text", "GET", "/projects/ERP/notes?limit=ten", None, "limit"),
    ("offset negative", "GET", "/projects/ERP/notes?offset=-1", None, "offset"),
    ("offset huge", "GET", f"/projects/ERP/notes?offset={BIG}", None, "offset"),
    ("activity bad since", "GET", "/projects/ERP/activity?since=2026-13-01", None, "since"),
    ("activity reversed range", "GET", "/activity?since=2026-05-01&until=2026-04-01", None, "until"),
    ("activity bad actor", "GET", "/activity?actor_id=me", None, "actor_id"),
    ("activity huge actor", "GET", f"/activity?actor_id={BIG}", None, "actor_id"),
    ("diff missing revision", "GET", "/projects/ERP/charter/diff?from_revision=1", None, "to_revision"),
    (
        "diff huge revision",
        "GET",
        f"/projects/ERP/charter/diff?from_revision=1&to_revision={BIG}",
        None,
        None,
    ),
    ("revision huge", "GET", f"/projects/ERP/charter/revisions/{BIG}", None, None),
    ("projects bad status filter", "GET", "/projects?status=sleeping", None, "status"),
    # JSON says what it means: no boolean for a number, no number for a date or a boolean.
    ("project version false", "PATCH", "/projects/ERP", {"version": False, "name": "x"}, "version"),
    ("project version as text", "PATCH", "/projects/ERP", {"version": "1", "name": "x"}, "version"),
    ("project start date 0", "PATCH", "/projects/ERP", {"version": 1, "start_date": 0}, "start_date"),
    (
        "goal position true",
        "POST",
        "/projects/ERP/charter/goals",
        {"statement": "s", "position": True},
        "position",
    ),
    ("concerns_client 0", "POST", MEETING_DECISIONS, {"text": "t", "concerns_client": 0}, "concerns_client"),
    ("decision_due_date 0", "POST", CHANGES, {"title": "t", "decision_due_date": 0}, "decision_due_date"),
    ("task start as a number", "POST", "/projects/ERP/tasks", {"name": "t", "start": 0}, "start"),
    ("plan entry auto_send as text", "POST", PLAN, {"title": "t", "auto_send": "yes"}, "auto_send"),
    ("time with an offset", "POST", PLAN, {"title": "t", "time_of_day": "10:00:00+08:00"}, "time_of_day"),
    ("plan entry time out of range", "POST", PLAN, {"title": "t", "time_of_day": "25:00"}, "time_of_day"),
    ("activity since as a number", "GET", "/activity?since=0", None, "since"),
    ("fulfilment offset beyond any zone", "POST", f"{PLAN}/1/done", {"at": "2026-01-05T10:00-17:05"}, "at"),
    (
        "goal due in year 1",
        "POST",
        "/projects/ERP/charter/goals",
        {"statement": "s", "due_date": "0001-01-01"},
        "due_date",
    ),
]


# Limits and choices the schemas take from the model fields: per path, a valid body and bad values.
MODEL_LIMITS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "/projects/ERP/charter/stakeholders": ({"name": "n"}, {"name": "x" * 151, "influence": "huge"}),
    "/projects/ERP/charter/kpis": ({"name": "k"}, {"target": "1.23456", "name": ""}),
    "/projects/ERP/risks": (
        {"title": "t"},
        {"probability": 6, "impact": 0, "category": "weather", "title": "x" * 201},
    ),
    "/projects/ERP/tasks": ({"name": "t"}, {"percent_complete": 101, "status": "paused"}),
    "/projects/ERP/requirements": ({"title": "t"}, {"priority": "urgent"}),
    PLAN: ({"title": "t"}, {"day_of_month": 32, "weekday": 7, "title": ""}),
    CHANGES: ({"title": "t"}, {"title": "x" * 201}),
}
CASES += [
    (f"{field} out of the model's limits at {path}", "POST", path, {**valid, field: bad}, field)
    for path, (valid, bad_values) in MODEL_LIMITS.items()
    for field, bad in bad_values.items()
]
CASES.append(("profile name over the model's 150", "PATCH", "/me", {"full_name": "x" * 151}, "full_name"))
KPI_VALUES = "/projects/ERP/charter/kpis/{kpi_shared}/measurements"
CASES += [
    (
        "a KPI value that is not a number",
        "POST",
        KPI_VALUES,
        {"measured_on": "2026-03-02", "value": "abc"},
        "value",
    ),
    (
        "a KPI value past the column",
        "POST",
        KPI_VALUES,
        {"measured_on": "2026-03-02", "value": "1e12"},
        "value",
    ),
    (
        "a KPI value that is infinite",
        "POST",
        KPI_VALUES,
        {"measured_on": "2026-03-02", "value": "Infinity"},
        "value",
    ),
    ("a KPI value without its date", "POST", KPI_VALUES, {"value": "5"}, "measured_on"),
    (
        "a KPI value on no real date",
        "POST",
        KPI_VALUES,
        {"measured_on": "2026-02-30", "value": "5"},
        "measured_on",
    ),
    (
        "a KPI bound to an unknown source",
        "PUT",
        "/projects/ERP/charter/kpis/{kpi_shared}/source",
        {"source": "weather"},
        "source",
    ),
]


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


@pytest.fixture
def pm_client(world: World) -> Client:
    client = Client()
    _token, raw = account_services.do_create_api_token(world.pm, name="tests", actor=world.pm)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


@pytest.mark.parametrize(("name", "method", "path", "body", "field"), CASES, ids=[c[0] for c in CASES])
def test_it_answers_bad_input_with_a_4xx_naming_the_field(
    name: str, method: str, path: str, body: Any, field: str | None, world: World, pm_client: Client
) -> None:
    ids = _ids(world) | {"client": world.client.pk}
    url = API + path.format(**ids)
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs = {"data": json.dumps(_fill(body, ids)), "content_type": "application/json"}
    response = getattr(pm_client, method.lower())(url, **kwargs)
    assert 400 <= response.status_code < 500, f"{name}: {response.status_code} {response.content[:300]!r}"
    assert response["Content-Type"].startswith("application/json")
    payload = response.json()
    if field is not None:
        assert response.status_code == 422, payload
        fields = [d["field"] for d in payload["detail"]]
        assert field in fields, payload


@pytest.mark.parametrize(
    "raw",
    ["{", "[1, 2]", "null", '"text"', '{"title": "a"', "\xff\xfe", "1e999999"],
    ids=["truncated", "array", "null", "string", "unclosed", "not-utf8", "huge-number"],
)
def test_it_answers_malformed_json_with_a_4xx(raw: str, world: World, pm_client: Client) -> None:
    response = pm_client.post(
        f"{API}/projects/ERP/notes", data=raw.encode("latin-1"), content_type="application/json"
    )
    assert 400 <= response.status_code < 500, response.content[:300]
    assert "detail" in response.json()


def test_it_answers_a_form_body_with_a_4xx(world: World, pm_client: Client) -> None:
    response = pm_client.post(f"{API}/projects/ERP/notes", data={"title": "form"})
    assert 400 <= response.status_code < 500, response.content[:300]


def test_a_time_of_day_is_read_and_answered_in_the_one_documented_format(
    world: World, pm_client: Client
) -> None:
    """HH:MM in, HH:MM out, as documented; a UTC offset is refused naming the field instead of a 500."""
    url = f"{API}/projects/ERP/communication-plan"
    doc = pm_client.get(f"{API}/openapi.json").json()["components"]["schemas"]
    pattern = doc["ItemOut"]["properties"]["time_of_day"]["pattern"]
    assert doc["ItemIn"]["properties"]["time_of_day"]["anyOf"][0]["pattern"] == pattern
    for sent in ("10:00", "10:00:00"):
        body = json.dumps({"title": f"Standup {sent}", "weekday": 0, "time_of_day": sent})
        response = pm_client.post(url, data=body, content_type="application/json")
        assert response.status_code == 201, response.content
        assert response.json()["time_of_day"] == "10:00"
        assert re.fullmatch(pattern, response.json()["time_of_day"])
    body = json.dumps({"title": "Standup", "weekday": 0, "time_of_day": "10:00:00+08:00"})
    response = pm_client.post(url, data=body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert [d["field"] for d in response.json()["detail"]] == ["time_of_day"]
