"""The discussion API, called as every kind of viewer, and what each side reads back."""

from __future__ import annotations

from typing import Any

from tandem.communication import services
from tandem.core.choices import Visibility
from tandem.testing.api import (
    ANY_USER,
    MEMBERS_READ,
    TEAM_READS,
    Caller,
    Case,
    matrix_test,
    world_fixture,
)
from tandem.testing.personas import World

MEMBERS_WRITE = "401 404 404 403 201 201 201 201"

P = "/projects/ERP"
CASES = [
    Case("comments.list-shared", "GET", f"{P}/comments?target=goal:{{goal_shared}}", MEMBERS_READ),
    Case("comments.list-internal", "GET", f"{P}/comments?target=goal:{{goal_internal}}", TEAM_READS),
    Case(
        "comments.add-shared",
        "POST",
        f"{P}/comments?target=goal:{{goal_shared}}",
        MEMBERS_WRITE,
        {"body": 'Looks right, @"Alice PM"'},
    ),
    Case(
        "comments.add-internal",
        "POST",
        f"{P}/comments?target=goal:{{goal_internal}}",
        "401 404 404 404 404 404 201 201",
        {"body": "Between us"},
    ),
    Case(
        "comments.edit",
        "PATCH",
        f"{P}/comments/{{member_comment}}",
        "401 404 404 403 403 403 200 403",
        {"version": 1, "body": "Edited"},
    ),
    Case("comments.delete", "DELETE", f"{P}/comments/{{member_comment}}", "401 404 404 403 403 403 204 204"),
    Case(
        "comments.delete-internal",
        "DELETE",
        f"{P}/comments/{{internal_comment}}",
        "401 404 404 404 404 404 403 204",
    ),
    Case("notifications.list", "GET", "/me/notifications?unread=true", ANY_USER),
    Case("notifications.read", "POST", "/me/notifications/read", ANY_USER, {}),
]


def seed(world: World) -> dict[str, Any]:
    """Comments on a shared and an internal goal, and notifications."""
    goal, secret = world.records["goal_shared"], world.records["goal_internal"]
    shared = services.do_add_comment(goal, actor=world.member, body='Is this measurable, @"Cindy Client PM"?')
    internal = services.do_add_comment(
        goal,
        actor=world.lead,
        body='Margin risk, @"Alice PM" @cindy@northwind.test',
        visibility="internal",
    )
    return {
        "goal_shared": goal.pk,
        "goal_internal": secret.pk,
        "member_comment": shared.pk,
        "internal_comment": internal.pk,
    }


api_world = world_fixture(seed, with_records=True)


test_it_answers_each_viewer_as_the_matrix_says = matrix_test(CASES)


def test_a_client_reads_shared_comments_and_notifications_only(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    client = Caller(world, "client_pm")
    listed = client.get(f"/projects/ERP/comments?target=goal:{ids['goal_shared']}").json
    assert listed["count"] == 1 and "Margin" not in str(listed)
    assert listed["items"][0]["target"] == f"goal:{ids['goal_shared']}"
    assert [p["full_name"] for p in listed["items"][0]["mentions"]] == ["Cindy Client PM"]
    mine = client.get("/me/notifications").json
    assert mine["count"] == 1 and "Margin" not in str(mine)
    assert mine["items"][0]["verb"] == "mentioned" and mine["items"][0]["project"] == "ERP"
    team = Caller(world, "member").get(f"/projects/ERP/comments?target=goal:{ids['goal_shared']}").json
    assert team["count"] == 2
    pm = Caller(world, "pm")
    assert pm.get("/me/notifications?unread=true").json["count"] == 1
    marked = pm.call("POST", "/me/notifications/read", {}).json
    assert marked == {"marked": 1, "unread": 0}
    assert pm.get("/me/notifications?unread=true").json["count"] == 0
    assert pm.get("/me/notifications").json["count"] == 1


def test_a_client_comment_is_shared_and_rendered_safely(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    created = Caller(world, "client_pm").call(
        "POST",
        f"/projects/ERP/comments?target=goal:{ids['goal_shared']}",
        {"body": "**Yes** <img src=x onerror=alert(1)>", "visibility": Visibility.INTERNAL},
    )
    assert created.status == 201
    assert created.json["visibility"] == "shared"
    assert "<strong>Yes</strong>" in created.json["body_html"] and "<img" not in created.json["body_html"]


def test_bad_input_answers_422_or_409_naming_the_field(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    pm = Caller(world, "pm")
    for target in ("planet:1", "goal:x", "goal"):
        bad = pm.call("POST", f"/projects/ERP/comments?target={target}", {"body": "x"})
        assert bad.status == 422, target
        assert bad.json["detail"][0]["field"] == "target"
    assert pm.call("GET", "/projects/ERP/comments").status == 422
    empty = pm.call("POST", f"/projects/ERP/comments?target=goal:{ids['goal_shared']}", {"body": ""})
    assert empty.status == 422
    vis = pm.call(
        "POST",
        f"/projects/ERP/comments?target=goal:{ids['goal_shared']}",
        {"body": "x", "visibility": "public"},
    )
    assert vis.status == 422
    assert (
        pm.call(
            "POST", f"/projects/ERP/comments?target=goal:{ids['goal_shared'] + 10_000}", {"body": "x"}
        ).status
        == 404
    )
    member = Caller(world, "member")
    path = f"/projects/ERP/comments/{ids['member_comment']}"
    assert member.call("PATCH", path, {"version": 1, "body": "a"}).status == 200
    stale = member.call("PATCH", path, {"version": 1, "body": "b"})
    assert stale.status == 409 and stale.json["current_version"] == 2
    assert member.call("PATCH", path, {"body": "b"}).status == 422
    assert pm.call("POST", "/me/notifications/read", {"ids": [0]}).status == 422
    assert pm.call("GET", "/me/notifications?unread=maybe").status == 422
