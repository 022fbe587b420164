"""Shared pytest fixtures: the personas' world, on whichever database the settings name."""

from __future__ import annotations

import pytest

from tandem.testing.personas import World, build_world


@pytest.fixture
def world(db: None) -> World:
    """Organizations, a member of every role, two projects and shared/internal records."""
    return build_world()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    """Tests create many accounts; a fast hasher keeps the suite quick (production keeps PBKDF2/Argon2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
