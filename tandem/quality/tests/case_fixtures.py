"""What the test-case and quality-standard tests share: a small backlog, a plan and a few cases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tandem.core.choices import Visibility
from tandem.planning import services as planning
from tandem.planning.choices import TaskKind
from tandem.planning.models import Task
from tandem.quality import cases as case_services
from tandem.quality.choices import CycleKind
from tandem.quality.models import TestCase, TestCycle, TestRun
from tandem.requirements import services as requirement_services
from tandem.requirements.models import Requirement
from tandem.testing.personas import World

STEPS = [
    {"action": "Open the sign-in page", "expected": "The form shows"},
    {"action": "Sign in", "expected": ""},
]


@dataclass
class Suite:
    """REQ-001 and REQ-002 shared, REQ-003 internal; a shared and an internal phase; three cases:
    TC-001 shared (run by the reviewer in a UAT cycle), TC-002 shared, TC-003 internal."""

    world: World
    login: Requirement
    report: Requirement
    margin: Requirement
    phase: Task
    secret_phase: Task
    shared: TestCase
    other: TestCase
    internal: TestCase
    cycle: TestCycle
    run: TestRun


def make_suite(world: World) -> Suite:
    """Build the suite in ``world``'s ERP project."""
    pm, project = world.pm, world.project
    login = requirement_services.do_create_requirement(
        project, actor=pm, title="Single sign-on", priority="must"
    )
    report = requirement_services.do_create_requirement(project, actor=pm, title="Daily sales report")
    margin = requirement_services.do_create_requirement(
        project, actor=pm, title="Margin dashboard", visibility=Visibility.INTERNAL
    )
    phase = planning.do_add_task(project, actor=pm, name="Build", kind=TaskKind.PHASE)
    secret_phase = planning.do_add_task(
        project, actor=pm, name="Margin work", kind=TaskKind.PHASE, visibility=Visibility.INTERNAL
    )
    shared = case_services.do_create_case(
        project, actor=pm, title="Sign in", steps=STEPS, priority="high", requirements=[login.pk, margin.pk]
    )
    other = case_services.do_create_case(
        project, actor=pm, title="Print the report", requirements=[report.pk]
    )
    internal = case_services.do_create_case(
        project, actor=pm, title="Margin figures", visibility=Visibility.INTERNAL, requirements=[margin.pk]
    )
    cycle = TestCycle.objects.create(project=project, name="UAT 1", kind=CycleKind.UAT)
    run = TestRun.objects.create(cycle=cycle, case=shared, assignee=world.client_viewer)
    return Suite(world, login, report, margin, phase, secret_phase, shared, other, internal, cycle, run)


def ids_of(suite: Suite) -> dict[str, Any]:
    """The suite's rows by name, for matrix paths."""
    return {
        "shared_case": suite.shared.pk,
        "other_case": suite.other.pk,
        "internal_case": suite.internal.pk,
        "login": suite.login.pk,
        "report": suite.report.pk,
        "margin": suite.margin.pk,
        "phase": suite.phase.pk,
        "secret_phase": suite.secret_phase.pk,
    }
