"""Quality standards from the charter, checks of deliverables and phases, and the checklist matrix."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.core.choices import Visibility
from tandem.projects import services as project_services
from tandem.quality import standards
from tandem.quality.models import QualityStandard
from tandem.testing.personas import World

from .case_fixtures import Suite, make_suite

pytestmark = pytest.mark.django_db

CHARTER = "- 关键流程 100% 通过 UAT；P1 缺陷清零\n\n* Availability ≥ 99.5%.\n1. Code reviewed"


@pytest.fixture
def suite(world: World) -> Suite:
    project_services.do_update_section(
        world.project, key="quality_standards", body=CHARTER, version=0, actor=world.pm
    )
    return make_suite(world)


def test_it_takes_one_standard_per_line_from_the_charter_once(suite: Suite) -> None:
    world = suite.world
    made = standards.do_import_standards_from_charter(world.project, actor=world.pm)
    assert [s.title for s in made] == [
        "关键流程 100% 通过 UAT",
        "P1 缺陷清零",
        "Availability ≥ 99.5%",
        "Code reviewed",
    ]
    assert standards.do_import_standards_from_charter(world.project, actor=world.pm) == []
    with pytest.raises(PermissionDenied):
        standards.do_import_standards_from_charter(world.project, actor=world.member)


def test_standards_are_kept_by_the_charter_editors(suite: Suite) -> None:
    world = suite.world
    standard = standards.do_add_standard(world.project, actor=world.pm, title="Accessible (WCAG AA)")
    assert standard.position == 1
    standard = standards.do_update_standard(
        standard, actor=world.pm, version=standard.version, title="WCAG 2.1 AA"
    )
    with pytest.raises(PermissionDenied):
        standards.do_update_standard(standard, actor=world.client_viewer, version=standard.version, title="x")
    with pytest.raises(ValidationError):
        standards.do_add_standard(world.project, actor=world.pm, title="")
    standards.do_delete_standard(standard, actor=world.pm, version=standard.version)
    assert not QualityStandard.objects.exists()


def test_a_check_names_a_deliverable_or_a_phase_the_checker_sees(suite: Suite) -> None:
    world = suite.world
    standard = standards.do_add_standard(world.project, actor=world.pm, title="Reviewed")
    deliverable = world.records["deliverable_shared"]
    check = standards.do_record_check(
        standard, actor=world.member, deliverable_id=deliverable.pk, result="passed", note="ok"
    )
    assert check.checked_by == world.member and check.deliverable == deliverable
    standards.do_record_check(standard, actor=world.member, phase_id=suite.phase.pk, result="failed")
    with pytest.raises(ValidationError) as caught:
        standards.do_record_check(standard, actor=world.member, phase_id=999999, result="passed")
    assert "phase_id" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        standards.do_record_check(
            standard,
            actor=world.member,
            phase_id=suite.phase.pk,
            deliverable_id=deliverable.pk,
            result="passed",
        )
    assert "deliverable_id" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        standards.do_record_check(standard, actor=world.member, phase_id=suite.phase.pk, result="great")
    assert "result" in caught.value.message_dict
    for who in ("client_pm", "sponsor", "team_viewer"):
        with pytest.raises(PermissionDenied):
            standards.do_record_check(
                standard, actor=world.people[who], deliverable_id=deliverable.pk, result="passed"
            )


def test_the_checklist_shows_the_latest_check_of_each_pair_to_each_side(suite: Suite) -> None:
    world = suite.world
    shared = standards.do_add_standard(world.project, actor=world.pm, title="Reviewed")
    internal = standards.do_add_standard(
        world.project, actor=world.pm, title="Margin kept", visibility=Visibility.INTERNAL
    )
    deliverable = world.records["deliverable_shared"]
    standards.do_record_check(shared, actor=world.member, deliverable_id=deliverable.pk, result="failed")
    standards.do_record_check(shared, actor=world.lead, deliverable_id=deliverable.pk, result="passed")
    standards.do_record_check(shared, actor=world.lead, phase_id=suite.secret_phase.pk, result="passed")
    standards.do_record_check(internal, actor=world.lead, phase_id=suite.phase.pk, result="passed")
    team = standards.checklist(world.pm, world.project)
    assert [r.standard for r in team.rows] == [shared, internal]
    cell = dict((t.key, c) for t, c in team.rows[0].cells)
    assert cell[f"deliverable:{deliverable.pk}"].result == "passed"
    assert cell[f"deliverable:{deliverable.pk}"].checked_by == world.lead
    assert cell[f"phase:{suite.secret_phase.pk}"] is not None
    client = standards.checklist(world.sponsor, world.project)
    assert [r.standard for r in client.rows] == [shared]
    keys = {t.key for t in client.targets}
    assert f"phase:{suite.secret_phase.pk}" not in keys and f"phase:{suite.phase.pk}" in keys
    assert f"deliverable:{world.records['deliverable_internal'].pk}" not in keys
    history = standards.check_history(world.pm, shared, deliverable_id=deliverable.pk)
    assert [c.result for c in history] == ["passed", "failed"]


def test_the_checklist_reads_in_constant_queries(suite: Suite) -> None:
    world = suite.world

    def grow(n: int) -> int:
        for i in range(n):
            standard = standards.do_add_standard(world.project, actor=world.pm, title=f"S{n}-{i}")
            standards.do_record_check(standard, actor=world.member, phase_id=suite.phase.pk, result="passed")
            standards.do_record_check(
                standard,
                actor=world.member,
                deliverable_id=world.records["deliverable_shared"].pk,
                result="failed",
            )
        with CaptureQueriesContext(connection) as queries:
            matrix = standards.checklist(world.sponsor, world.project)
            assert all(c is not None for row in matrix.rows for t, c in row.cells if t.kind == "phase")
        return len(queries)

    assert grow(3) == grow(30)
