"""Test cycles and their runs: planning, results (one run or many), a defect from a failed step, evidence
files and the caller's own tests. Every read starts from the testers' scope (``quality.scope``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from tandem.api.auth import AUTH
from tandem.api.pagination import paged
from tandem.api.quality_run_schemas import (
    DefectFromStepIn,
    DefectFromStepOut,
    MyTestRunOut,
    TestCycleCasesIn,
    TestCycleFilters,
    TestCycleIn,
    TestCycleOut,
    TestCyclePatchIn,
    TestEvidenceOut,
    TestResultIn,
    TestResultsIn,
    TestRunAssignIn,
    TestRunDetailOut,
    TestRunFilters,
    TestRunOut,
    steps_of,
)
from tandem.api.routers.common import caller_and_project, payload_data
from tandem.api.schemas import VersionIn
from tandem.quality import evidence, run_queries, runs
from tandem.quality.models import Defect, TestCycle, TestEvidence, TestRun

router = Router(tags=["tests"], auth=AUTH)

P = "/projects/{code}/test-cycles"
RUN = P + "/{cycle_id}/runs/{run_id}"
#: The multipart body of an evidence upload, for the OpenAPI document.
EVIDENCE_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        }
    },
}


def _cycle(request: HttpRequest, code: str, cycle_id: int) -> tuple[Any, TestCycle]:
    user, project = caller_and_project(request, code)
    return user, run_queries.access_cycle(user, project, cycle_id)


def _run(request: HttpRequest, code: str, cycle_id: int, run_id: int) -> tuple[Any, TestRun]:
    user, cycle = _cycle(request, code, cycle_id)
    return user, run_queries.access_run(user, cycle, run_id)


def _cycle_out(user: Any, cycle: TestCycle) -> TestCycle:
    fresh = run_queries.access_cycle(user, cycle.project, cycle.pk)
    return run_queries.with_progress(user, cycle.project, [fresh])[0]


def _run_out(user: Any, run: TestRun) -> dict[str, Any]:
    fresh = run_queries.access_run(user, run.cycle, run.pk)
    body = TestRunOut.from_orm(fresh).model_dump()
    body["steps"] = steps_of(run_queries.run_steps(fresh))
    return body


# ---------------------------------------------------------------- cycles


@router.get(P, response=list[TestCycleOut], summary="A project's test cycles")
@paged
def list_cycles(request: HttpRequest, code: str, filters: Query[TestCycleFilters]) -> list[TestCycle]:
    """The cycles the caller reads (a client tester: those holding a run of theirs), newest first, with
    their progress over the runs the caller reads."""
    user, project = caller_and_project(request, code)
    rows = run_queries.cycles_list(user, project, **filters.model_dump(exclude_none=True))
    return _Progressed(user, project, rows)  # type: ignore[return-value]


class _Progressed:
    """A cycle queryset whose sliced page carries each cycle's progress (one aggregate per page)."""

    def __init__(self, user: Any, project: Any, rows: Any) -> None:
        self.user, self.project, self.rows = user, project, rows

    def __getitem__(self, page: slice) -> list[TestCycle]:
        return run_queries.with_progress(self.user, self.project, self.rows[page])

    def __len__(self) -> int:
        return int(self.rows.count())


@router.post(P, response={201: TestCycleOut}, summary="Plan a test cycle")
def create_cycle(request: HttpRequest, code: str, payload: TestCycleIn) -> Status[TestCycle]:
    """Plan a cycle (the team's PMs and leads; a UAT cycle, the client PM too: shared)."""
    user, project = caller_and_project(request, code)
    cycle = runs.do_create_cycle(project, actor=user, **payload_data(payload))
    return Status(201, _cycle_out(user, cycle))


@router.get(P + "/{cycle_id}", response=TestCycleOut, summary="A test cycle")
def get_cycle(request: HttpRequest, code: str, cycle_id: int) -> TestCycle:
    """One cycle with its progress."""
    user, cycle = _cycle(request, code, cycle_id)
    return _cycle_out(user, cycle)


