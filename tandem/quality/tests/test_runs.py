"""Test cycles and runs: planning, assigning, recording results (one or many), a defect from a step."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.core.choices import Visibility
from tandem.core.models import Activity
from tandem.quality import evidence, run_queries, runs
from tandem.quality.choices import CycleKind, CycleStatus, RunResult
from tandem.quality.models import Defect, TestCaseRevision, TestEvidence, TestRun
from tandem.quality.scope import runs_of
from tandem.testing.personas import World

from .run_fixtures import LOG, PDF, PNG, make_case, make_requirement, make_uat, media

pytestmark = pytest.mark.django_db
__all__ = ["media"]

PASS = {"result": "passed", "note": ""}
FAIL = {"result": "failed", "note": "Nothing happens"}


def _errors(caught: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(caught.value.error_dict)


# ---------------------------------------------------------------- cycles


def test_a_client_pm_plans_a_shared_uat_cycle_but_not_a_system_test(world: World) -> None:
    project = world.project
    cycle = runs.do_create_cycle(
        project, actor=world.client_pm, name="Store UAT", kind=CycleKind.UAT, visibility=Visibility.INTERNAL
    )
    assert cycle.visibility == Visibility.SHARED and cycle.status == CycleStatus.PLANNED
    with pytest.raises(PermissionDenied):
        runs.do_create_cycle(project, actor=world.client_pm, name="System", kind=CycleKind.SYSTEM)
    with pytest.raises(PermissionDenied):
        runs.do_create_cycle(project, actor=world.member, name="System", kind=CycleKind.SYSTEM)
    with pytest.raises(PermissionDenied):
        runs.do_update_cycle(cycle, actor=world.client_pm, version=cycle.version, kind=CycleKind.SYSTEM)


def test_a_cycle_moves_planned_active_finished_and_then_refuses_every_change(world: World) -> None:
    uat = make_uat(world, start=False)
    cycle, pm = uat.cycle, world.pm
    with pytest.raises(ValidationError) as caught:
        runs.do_finish_cycle(cycle, actor=pm, version=cycle.version)
    assert _errors(caught) == {"status"}
    cycle = runs.do_start_cycle(cycle, actor=pm, version=cycle.version)
    cycle = runs.do_finish_cycle(cycle, actor=pm, version=cycle.version)
    assert cycle.status == CycleStatus.FINISHED and cycle.finished_at is not None
    run = TestRun.objects.get(pk=uat.mine.pk)
    with pytest.raises(ValidationError) as caught:
        runs.do_record_result(run, actor=world.reviewer, version=run.version, result="passed")
    assert "finished" in str(caught.value) and _errors(caught) == {"cycle"}
    with pytest.raises(ValidationError) as caught:
        runs.do_update_cycle(cycle, actor=pm, version=cycle.version, name="Renamed")
    assert _errors(caught) == {"status"}
    with pytest.raises(ValidationError):
        runs.do_add_cases(cycle, actor=pm, case_ids=[make_case(world, "Late").pk])
    with pytest.raises(ValidationError):
        runs.do_record_results(cycle, actor=pm, rows=[{"case": run.case_id, "result": "passed"}])
    assert TestRun.objects.get(pk=run.pk).result == RunResult.NOT_RUN


def test_only_a_planned_cycle_without_results_is_removed(world: World) -> None:
    uat = make_uat(world, start=False)
    cycle = uat.cycle
    run = uat.mine
    runs.do_record_result(run, actor=world.reviewer, version=run.version, result="passed")
    with pytest.raises(ValidationError):
        runs.do_delete_cycle(cycle, actor=world.pm, version=cycle.version)
    empty = runs.do_create_cycle(world.project, actor=world.pm, name="Spare")
    runs.do_delete_cycle(empty, actor=world.pm, version=empty.version)
    assert not type(empty).objects.filter(pk=empty.pk).exists()


# ---------------------------------------------------------------- runs


def test_cases_go_in_by_id_and_by_requirement_once_each_with_their_revision(world: World) -> None:
    pm = world.pm
    req = make_requirement(world, "REQ-001", "Checkout")
    first, second = make_case(world, "Pay"), make_case(world, "Refund")
    retired = make_case(world, "Old", is_active=False)
    second.requirements.add(req)
    retired.requirements.add(req)
    first.revision = 3
    first.save()
    cycle = runs.do_create_cycle(world.project, actor=pm, name="System 1")
    added = runs.do_add_cases(cycle, actor=pm, case_ids=[first.pk], requirement_ids=[req.pk])
    assert {r.case_id for r in added} == {first.pk, second.pk}
    assert next(r for r in added if r.case_id == first.pk).case_revision == 3
    assert runs.do_add_cases(cycle, actor=pm, case_ids=[first.pk, second.pk]) == []
    with pytest.raises(ValidationError) as caught:
        runs.do_add_cases(cycle, actor=pm, case_ids=[retired.pk])
    assert _errors(caught) == {"cases"}
    with pytest.raises(ValidationError) as caught:
        runs.do_add_cases(cycle, actor=pm, requirement_ids=[999999])
    assert _errors(caught) == {"requirements"}
    run = added[0]
    runs.do_remove_run(run, actor=pm, version=run.version)
    assert cycle.runs.count() == 1


def test_an_internal_case_in_a_shared_cycle_stays_hidden_from_the_client(world: World) -> None:
    uat = make_uat(world)
    assert uat.internal.case.visibility == Visibility.INTERNAL
    assert uat.internal not in set(runs_of(world.client_pm, world.project))
    assert uat.internal in set(runs_of(world.pm, world.project))
    seen = Activity.objects.visible_to(world.client_pm).filter(target_id=str(uat.internal.pk))
    assert not seen.filter(target_type="quality.testrun").exists()


def test_testers_are_members_and_clients_test_only_what_they_see(world: World) -> None:
    uat = make_uat(world)
    pm = world.pm
    with pytest.raises(ValidationError) as caught:
        runs.do_assign(uat.internal, actor=pm, version=uat.internal.version, assignee_id=world.reviewer.pk)
    assert _errors(caught) == {"assignee_id"}
    for stranger in (world.team_viewer, world.people["other_client"], world.outsider):
        with pytest.raises(ValidationError):
            runs.do_assign(uat.mine, actor=pm, version=uat.mine.version, assignee_id=stranger.pk)
    with pytest.raises(PermissionDenied):
        runs.do_assign(uat.mine, actor=world.member, version=uat.mine.version, assignee_id=world.member.pk)
    done = runs.do_assign(
        uat.mine, actor=world.client_pm, version=uat.mine.version, assignee_id=world.sponsor.pk
    )
    assert done.assignee == world.sponsor


# ---------------------------------------------------------------- results


def test_a_client_tester_records_only_their_runs(world: World) -> None:
    uat = make_uat(world)
    run = runs.do_record_result(
        uat.mine, actor=world.reviewer, version=uat.mine.version, result="failed", step_results=[PASS, FAIL]
    )
    assert run.executed_by == world.reviewer and run.executed_at is not None and run.case_revision == 1
    assert run.step_results[1] == {"result": "failed", "note": "Nothing happens"}
    with pytest.raises(PermissionDenied):
        runs.do_record_result(uat.theirs, actor=world.reviewer, version=uat.theirs.version, result="passed")
    with pytest.raises(PermissionDenied):
        runs.do_record_result(uat.theirs, actor=world.sponsor, version=uat.theirs.version, result="passed")
    runs.do_record_result(uat.theirs, actor=world.client_pm, version=uat.theirs.version, result="passed")


def test_passed_with_a_failed_step_and_too_many_steps_are_refused(world: World) -> None:
    uat = make_uat(world)
    run, reviewer = uat.mine, world.reviewer
    with pytest.raises(ValidationError) as caught:
        runs.do_record_result(
            run, actor=reviewer, version=run.version, result="passed", step_results=[PASS, FAIL]
        )
    assert _errors(caught) == {"result"}
    with pytest.raises(ValidationError) as caught:
        runs.do_record_result(
            run, actor=reviewer, version=run.version, result="failed", step_results=[PASS] * 4
        )
    assert _errors(caught) == {"step_results"}
    with pytest.raises(ValidationError) as caught:
        runs.do_record_result(run, actor=reviewer, version=run.version, result="maybe")
    assert _errors(caught) == {"result"}
    assert TestRun.objects.get(pk=run.pk).result == RunResult.NOT_RUN


def test_the_bulk_names_a_case_not_in_the_cycle_and_saves_nothing(world: World) -> None:
    uat = make_uat(world)
    outside = make_case(world, "Elsewhere")
    rows = [{"case": uat.mine.case_id, "result": "passed"}, {"case": outside.pk, "result": "failed"}]
    with pytest.raises(ValidationError) as caught:
        runs.do_record_results(uat.cycle, actor=world.pm, rows=rows)
    assert _errors(caught) == {"results[1].case"}
    assert not TestRun.objects.exclude(result=RunResult.NOT_RUN).exists()
    rows = [{"case": uat.mine.case_id, "result": "passed", "step_results": [PASS, FAIL]}]
    with pytest.raises(ValidationError) as caught:
        runs.do_record_results(uat.cycle, actor=world.pm, rows=rows)
    assert _errors(caught) == {"results[0].result"}
    # A client tester names only the cases of their own runs.
    with pytest.raises(ValidationError) as caught:
        runs.do_record_results(
            uat.cycle, actor=world.reviewer, rows=[{"case": uat.theirs.case_id, "result": "passed"}]
        )
    assert _errors(caught) == {"results[0].case"}


def test_the_bulk_records_many_runs_in_the_same_queries_as_one(world: World) -> None:
    uat = make_uat(world)
    pm = world.pm
    cycle = uat.cycle
    for i in range(12):
        runs.do_add_cases(cycle, actor=pm, case_ids=[make_case(world, f"Extra {i}").pk])
    one = [{"case": uat.mine.case_id, "result": "passed"}]
    every = [{"case": r.case_id, "result": "blocked"} for r in cycle.runs.all()]
    with CaptureQueriesContext(connection) as few:
        runs.do_record_results(cycle, actor=pm, rows=one)
    with CaptureQueriesContext(connection) as many:
        done = runs.do_record_results(cycle, actor=pm, rows=every)
    assert len(done) == 16
    assert len(many) == len(few)
    assert set(cycle.runs.values_list("result", flat=True)) == {RunResult.BLOCKED}
    assert TestRun.objects.get(pk=uat.mine.pk).version == uat.mine.version + 2


def test_a_run_shows_the_steps_of_its_revision(world: World) -> None:
    uat = make_uat(world)
    case = uat.mine.case
    TestCaseRevision.objects.create(
        case=case, number=1, content={"steps": [{"action": "Old step", "expected": "Old result"}]}
    )
    case.steps = [{"action": "New step", "expected": "New result"}]
    case.revision = 2
    case.save()
    run = TestRun.objects.select_related("case").get(pk=uat.mine.pk)
    assert [s.action for s in run_queries.run_steps(run)] == ["Old step"]


# ---------------------------------------------------------------- a defect from a failed step


def test_a_defect_raised_from_a_step_marks_it_failed_and_links_everything(world: World) -> None:
    uat = make_uat(world)
    req = make_requirement(world, "REQ-001", "Login")
    hidden = make_requirement(world, "REQ-000", "Secret", visibility=Visibility.INTERNAL)
    uat.mine.case.requirements.add(req, hidden)
    run = runs.do_record_result(
        uat.mine, actor=world.reviewer, version=uat.mine.version, result="not_run", step_results=[PASS, FAIL]
    )
    defect = runs.do_raise_defect(run, actor=world.reviewer, step_number=2, severity="critical")
    run.refresh_from_db()
    assert run.result == RunResult.FAILED and run.step_results[1]["result"] == "failed"
    assert defect.code == "DEF-001" and defect.title == "TC-001 · Log in: do 2"
    assert defect.test_run == run and defect.test_case == run.case and defect.step_number == 2
    assert defect.requirement == req and defect.severity == "critical"
    assert defect.visibility == Visibility.SHARED and defect.reported_by == world.reviewer
    assert "1. Log in: do 1\n2. Log in: do 2" in defect.steps_to_reproduce
    assert "Signed in as a store manager" in defect.steps_to_reproduce
    assert "Log in: see 2" in defect.description and "Nothing happens" in defect.description
    with pytest.raises(ValidationError) as caught:
        runs.do_raise_defect(run, actor=world.reviewer, step_number=4)
    assert _errors(caught) == {"step_number"}
    with pytest.raises(PermissionDenied):
        runs.do_raise_defect(uat.theirs, actor=world.sponsor, step_number=1)
    assert Defect.objects.count() == 1


def test_a_team_defect_from_an_internal_run_stays_internal(world: World) -> None:
    uat = make_uat(world)
    defect = runs.do_raise_defect(uat.internal, actor=world.member, step_number=1)
    assert defect.visibility == Visibility.INTERNAL
    assert TestRun.objects.get(pk=uat.internal.pk).result == RunResult.FAILED


# ---------------------------------------------------------------- evidence


def _file(name: str, data: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.usefixtures("media")
def test_evidence_is_told_by_its_content(world: World) -> None:
    uat = make_uat(world)
    run, reviewer = uat.mine, world.reviewer
    for name, data, kind in (
        ("a.png", PNG, "image/png"),
        ("b.pdf", PDF, "application/pdf"),
        ("c.log", LOG, "text/plain"),
    ):
        saved = evidence.do_add_evidence(run, actor=reviewer, upload=_file(name, data, kind))
        assert saved.filename == name and saved.content_type == kind
    for name, data, kind in (
        ("fake.png", b"<script>alert(1)</script>", "image/png"),
        ("bin.txt", b"\x00\x01\x02binary", "text/plain"),
        ("page.html", b"<html></html>", "text/html"),
        ("pdf.txt", PDF, "text/plain"),
        ("empty.txt", b"", "text/plain"),
    ):
        with pytest.raises(ValidationError) as caught:
            evidence.do_add_evidence(run, actor=reviewer, upload=_file(name, data, kind))
        assert _errors(caught) == {"file"}, name
    big = _file("big.pdf", PDF + b"0" * evidence.MAX_EVIDENCE_BYTES, "application/pdf")
    with pytest.raises(ValidationError):
        evidence.do_add_evidence(run, actor=reviewer, upload=big)
    with pytest.raises(PermissionDenied):
        evidence.do_add_evidence(uat.theirs, actor=reviewer, upload=_file("a.png", PNG, "image/png"))
    assert TestEvidence.objects.count() == 3


@pytest.mark.usefixtures("media")
def test_evidence_is_removed_by_its_uploader_or_the_team_not_in_a_finished_cycle(world: World) -> None:
    uat = make_uat(world)
    first = evidence.do_add_evidence(uat.mine, actor=world.reviewer, upload=_file("a.png", PNG, "image/png"))
    second = evidence.do_add_evidence(uat.mine, actor=world.pm, upload=_file("b.png", PNG, "image/png"))
    with pytest.raises(PermissionDenied):
        evidence.do_remove_evidence(second, actor=world.reviewer)
    evidence.do_remove_evidence(first, actor=world.reviewer)
    runs.do_finish_cycle(uat.cycle, actor=world.pm, version=uat.cycle.version)
    second = TestEvidence.objects.select_related("run__cycle").get(pk=second.pk)
    with pytest.raises(ValidationError):
        evidence.do_remove_evidence(second, actor=world.pm)
    response = evidence.evidence_response(second)
    assert response.content == PNG and response["Content-Type"] == "image/png"


# ---------------------------------------------------------------- reads


def test_progress_and_my_tests(world: World) -> None:
    uat = make_uat(world)
    runs.do_record_result(uat.mine, actor=world.reviewer, version=uat.mine.version, result="passed")
    runs.do_record_result(uat.internal, actor=world.member, version=uat.internal.version, result="failed")
    team = run_queries.progress_of(world.pm, world.project, [uat.cycle.pk])[uat.cycle.pk]
    assert (team.passed, team.failed, team.not_run, team.total) == (1, 1, 2, 4)
    client = run_queries.progress_of(world.client_pm, world.project, [uat.cycle.pk])[uat.cycle.pk]
    assert client.total == 3
    mine = list(run_queries.my_runs(world.reviewer, world.project))
    assert mine == [uat.second, uat.mine]  # not yet passed first
    overview = run_queries.overview(world.reviewer, world.project)
    assert overview.mine_open == 1 and [c.pk for c in overview.active] == [uat.cycle.pk]
