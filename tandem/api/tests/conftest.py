"""Fixtures of the API tests: a fast password hasher, a world shared by a module, JSON calls as a persona."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test.utils import override_settings

from tandem.testing.api import API, FAST_PASSWORDS, module_world
from tandem.testing.api import Caller as BaseCaller
from tandem.testing.personas import World

__all__ = ["API", "Caller"]


@pytest.fixture(scope="session", autouse=True)
def fast_passwords() -> Iterator[None]:
    """Personas' passwords are hashed with a fast hasher: the API tests build many worlds."""
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORDS):
        yield


class Caller(BaseCaller):
    """Calls the API as one persona (or anonymously), by session or by bearer token.

    A session caller is a real browser session: the CSRF check is enforced, and the caller
    sends the CSRF token with unsafe methods as the web pages do (``csrf=False`` leaves it out).
    """

    def __init__(
        self, world: World | None, viewer: str = "anonymous", token: str | None = None, *, csrf: bool = True
    ) -> None:
        super().__init__(world, viewer, token, enforce_csrf=True, csrf=csrf)


@pytest.fixture
def as_() -> Any:
    """``as_(world, "pm").get("/projects")``: a caller for a persona."""
    return Caller


@pytest.fixture(scope="module")
def shared_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """One world for a whole module, rolled back at its end; each test runs in a savepoint inside it."""
    with module_world(django_db_blocker, with_records=True) as (world, _ids):
        yield world
