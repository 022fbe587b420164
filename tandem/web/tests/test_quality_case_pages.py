"""The test case and quality standard pages, requested by every kind of viewer; what a client never reads;
the list's queries."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tandem.projects import services as project_services
from tandem.quality import cases, standards
from tandem.quality.models import TestCase, TestRun
from tandem.quality.tests.case_fixtures import make_suite
from tandem.testing.personas import World
from tandem.web.tests.test_page_permissions import (
    CLIENTS,
    MEMBERS,
    Case,
    check,
    project_page,
    submitted,
    url,
)
from tandem.web.tests.test_query_counts import count_queries

pytestmark = pytest.mark.django_db

WRITERS = ("client_pm", "member", "pm")
CSV = b"Title,Steps,Priority\nPay by card,Insert the card => PIN asked,high\n"


def _suite(world: World) -> None:
    suite = make_suite(world)
    project_services.do_update_section(
        world.project, key="quality_standards", body="Reviewed\nTested", version=0, actor=world.pm
    )
    standard = standards.do_add_standard(world.project, actor=world.pm, title="Reviewed")
    internal = standards.do_add_standard(
        world.project, actor=world.pm, title="Margin kept", visibility="internal"
    )
    standards.do_record_check(
        standard, actor=world.member, deliverable_id=world.records["deliverable_shared"].pk, result="passed"
    )
    world.records.update(
        shared_case=suite.shared,
        other_case=suite.other,
        internal_case=suite.internal,
        standard=standard,
        internal_standard=internal,
    )


def case_pk(key: str) -> Any:
    return lambda world: world.records[key].pk


def version_of(key: str) -> Any:
    return lambda world: TestCase.objects.get(pk=world.records[key].pk).version


def _case_form(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "title": "Refund",
        "steps": "Scan the receipt => Found",
        "priority": "high",
        "visibility": "shared",
        "version": "0",
        **extra,
    }


GET_CASES = [
    Case("test cases", url("test_cases", "ERP"), project_page(*MEMBERS), setup=_suite),
    Case(
        "test cases (HTMX results)",
        lambda w: reverse("web:test_cases", args=["ERP"]) + "?q=sign&priority=high&active=true",
        project_page(*MEMBERS),
        htmx=True,
        setup=_suite,
    ),
    Case("new test case", url("test_case_new", "ERP"), project_page(*WRITERS), setup=_suite),
    Case(
        "assigned test case",
        url("test_case_detail", "ERP", case_pk("shared_case")),
        project_page(*MEMBERS),
        setup=_suite,
    ),
    Case(
        "shared test case not assigned to the client tester",
        url("test_case_detail", "ERP", case_pk("other_case")),
        project_page("client_pm", "sponsor", "member", "pm", hidden_from=("client_viewer",)),
        setup=_suite,
    ),
    Case(
        "internal test case",
        url("test_case_detail", "ERP", case_pk("internal_case")),
        project_page("member", "pm", hidden_from=CLIENTS),
        setup=_suite,
    ),
    Case(
        "change a test case (form)",
        url("test_case_edit", "ERP", case_pk("shared_case")),
        project_page(*WRITERS),
        setup=_suite,
    ),
    Case("import test cases (form)", url("test_case_import", "ERP"), project_page(*WRITERS), setup=_suite),
    Case(
        "export test cases",
        lambda w: reverse("web:test_case_export", args=["ERP"]) + "?format=csv&priority=high",
        project_page(*MEMBERS),
        setup=_suite,
    ),
    Case("quality standards", url("quality_standards", "ERP"), project_page(*MEMBERS), setup=_suite),
    Case(
        "a check's history",
        lambda w: (
            reverse("web:quality_standards", args=["ERP"])
            + f"?history={w.records['standard'].pk}&target=deliverable:{w.records['deliverable_shared'].pk}"
        ),
        project_page(*MEMBERS),
        setup=_suite,
    ),
    Case(
        "an internal standard's history",
        lambda w: (
            reverse("web:quality_standards", args=["ERP"])
            + f"?history={w.records['internal_standard'].pk}&target=phase:1"
        ),
        project_page("member", "pm", hidden_from=CLIENTS),
        setup=_suite,
    ),
]

POST_CASES = [
    Case(
        "write a test case", url("test_case_new", "ERP"), submitted(*WRITERS), data=_case_form, setup=_suite
    ),
    Case(
        "change a test case",
        url("test_case_edit", "ERP", case_pk("shared_case")),
        submitted(*WRITERS),
        data=lambda w: _case_form(w, version=version_of("shared_case")(w)),
        setup=_suite,
    ),
    Case(
        "retire a test case",
        url("test_case_action", "ERP", case_pk("other_case")),
        {**submitted(*WRITERS), "client_viewer": 404},
        data=lambda w: {"action": "retire", "version": version_of("other_case")(w)},
        setup=_suite,
    ),
    Case(
        "preview an import",
        url("test_case_import", "ERP"),
        project_page(*WRITERS),
        data=lambda w: {"step": "preview", "file": _upload()},
        setup=_suite,
    ),
    Case(
        "confirm an import",
        url("test_case_import", "ERP"),
        submitted(*WRITERS),
        data=lambda w: {"step": "import", "filename": "c.csv", "content": base64.b64encode(CSV).decode()},
        setup=_suite,
    ),
    Case(
        "add a quality standard",
        url("quality_standards", "ERP"),
        submitted("pm"),
        data=lambda w: {"action": "add", "title": "Code reviewed", "visibility": "shared"},
        setup=_suite,
    ),
    Case(
        "take the standards from the charter",
        url("quality_standards", "ERP"),
        submitted("pm"),
        data=lambda w: {"action": "from_charter"},
        setup=_suite,
    ),
    Case(
        "record a check",
        url("quality_standards", "ERP"),
        submitted("member", "pm"),
        data=lambda w: {
            "action": "check",
            "standard": w.records["standard"].pk,
            "target": f"deliverable:{w.records['deliverable_shared'].pk}",
            "result": "passed",
            "note": "fine",
        },
        setup=_suite,
    ),
]


def _upload() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("cases.csv", CSV, "text/csv")


@pytest.mark.parametrize("case", GET_CASES, ids=lambda c: c.name)
def test_it_answers_each_page_as_the_permission_model_says(world: World, case: Case) -> None:
    check(world, case)


@pytest.mark.parametrize("case", POST_CASES, ids=lambda c: c.name)
def test_it_answers_each_form_as_the_permission_model_says(world: World, case: Case) -> None:
    check(world, case)


def test_a_client_never_reads_an_internal_case_or_requirement(world: World) -> None:
    _suite(world)
    for viewer in CLIENTS:
        client = Client()
        client.force_login(world.people[viewer])
        pages = [
            reverse("web:test_cases", args=["ERP"]),
            reverse("web:test_case_detail", args=["ERP", world.records["shared_case"].pk]),
            reverse("web:test_case_export", args=["ERP"]) + "?format=csv",
            reverse("web:quality_standards", args=["ERP"]),
        ]
        for page in pages:
            body = client.get(page).content.decode("utf-8-sig")
            assert "Margin" not in body, (viewer, page)
    tester = Client()
    tester.force_login(world.client_viewer)
    body = tester.get(reverse("web:test_cases", args=["ERP"])).content.decode()
    assert "Sign in" in body and "Print the report" not in body


def test_the_steps_form_names_the_bad_line(world: World) -> None:
    _suite(world)
    client = Client()
    client.force_login(world.pm)
    response = client.post(
        reverse("web:test_case_new", args=["ERP"]), _case_form(world, steps="Open => ok\n=> only expected")
    )
    assert response.status_code == 400 and "Step 2" in response.content.decode()
    assert not TestCase.objects.filter(title="Refund").exists()


def test_an_import_with_a_bad_row_saves_nothing(world: World) -> None:
    _suite(world)
    client = Client()
    client.force_login(world.pm)
    bad = CSV + b"Refund,Scan,urgent\n"
    response = client.post(
        reverse("web:test_case_import", args=["ERP"]),
        {"step": "import", "filename": "c.csv", "content": base64.b64encode(bad).decode()},
    )
    assert response.status_code == 400 and "row 3, Priority" in response.content.decode()
    assert not TestCase.objects.filter(title="Pay by card").exists()


@pytest.mark.parametrize("viewer", ["pm", "client_viewer"])
def test_the_list_reads_a_fixed_number_of_queries(world: World, viewer: str) -> None:
    _suite(world)
    suite_run = TestRun.objects.get()
    client = Client()
    client.force_login(world.people[viewer])
    page = reverse("web:test_cases", args=["ERP"])

    def grow(n: int) -> int:
        for i in range(n):
            case = cases.do_create_case(
                world.project,
                actor=world.pm,
                title=f"Case {n}-{i}",
                requirements=[world.records["shared_case"].requirements.first().pk],
            )
            TestRun.objects.create(cycle=suite_run.cycle, case=case, assignee=world.client_viewer)
        return count_queries(client, page)

    assert grow(3) == grow(30)