@router.patch(P + "/{cycle_id}", response=TestCycleOut, summary="Change a test cycle")
def update_cycle(request: HttpRequest, code: str, cycle_id: int, payload: TestCyclePatchIn) -> TestCycle:
    """Change a cycle that is not finished, based on the version read."""
    user, cycle = _cycle(request, code, cycle_id)
    runs.do_update_cycle(cycle, actor=user, version=payload.version, **payload_data(payload, "version"))
    return _cycle_out(user, cycle)


@router.delete(P + "/{cycle_id}", response={204: None}, summary="Remove a test cycle")
def delete_cycle(request: HttpRequest, code: str, cycle_id: int, version: int | None = None) -> Status[None]:
    """Remove a planned cycle without results (``?version=`` the caller read)."""
    user, cycle = _cycle(request, code, cycle_id)
    runs.do_delete_cycle(cycle, actor=user, version=version)
    return Status(204, None)


@router.post(P + "/{cycle_id}/start", response=TestCycleOut, summary="Start a test cycle")
def start_cycle(request: HttpRequest, code: str, cycle_id: int, payload: VersionIn) -> TestCycle:
    """Planned → in progress."""
    user, cycle = _cycle(request, code, cycle_id)
    runs.do_start_cycle(cycle, actor=user, version=payload.version)
    return _cycle_out(user, cycle)


@router.post(P + "/{cycle_id}/finish", response=TestCycleOut, summary="Finish a test cycle")
def finish_cycle(request: HttpRequest, code: str, cycle_id: int, payload: VersionIn) -> TestCycle:
    """In progress → finished: the cycle takes no more results or changes."""
    user, cycle = _cycle(request, code, cycle_id)
    runs.do_finish_cycle(cycle, actor=user, version=payload.version)
    return _cycle_out(user, cycle)


# ---------------------------------------------------------------- runs


@router.get(P + "/{cycle_id}/runs", response=list[TestRunOut], summary="A cycle's runs")
@paged
def list_runs(request: HttpRequest, code: str, cycle_id: int, filters: Query[TestRunFilters]) -> Any:
    """The runs of the cycle the caller reads, in the cycle's order, filtered."""
    user, cycle = _cycle(request, code, cycle_id)
    return run_queries.cycle_runs(user, cycle, **filters.model_dump(exclude_none=True))


@router.post(P + "/{cycle_id}/runs", response={201: list[TestRunOut]}, summary="Add cases to a cycle")
def add_cases(request: HttpRequest, code: str, cycle_id: int, payload: TestCycleCasesIn) -> Status[Any]:
    """Put active cases into the cycle, by id and through requirements; those present are skipped."""
    user, cycle = _cycle(request, code, cycle_id)
    created = runs.do_add_cases(
        cycle, actor=user, case_ids=payload.cases, requirement_ids=payload.requirements
    )
    rows = run_queries.cycle_runs(user, cycle).filter(pk__in=[r.pk for r in created])
    return Status(201, list(rows))


@router.get(RUN, response=TestRunDetailOut, summary="A test run")
def get_run(request: HttpRequest, code: str, cycle_id: int, run_id: int) -> dict[str, Any]:
    """One run with the steps of its case at the run's revision."""
    user, run = _run(request, code, cycle_id, run_id)
    return _run_out(user, run)


@router.patch(RUN, response=TestRunDetailOut, summary="Assign a test run")
def assign_run(
    request: HttpRequest, code: str, cycle_id: int, run_id: int, payload: TestRunAssignIn
) -> dict[str, Any]:
    """Name the tester of a run (a planner of the cycle), based on the version read."""
    user, run = _run(request, code, cycle_id, run_id)
    if "assignee_id" in payload.model_fields_set:  # a PATCH without the field leaves the tester as is
        runs.do_assign(run, actor=user, version=payload.version, assignee_id=payload.assignee_id)
    return _run_out(user, run)


@router.delete(RUN, response={204: None}, summary="Remove a test run")
def remove_run(
    request: HttpRequest, code: str, cycle_id: int, run_id: int, version: int | None = None
) -> Status[None]:
    """Take a case not yet run out of the cycle (``?version=`` the caller read)."""
    user, run = _run(request, code, cycle_id, run_id)
    runs.do_remove_run(run, actor=user, version=version)
    return Status(204, None)


