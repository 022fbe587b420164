"""Test cases, cycles and runs for the tests of cycles and runs, built through the services where they
exist (test cases are written straight to the database: their services live elsewhere)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test.utils import override_settings

from tandem.core.choices import Visibility
from tandem.quality import runs
from tandem.quality.choices import CycleKind, TestPriority
from tandem.quality.models import TestCase, TestCycle, TestRun
from tandem.quality.numbering import next_codes
from tandem.requirements.models import Requirement
from tandem.testing.personas import World

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LOG = "2026-03-02 10:00 ERROR 登录失败 login failed\n".encode()


def make_case(
    world: World, title: str, *, steps: int = 3, visibility: str = Visibility.SHARED, **extra: Any
) -> TestCase:
    """A test case of ERP with ``steps`` numbered steps."""
    project = world.project
    return TestCase.objects.create(
        project=project,
        code=next_codes(TestCase, project)[0],
        title=title,
        preconditions="Signed in as a store manager",
        steps=[{"action": f"{title}: do {i}", "expected": f"{title}: see {i}"} for i in range(1, steps + 1)],
        visibility=visibility,
        created_by=world.pm,
        **extra,
    )


def make_requirement(
    world: World, code: str, title: str, *, visibility: str = Visibility.SHARED
) -> Requirement:
    """A requirement of ERP (written straight to the database)."""
    return Requirement.objects.create(project=world.project, code=code, title=title, visibility=visibility)


@dataclass
class Uat:
    """A shared UAT cycle with three shared cases (two for the reviewer, one for the client PM) and an
    internal case run by the team."""

    cycle: TestCycle
    mine: TestRun
    second: TestRun
    theirs: TestRun
    internal: TestRun


def make_uat(world: World, *, start: bool = True) -> Uat:
    """The UAT cycle of ``Uat``, started unless ``start`` is false."""
    pm = world.pm
    cases = [make_case(world, t) for t in ("Log in", "Order", "Invoice")]
    internal = make_case(world, "Load test", visibility=Visibility.INTERNAL, priority=TestPriority.LOW)
    cycle = runs.do_create_cycle(
        world.project, actor=pm, name="UAT 1", kind=CycleKind.UAT, build="1.4.0", visibility=Visibility.SHARED
    )
    created = runs.do_add_cases(cycle, actor=pm, case_ids=[c.pk for c in [*cases, internal]])
    by_case = {run.case_id: run for run in created}
    mine, second, theirs, team = (by_case[c.pk] for c in [*cases, internal])
    for run, who in (
        (mine, world.reviewer),
        (second, world.reviewer),
        (theirs, world.client_pm),
        (team, world.member),
    ):
        runs.do_assign(run, actor=pm, version=run.version, assignee_id=who.pk)
    if start:
        cycle = runs.do_start_cycle(cycle, actor=pm, version=cycle.version)
    fresh = {r.pk: r for r in TestRun.objects.filter(cycle=cycle)}
    return Uat(cycle, fresh[mine.pk], fresh[second.pk], fresh[theirs.pk], fresh[team.pk])


@pytest.fixture
def media(tmp_path: Any) -> Iterator[None]:
    """Evidence files go to a temporary folder."""
    with override_settings(MEDIA_ROOT=tmp_path):
        yield
