"""The pulses API: the results summary and sending a pulse, as every kind of viewer; what a client reads."""

from __future__ import annotations

from typing import Any

from tandem.pulses import services
from tandem.testing.api import Caller, Case, matrix_test, world_fixture
from tandem.testing.personas import World

from .support import invitation_of, send

P = "/projects/ERP/pulses"


def seed(world: World) -> dict[str, Any]:
    pulse = send(world)
    services.do_record_score(invitation_of(pulse, world.sponsor), score=2)
    return {"pulse": pulse.pk}


CASES = [
    # The results are the team's until the PM shares them (a client member then reads aggregates).
    Case("pulses.summary", "GET", P, "401 404 404 403 403 403 200 200"),
    Case("pulses.send", "POST", P, "401 404 404 403 403 403 403 201", {}),
    Case("pulses.send-unknown-survey", "POST", P, "401 404 404 403 403 403 403 422", {"survey_id": 999999}),
]

api_world = world_fixture(seed)
test_it_answers_each_viewer_as_the_matrix_says = matrix_test(CASES)


def test_the_summary_gives_the_figures_and_the_client_reads_them_once_shared(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, _ids = api_world
    team = Caller(world, "pm").get(P).json
    assert team["overall"]["csat"] == "0.0" or float(team["overall"]["csat"]) == 0.0
    assert team["overall"]["invited"] == 2 and team["overall"]["responded"] == 1
    assert team["open_follow_ups"] == 1
    assert len(team["pulses"]) == 1
    services.do_update_settings(world.project, actor=world.pm, version=None, share_results=True)
    client = Caller(world, "sponsor").get(P)
    assert client.status == 200
    assert client.json["open_follow_ups"] is None
    assert Caller(world, "other_client").get(P).status == 404


def test_a_bad_body_is_refused_naming_the_field(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, _ids = api_world
    answer = Caller(world, "pm").call("POST", P, {"survey_id": "one"})
    assert answer.status == 422
    assert "survey_id" in answer.text