@router.put(RUN + "/result", response=TestRunDetailOut, summary="Record a run's result")
def record_result(
    request: HttpRequest, code: str, cycle_id: int, run_id: int, payload: TestResultIn
) -> dict[str, Any]:
    """The run's result with each step's (its tester, the team's writers, the client PM in UAT)."""
    user, run = _run(request, code, cycle_id, run_id)
    runs.do_record_result(
        run,
        actor=user,
        version=payload.version,
        result=payload.result,
        step_results=[s.model_dump() for s in payload.step_results],
        note=payload.note,
    )
    return _run_out(user, run)


@router.post(P + "/{cycle_id}/results", response=list[TestRunOut], summary="Record many results")
def record_results(request: HttpRequest, code: str, cycle_id: int, payload: TestResultsIn) -> Any:
    """Results of many runs of the cycle, each naming its case: all or nothing."""
    user, cycle = _cycle(request, code, cycle_id)
    rows = [
        {
            **row.model_dump(exclude={"step_results"}),
            "step_results": [s.model_dump() for s in row.step_results],
        }
        for row in payload.results
    ]
    done = runs.do_record_results(cycle, actor=user, rows=rows)
    return list(run_queries.cycle_runs(user, cycle).filter(pk__in=[r.pk for r in done]))


@router.post(RUN + "/defects", response={201: DefectFromStepOut}, summary="Raise a defect from a step")
def raise_defect(
    request: HttpRequest, code: str, cycle_id: int, run_id: int, payload: DefectFromStepIn
) -> Status[Defect]:
    """Mark the step failed (if not yet) and file a defect from it in one action."""
    user, run = _run(request, code, cycle_id, run_id)
    extra = payload_data(payload, "step_number", "version")
    defect = runs.do_raise_defect(
        run, actor=user, step_number=payload.step_number, version=payload.version, **extra
    )
    return Status(201, defect)


# ---------------------------------------------------------------- evidence


@router.get(RUN + "/evidence", response=list[TestEvidenceOut], summary="A run's evidence")
def list_evidence(request: HttpRequest, code: str, cycle_id: int, run_id: int) -> Any:
    """The files attached to the run."""
    _user, run = _run(request, code, cycle_id, run_id)
    return list(run_queries.evidence_of(run))


@router.post(
    RUN + "/evidence",
    response={201: TestEvidenceOut},
    summary="Upload evidence",
    openapi_extra={"requestBody": EVIDENCE_BODY},
)
def add_evidence(request: HttpRequest, code: str, cycle_id: int, run_id: int) -> Status[TestEvidence]:
    """Attach a file (multipart field ``file``): a PDF, a PNG or JPEG image or plain text, up to 10 MB."""
    user, run = _run(request, code, cycle_id, run_id)
    saved = evidence.do_add_evidence(run, actor=user, upload=request.FILES.get("file"))
    return Status(201, saved)


@router.get(RUN + "/evidence/{evidence_id}", summary="Download evidence")
def download_evidence(
    request: HttpRequest, code: str, cycle_id: int, run_id: int, evidence_id: int
) -> HttpResponse:
    """The file, for whoever reads the run."""
    _user, run = _run(request, code, cycle_id, run_id)
    return evidence.evidence_response(run_queries.access_evidence(run, evidence_id))


@router.delete(RUN + "/evidence/{evidence_id}", response={204: None}, summary="Remove evidence")
def remove_evidence(
    request: HttpRequest, code: str, cycle_id: int, run_id: int, evidence_id: int
) -> Status[None]:
    """Remove a file (its uploader or the team's writers), not in a finished cycle."""
    user, run = _run(request, code, cycle_id, run_id)
    evidence.do_remove_evidence(run_queries.access_evidence(run, evidence_id), actor=user)
    return Status(204, None)


# ---------------------------------------------------------------- my tests


@router.get("/projects/{code}/my-tests", response=list[MyTestRunOut], summary="My tests")
@paged
def my_tests(request: HttpRequest, code: str) -> Any:
    """The runs assigned to the caller: those not yet passed first, in cycles not finished first."""
    user, project = caller_and_project(request, code)
    return run_queries.my_runs(user, project)
