"""Shared pytest fixtures: the personas' world, on whichever database the settings name."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tandem.testing.personas import World, build_world


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the translation catalogues once, so every test reads the current .po files.

    Under xdist only the controller compiles (before it starts the workers), so workers never race.
    """
    if hasattr(session.config, "workerinput"):
        return
    call_command("compile_translations", verbosity=0)


@pytest.fixture
def world(db: None) -> World:
    """Organizations, a member of every role, two projects and shared/internal records."""
    return build_world()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    """Tests create many accounts; a fast hasher keeps the suite quick (production keeps PBKDF2/Argon2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
