"""Fixtures of the API tests: a fast password hasher, a world shared by a module, JSON calls as a persona."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils.crypto import get_random_string

from tandem.testing.personas import World, build_world

API = "/api/v1"


@pytest.fixture(scope="session", autouse=True)
def fast_passwords() -> Iterator[None]:
    """Personas' passwords are hashed with a fast hasher: the API tests build many worlds."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@dataclass
class Response:
    """What a call answered: the status and the decoded JSON body (None when empty)."""

    status: int
    json: Any
    text: str


class Caller:
    """Calls the API as one persona (or anonymously), by session or by bearer token.

    A session caller is a real browser session: the CSRF check is enforced, and the caller
    sends the CSRF token with unsafe methods as the web pages do (``csrf=False`` leaves it out).
    """

    def __init__(
        self, world: World | None, viewer: str = "anonymous", token: str | None = None, *, csrf: bool = True
    ) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.headers: dict[str, str] = {}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        elif world is not None and viewer != "anonymous":
            self.client.force_login(world.people[viewer])
            secret = get_random_string(32)
            self.client.cookies[settings.CSRF_COOKIE_NAME] = secret
            if csrf:
                self.headers["X-CSRFToken"] = secret

    def call(self, method: str, path: str, body: Any = None) -> Response:
        """One request; ``path`` is relative to /api/v1."""
        kwargs: dict[str, Any] = {"headers": self.headers}
        if body is not None:
            kwargs |= {"data": json.dumps(body), "content_type": "application/json"}
        response = getattr(self.client, method.lower())(API + path, **kwargs)
        text = response.content.decode()
        return Response(response.status_code, json.loads(text) if text else None, text)

    def get(self, path: str) -> Response:
        """GET ``path``."""
        return self.call("GET", path)


@pytest.fixture
def as_() -> Any:
    """``as_(world, "pm").get("/projects")``: a caller for a persona."""
    return Caller


@pytest.fixture(scope="module")
def shared_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """One world for a whole module, rolled back at its end; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            connection.close()
