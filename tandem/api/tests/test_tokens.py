"""Personal API tokens: shown once, stored hashed, revocable, and only their owner's."""

from __future__ import annotations

import hashlib
from typing import Any

from tandem.accounts.models import ApiToken
from tandem.testing.personas import World

from .conftest import Caller


def test_it_stores_only_the_hash_of_a_new_token(world: World) -> None:
    created = Caller(world, "client_pm").call("POST", "/me/tokens", {"name": "reporting script"})
    assert created.status == 201
    raw = created.json["token"]
    assert raw.startswith("tdm_")
    stored = ApiToken.objects.get(pk=created.json["id"])
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {stored.token_hash, stored.prefix, stored.name}
    listed = Caller(world, "client_pm").get("/me/tokens")
    assert raw not in listed.text
    assert listed.json["items"][0]["prefix"] == raw[:12]


def test_it_authenticates_with_the_token_and_records_its_use(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    raw = Caller(world, "client_pm").call("POST", "/me/tokens", {"name": "ci"}).json["token"]
    # The use is written after the request's transaction (here the test's, which never commits).
    with django_capture_on_commit_callbacks(execute=True):
        me = Caller(None, token=raw).get("/me")
    assert me.status == 200
    assert me.json["email"] == world.client_pm.email
    assert ApiToken.objects.get(prefix=raw[:12]).last_used_at is not None


def test_a_revoked_token_is_answered_401(world: World) -> None:
    owner = Caller(world, "pm")
    created = owner.call("POST", "/me/tokens", {"name": "old laptop"}).json
    script = Caller(None, token=created["token"])
    assert script.get("/projects").status == 200
    revoked = owner.call("DELETE", f"/me/tokens/{created['id']}")
    assert revoked.status == 200
    assert revoked.json["revoked_at"] is not None
    answer = script.get("/projects")
    assert answer.status == 401
    assert "detail" in answer.json
    assert script.call("POST", "/projects/ERP/notes", {"title": "sneaky"}).status == 401


def test_a_token_can_revoke_itself_and_then_nothing_more(world: World) -> None:
    created = Caller(world, "member").call("POST", "/me/tokens", {"name": "self"}).json
    script = Caller(None, token=created["token"])
    assert script.call("DELETE", f"/me/tokens/{created['id']}").status == 200
    assert script.get("/me").status == 401


def test_nobody_sees_or_revokes_anothers_token(world: World) -> None:
    created = Caller(world, "pm").call("POST", "/me/tokens", {"name": "mine"}).json
    other = Caller(world, "member")
    assert created["id"] not in [t["id"] for t in other.get("/me/tokens").json["items"]]
    assert other.call("DELETE", f"/me/tokens/{created['id']}").status == 404
    assert ApiToken.objects.get(pk=created["id"]).revoked_at is None


def test_unknown_or_malformed_tokens_are_answered_401(world: World) -> None:
    for raw in ["tdm_nonsense", "not-even-prefixed", "tdm_" + "x" * 5000, "tdm_\u00e9\u00e9"]:
        assert Caller(None, token=raw).get("/me").status == 401, raw


def test_a_deactivated_user_s_token_no_longer_works(world: World) -> None:
    raw = Caller(world, "sponsor").call("POST", "/me/tokens", {"name": "x"}).json["token"]
    world.sponsor.is_active = False
    world.sponsor.save(update_fields=["is_active"])
    assert Caller(None, token=raw).get("/me").status == 401
