"""Two people edit the same record from the same version: one wins, the other gets 409, nothing is lost."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from tandem.core.models import Activity
from tandem.projects.models import CharterSection, Goal, Project
from tandem.testing.personas import World, build_world

from .conftest import Caller


def test_the_second_section_edit_on_the_same_version_is_a_conflict(world: World) -> None:
    alice, larry = Caller(world, "pm"), Caller(world, "pm")
    read = alice.get("/projects/ERP/charter").json
    version = next(s for s in read["sections"] if s["key"] == "scope_in")["version"]
    first = alice.call(
        "PUT", "/projects/ERP/charter/sections/scope_in", {"body": "Alice's scope", "version": version}
    )
    second = larry.call(
        "PUT", "/projects/ERP/charter/sections/scope_in", {"body": "Larry's scope", "version": version}
    )
    assert first.status == 200
    assert second.status == 409
    assert second.json["current_version"] == version + 1
    assert "detail" in second.json
    section = CharterSection.objects.get(project=world.project, key="scope_in")
    assert section.body == "Alice's scope"
    # Nothing lost: Larry reloads, sees Alice's text, and applies his change on top.
    retry = larry.call(
        "PUT",
        "/projects/ERP/charter/sections/scope_in",
        {"body": "Alice's scope + Larry's", "version": second.json["current_version"]},
    )
    assert retry.status == 200
    assert Activity.objects.filter(target_type="projects.chartersection", verb="updated").count() >= 2


def test_the_second_goal_edit_on_the_same_version_is_a_conflict(world: World) -> None:
    goal = world.records["goal_shared"]
    pm, lead = Caller(world, "pm"), Caller(world, "pm")
    path = f"/projects/ERP/charter/goals/{goal.pk}"
    first = pm.call("PATCH", path, {"version": goal.version, "target": "40%"})
    second = lead.call("PATCH", path, {"version": goal.version, "measure": "stock-outs per week"})
    assert (first.status, second.status) == (200, 409)
    assert second.json["current_version"] == first.json["version"]
    goal.refresh_from_db()
    assert (goal.target, goal.measure) == ("40%", "m")
    assert (
        lead.call(
            "PATCH", path, {"version": second.json["current_version"], "measure": "stock-outs per week"}
        ).status
        == 200
    )
    goal.refresh_from_db()
    assert (goal.target, goal.measure) == ("40%", "stock-outs per week")


def test_a_stale_project_update_and_a_stale_delete_are_conflicts(world: World) -> None:
    pm = Caller(world, "pm")
    assert pm.call("PATCH", "/projects/ERP", {"version": 1, "name": "ERP 2"}).status == 200
    stale = pm.call("PATCH", "/projects/ERP", {"version": 1, "summary": "lost?"})
    assert stale.status == 409
    assert stale.json["current_version"] == 2
    assert Project.objects.get(code="ERP").summary == ""
    goal = world.records["goal_internal"]
    pm.call("PATCH", f"/projects/ERP/charter/goals/{goal.pk}", {"version": 1, "target": "t2"})
    assert pm.call("DELETE", f"/projects/ERP/charter/goals/{goal.pk}?version=1").status == 409
    assert Goal.objects.filter(pk=goal.pk).exists()


def test_confirming_a_revision_that_changed_meanwhile_is_a_conflict(world: World) -> None:
    revision = Caller(world, "sponsor").get("/projects/ERP/charter").json["revision"]
    Caller(world, "pm").call(
        "PUT", "/projects/ERP/charter/sections/scope_out", {"body": "Payroll", "version": 0}
    )
    answer = Caller(world, "sponsor").call("POST", "/projects/ERP/charter/confirm", {"revision": revision})
    assert answer.status == 409
    assert answer.json["current_version"] == revision + 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)")
def test_two_simultaneous_updates_one_wins_the_other_conflicts() -> None:
    world = build_world(with_records=True)
    goal = world.records["goal_shared"]
    barrier = threading.Barrier(2)
    answers: list[Any] = []

    def edit(target: str) -> None:
        try:
            caller = Caller(world, "pm")
            barrier.wait()
            answers.append(
                caller.call(
                    "PATCH",
                    f"/projects/ERP/charter/goals/{goal.pk}",
                    {"version": goal.version, "target": target},
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(t,)) for t in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status for a in answers) == [200, 409]
    winner = next(a for a in answers if a.status == 200)
    goal.refresh_from_db()
    assert goal.target == winner.json["target"]
    assert goal.version == 2
