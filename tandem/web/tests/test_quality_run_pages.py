"""The Quality overview, test cycles, the tester's run page and my tests: who reaches what, what a client
never reads, and pages that read the same queries however many runs they show."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from tandem.core.choices import Visibility
from tandem.quality import evidence, runs
from tandem.quality.choices import CycleKind
from tandem.quality.models import Defect, TestRun
from tandem.quality.tests.run_fixtures import LOG, make_case, make_uat
from tandem.testing.personas import VIEWERS, World
from tandem.web.tests.test_page_permissions import (
    CLIENTS,
    MEMBERS,
    Case,
    project_page,
    request_as,
    submitted,
    url,
)
from tandem.web.tests.test_query_counts import count_queries

pytestmark = pytest.mark.django_db
#: The internal test case's title: no client page may carry it.
INTERNAL_CASE = "Load test"


def _seed(world: World) -> None:
    """A started UAT cycle (a run for the client viewer with a file, one for the client PM, an internal
    case's run for the team), an internal system cycle in progress and a planned one."""
    pm = world.pm
    uat = make_uat(world)
    viewer_run = runs.do_assign(
        uat.second, actor=pm, version=uat.second.version, assignee_id=world.client_viewer.pk
    )
    system = runs.do_create_cycle(
        world.project, actor=pm, name="System 1", kind=CycleKind.SYSTEM, visibility=Visibility.INTERNAL
    )
    planned = runs.do_create_cycle(
        world.project, actor=pm, name="System 2", kind=CycleKind.SYSTEM, visibility=Visibility.INTERNAL
    )
    saved = evidence.do_add_evidence(
        viewer_run,
        actor=world.client_viewer,
        upload=SimpleUploadedFile("run.log", LOG, content_type="text/plain"),
    )
    world.records.update(
        uat=uat.cycle,
        run_viewer=viewer_run,
        run_theirs=uat.theirs,
        run_internal=uat.internal,
        system=system,
        planned=planned,
        evidence=saved,
    )


def pk(key: str) -> Any:
    return lambda world: world.records[key].pk


def version(key: str) -> Any:
    def read(world: World) -> int:
        record = world.records[key]
        return type(record).objects.get(pk=record.pk).version  # type: ignore[no-any-return]

    return read


EVERYONE = project_page(*MEMBERS)
TEAM_ONLY = project_page("member", "pm", hidden_from=CLIENTS)

GET_CASES = [
    Case("quality-overview", url("quality", "ERP"), EVERYONE, setup=_seed),
    Case("my-tests", url("my_tests", "ERP"), EVERYONE, setup=_seed),
    Case("test-cycles", url("test_cycles", "ERP"), EVERYONE, setup=_seed),
    Case(
        "test-cycles-filtered",
        lambda w: reverse("web:test_cycles", args=["ERP"]) + "?status=active&kind=uat",
        EVERYONE,
        setup=_seed,
    ),
    Case("test-cycle-new", url("test_cycle_new", "ERP"), project_page("client_pm", "pm"), setup=_seed),
    Case("test-cycle-uat", url("test_cycle_detail", "ERP", pk("uat")), EVERYONE, setup=_seed),
    Case("test-cycle-internal", url("test_cycle_detail", "ERP", pk("system")), TEAM_ONLY, setup=_seed),
    Case(
        "test-cycle-edit",
        url("test_cycle_edit", "ERP", pk("uat")),
        project_page("client_pm", "pm"),
        setup=_seed,
    ),
    Case("test-run-mine", url("test_run", "ERP", pk("uat"), pk("run_viewer")), EVERYONE, setup=_seed),
    Case(
        "test-run-theirs",
        url("test_run", "ERP", pk("uat"), pk("run_theirs")),
        project_page(*MEMBERS, hidden_from=("client_viewer",)),
        setup=_seed,
    ),
    Case("test-run-internal", url("test_run", "ERP", pk("uat"), pk("run_internal")), TEAM_ONLY, setup=_seed),
    Case(
        "test-run-of-another-cycle",
        url("test_run", "ERP", pk("system"), pk("run_viewer")),
        TEAM_ONLY | {"member": 404, "pm": 404},
        setup=_seed,
    ),
    Case(
        "test-evidence",
        url("test_evidence", "ERP", pk("uat"), pk("run_viewer"), pk("evidence")),
        EVERYONE,
        setup=_seed,
    ),
]

POST_CASES = [
    Case(
        "test-cycle-new",
        url("test_cycle_new", "ERP"),
        submitted("client_pm", "pm"),
        data=lambda w: {"name": "UAT 2", "kind": "uat", "visibility": "shared", "version": 0},
        setup=_seed,
    ),
    Case(
        "test-cycle-start",
        url("test_cycle_detail", "ERP", pk("planned")),
        {**submitted("pm"), **{c: 404 for c in CLIENTS}},
        data=lambda w: {"action": "start", "version": version("planned")(w)},
        setup=_seed,
    ),
    Case(
        "test-cycle-assign",
        url("test_cycle_detail", "ERP", pk("uat")),
        {**submitted("client_pm", "pm"), "client_viewer": 403},
        data=lambda w: {
            "action": "assign",
            "run_id": pk("run_theirs")(w),
            "assignee": w.sponsor.pk,
            "version": version("run_theirs")(w),
        },
        setup=_seed,
    ),
    Case(
        "test-run-record",
        url("test_run", "ERP", pk("uat"), pk("run_viewer")),
        submitted("client_viewer", "client_pm", "member", "pm"),
        data=lambda w: {
            "action": "record",
            "version": version("run_viewer")(w),
            "step-1-result": "passed",
            "step-2-result": "failed",
            "step-2-note": "Nothing happens",
            "result": "",
        },
        setup=_seed,
    ),
    Case(
        "test-run-raise-defect",
        url("test_run", "ERP", pk("uat"), pk("run_viewer")),
        submitted("client_pm", "member", "pm"),
        data=lambda w: {"action": "raise_defect", "step_number": 2, "version": version("run_viewer")(w)},
        setup=_seed,
    ),
    Case(
        "test-run-upload",
        url("test_run", "ERP", pk("uat"), pk("run_viewer")),
        submitted("client_viewer", "client_pm", "member", "pm"),
        data=lambda w: {
            "action": "upload",
            "file": SimpleUploadedFile("log.txt", b"all good\n", content_type="text/plain"),
        },
        setup=_seed,
    ),
]


@pytest.fixture(autouse=True)
def _media(tmp_path: Any) -> Iterator[None]:
    with override_settings(MEDIA_ROOT=tmp_path):
        yield


def check(world: World, case: Case) -> None:
    case.setup(world)
    actual, leaks = {}, []
    for viewer in VIEWERS:
        status, body = request_as(world, case, viewer)
        actual[viewer] = status
        if viewer not in ("member", "pm") and INTERNAL_CASE in body:
            leaks.append(viewer)
    assert actual == case.expected
    assert leaks == [], f"the internal case reached {leaks}"


@pytest.mark.parametrize("case", GET_CASES, ids=lambda c: c.name)
def test_it_answers_each_page_as_the_permission_model_says(world: World, case: Case) -> None:
    check(world, case)


@pytest.mark.parametrize("case", POST_CASES, ids=lambda c: c.name)
def test_it_answers_each_form_as_the_permission_model_says(world: World, case: Case) -> None:
    check(world, case)


def test_a_client_tester_reaches_their_run_from_the_project_in_three_clicks(
    world: World, client: Client
) -> None:
    _seed(world)
    client.force_login(world.client_viewer)
    home = client.get(reverse("web:project_home", args=["ERP"])).content.decode()
    quality = reverse("web:quality", args=["ERP"])
    assert quality in home
    overview = client.get(quality).content.decode()
    run = world.records["run_viewer"]
    target = reverse("web:test_run", args=["ERP", run.cycle_id, run.pk])
    assert target in overview
    assert client.get(target).status_code == 200


def test_a_raised_defect_shows_its_code_on_the_run(world: World, client: Client) -> None:
    _seed(world)
    run = world.records["run_theirs"]
    client.force_login(world.client_pm)
    page = reverse("web:test_run", args=["ERP", run.cycle_id, run.pk])
    client.post(
        page,
        {
            "action": "record",
            "version": run.version,
            "step-1-result": "failed",
            "step-1-note": "Error 500",
            "result": "",
        },
    )
    assert TestRun.objects.get(pk=run.pk).result == "failed"
    body = client.get(page).content.decode()
    assert 'form="raise-1"' in body
    response = client.post(
        page,
        {"action": "raise_defect", "step_number": 1, "version": TestRun.objects.get(pk=run.pk).version},
        follow=True,
    )
    defect = Defect.objects.get(test_run=run)
    assert defect.code in response.content.decode() and "Error 500" in defect.description


def _more_runs(world: World, n: int) -> None:
    cycle = world.records["uat"]
    base = TestRun.objects.filter(cycle=cycle).count()
    added = runs.do_add_cases(
        cycle, actor=world.pm, case_ids=[make_case(world, f"More {base + i}").pk for i in range(n)]
    )
    for run in added:
        runs.do_assign(run, actor=world.pm, version=run.version, assignee_id=world.client_pm.pk)
        runs.do_record_result(run, actor=world.client_pm, version=run.version + 1, result="passed")
    for i in range(n // 3):
        extra = runs.do_create_cycle(world.project, actor=world.pm, name=f"Cycle {base + i}")
        runs.do_start_cycle(extra, actor=world.pm, version=extra.version)


def test_the_pages_read_the_same_queries_with_few_or_many_runs(world: World, client: Client) -> None:
    _seed(world)
    client.force_login(world.client_pm)
    uat = world.records["uat"]
    pages = [
        reverse("web:quality", args=["ERP"]),
        reverse("web:test_cycles", args=["ERP"]),
        reverse("web:test_cycle_detail", args=["ERP", uat.pk]),
        reverse("web:my_tests", args=["ERP"]),
    ]
    _more_runs(world, 3)
    few = [count_queries(client, page) for page in pages]
    _more_runs(world, 30)
    many = [count_queries(client, page) for page in pages]
    assert many == few


def test_a_clients_export_of_a_cycle_has_only_the_runs_they_read(world: World, client: Client) -> None:
    _seed(world)
    uat = world.records["uat"]
    export = reverse("web:test_cycle_export", args=["ERP", uat.pk])
    client.force_login(world.client_pm)
    text = client.get(export + "?format=csv").content.decode("utf-8-sig")
    assert "Log in" in text and INTERNAL_CASE not in text and text.startswith("Code,Test case")
    client.force_login(world.pm)
    assert INTERNAL_CASE in client.get(export + "?format=csv").content.decode("utf-8-sig")
    xlsx = client.get(export + "?format=xlsx&result=not_run")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    client.force_login(world.client_viewer)
    mine = client.get(export).content.decode("utf-8-sig")
    assert "Order" in mine and "Log in" not in mine
    client.force_login(world.people["other_client"])
    assert client.get(export).status_code == 404
