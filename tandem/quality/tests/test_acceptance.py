"""Acceptance requests: preparing, reviewing, signing once, the rework, the conditions, the plan."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tandem.communication.models import Notification, NotificationVerb
from tandem.core.choices import Visibility
from tandem.core.models import Activity
from tandem.planning.choices import TaskStatus
from tandem.planning.models import Task
from tandem.projects import services as projects
from tandem.projects.models import Deliverable
from tandem.quality import acceptance, content
from tandem.quality.choices import (
    AcceptanceStatus,
    ConditionStatus,
    CriterionResult,
    CriterionSource,
)
from tandem.quality.models import AcceptanceCriterion, AcceptanceRequest, CriterionReview, Defect
from tandem.quality.tests.acceptance_setup import Ready, draft, in_review, mark_all, ready_for_acceptance
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def ready(world: World) -> Ready:
    return ready_for_acceptance(world)


def _fields(caught: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(caught.value.message_dict)


def test_a_draft_starts_with_the_criteria_of_the_deliverable_and_its_shared_requirements(
    world: World, ready: Ready
) -> None:
    made = draft(world, ready)
    assert (made.code, made.title, made.status) == ("ACC-001", "Data migration", AcceptanceStatus.DRAFT)
    assert made.visibility == Visibility.INTERNAL and made.requested_by == world.pm
    rows = list(made.criteria.order_by("position"))
    assert [(c.text, c.source, c.mandatory) for c in rows] == [
        ("All stores migrated", CriterionSource.DELIVERABLE, True),
        ("Stock reconciles", CriterionSource.DELIVERABLE, True),
        ("Prices match the old system", CriterionSource.REQUIREMENT, True),
        ("Key users trained", CriterionSource.REQUIREMENT, True),
    ]  # not the internal requirement's: the request goes to the client
    assert rows[2].requirement == ready.requirement
    assert set(made.reviewers.all()) == {world.reviewer} and set(made.test_cycles.all()) == {ready.cycle}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"deliverable_id": None}, "deliverable_id"),
        ({"deliverable_id": 999999}, "deliverable_id"),
        ({"milestone_id": 999999}, "milestone_id"),
        ({"demo_meeting_id": 999999}, "demo_meeting_id"),
        ({"reviewer_ids": [999999]}, "reviewer_ids"),
        ({"test_cycle_ids": [999999]}, "test_cycle_ids"),
        ({"due_date": "soon"}, "due_date"),
        ({"code": "ACC-999"}, "code"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(
    world: World, ready: Ready, data: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        draft(world, ready, **data)
    assert field in _fields(caught)
    assert not AcceptanceRequest.objects.exists() and not AcceptanceCriterion.objects.exists()


def test_only_the_teams_pms_and_leads_prepare(world: World, ready: Ready) -> None:
    for who in ("member", "client_pm", "sponsor", "reviewer"):
        with pytest.raises(PermissionDenied):
            acceptance.do_create_request(
                world.project, actor=world.people[who], data={"deliverable_id": ready.deliverable.pk}
            )
    made = acceptance.do_create_request(
        world.project, actor=world.lead, data={"milestone_id": ready.milestone.pk, "title": "Go-live"}
    )
    assert made.criteria.count() == 4  # the milestone's deliverable


def test_a_draft_is_edited_and_sent_for_review(world: World, ready: Ready) -> None:
    made = draft(world, ready)
    pm = world.pm
    extra = acceptance.do_add_criterion(made, actor=pm, text="Handover note signed", mandatory=False)
    assert extra.source == CriterionSource.CUSTOM and extra.position == 5
    first = made.criteria.order_by("position").first()
    assert first is not None
    acceptance.do_update_criterion(first, actor=pm, mandatory=False, text="All 40 stores migrated")
    first.refresh_from_db()
    assert (first.text, first.mandatory) == ("All 40 stores migrated", False)
    with pytest.raises(ValidationError) as caught:
        acceptance.do_update_criterion(first, actor=pm, text="  ")
    assert "text" in _fields(caught)
    acceptance.do_remove_criterion(extra, actor=pm)
    made = acceptance.do_update_request(made, actor=pm, version=made.version, title="Data migration, wave 1")
    assert made.title == "Data migration, wave 1"
    sent = acceptance.do_submit(made, actor=pm, version=made.version)
    assert sent.status == AcceptanceStatus.IN_REVIEW and sent.visibility == Visibility.SHARED
    assert sent.submitted_at is not None
    told = set(
        Notification.objects.filter(verb=NotificationVerb.ACCEPTANCE_REVIEW).values_list(
            "recipient", flat=True
        )
    )
    assert told == {world.reviewer.pk, world.sponsor.pk, world.client_pm.pk}
    with pytest.raises(ValidationError) as caught:
        acceptance.do_update_request(sent, actor=pm, version=sent.version, title="x")
    assert "status" in _fields(caught)
    with pytest.raises(ValidationError):
        acceptance.do_add_criterion(sent, actor=pm, text="late")


def test_a_draft_without_criteria_is_not_sent_and_a_draft_may_be_deleted(world: World, ready: Ready) -> None:
    made = draft(world, ready)
    for criterion in list(made.criteria.all()):
        acceptance.do_remove_criterion(criterion, actor=world.pm)
    with pytest.raises(ValidationError) as caught:
        acceptance.do_submit(made, actor=world.pm, version=made.version)
    assert "criteria" in _fields(caught)
    acceptance.do_delete_request(made, actor=world.pm, version=made.version)
    assert not AcceptanceRequest.objects.exists()


def test_each_reviewer_has_one_mark_and_the_criterion_stands_by_all_of_them(
    world: World, ready: Ready
) -> None:
    request = in_review(world, ready)
    criterion = request.criteria.order_by("position").first()
    assert criterion is not None
    acceptance.do_review(
        criterion, actor=world.reviewer, verdict="not_accepted", comment="Two stores missing"
    )
    criterion.refresh_from_db()
    assert criterion.result == CriterionResult.NOT_ACCEPTED
    acceptance.do_review(criterion, actor=world.reviewer, verdict="accepted")
    criterion.refresh_from_db()
    assert criterion.result == CriterionResult.ACCEPTED and CriterionReview.objects.count() == 1
    acceptance.do_review(criterion, actor=world.sponsor, verdict="not_accepted")
    criterion.refresh_from_db()
    assert criterion.result == CriterionResult.NOT_ACCEPTED and CriterionReview.objects.count() == 2
    with pytest.raises(PermissionDenied):
        acceptance.do_review(criterion, actor=world.client_viewer, verdict="accepted")
    with pytest.raises(ValidationError) as caught:
        acceptance.do_review(criterion, actor=world.reviewer, verdict="maybe")
    assert "verdict" in _fields(caught)


def test_criteria_are_not_marked_on_a_draft(world: World, ready: Ready) -> None:
    made = draft(world, ready)
    criterion = made.criteria.first()
    assert criterion is not None
    with pytest.raises(ValidationError) as caught:
        acceptance.do_review(criterion, actor=world.sponsor, verdict="accepted")
    assert "status" in _fields(caught)


def test_only_a_holder_of_accept_deliverable_signs(world: World, ready: Ready) -> None:
    request = in_review(world, ready)
    mark_all(world, request)
    for who in ("pm", "lead", "member", "reviewer", "client_viewer"):
        with pytest.raises(PermissionDenied) as caught:
            acceptance.do_sign(request, actor=world.people[who], version=request.version, decision="accept")
        assert "Accept deliverable" in str(caught.value)
    request.refresh_from_db()
    assert request.status == AcceptanceStatus.IN_REVIEW


def test_accepting_needs_every_mandatory_criterion_accepted(world: World, ready: Ready) -> None:
    request = in_review(world, ready)
    with pytest.raises(ValidationError) as caught:
        acceptance.do_sign(request, actor=world.sponsor, version=request.version, decision="accept")
    assert _fields(caught) == {"decision"}
    assert "accept with conditions or reject" in str(caught.value)
    request.refresh_from_db()
    assert request.status == AcceptanceStatus.IN_REVIEW and not request.content_sha256


@pytest.mark.parametrize(
    ("how", "field"),
    [
        ({"decision": "accept_with_conditions"}, "conditions"),
        (
            {"decision": "accept_with_conditions", "conditions": [{"text": "Train staff"}]},
            "conditions[0].due_date",
        ),
        (
            {"decision": "accept_with_conditions", "conditions": [{"text": "", "due_date": "2026-07-01"}]},
            "conditions[0].text",
        ),
        (
            {
                "decision": "accept_with_conditions",
                "conditions": [{"text": "x", "due_date": "2026-07-01", "owner_id": 999999}],
            },
            "conditions[0].owner_id",
        ),
        ({"decision": "reject"}, "comment"),
        ({"decision": "reject", "comment": "No", "rework": "prayers"}, "rework"),
        ({"decision": "shrug"}, "decision"),
    ],
)
def test_a_signature_is_refused_naming_the_rule(
    world: World, ready: Ready, how: dict[str, object], field: str
) -> None:
    request = in_review(world, ready)
    with pytest.raises(ValidationError) as caught:
        acceptance.do_sign(request, actor=world.sponsor, version=request.version, **how)  # type: ignore[arg-type]
    assert field in _fields(caught)
    request.refresh_from_db()
    assert request.status == AcceptanceStatus.IN_REVIEW and not request.conditions.exists()
    assert not Defect.objects.exists()


def test_accepting_with_conditions_freezes_the_content_and_completes_the_milestone(
    world: World, ready: Ready
) -> None:
    request = in_review(world, ready)
    mark_all(world, request)
    signed = acceptance.do_sign(
        request,
        actor=world.sponsor,
        version=request.version,
        decision="accept_with_conditions",
        comment="Fine once staff are trained",
        conditions=[{"text": "Train store staff", "due_date": "2026-07-15", "owner_id": world.pm.pk}],
    )
    signed.refresh_from_db()
    assert signed.status == AcceptanceStatus.ACCEPTED_WITH_CONDITIONS
    assert signed.signed_by == world.sponsor and signed.signed_at is not None
    assert signed.content is not None and signed.content_sha256 == content.digest(signed.content)
    assert signed.content["decision"] == "accept_with_conditions"
    assert signed.content["conditions"] == [
        {"text": "Train store staff", "due_date": "2026-07-15", "owner": "Alice PM"}
    ]
    assert signed.content["evidence"]["test_cycles"] == [
        {"name": "UAT 1", "kind": "uat", "passed": 2, "failed": 1, "blocked": 0, "not_run": 0}
    ]
    assert len(signed.content["criteria"]) == 4 and signed.content["signed_by"]["role"] == "sponsor"
    condition = signed.conditions.get()
    assert (condition.due_date, condition.status) == (dt.date(2026, 7, 15), ConditionStatus.OPEN)
    milestone = Task.objects.get(pk=ready.milestone.pk)
    assert (milestone.status, milestone.percent_complete) == (TaskStatus.DONE, 100)
    assert milestone.actual_finish == signed.signed_at
    assert Activity.objects.filter(verb="signed", changes__decision=[None, "accept_with_conditions"]).exists()
    reached = Activity.objects.get(verb="reached", target_id=str(milestone.pk))
    assert reached.actor == world.sponsor and reached.changes["decision"] == [None, "accept_deliverable"]


def test_signing_twice_is_refused_as_already_signed(world: World, ready: Ready) -> None:
    request = in_review(world, ready)
    mark_all(world, request)
    signed = acceptance.do_sign(request, actor=world.sponsor, version=request.version, decision="accept")
    with pytest.raises(ValidationError) as caught:
        acceptance.do_sign(
            signed, actor=world.client_pm, version=signed.version, decision="reject", comment="x"
        )
    assert "already signed" in str(caught.value)
    signed.refresh_from_db()
    assert signed.status == AcceptanceStatus.ACCEPTED and signed.signed_by == world.sponsor


def test_a_signed_request_refuses_every_change(world: World, ready: Ready) -> None:
    request = in_review(world, ready)
    mark_all(world, request)
    doc_request = request
    signed = acceptance.do_sign(doc_request, actor=world.sponsor, version=request.version, decision="accept")
    digest = signed.content_sha256
    criterion = signed.criteria.first()
    assert criterion is not None
    pm = world.pm
    attempts = [
        lambda: acceptance.do_update_request(signed, actor=pm, version=signed.version, title="x"),
        lambda: acceptance.do_delete_request(signed, actor=pm, version=signed.version),
        lambda: acceptance.do_add_criterion(signed, actor=pm, text="x"),
        lambda: acceptance.do_update_criterion(criterion, actor=pm, text="x"),
        lambda: acceptance.do_remove_criterion(criterion, actor=pm),
        lambda: acceptance.do_add_document(
            signed, actor=pm, upload=SimpleUploadedFile("a.pdf", PDF, "application/pdf")
        ),
        lambda: acceptance.do_submit(signed, actor=pm, version=signed.version),
        lambda: acceptance.do_withdraw(signed, actor=pm, version=signed.version),
        lambda: acceptance.do_review(criterion, actor=world.reviewer, verdict="not_accepted"),
        lambda: acceptance.do_sign(signed, actor=world.sponsor, version=signed.version, decision="accept"),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as caught:
            attempt()
        assert "status" in _fields(caught)
        assert "signed" in str(caught.value)
    signed.refresh_from_db()
    assert signed.content_sha256 == digest and signed.title == "Data migration"
    assert signed.criteria.count() == 4 and not signed.documents.exists()


def test_a_signed_requests_document_cannot_be_removed(world: World, ready: Ready) -> None:
    made = draft(world, ready)
    document = acceptance.do_add_document(
        made, actor=world.pm, title="Test report", upload=SimpleUploadedFile("r.pdf", PDF, "application/pdf")
    )
    made.refresh_from_db()
    made = acceptance.do_submit(made, actor=world.pm, version=made.version)
    mark_all(world, made)
    signed = acceptance.do_sign(made, actor=world.sponsor, version=made.version, decision="accept")
    assert signed.content is not None
    assert signed.content["evidence"]["documents"] == [
        {"title": "Test report", "filename": "r.pdf", "sha256": hashlib.sha256(PDF).hexdigest()}
    ]
    document.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        acceptance.do_remove_document(document, actor=world.pm)
    assert "signed" in str(caught.value)


def test_rejecting_files_a_defect_per_criterion_not_accepted_and_reopens_the_milestone(
    world: World, ready: Ready
) -> None:
    first = in_review(world, ready)
    mark_all(world, first)
    acceptance.do_sign(first, actor=world.sponsor, version=first.version, decision="accept")
    assert Task.objects.get(pk=ready.milestone.pk).percent_complete == 100
    second = in_review(world, ready)
    rows = list(second.criteria.order_by("position"))
    for row in rows[:3]:
        row.request = second
        acceptance.do_review(row, actor=world.reviewer, verdict="accepted")
    rows[0].request = second
    acceptance.do_review(
        rows[0], actor=world.client_pm, verdict="not_accepted", comment="Store 12 is missing"
    )
    acceptance.do_sign(
        second,
        actor=world.client_pm,
        version=second.version,
        decision="reject",
        comment="Not yet",
        rework="defects",
    )
    defects = list(Defect.objects.order_by("code"))
    assert len(defects) == 2  # the criterion marked not accepted and the one nobody marked
    assert all(d.acceptance_id == second.pk and d.visibility == Visibility.SHARED for d in defects)
    assert "Store 12 is missing" in defects[0].description
    assert defects[1].requirement is not None and defects[1].requirement.code == "REQ-103"
    milestone = Task.objects.get(pk=ready.milestone.pk)
    assert (milestone.status, milestone.percent_complete, milestone.actual_finish) == (
        TaskStatus.NOT_STARTED,
        0,
        None,
    )


def test_rejecting_with_plan_tasks_adds_them_under_the_milestones_parent(world: World, ready: Ready) -> None:
    request = in_review(world, ready)
    acceptance.do_sign(
        request, actor=world.sponsor, version=request.version, decision="reject", comment="No", rework="tasks"
    )
    added = list(Task.objects.filter(name__startswith="ACC-001:").order_by("id"))
    assert len(added) == 4
    assert all(t.parent_id == ready.phase.pk and t.deliverable_id == ready.deliverable.pk for t in added)
    assert not Defect.objects.exists()


def test_conditions_are_tracked_after_signing_by_their_owner_or_the_teams_leads(
    world: World, ready: Ready
) -> None:
    request = in_review(world, ready)
    signed = acceptance.do_sign(
        request,
        actor=world.sponsor,
        version=request.version,
        decision="accept_with_conditions",
        conditions=[
            {"text": "Train staff", "due_date": dt.date(2026, 7, 1), "owner_id": world.client_pm.pk},
            {"text": "Fix store 12", "due_date": "2026-07-02"},
        ],
    )
    mine, other = list(signed.conditions.order_by("position"))
    done = acceptance.do_complete_condition(mine, actor=world.client_pm, version=mine.version)
    assert done.status == ConditionStatus.DONE and done.done_by == world.client_pm and done.done_at
    with pytest.raises(ValidationError):
        acceptance.do_complete_condition(done, actor=world.client_pm, version=done.version)
    with pytest.raises(PermissionDenied):
        acceptance.do_complete_condition(other, actor=world.client_pm, version=other.version)
    with pytest.raises(PermissionDenied):
        acceptance.do_complete_condition(other, actor=world.member, version=other.version)
    other = acceptance.do_complete_condition(other, actor=world.lead, version=other.version)
    reopened = acceptance.do_reopen_condition(other, actor=world.pm, version=other.version)
    assert reopened.status == ConditionStatus.OPEN and reopened.done_at is None
    assert Activity.objects.filter(verb="completed").count() == 2
    assert Activity.objects.filter(verb="reopened", target_id=str(other.pk)).exists()


def test_documents_are_pdf_images_or_office_files_up_to_20_mb(world: World, ready: Ready) -> None:
    made = draft(world, ready)
    pm = world.pm
    document = acceptance.do_add_document(
        made, actor=pm, title="", upload=SimpleUploadedFile("report.pdf", PDF, "application/pdf")
    )
    assert document.title == "report.pdf" and document.sha256 == hashlib.sha256(PDF).hexdigest()
    docx = SimpleUploadedFile(
        "m.docx",
        b"PK\x03\x04" + b"\x00" * 40,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    assert acceptance.do_add_document(made, actor=pm, upload=docx).size == 44
    for upload in (
        SimpleUploadedFile("x.pdf", b"#!/bin/sh\necho", "application/pdf"),
        SimpleUploadedFile("x.txt", b"hello", "text/plain"),
        SimpleUploadedFile("e.pdf", b"", "application/pdf"),
        None,
    ):
        with pytest.raises(ValidationError) as caught:
            acceptance.do_add_document(made, actor=pm, upload=upload)
        assert "file" in _fields(caught)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (20 * 1024 * 1024), "application/pdf")
    with pytest.raises(ValidationError):
        acceptance.do_add_document(made, actor=pm, upload=big)
    with pytest.raises(PermissionDenied):
        acceptance.do_add_document(
            made, actor=world.member, upload=SimpleUploadedFile("r.pdf", PDF, "application/pdf")
        )
    assert made.documents.count() == 2


def test_a_deliverable_keeps_its_acceptance_criteria_in_the_charter(world: World) -> None:
    pm, project = world.pm, world.project
    made = projects.do_add_charter_item(
        project,
        kind="deliverables",
        actor=pm,
        data={"name": "Reports", "acceptance_criteria": "1. Daily sales report\n\n- Weekly stock report"},
    )
    assert made.acceptance_criteria == ["Daily sales report", "Weekly stock report"]
    with pytest.raises(ValidationError) as caught:
        projects.do_update_charter_item(
            made, data={"acceptance_criteria": [1, 2]}, version=made.version, actor=pm
        )
    assert "acceptance_criteria" in _fields(caught)
    from tandem.projects.charter import charter_content

    assert charter_content(project)["deliverables"][-1]["acceptance_criteria"] == [
        "Daily sales report",
        "Weekly stock report",
    ]


def test_a_charter_revision_frozen_before_deliverables_had_criteria_shows_no_change() -> None:
    from tandem.projects.charter import diff_content

    old = {"sections": {}, "deliverables": [{"id": 1, "visibility": "shared", "name": "A", "raci": {}}]}
    new = {
        "sections": {},
        "deliverables": [
            {"id": 1, "visibility": "shared", "name": "A", "raci": {}, "acceptance_criteria": []}
        ],
    }
    assert diff_content(old, new) == []
    new["deliverables"][0]["acceptance_criteria"] = ["Signed off"]
    assert diff_content(old, new)[0]["fields"] == {"acceptance_criteria": [[], ["Signed off"]]}


def test_the_stored_content_is_built_again_from_the_signed_request(world: World, ready: Ready) -> None:
    request = in_review(world, ready)
    mark_all(world, request)
    signed = acceptance.do_sign(request, actor=world.sponsor, version=request.version, decision="accept")
    signed.refresh_from_db()
    assert acceptance.build_content(signed) == signed.content


def test_a_client_pm_acting_as_pm_prepares_a_shared_request() -> None:
    from tandem.projects.choices import DecisionPreset
    from tandem.testing.personas import build_world

    world = build_world(preset=DecisionPreset.CLIENT_AS_PM, with_records=False)
    ready = ready_for_acceptance(world)
    made = acceptance.do_create_request(
        world.project, actor=world.client_pm, data={"deliverable_id": ready.deliverable.pk}
    )
    assert made.visibility == Visibility.SHARED and made.status == AcceptanceStatus.DRAFT
    assert made.criteria.count() == 4  # never the internal requirement's criterion


def test_an_internal_deliverable_is_not_sent_to_the_client(world: World, ready: Ready) -> None:
    made = draft(world, ready)
    Deliverable.objects.filter(pk=ready.deliverable.pk).update(visibility=Visibility.INTERNAL)
    made.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        acceptance.do_submit(made, actor=world.pm, version=made.version)
    assert _fields(caught) == {"deliverable_id"}
    made.refresh_from_db()
    assert made.status == AcceptanceStatus.DRAFT and made.visibility == Visibility.INTERNAL
