"""What the quality benchmark (``benchmarks/quality.py``) changed: the coverage matrix keeps only the
requirements its reader sees when it reads the links by case, and reads no case's long texts; a cycle's
page offers only the cases not yet in it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.core.choices import Visibility
from tandem.quality import runs
from tandem.quality.coverage import coverage_of
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
