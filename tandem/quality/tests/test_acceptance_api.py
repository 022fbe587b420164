"""The acceptance API, called as every kind of viewer, and what each side reads back."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.quality import acceptance
from tandem.quality.tests.acceptance_setup import draft, in_review, mark_all, ready_for_acceptance
from tandem.testing.api import MEMBERS_READ, TEAM_READS, Caller, Case, matrix_test, only_pm, world_fixture
from tandem.testing.personas import World

A = "/projects/ERP/acceptances"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
#: A draft is the team's: unknown to the client; only the PM (of these viewers) prepares.
DRAFT_PREPARERS = "401 404 404 404 404 404 403 {ok}"
#: The holders of "accept deliverable" (under the joint preset): the client PM and the sponsor.
SIGNERS = "401 404 404 403 {ok} {ok} 403 403"

CASES = [
    Case("acceptances.list", "GET", A, MEMBERS_READ),
    Case("acceptances.list-filtered", "GET", f"{A}?status=in_review&limit=5", MEMBERS_READ),
    Case("acceptances.create", "POST", A, only_pm("201"), {"deliverable_id": "{deliverable}"}),
    Case("acceptances.detail-draft", "GET", A + "/{draft}", TEAM_READS),
    Case("acceptances.detail-in-review", "GET", A + "/{review}", MEMBERS_READ),
    Case(
        "acceptances.update",
        "PATCH",
        A + "/{draft}",
        DRAFT_PREPARERS.format(ok=200),
        {"version": "{draft_version}", "title": "Wave 1"},
    ),
    Case("acceptances.delete", "DELETE", A + "/{draft}?version=1", DRAFT_PREPARERS.format(ok=204)),
    Case(
        "acceptances.criteria-create",
        "POST",
        A + "/{draft}/criteria",
        DRAFT_PREPARERS.format(ok=201),
        {"text": "Handover note signed", "mandatory": False},
    ),
    Case(
        "acceptances.criteria-update",
        "PATCH",
        A + "/{draft}/criteria/{draft_criterion}",
        DRAFT_PREPARERS.format(ok=200),
        {"mandatory": False},
    ),
    Case(
        "acceptances.criteria-delete",
        "DELETE",
        A + "/{draft}/criteria/{draft_criterion}",
        DRAFT_PREPARERS.format(ok=204),
    ),
    Case(
        "acceptances.criteria-review",
        "PUT",
        A + "/{review}/criteria/{review_criterion}/review",
        SIGNERS.format(ok=200),
        {"verdict": "not_accepted", "comment": "Store 12 missing"},
    ),
    Case(
        "acceptances.submit",
        "POST",
        A + "/{draft}/submit",
        DRAFT_PREPARERS.format(ok=200),
        {"version": "{draft_version}"},
    ),
    Case(
        "acceptances.withdraw",
        "POST",
        A + "/{review}/withdraw",
        only_pm("200"),
        {"version": "{review_version}"},
    ),
    Case(
        "acceptances.sign",
        "POST",
        A + "/{review}/sign",
        SIGNERS.format(ok=200),
        {"version": "{review_version}", "decision": "reject", "comment": "Not yet", "rework": "defects"},
    ),
    Case("acceptances.documents-list", "GET", A + "/{draft}/documents", TEAM_READS),
    Case("acceptances.documents-list-shared", "GET", A + "/{review}/documents", MEMBERS_READ),
    Case(
        "acceptances.documents-create",
        "POST",
        A + "/{draft}/documents",
        DRAFT_PREPARERS.format(ok=201),
        upload=("manual.pdf", PDF, "application/pdf"),
    ),
    Case("acceptances.documents-download", "GET", A + "/{draft}/documents/{document}", TEAM_READS),
    Case(
        "acceptances.documents-delete",
        "DELETE",
        A + "/{draft}/documents/{document}",
        DRAFT_PREPARERS.format(ok=204),
    ),
    Case(
        "acceptances.conditions-done",
        "POST",
        A + "/{signed}/conditions/{condition}/done",
        only_pm("200"),
        {"version": 1},
    ),
    Case(
        "acceptances.conditions-reopen",
        "POST",
        A + "/{signed}/conditions/{done_condition}/reopen",
        only_pm("200"),
        {"version": 2},
    ),
]


def seed(world: World) -> dict[str, Any]:
    """A draft with a document, a request in review, one signed with two conditions (one met)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    ready = ready_for_acceptance(world)
    made = draft(world, ready)
    document = acceptance.do_add_document(
        made, actor=world.pm, title="Manual", upload=SimpleUploadedFile("m.pdf", PDF, "application/pdf")
    )
    review = in_review(world, ready)
    signed = in_review(world, ready)
    mark_all(world, signed)
    signed = acceptance.do_sign(
        signed,
        actor=world.sponsor,
        version=signed.version,
        decision="accept_with_conditions",
        conditions=[
            {"text": "Train staff", "due_date": "2026-07-01", "owner_id": world.pm.pk},
            {"text": "Fix store 12", "due_date": "2026-07-02", "owner_id": world.pm.pk},
        ],
    )
    first, second = list(signed.conditions.order_by("position"))
    acceptance.do_complete_condition(second, actor=world.pm, version=second.version)
    made.refresh_from_db()
    review.refresh_from_db()
    return {
        "deliverable": ready.deliverable.pk,
        "draft": made.pk,
        "draft_version": made.version,
        "draft_criterion": made.criteria.order_by("position").values_list("pk", flat=True)[0],
        "document": document.pk,
        "review": review.pk,
        "review_version": review.version,
        "review_criterion": review.criteria.order_by("position").values_list("pk", flat=True)[0],
        "signed": signed.pk,
        "condition": first.pk,
        "done_condition": second.pk,
    }


