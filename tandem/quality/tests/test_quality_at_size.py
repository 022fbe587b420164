"""What the quality benchmark (``benchmarks/quality.py``) changed: the coverage matrix keeps only the
requirements its reader sees when it reads the links by case, and shows each case's id, code and title
read as values; a cycle's
page offers only the cases not yet in it; many results at once store who, when and the version
as one result does."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.core.choices import Visibility
from tandem.quality import runs
from tandem.quality.coverage import coverage_of
from tandem.quality.models import TestRun
from tandem.quality.tests.run_fixtures import make_case, make_requirement
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db


def test_a_shared_case_of_an_internal_requirement_shows_only_under_what_the_client_sees(
    world: World,
) -> None:
    shared = make_requirement(world, "REQ-001", "Invoices")
    internal = make_requirement(world, "REQ-002", "Margin check", visibility=Visibility.INTERNAL)
    case = make_case(world, "Print an invoice")
    case.requirements.set([shared, internal])
    client_rows = {r.requirement.code: r for r in coverage_of(world.client_pm, world.project).all_rows}
    assert list(client_rows) == ["REQ-001"]
    assert [c.case.code for c in client_rows["REQ-001"].cases] == [case.code]
    team_rows = {r.requirement.code: r for r in coverage_of(world.pm, world.project).all_rows}
    assert [c.case.code for c in team_rows["REQ-002"].cases] == [case.code]


def test_the_matrix_shows_a_cases_code_and_title_without_another_query(world: World) -> None:
    requirement = make_requirement(world, "REQ-001", "Invoices")
    for n in range(3):
        make_case(world, f"Case {n}").requirements.set([requirement])
    matrix = coverage_of(world.pm, world.project)
    with CaptureQueriesContext(connection) as captured:
        shown = [(c.case.pk, c.case.code, c.case.title) for row in matrix.all_rows for c in row.cases]
    assert len(shown) == 3 and not captured.captured_queries


def test_a_cycles_page_offers_only_the_cases_not_in_it(world: World, client: Client) -> None:
    inside, outside = make_case(world, "Already planned"), make_case(world, "Still to plan")
    cycle = runs.do_create_cycle(world.project, actor=world.pm, name="System 1")
    runs.do_add_cases(cycle, actor=world.pm, case_ids=[inside.pk])
    client.force_login(world.pm)
    page = reverse("web:test_cycle_detail", args=["ERP", cycle.pk])
    form = client.get(page).context["add_form"]
    offered = [label for _pk, label in form.fields["cases"].choices]
    assert offered == [f"{outside.code} {outside.title}"]
    # Posting a case already in the cycle still skips it, as before.
    response = client.post(page, {"action": "add_cases", "cases": [inside.pk, outside.pk]})
    assert response.status_code == 302
    assert sorted(cycle.runs.values_list("case_id", flat=True)) == sorted([inside.pk, outside.pk])


def test_many_results_store_who_when_and_the_version_for_run_and_cleared_rows(world: World) -> None:
    pm = world.pm
    cases = [make_case(world, f"Case {n}") for n in range(4)]
    cycle = runs.do_create_cycle(world.project, actor=pm, name="System 1")
    runs.do_add_cases(cycle, actor=pm, case_ids=[c.pk for c in cases])
    runs.do_start_cycle(cycle, actor=pm, version=cycle.version)
    first = [{"case": c.pk, "result": "passed"} for c in cases]
    runs.do_record_results(cycle, actor=pm, rows=first)
    before = {r.case_id: r.version for r in TestRun.objects.filter(cycle=cycle)}
    rows = [
        {"case": cases[0].pk, "result": "failed", "note": "Totals off by one"},
        {"case": cases[1].pk, "result": "not_run"},
        {"case": cases[2].pk, "result": "blocked"},
    ]
    with CaptureQueriesContext(connection) as captured:
        done = runs.do_record_results(cycle, actor=pm, rows=rows)
    assert len(done) == 3 and len(captured.captured_queries) < 20
    stored = {r.case_id: r for r in TestRun.objects.filter(cycle=cycle)}
    failed, cleared, blocked, untouched = (stored[c.pk] for c in cases)
    assert (failed.result, failed.note, failed.executed_by_id) == ("failed", "Totals off by one", pm.pk)
    assert failed.executed_at is not None and blocked.executed_at == failed.executed_at
    assert (cleared.result, cleared.executed_by_id, cleared.executed_at) == ("not_run", None, None)
    assert untouched.result == "passed" and untouched.version == before[cases[3].pk]
    for run in (failed, cleared, blocked):
        assert run.version == before[run.case_id] + 1
        assert run.updated_at == failed.updated_at
    assert {r.pk: r.version for r in done} == {r.pk: stored[r.case_id].version for r in done}
