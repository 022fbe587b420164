"""The acceptance pages: who reads and posts what, the flow from draft to signature, fixed query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.planning.choices import TaskStatus
from tandem.planning.models import Task
from tandem.quality import acceptance
from tandem.quality.choices import AcceptanceStatus, ConditionStatus, CriterionResult
from tandem.quality.models import AcceptanceRequest
from tandem.quality.tests.acceptance_setup import draft, in_review, mark_all, ready_for_acceptance
from tandem.testing.personas import World
from tandem.web.tests.test_page_permissions import (
    CLIENTS,
    MEMBERS,
    Case,
    check,
    project_page,
    rec,
    submitted,
    url,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
#: The title of the draft: a client must never read it.
DRAFT_TITLE = "Secret draft of the migration"


def _acceptances(world: World) -> None:
    ready = ready_for_acceptance(world)
    made = draft(world, ready, title=DRAFT_TITLE)
    world.records["acc_document"] = acceptance.do_add_document(
        made, actor=world.pm, title="Manual", upload=SimpleUploadedFile("m.pdf", PDF, "application/pdf")
    )
    world.records["acc_draft"] = made
    world.records["acc_review"] = in_review(world, ready)
    world.records["ready"] = ready


def _version(key: str) -> Any:
    return lambda w: AcceptanceRequest.objects.get(pk=w.records[key].pk).version


def _criterion(key: str) -> Any:
    return lambda w: w.records[key].criteria.order_by("position").first().pk


GET_CASES = [
    Case("acceptances", url("acceptances", "ERP"), project_page(*MEMBERS), setup=_acceptances),
    Case(
        "acceptances by status",
        lambda w: reverse("web:acceptances", args=["ERP"]) + "?status=in_review",
        project_page(*MEMBERS),
        setup=_acceptances,
    ),
    Case(
        "acceptances export",
        lambda w: reverse("web:acceptance_export", args=["ERP"]) + "?format=csv",
        project_page(*MEMBERS),
        setup=_acceptances,
    ),
    Case("new acceptance", url("acceptance_new", "ERP"), project_page("pm"), setup=_acceptances),
    Case(
        "draft acceptance",
        url("acceptance_detail", "ERP", rec("acc_draft")),
        project_page("member", "pm", hidden_from=CLIENTS),
        setup=_acceptances,
    ),
    Case(
        "acceptance in review",
        url("acceptance_detail", "ERP", rec("acc_review")),
        project_page(*MEMBERS),
        setup=_acceptances,
    ),
    Case(
        "edit a draft acceptance",
        url("acceptance_edit", "ERP", rec("acc_draft")),
        project_page("pm", hidden_from=CLIENTS),
        setup=_acceptances,
    ),
    Case(
        "a draft's document",
        url("acceptance_document", "ERP", rec("acc_draft"), rec("acc_document")),
        project_page("member", "pm", hidden_from=CLIENTS),
        setup=_acceptances,
    ),
]

POST_CASES = [
    Case(
        "prepare an acceptance",
        url("acceptance_new", "ERP"),
        submitted("pm"),
        data=lambda w: {"deliverable_id": w.records["ready"].deliverable.pk, "version": 0},
        setup=_acceptances,
    ),
    Case(
        "send a draft for review",
        url("acceptance_detail", "ERP", rec("acc_draft")),
        {**submitted("member", "pm"), **{c: 404 for c in CLIENTS}, "member": 403},
        data=lambda w: {"action": "submit", "version": _version("acc_draft")(w)},
        setup=_acceptances,
    ),
    Case(
        "mark a criterion",
        url("acceptance_detail", "ERP", rec("acc_review")),
        submitted("client_pm", "sponsor"),
        data=lambda w: {
            "action": "review",
            "criterion": _criterion("acc_review")(w),
            f"c{_criterion('acc_review')(w)}-verdict": "accepted",
            f"c{_criterion('acc_review')(w)}-comment": "Fine",
        },
        setup=_acceptances,
    ),
    Case(
        "sign a rejection",
        url("acceptance_detail", "ERP", rec("acc_review")),
        submitted("client_pm", "sponsor"),
        data=lambda w: {
            "action": "sign",
            "version": _version("acc_review")(w),
            "decision": "reject",
            "comment": "Not yet",
            "rework": "defects",
            "condition_text": "",
            "condition_due": "",
            "condition_owner": "",
        },
        setup=_acceptances,
    ),
    Case(
        "withdraw from review",
        url("acceptance_detail", "ERP", rec("acc_review")),
        submitted("pm"),
        data=lambda w: {"action": "withdraw", "version": _version("acc_review")(w)},
        setup=_acceptances,
    ),
]


@pytest.fixture(autouse=True)
def _files_in_a_temporary_folder(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("case", GET_CASES, ids=lambda c: c.name)
def test_it_answers_each_page_as_the_permission_model_says(world: World, case: Case) -> None:
    check(world, case)


@pytest.mark.parametrize("case", POST_CASES, ids=lambda c: c.name)
def test_it_answers_each_form_as_the_permission_model_says(world: World, case: Case) -> None:
    check(world, case)


def test_a_client_never_reads_a_draft_on_the_list(world: World) -> None:
    _acceptances(world)
    for viewer in ("client_viewer", "client_pm", "sponsor"):
        client = Client()
        client.force_login(world.people[viewer])
        body = client.get(reverse("web:acceptances", args=["ERP"])).content.decode()
        assert DRAFT_TITLE not in body and "ACC-002" in body
    client = Client()
    client.force_login(world.member)
    assert DRAFT_TITLE in client.get(reverse("web:acceptances", args=["ERP"])).content.decode()


def test_an_empty_list_says_what_comes_here(world: World, client: Client) -> None:
    client.force_login(world.sponsor)
    body = client.get(reverse("web:acceptances", args=["ERP"])).content.decode()
    assert "No acceptance requests yet." in body


def test_a_reviewer_marks_and_the_sponsor_signs_with_a_condition_on_the_page(world: World) -> None:
    _acceptances(world)
    request = world.records["acc_review"]
    page = reverse("web:acceptance_detail", args=["ERP", request.pk])
    reviewer = Client()
    reviewer.force_login(world.reviewer)
    for criterion in request.criteria.all():
        answer = reviewer.post(
            page, {"action": "review", "criterion": criterion.pk, f"c{criterion.pk}-verdict": "accepted"}
        )
        assert answer.status_code == 302
    assert set(request.criteria.values_list("result", flat=True)) == {CriterionResult.ACCEPTED}
    body = reviewer.get(page).content.decode()
    assert "Only Cindy Client PM (client project manager), Sam Sponsor (sponsor) can sign." in body
    sponsor = Client()
    sponsor.force_login(world.sponsor)
    base = {"action": "sign", "version": _version("acc_review")(world), "decision": "accept_with_conditions"}
    refused = sponsor.post(
        page, {**base, "condition_text": "Train staff", "condition_due": "", "condition_owner": ""}
    )
    assert refused.status_code == 400 and "Give the date by which" in refused.content.decode()
    more = sponsor.post(page, {**base, "action": "add_condition_row", "condition_text": "Train staff"})
    assert more.content.decode().count('name="condition_text"') == 2
    done = sponsor.post(
        page,
        {
            **base,
            "condition_text": ["Train staff", ""],
            "condition_due": ["2026-07-15", ""],
            "condition_owner": [str(world.pm.pk), ""],
        },
    )
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == AcceptanceStatus.ACCEPTED_WITH_CONDITIONS
    assert [c.text for c in request.conditions.all()] == ["Train staff"]
    milestone = Task.objects.get(pk=world.records["ready"].milestone.pk)
    assert milestone.status == TaskStatus.DONE
    body = sponsor.get(page).content.decode()
    assert "Accepted with conditions" in body and "Train staff" in body and 'id="sign-form"' not in body
    pm = Client()
    pm.force_login(world.pm)
    condition = request.conditions.get()
    assert (
        pm.post(page, {"action": "condition_done", "condition": condition.pk, "version": 1}).status_code
        == 302
    )
    condition.refresh_from_db()
    assert condition.status == ConditionStatus.DONE


def test_a_draft_is_prepared_edited_and_sent_from_the_pages(world: World, client: Client) -> None:
    ready = ready_for_acceptance(world)
    client.force_login(world.pm)
    answer = client.post(
        reverse("web:acceptance_new", args=["ERP"]),
        {"deliverable_id": ready.deliverable.pk, "reviewer_ids": [world.reviewer.pk], "version": 0},
    )
    assert answer.status_code == 302
    made = AcceptanceRequest.objects.get()
    page = reverse("web:acceptance_detail", args=["ERP", made.pk])
    assert (
        client.post(page, {"action": "add_criterion", "text": "Handover done", "mandatory": "on"}).status_code
        == 302
    )
    assert made.criteria.count() == 5
    missing = client.post(reverse("web:acceptance_new", args=["ERP"]), {"version": 0})
    assert missing.status_code == 400 and "Choose the deliverable" in missing.content.decode()
    edit = reverse("web:acceptance_edit", args=["ERP", made.pk])
    saved = client.post(
        edit, {"deliverable_id": ready.deliverable.pk, "title": "Wave 1", "version": made.version}
    )
    assert saved.status_code == 302
    made.refresh_from_db()
    assert made.title == "Wave 1"
    client.post(
        page,
        {
            "action": "add_document",
            "title": "Report",
            "file": SimpleUploadedFile("r.pdf", PDF, "application/pdf"),
        },
    )
    assert made.documents.count() == 1
    assert client.post(page, {"action": "submit", "version": made.version}).status_code == 302
    made.refresh_from_db()
    assert made.status == AcceptanceStatus.IN_REVIEW
    assert client.get(edit).status_code == 403


def test_the_list_and_the_detail_read_a_fixed_number_of_queries(world: World) -> None:
    _acceptances(world)
    ready = world.records["ready"]
    client = Client()
    client.force_login(world.pm)
    listing = reverse("web:acceptances", args=["ERP"])
    detail = reverse("web:acceptance_detail", args=["ERP", world.records["acc_review"].pk])
    client.get(listing)
    client.get(detail)
    with CaptureQueriesContext(connection) as few_rows:
        client.get(listing)
    with CaptureQueriesContext(connection) as few_criteria:
        client.get(detail)
    for _ in range(10):
        in_review(world, ready)
    request = world.records["acc_review"]
    for i in range(20):
        acceptance.do_add_criterion  # noqa: B018 - criteria are added on drafts only; add rows directly
        request.criteria.create(text=f"Extra {i}", position=100 + i)
    mark_all(world, request)
    with CaptureQueriesContext(connection) as many_rows:
        client.get(listing)
    with CaptureQueriesContext(connection) as many_criteria:
        client.get(detail)
    assert len(many_rows) <= len(few_rows)
    assert len(many_criteria) <= len(few_criteria)


def test_the_export_lists_what_the_reader_reads_in_their_language(world: World) -> None:
    _acceptances(world)
    export = reverse("web:acceptance_export", args=["ERP"])
    client = Client()
    client.force_login(world.sponsor)
    text = client.get(export + "?format=csv").content.decode("utf-8-sig")
    assert DRAFT_TITLE not in text and "ACC-002" in text and text.startswith("Code,Title,Deliverable")
    world.member.language = "zh-hans"
    world.member.save(update_fields=["language"])
    client.force_login(world.member)
    text = client.get(export + "?format=csv").content.decode("utf-8-sig")
    assert DRAFT_TITLE in text and text.startswith("代码")
    xlsx = client.get(export + "?format=xlsx&status=in_review")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(export + "?format=pdf").status_code == 404
    assert client.get(export + "?status=nonsense").status_code == 404
