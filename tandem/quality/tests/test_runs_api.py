"""The test cycle and run API, called as every kind of viewer, and what each side reads back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from tandem.core.choices import Visibility
from tandem.quality import evidence, runs
from tandem.quality.choices import CycleKind
from tandem.quality.models import TestRun
from tandem.testing.api import MEMBERS_READ, TEAM_READS, Caller, Case, matrix_test, only_pm, world_fixture
from tandem.testing.personas import World

from .run_fixtures import PNG, make_case, make_uat

P = "/projects/ERP/test-cycles"
UAT = P + "/{uat}"
MINE = UAT + "/runs/{run_mine}"
#: Planners of a UAT cycle: the client PM and the PM (a member only records).
UAT_PLANNERS = "401 404 404 403 {ok} 403 403 {ok}"
#: Who records the client viewer's run: the viewer (its tester), the client PM (UAT), the team's writers.
RECORDERS = "401 404 404 {ok} {ok} 403 {ok} {ok}"
INTERNAL_PM = "401 404 404 404 404 404 403 {ok}"

CASES = [
    Case("test-cycles.list", "GET", P, MEMBERS_READ),
    Case("test-cycles.list-filtered", "GET", P + "?status=active&kind=uat", MEMBERS_READ),
    Case("test-cycles.create", "POST", P, only_pm("201"), {"name": "System 2", "kind": "system"}),
    Case("test-cycles.create-uat", "POST", P, UAT_PLANNERS.format(ok=201), {"name": "UAT 2", "kind": "uat"}),
    Case("test-cycles.detail-shared", "GET", UAT, MEMBERS_READ),
    Case("test-cycles.detail-internal", "GET", P + "/{system}", TEAM_READS),
    Case(
        "test-cycles.update",
        "PATCH",
        UAT,
        UAT_PLANNERS.format(ok=200),
        {"version": "{uat_version}", "name": "UAT one"},
    ),
    Case("test-cycles.delete", "DELETE", P + "/{planned}?version=1", INTERNAL_PM.format(ok=204)),
    Case("test-cycles.start", "POST", P + "/{planned}/start", INTERNAL_PM.format(ok=200), {"version": 1}),
    Case(
        "test-cycles.finish",
        "POST",
        UAT + "/finish",
        UAT_PLANNERS.format(ok=200),
        {"version": "{uat_version}"},
    ),
    Case("test-runs.list", "GET", UAT + "/runs?result=not_run&priority=medium", MEMBERS_READ),
    Case("test-runs.add", "POST", UAT + "/runs", UAT_PLANNERS.format(ok=201), {"cases": ["{case_new}"]}),
    Case("test-runs.detail-mine", "GET", MINE, MEMBERS_READ),
    Case("test-runs.detail-theirs", "GET", UAT + "/runs/{run_theirs}", "401 404 404 404 200 200 200 200"),
    Case(
        "test-runs.detail-of-another-cycle",
        "GET",
        P + "/{system}/runs/{run_mine}",
        "401 404 404 404 404 404 404 404",
    ),
    Case(
        "test-runs.assign",
        "PATCH",
        UAT + "/runs/{run_theirs}",
        "401 404 404 404 200 403 403 200",
        {"assignee_id": "{sponsor}", "version": "{run_theirs_version}"},
    ),
    Case(
        "test-runs.remove",
        "DELETE",
        UAT + "/runs/{run_spare}?version={run_spare_version}",
        "401 404 404 404 204 403 403 204",
    ),
    Case(
        "test-runs.result",
        "PUT",
        MINE + "/result",
        RECORDERS.format(ok=200),
        {
            "result": "failed",
            "step_results": [{"result": "passed"}, {"result": "failed", "note": "No"}],
            "version": "{run_mine_version}",
        },
    ),
    Case(
        "test-runs.results-bulk",
        "POST",
        UAT + "/results",
        RECORDERS.format(ok=200),
        {"results": [{"case": "{case_mine}", "result": "blocked"}]},
    ),
    Case(
        "test-runs.raise-defect",
        "POST",
        MINE + "/defects",
        "401 404 404 403 201 403 201 201",
        {"step_number": 2},
    ),
    Case("test-runs.evidence-list", "GET", MINE + "/evidence", MEMBERS_READ),
    Case(
        "test-runs.evidence-upload",
        "POST",
        MINE + "/evidence",
        RECORDERS.format(ok=201),
        upload=("screen.png", PNG, "image/png"),
    ),
    Case("test-runs.evidence-download", "GET", MINE + "/evidence/{evidence}", MEMBERS_READ),
    Case(
        "test-runs.evidence-remove",
        "DELETE",
        MINE + "/evidence/{evidence}",
        "401 404 404 204 403 403 204 204",
    ),
    Case("my-tests.list", "GET", "/projects/ERP/my-tests", MEMBERS_READ),
]


def seed(world: World) -> dict[str, Any]:
    """A started shared UAT cycle (a run for the client viewer, one for the client PM, a spare one), an
    internal system cycle in progress and a planned internal one, a shared case not yet in a cycle."""
    pm = world.pm
    uat = make_uat(world)
    run_mine = runs.do_assign(
        uat.mine, actor=pm, version=uat.mine.version, assignee_id=world.client_viewer.pk
    )
    spare = runs.do_assign(uat.second, actor=pm, version=uat.second.version, assignee_id=None)
    system = runs.do_create_cycle(
        world.project, actor=pm, name="System 1", kind=CycleKind.SYSTEM, visibility=Visibility.INTERNAL
    )
    system = runs.do_start_cycle(system, actor=pm, version=system.version)
    planned = runs.do_create_cycle(
        world.project, actor=pm, name="System 2", kind=CycleKind.SYSTEM, visibility=Visibility.INTERNAL
    )
    upload = SimpleUploadedFile("shot.png", PNG, content_type="image/png")
    saved = evidence.do_add_evidence(run_mine, actor=world.client_viewer, upload=upload)
    assert uat.cycle.visibility == Visibility.SHARED and system.visibility == Visibility.INTERNAL
    return {
        "uat": uat.cycle.pk,
        "uat_version": uat.cycle.version,
        "system": system.pk,
        "planned": planned.pk,
        "run_mine": run_mine.pk,
        "run_mine_version": run_mine.version,
        "case_mine": run_mine.case_id,
        "run_theirs": uat.theirs.pk,
        "run_theirs_version": uat.theirs.version,
        "run_spare": spare.pk,
        "run_spare_version": spare.version,
        "case_new": make_case(world, "Returns").pk,
        "sponsor": world.sponsor.pk,
        "evidence": saved.pk,
    }


@pytest.fixture(scope="module", autouse=True)
def _media(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("evidence")):
        yield


api_world = world_fixture(seed, with_records=False)
test_it_answers_each_viewer_as_the_matrix_says = matrix_test(CASES)


def test_a_client_tester_reads_only_their_runs_and_the_team_reads_all(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    mine = Caller(world, "client_viewer").get(f"/projects/ERP/test-cycles/{ids['uat']}/runs")
    assert [r["id"] for r in mine.json["items"]] == [ids["run_mine"]]
    client = Caller(world, "client_pm").get(f"/projects/ERP/test-cycles/{ids['uat']}/runs")
    team = Caller(world, "pm").get(f"/projects/ERP/test-cycles/{ids['uat']}/runs")
    assert client.json["count"] == 3 and team.json["count"] == 4  # the internal case's run is the team's
    listed = Caller(world, "client_viewer").get("/projects/ERP/test-cycles")
    assert [c["id"] for c in listed.json["items"]] == [ids["uat"]]
    assert listed.json["items"][0]["progress"]["total"] == 1
    assert Caller(world, "client_viewer").get("/projects/ERP/my-tests").json["count"] == 1


def test_a_bulk_result_for_a_case_not_in_the_cycle_names_it(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    body = {
        "results": [
            {"case": ids["case_mine"], "result": "passed"},
            {"case": ids["case_new"], "result": "passed"},
        ]
    }
    response = Caller(world, "pm").call("POST", f"/projects/ERP/test-cycles/{ids['uat']}/results", body)
    assert response.status == 422
    assert [e["field"] for e in response.json["detail"]] == ["results[1].case"]
    assert TestRun.objects.get(pk=ids["run_mine"]).result == "not_run"


def test_a_defect_raised_from_a_step_answers_its_code(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    path = f"/projects/ERP/test-cycles/{ids['uat']}/runs/{ids['run_mine']}/defects"
    response = Caller(world, "pm").call("POST", path, {"step_number": 2, "severity": "critical"})
    assert response.status == 201 and response.json["code"] == "DEF-001"
    assert (
        Caller(world, "pm").call("POST", path, {"step_number": 9}).json["detail"][0]["field"] == "step_number"
    )


def test_lists_read_the_same_queries_whatever_the_number_of_runs(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    caller = Caller(world, "pm")
    paths = [
        f"/projects/ERP/test-cycles/{ids['uat']}/runs",
        "/projects/ERP/test-cycles",
        "/projects/ERP/my-tests",
    ]

    def counts() -> list[int]:
        out = []
        for path in paths:
            caller.get(path)
            with CaptureQueriesContext(connection) as captured:
                assert caller.get(path).status == 200
            out.append(len(captured))
        return out

    few = counts()
    cycle_ids = []
    for i in range(8):
        cycle = runs.do_create_cycle(world.project, actor=world.pm, name=f"Extra {i}")
        cycle_ids.append(cycle.pk)
    uat = type(cycle).objects.get(pk=ids["uat"])
    added = runs.do_add_cases(
        uat, actor=world.pm, case_ids=[make_case(world, f"More {i}").pk for i in range(25)]
    )
    for run in added:
        runs.do_assign(run, actor=world.pm, version=run.version, assignee_id=world.pm.pk)
    assert counts() == few


def test_a_patch_without_the_tester_keeps_the_tester(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    path = f"/projects/ERP/test-cycles/{ids['uat']}/runs/{ids['run_mine']}"
    response = Caller(world, "pm").call("PATCH", path, {"version": ids["run_mine_version"]})
    assert response.status == 200, response.text[:300]
    assert TestRun.objects.get(pk=ids["run_mine"]).assignee_id == world.client_viewer.pk
