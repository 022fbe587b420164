"""Shared pytest fixtures: the personas' world, on whichever database the settings name."""

from __future__ import annotations

import pytest

from tandem.testing.personas import World, build_world


@pytest.fixture
def world(db: None) -> World:
    """Organizations, a member of every role, two projects and shared/internal records."""
    return build_world()
