"""Writing test cases: revisions, steps, permissions, the client PM's shared cases, retiring, reads."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tandem.core.choices import Visibility
from tandem.core.errors import ConflictError
from tandem.core.models import Activity
from tandem.quality import case_queries, cases
from tandem.quality.models import TestCase, TestCaseRevision
from tandem.testing.personas import World

from .case_fixtures import STEPS, Suite, make_suite

pytestmark = pytest.mark.django_db


@pytest.fixture
def suite(world: World) -> Suite:
    return make_suite(world)


def test_it_stores_revision_one_and_adds_one_when_the_content_changes(suite: Suite) -> None:
    case, pm = suite.shared, suite.world.pm
    assert case.code == "TC-001" and case.revision == 1
    assert list(case.revisions.values_list("number", flat=True)) == [1]
    case = cases.do_update_case(case, actor=pm, version=case.version, priority="low")
    assert case.revision == 1  # the priority is not content
    case = cases.do_update_case(
        case, actor=pm, version=case.version, steps="1. Open the page => It shows\n2. Sign in | Home page"
    )
    assert case.revision == 2
    assert case.steps == [
        {"action": "Open the page", "expected": "It shows"},
        {"action": "Sign in", "expected": "Home page"},
    ]
    first, second = TestCaseRevision.objects.filter(case=case).order_by("number")
    assert first.content["steps"] == STEPS and second.content["steps"] == case.steps
    record = Activity.objects.filter(target_id=str(case.pk), verb="updated").order_by("id").last()
    assert record is not None and record.changes["revision"] == [1, 2]


def test_an_update_checks_the_version(suite: Suite) -> None:
    with pytest.raises(ConflictError):
        cases.do_update_case(suite.shared, actor=suite.world.pm, version=99, title="x")


@pytest.mark.parametrize(
    ("steps", "fragment"),
    [
        ([{"action": "", "expected": "x"}], "action is empty"),
        ([{"action": "a"}] * 101, "at most 100"),
        ([{"action": "a" * 2001}], "at most 2000"),
        ([{"action": "a", "other": "b"}], "Step 1"),
        ("not a list" * 0 + "=> only expected", "action is empty"),
        (42, "list"),
    ],
)
def test_bad_steps_are_refused_naming_steps(suite: Suite, steps: object, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        cases.do_create_case(suite.world.project, actor=suite.world.pm, title="Bad", steps=steps)
    assert "steps" in caught.value.message_dict
    assert fragment in " ".join(caught.value.message_dict["steps"])
    assert TestCase.objects.filter(title="Bad").count() == 0


def test_only_writers_write_and_the_client_pms_case_is_shared(suite: Suite) -> None:
    world = suite.world
    for who in ("client_viewer", "reviewer", "sponsor", "team_viewer"):
        with pytest.raises(PermissionDenied):
            cases.do_create_case(world.project, actor=world.people[who], title="No")
    case = cases.do_create_case(
        world.project, actor=world.client_pm, title="Client's own", visibility=Visibility.INTERNAL
    )
    assert case.visibility == Visibility.SHARED
    case = cases.do_update_case(case, actor=world.client_pm, version=case.version, visibility="internal")
    assert case.visibility == Visibility.SHARED


def test_a_client_links_only_the_requirements_they_see_and_keeps_the_hidden_ones(suite: Suite) -> None:
    world = suite.world
    with pytest.raises(ValidationError) as caught:
        cases.do_create_case(world.project, actor=world.client_pm, title="x", requirements=[suite.margin.pk])
    assert "requirements" in caught.value.message_dict
    case = cases.do_update_case(
        suite.shared, actor=world.client_pm, version=suite.shared.version, requirements=[suite.report.pk]
    )
    assert set(case.requirements.all()) == {suite.report, suite.margin}


def test_a_case_that_ran_is_retired_not_deleted(suite: Suite) -> None:
    pm = suite.world.pm
    with pytest.raises(ValidationError) as caught:
        cases.do_delete_case(suite.shared, actor=pm, version=suite.shared.version)
    assert "retire it instead" in str(caught.value)
    retired = cases.do_retire_case(suite.shared, actor=pm, version=suite.shared.version)
    assert not retired.is_active
    back = cases.do_reactivate_case(retired, actor=pm, version=retired.version)
    assert back.is_active
    cases.do_delete_case(suite.other, actor=pm, version=suite.other.version)
    assert not TestCase.objects.filter(pk=suite.other.pk).exists()


def test_the_list_searches_filters_and_reads_through_the_scope(suite: Suite) -> None:
    world, project = suite.world, suite.world.project
    page = case_queries.cases_list(world.pm, project)
    assert [c.code for c in page.items] == ["TC-001", "TC-002", "TC-003"] and page.count == 3
    assert [c.code for c in case_queries.cases_list(world.pm, project, q="report").items] == ["TC-002"]
    assert [c.code for c in case_queries.cases_list(world.pm, project, q="tc-003").items] == ["TC-003"]
    assert [c.code for c in case_queries.cases_list(world.pm, project, q="tc-\x00003").items] == ["TC-003"]
    assert [c.code for c in case_queries.cases_list(world.pm, project, priority="high").items] == ["TC-001"]
    by_req = case_queries.cases_list(world.pm, project, requirement=suite.margin.pk)
    assert [c.code for c in by_req.items] == ["TC-001", "TC-003"]
    # The sponsor sees the shared cases, and only the shared requirement of TC-001.
    sponsor = case_queries.cases_list(world.sponsor, project)
    assert [c.code for c in sponsor.items] == ["TC-001", "TC-002"]
    assert [r.code for r in sponsor.items[0].shown_requirements] == [suite.login.code]
    assert case_queries.cases_list(world.sponsor, project, requirement=suite.margin.pk).count == 0
    # A client tester sees the case of their run only.
    assert [c.code for c in case_queries.cases_list(world.client_viewer, project).items] == ["TC-001"]
    assert [c.code for c in case_queries.cases_list(world.reviewer, project).items] == []
    with pytest.raises(Http404):
        case_queries.access_case(world.sponsor, project, suite.internal.pk)
    with pytest.raises(Http404):
        case_queries.access_case(world.client_viewer, project, suite.other.pk)
    with pytest.raises(ValidationError) as caught:
        case_queries.cases_list(world.pm, project, priority="urgent")
    assert "priority" in caught.value.message_dict
    with pytest.raises(ValidationError):
        case_queries.cases_list(world.pm, project, active="maybe")


def test_the_last_result_is_the_latest_executed_run_the_reader_sees(suite: Suite) -> None:
    from django.utils import timezone

    world, project = suite.world, suite.world.project
    suite.run.result, suite.run.executed_at = "failed", timezone.now()
    suite.run.save()
    case = case_queries.access_case(world.pm, project, suite.shared.pk)
    assert case.last_result == "failed"
    assert case_queries.access_case(world.client_viewer, project, suite.shared.pk).last_result == "failed"
    assert case_queries.access_case(world.pm, project, suite.other.pk).last_result is None
    assert list(case_queries.results_of(world.pm, case)) == [suite.run]