api_world = world_fixture(seed)

test_it_answers_each_viewer_as_the_matrix_says = matrix_test(CASES)


def test_a_client_never_learns_of_a_draft(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    for viewer in ("client_viewer", "client_pm", "sponsor"):
        listed = Caller(world, viewer).get(A).json["items"]
        assert {row["id"] for row in listed} == {ids["review"], ids["signed"]}
    assert {row["id"] for row in Caller(world, "member").get(A).json["items"]} == {
        ids["draft"],
        ids["review"],
        ids["signed"],
    }


def test_the_detail_shows_criteria_marks_evidence_conditions_and_the_signers(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    body = Caller(world, "client_viewer").get(f"{A}/{ids['signed']}").json
    assert body["status"] == "accepted_with_conditions" and body["signed_by"]["full_name"] == "Sam Sponsor"
    assert body["criteria_total"] == 4 and body["criteria_accepted"] == 4
    assert [m["reviewer"]["full_name"] for m in body["criteria_list"][0]["reviews"]] == ["Rita Reviewer"]
    assert [c["text"] for c in body["conditions"]] == ["Train staff", "Fix store 12"]
    assert {p["full_name"] for p in body["signers"]} == {"Sam Sponsor", "Cindy Client PM"}
    assert body["can_sign"] is False and len(body["content_sha256"]) == 64
    cycle = body["evidence"]["test_cycles"]
    # A client viewer reads only the runs assigned to them: none here.
    assert cycle == []
    sponsor = Caller(world, "sponsor").get(f"{A}/{ids['review']}").json
    assert sponsor["can_sign"] is True
    assert sponsor["evidence"]["test_cycles"][0] | {"id": 0} == {
        "id": 0,
        "name": "UAT 1",
        "kind": "uat",
        "passed": 2,
        "failed": 1,
        "blocked": 0,
        "not_run": 0,
    }


def test_the_api_names_the_field_or_rule_it_refuses(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    sponsor, pm = Caller(world, "sponsor"), Caller(world, "pm")
    path = f"{A}/{ids['review']}/sign"
    version = ids["review_version"]
    answer = sponsor.call("POST", path, {"version": version, "decision": "accept"})
    assert answer.status == 422 and "decision" in answer.text
    answer = sponsor.call("POST", path, {"version": version, "decision": "accept_with_conditions"})
    assert answer.status == 422 and "conditions" in answer.text
    answer = sponsor.call(
        "POST",
        path,
        {"version": version, "decision": "accept_with_conditions", "conditions": [{"text": "x"}]},
    )
    assert answer.status == 422 and "due_date" in answer.text
    answer = sponsor.call("POST", path, {"version": version + 5, "decision": "reject", "comment": "x"})
    assert answer.status == 409
    answer = sponsor.call(
        "POST", f"{A}/{ids['signed']}/sign", {"version": 3, "decision": "reject", "comment": "x"}
    )
    assert answer.status == 422 and "already signed" in answer.text
    answer = pm.call("POST", A, {})
    assert answer.status == 422 and "deliverable_id" in answer.text
    answer = pm.call("PATCH", f"{A}/{ids['signed']}", {"version": 3, "title": "changed"})
    assert answer.status == 422 and "signed" in answer.text
    answer = pm.upload(f"{A}/{ids['draft']}/documents", "x.pdf", b"not a pdf", "application/pdf")
    assert answer.status == 422 and "file" in answer.text
    assert pm.get(f"{A}/999999").status == 404 and pm.get(f"{A}/abc").status in (404, 422)


def test_the_list_reads_a_fixed_number_of_queries(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    pm = Caller(world, "pm")
    pm.get(A)
    with CaptureQueriesContext(connection) as few:
        pm.get(A)
    from tandem.quality.models import AcceptanceRequest

    source = AcceptanceRequest.objects.get(pk=ids["draft"])
    for _ in range(10):
        acceptance.do_create_request(
            world.project, actor=world.pm, data={"deliverable_id": source.deliverable_id}
        )
    with CaptureQueriesContext(connection) as many:
        body = pm.get(f"{A}?limit=50").json
    assert len(body["items"]) == 13
    assert len(many) <= len(few)


def test_a_client_never_reads_the_internal_requirement_or_its_criteria(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    for viewer in ("client_viewer", "client_pm", "sponsor", "member"):
        for key in ("review", "signed"):
            answer = Caller(world, viewer).get(f"{A}/{ids[key]}")
            assert "REQ-102" not in answer.text and "Internal audit" not in answer.text, (viewer, key)
    team = Caller(world, "member").get(f"{A}/{ids['review']}").json
    assert {c["requirement"]["code"] for c in team["criteria_list"] if c["requirement"]} == {
        "REQ-101",
        "REQ-103",
    }
