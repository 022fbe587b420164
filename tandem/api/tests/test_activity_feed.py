"""The activity feed: filters by verb, target, actor and days; pages with a total; the viewer's visibility."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tandem.projects import services
from tandem.testing.personas import World

from .conftest import Caller


def test_it_filters_by_verb_target_and_actor(world: World) -> None:
    goal = world.records["goal_shared"]
    services.do_update_charter_item(goal, data={"target": "50%"}, version=1, actor=world.lead)
    team = Caller(world, "pm")
    updated = team.get("/projects/ERP/activity?verb=updated&target_type=projects.goal").json
    assert updated["count"] == 1
    entry = updated["items"][0]
    assert entry["target_id"] == str(goal.pk)
    assert entry["actor"]["id"] == world.lead.pk
    assert entry["changes"] == {"target": ["t", "50%"]}
    by_target = team.get(f"/projects/ERP/activity?target_type=projects.goal&target_id={goal.pk}").json
    assert {e["verb"] for e in by_target["items"]} == {"added", "updated"}
    by_actor = team.get(f"/projects/ERP/activity?actor_id={world.lead.pk}").json
    assert by_actor["count"] == 1


def test_it_filters_by_days(world: World) -> None:
    today = timezone.localdate()
    team = Caller(world, "pm")
    everything = team.get("/projects/ERP/activity").json["count"]
    assert everything > 0
    assert team.get(f"/projects/ERP/activity?since={today}&until={today}").json["count"] == everything
    tomorrow = today + dt.timedelta(days=1)
    assert team.get(f"/projects/ERP/activity?since={tomorrow}").json["count"] == 0
    assert team.get(f"/activity?until={today - dt.timedelta(days=1)}").json["count"] == 0


def test_it_pages_with_limit_offset_and_a_total(world: World) -> None:
    team = Caller(world, "pm")
    whole = team.get("/projects/ERP/activity?limit=200").json
    first = team.get("/projects/ERP/activity?limit=3&offset=0").json
    second = team.get("/projects/ERP/activity?limit=3&offset=3").json
    assert first["count"] == second["count"] == whole["count"] > 6
    assert (first["limit"], second["offset"]) == (3, 3)
    ids = [e["id"] for e in first["items"] + second["items"]]
    assert ids == [e["id"] for e in whole["items"][:6]]


def test_a_client_filtering_for_internal_records_finds_nothing(world: World) -> None:
    internal = world.records["goal_internal"]
    client = Caller(world, "client_pm")
    path = f"/projects/ERP/activity?target_type=projects.goal&target_id={internal.pk}"
    assert client.get(path).json["count"] == 0
    assert Caller(world, "member").get(path).json["count"] == 1
    assert "Internal" not in client.get("/activity?limit=200").text
