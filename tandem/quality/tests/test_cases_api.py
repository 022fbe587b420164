"""The test case and quality standard API, called as every kind of viewer, and what each side reads back."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.quality import cases, standards
from tandem.quality.models import TestCase, TestRun
from tandem.testing.api import MEMBERS_READ, TEAM_READS, Caller, Case, matrix_test, only_pm, world_fixture
from tandem.testing.personas import World

from .case_fixtures import ids_of, make_suite

P = "/projects/ERP"
CSV = b"Title,Steps,Priority,Requirements\nPay by card,Insert the card => PIN asked,high,REQ-001\n"
#: Writing cases: the team's writers and the client PM.
WRITERS = "401 404 404 403 {ok} 403 {ok} {ok}"
#: TC-002 is shared but not assigned to the client viewer (a client tester): unknown to them.
NOT_ASSIGNED = "401 404 404 404 {ok} {ok} 200 200"

CASES = [
    Case("test-cases.list", "GET", f"{P}/test-cases", MEMBERS_READ),
    Case(
        "test-cases.list-filtered",
        "GET",
        f"{P}/test-cases?q=sign&priority=high&active=true&page=1",
        MEMBERS_READ,
    ),
    Case("test-cases.list-by-requirement", "GET", f"{P}/test-cases?requirement={{login}}", MEMBERS_READ),
    Case(
        "test-cases.create",
        "POST",
        f"{P}/test-cases",
        WRITERS.format(ok=201),
        {"title": "Refund", "steps": [{"action": "Scan", "expected": "Found"}]},
    ),
    Case("test-cases.detail-assigned", "GET", f"{P}/test-cases/{{shared_case}}", MEMBERS_READ),
    Case(
        "test-cases.detail-not-assigned", "GET", f"{P}/test-cases/{{other_case}}", NOT_ASSIGNED.format(ok=200)
    ),
    Case("test-cases.detail-internal", "GET", f"{P}/test-cases/{{internal_case}}", TEAM_READS),
    Case(
        "test-cases.update",
        "PATCH",
        f"{P}/test-cases/{{shared_case}}",
        WRITERS.format(ok=200),
        {"version": 1, "priority": "low"},
    ),
    Case(
        "test-cases.retire",
        "PATCH",
        f"{P}/test-cases/{{other_case}}",
        "401 404 404 404 200 403 200 200",
        {"version": 1, "is_active": False},
    ),
    Case(
        "test-cases.update-internal",
        "PATCH",
        f"{P}/test-cases/{{internal_case}}",
        "401 404 404 404 404 404 200 200",
        {"version": 1, "title": "Margins"},
    ),
    Case(
        "test-cases.delete",
        "DELETE",
        f"{P}/test-cases/{{other_case}}?version=1",
        "401 404 404 404 204 403 204 204",
    ),
    Case(
        "test-cases.delete-run", "DELETE", f"{P}/test-cases/{{shared_case}}?version=1", WRITERS.format(ok=422)
    ),
    Case("test-cases.revisions", "GET", f"{P}/test-cases/{{shared_case}}/revisions", MEMBERS_READ),
    Case(
        "test-cases.import",
        "POST",
        f"{P}/test-cases/import",
        WRITERS.format(ok=200),
        upload=("cases.csv", CSV, "text/csv"),
    ),
    Case(
        "test-cases.import-dry-run",
        "POST",
        f"{P}/test-cases/import?dry_run=true",
        WRITERS.format(ok=200),
        upload=("cases.csv", CSV, "text/csv"),
    ),
    Case("test-cases.export-csv", "GET", f"{P}/test-cases/export?format=csv", MEMBERS_READ),
    Case("test-cases.export-xlsx", "GET", f"{P}/test-cases/export?format=xlsx&priority=high", MEMBERS_READ),
    Case("quality-standards.list", "GET", f"{P}/quality-standards", MEMBERS_READ),
    Case(
        "quality-standards.create",
        "POST",
        f"{P}/quality-standards",
        only_pm("201"),
        {"title": "Code reviewed"},
    ),
    Case("quality-standards.from-charter", "POST", f"{P}/quality-standards/from-charter", only_pm("201")),
    Case(
        "quality-standards.update",
        "PATCH",
        f"{P}/quality-standards/{{standard}}",
        only_pm("200"),
        {"version": 1, "title": "Reviewed twice"},
    ),
    Case(
        "quality-standards.update-internal",
        "PATCH",
        f"{P}/quality-standards/{{internal_standard}}",
        "401 404 404 404 404 404 403 200",
        {"version": 1, "title": "x"},
    ),
    Case(
        "quality-standards.delete", "DELETE", f"{P}/quality-standards/{{standard}}?version=1", only_pm("204")
    ),
    Case("quality-checks.list", "GET", f"{P}/quality-checks", MEMBERS_READ),
    Case(
        "quality-checks.record",
        "POST",
        f"{P}/quality-checks",
        "401 404 404 403 403 403 201 201",
        {"standard_id": "{standard}", "deliverable_id": "{deliverable}", "result": "passed"},
    ),
    Case(
        "quality-checks.record-internal",
        "POST",
        f"{P}/quality-checks",
        "401 404 404 403 403 403 201 201",
        {"standard_id": "{standard}", "phase_id": "{secret_phase}", "result": "failed"},
    ),
]


def seed(world: World) -> dict[str, Any]:
    """The suite of cases, a shared and an internal standard, the shared deliverable."""
    suite = make_suite(world)
    from tandem.projects import services as project_services

    project_services.do_update_section(
        world.project, key="quality_standards", body="Reviewed\nTested", version=0, actor=world.pm
    )
    standard = standards.do_add_standard(world.project, actor=world.pm, title="Reviewed")
    internal = standards.do_add_standard(world.project, actor=world.pm, title="Margin", visibility="internal")
    return {
        **ids_of(suite),
        "standard": standard.pk,
        "internal_standard": internal.pk,
        "deliverable": world.records["deliverable_shared"].pk,
    }


api_world = world_fixture(seed, with_records=True)

test_it_answers_each_viewer_as_the_matrix_says = matrix_test(CASES)


@pytest.mark.django_db
def test_a_client_reads_neither_internal_requirements_nor_internal_cases(
    api_world: tuple[World, dict[str, Any]],
) -> None:
    world, ids = api_world
    body = Caller(world, "sponsor").get(f"{P}/test-cases").json
    assert [c["code"] for c in body["items"]] == ["TC-001", "TC-002"]
    assert [r["id"] for r in body["items"][0]["requirements"]] == [ids["login"]]
    text = Caller(world, "sponsor").get(f"{P}/test-cases/export?format=csv").text
    assert "Margin" not in text
    team = Caller(world, "pm").get(f"{P}/test-cases/{ids['shared_case']}").json
    assert {r["id"] for r in team["requirements"]} == {ids["login"], ids["margin"]}
    tester = Caller(world, "client_viewer").get(f"{P}/test-cases").json
    assert [c["code"] for c in tester["items"]] == ["TC-001"]
    checklist = Caller(world, "sponsor").get(f"{P}/quality-checks").json
    assert [r["standard"]["title"] for r in checklist["rows"]] == ["Reviewed"]
    assert f"phase:{ids['secret_phase']}" not in {t["key"] for t in checklist["targets"]}


@pytest.mark.django_db
def test_bad_input_is_refused_naming_the_field(api_world: tuple[World, dict[str, Any]]) -> None:
    world, ids = api_world
    pm = Caller(world, "pm")
    answer = pm.call("POST", f"{P}/test-cases", {"title": "x", "steps": [{"action": "", "expected": "y"}]})
    assert answer.status == 422 and "steps" in answer.text
    answer = pm.call("POST", f"{P}/test-cases", {"title": "x", "requirements": [999999]})
    assert answer.status == 422 and "requirements" in answer.text
    answer = pm.get(f"{P}/test-cases?priority=urgent")
    assert answer.status == 422
    answer = pm.upload(f"{P}/test-cases/import", "c.csv", b"Title,Priority\nA,urgent\n")
    assert answer.status == 422 and "row 2, Priority" in answer.text
    answer = pm.upload(f"{P}/test-cases/import?dry_run=true", "c.csv", b"Title,Priority\nA,urgent\nB,high\n")
    assert answer.status == 200 and [r["ok"] for r in answer.json["rows"]] == [False, True]
    answer = pm.call("POST", f"{P}/test-cases/import", files={})
    assert answer.status == 422 and "Choose the file to import." in answer.text
    answer = pm.call("POST", f"{P}/quality-checks", {"standard_id": ids["standard"], "result": "passed"})
    assert answer.status == 422 and "deliverable_id" in answer.text
    answer = Caller(world, "member").call(
        "POST", f"{P}/quality-checks", {"standard_id": 999999, "phase_id": ids["phase"], "result": "passed"}
    )
    assert answer.status == 422 and "standard_id" in answer.text
    answer = pm.call("PATCH", f"{P}/test-cases/{ids['shared_case']}", {"version": 7, "title": "y"})
    assert answer.status == 409
    assert TestCase.objects.filter(title="x").count() == 0


@pytest.mark.django_db
def test_the_list_answers_in_constant_queries(api_world: tuple[World, dict[str, Any]]) -> None:
    world, ids = api_world
    cycle = TestRun.objects.values_list("cycle_id", flat=True).first()

    def count(n: int, viewer: str) -> int:
        for i in range(n):
            case = cases.do_create_case(
                world.project, actor=world.pm, title=f"Bulk {i}", requirements=[ids["login"], ids["margin"]]
            )
            TestRun.objects.create(cycle_id=cycle, case=case, assignee=world.client_viewer)
        with CaptureQueriesContext(connection) as queries:
            answer = Caller(world, viewer).get(f"{P}/test-cases")
        assert answer.status == 200 and answer.json["count"] >= n
        return len(queries)

    for viewer in ("pm", "client_viewer"):
        assert count(3, viewer) == count(30, viewer)
