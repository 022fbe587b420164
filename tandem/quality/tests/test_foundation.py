"""The pieces every quality feature builds on: codes, the testers' scope, filing a defect."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.core.choices import Visibility
from tandem.quality.choices import CycleKind
from tandem.quality.defects import do_file_defect
from tandem.quality.models import Defect, TestCase, TestCycle, TestRun
from tandem.quality.numbering import next_codes
from tandem.quality.scope import cases_of, cycles_of, runs_of
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db


def _uat(world: World) -> tuple[TestCycle, TestRun, TestRun, TestCase]:
    project = world.project
    shared = TestCase.objects.create(project=project, code="TC-001", title="Log in")
    other = TestCase.objects.create(project=project, code="TC-002", title="Log out")
    internal = TestCase.objects.create(
        project=project, code="TC-003", title="Load test", visibility=Visibility.INTERNAL
    )
    cycle = TestCycle.objects.create(project=project, name="UAT 1", kind=CycleKind.UAT)
    mine = TestRun.objects.create(cycle=cycle, case=shared, assignee=world.reviewer)
    theirs = TestRun.objects.create(cycle=cycle, case=other, assignee=world.client_pm)
    TestRun.objects.create(cycle=cycle, case=internal, assignee=world.reviewer)
    return cycle, mine, theirs, internal


def test_codes_continue_after_the_highest_number(world: World) -> None:
    project = world.project
    TestCase.objects.create(project=project, code="TC-009", title="a")
    TestCase.objects.create(project=project, code="TC-1000", title="b")
    assert next_codes(TestCase, project, 2) == ["TC-1001", "TC-1002"]
    assert next_codes(Defect, project) == ["DEF-001"]


def test_a_client_tester_reads_only_the_runs_and_cases_assigned_to_them(world: World) -> None:
    cycle, mine, theirs, internal = _uat(world)
    project = world.project
    assert set(runs_of(world.reviewer, project)) == {mine}
    assert set(cases_of(world.reviewer, project)) == {mine.case}
    assert set(cycles_of(world.reviewer, project)) == {cycle}
    assert set(runs_of(world.client_pm, project)) == {mine, theirs}
    assert internal not in set(cases_of(world.sponsor, project))
    assert len(runs_of(world.pm, project)) == 3
    assert not runs_of(world.people["other_client"], project).exists()


def test_a_client_files_a_shared_defect_linked_only_to_what_they_see(world: World) -> None:
    _cycle, mine, theirs, internal = _uat(world)
    project = world.project
    defect = do_file_defect(
        project,
        actor=world.reviewer,
        data={"title": "Button missing", "visibility": "internal", "test_run_id": mine.pk, "step_number": 2},
    )
    assert defect.code == "DEF-001" and defect.visibility == Visibility.SHARED
    assert defect.reported_by == world.reviewer and defect.test_run == mine
    with pytest.raises(ValidationError) as caught:
        do_file_defect(project, actor=world.reviewer, data={"title": "x", "test_run_id": theirs.pk})
    assert "test_run_id" in caught.value.error_dict
    with pytest.raises(ValidationError) as caught:
        do_file_defect(project, actor=world.reviewer, data={"title": "x", "test_case_id": internal.pk})
    assert "test_case_id" in caught.value.error_dict
    with pytest.raises(PermissionDenied):
        do_file_defect(project, actor=world.client_viewer, data={"title": "x"})
    assert Defect.objects.count() == 1


def test_the_triage_fields_are_the_teams(world: World) -> None:
    project = world.project
    with pytest.raises(ValidationError) as caught:
        do_file_defect(
            project, actor=world.client_pm, data={"title": "Slow", "internal_note": "blame the vendor"}
        )
    assert "internal_note" in caught.value.error_dict
    defect = do_file_defect(
        project,
        actor=world.member,
        data={"title": "Slow 2", "internal_note": "known", "assignee_id": world.lead.pk},
    )
    assert defect.internal_note == "known" and defect.assignee == world.lead and defect.code == "DEF-001"
