"""Fixtures of the requirements tests: a shared and an internal requirement, and a small plan."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tandem.core.choices import Visibility
from tandem.planning import services as planning
from tandem.planning.choices import TaskKind
from tandem.planning.models import Task
from tandem.requirements import services
from tandem.requirements.models import Requirement
from tandem.testing.personas import World


@dataclass
class Backlog:
    """Two shared requirements, one internal, and a plan with a shared and an internal task."""

    world: World
    login: Requirement
    report: Requirement
    margin: Requirement
    build: Task
    secret: Task
    golive: Task


@pytest.fixture
def backlog(world: World) -> Backlog:
    """ERP's backlog: REQ-001 login, REQ-002 report (both shared), REQ-003 margin (internal)."""
    pm, project = world.pm, world.project
    login = services.do_create_requirement(
        project,
        actor=pm,
        title="Single sign-on",
        description="Staff sign in with their **AD** account.",
        priority="must",
        acceptance_criteria=["Login with AD works", "Logout ends the session"],
        source="workshop",
    )
    report = services.do_create_requirement(project, actor=pm, title="Daily sales report", priority="should")
    margin = services.do_create_requirement(
        project, actor=pm, title="Margin dashboard", visibility=Visibility.INTERNAL
    )
    build = planning.do_add_task(project, actor=pm, name="Build SSO", duration_minutes=960)
    secret = planning.do_add_task(
        project, actor=pm, name="Margin review", duration_minutes=480, visibility=Visibility.INTERNAL
    )
    golive = planning.do_add_task(project, actor=pm, name="Go-live", kind=TaskKind.MILESTONE)
    return Backlog(world, login, report, margin, build, secret, golive)
