"""Acceptance requests: prepared by the team, reviewed criterion by criterion, signed by the holder of
"accept deliverable"; their documents and the conditions tracked after signing."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status

from tandem.api.acceptance_schemas import (
    AcceptanceDetailOut,
    AcceptanceIn,
    AcceptanceOut,
    AcceptancePatchIn,
    ConditionOut,
    CriterionIn,
    CriterionOut,
    CriterionPatchIn,
    DocumentOut,
    ReviewIn,
    SignIn,
)
from tandem.api.auth import AUTH
from tandem.api.pagination import paged
from tandem.api.routers.common import caller_and_project, payload_data
from tandem.api.schemas import VersionIn
from tandem.quality import acceptance, acceptance_queries
from tandem.quality.choices import AcceptanceStatus
from tandem.quality.models import AcceptanceCondition, AcceptanceDocument, AcceptanceRequest

router = Router(tags=["acceptance"], auth=AUTH)

#: The multipart body of a document upload, for the OpenAPI document.
DOCUMENT_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "title": {"type": "string", "maxLength": 200},
                },
                "required": ["file"],
            }
        }
    },
}


class AcceptanceFilters(Schema):
    """Narrow the list to one status."""

    status: AcceptanceStatus | None = None


def _request(request: HttpRequest, code: str, acceptance_id: int) -> tuple[Any, AcceptanceRequest]:
    user, project = caller_and_project(request, code)
    return user, acceptance_queries.access_request(user, project, acceptance_id)


def detail(user: Any, found: AcceptanceRequest) -> AcceptanceRequest:
    """The request with everything ``AcceptanceDetailOut`` shows, as ``user`` may read it."""
    fresh = acceptance_queries.access_request(user, found.project, found.pk)
    criteria = acceptance_queries.criteria_of(user, fresh)
    for criterion in criteria:
        criterion.marks = list(criterion.reviews.all())  # type: ignore[attr-defined]
    people = sorted(fresh.reviewers.all(), key=lambda u: (u.full_name, u.pk))
    fresh.criteria_list = criteria  # type: ignore[attr-defined]
    fresh.reviewer_list = people  # type: ignore[attr-defined]
    fresh.evidence = acceptance_queries.evidence_of(user, fresh)  # type: ignore[attr-defined]
    fresh.condition_list = acceptance_queries.conditions_of(fresh)  # type: ignore[attr-defined]
    fresh.signers = acceptance_queries.signers_of(fresh.project)  # type: ignore[attr-defined]
    fresh.can_sign = acceptance_queries.may_sign(user, fresh)  # type: ignore[attr-defined]
    return fresh


@router.get("/projects/{code}/acceptances", response=list[AcceptanceOut], summary="A project's acceptances")
@paged
def list_acceptances(
    request: HttpRequest, code: str, filters: Query[AcceptanceFilters]
) -> QuerySet[AcceptanceRequest]:
    """The acceptance requests the caller reads (a client: those sent for review), newest first."""
    user, project = caller_and_project(request, code)
    return acceptance_queries.requests_of(user, project, status=filters.status or "")


@router.post(
    "/projects/{code}/acceptances", response={201: AcceptanceDetailOut}, summary="Prepare an acceptance"
)
def create_acceptance(request: HttpRequest, code: str, payload: AcceptanceIn) -> Status[AcceptanceRequest]:
    """Prepare a draft with the criteria of the deliverable and of its traced requirements."""
    user, project = caller_and_project(request, code)
    made = acceptance.do_create_request(project, actor=user, data=payload_data(payload))
    return Status(201, detail(user, made))


@router.get(
    "/projects/{code}/acceptances/{acceptance_id}", response=AcceptanceDetailOut, summary="An acceptance"
)
def get_acceptance(request: HttpRequest, code: str, acceptance_id: int) -> AcceptanceRequest:
    """A request with its criteria and marks, evidence, conditions and who may sign it."""
    user, found = _request(request, code, acceptance_id)
    return detail(user, found)


@router.patch(
    "/projects/{code}/acceptances/{acceptance_id}",
    response=AcceptanceDetailOut,
    summary="Change a draft acceptance",
)
def update_acceptance(
    request: HttpRequest, code: str, acceptance_id: int, payload: AcceptancePatchIn
) -> AcceptanceRequest:
    """Change a draft's fields, reviewers, test cycles or demo meeting based on the version read."""
    user, found = _request(request, code, acceptance_id)
    acceptance.do_update_request(
        found, actor=user, version=payload.version, **payload_data(payload, "version")
    )
    return detail(user, found)


@router.delete(
    "/projects/{code}/acceptances/{acceptance_id}", response={204: None}, summary="Delete a draft acceptance"
)
def delete_acceptance(
    request: HttpRequest, code: str, acceptance_id: int, version: int | None = None
) -> Status[None]:
    """Delete a draft (``?version=`` the caller read)."""
    user, found = _request(request, code, acceptance_id)
    acceptance.do_delete_request(found, actor=user, version=version)
    return Status(204, None)


@router.post(
    "/projects/{code}/acceptances/{acceptance_id}/criteria",
    response={201: CriterionOut},
    summary="Add a criterion",
)
def add_criterion(request: HttpRequest, code: str, acceptance_id: int, payload: CriterionIn) -> Status[Any]:
    """Add a criterion of the team's own to a draft."""
    user, found = _request(request, code, acceptance_id)
    made = acceptance.do_add_criterion(found, actor=user, **payload_data(payload))
    return Status(201, _criterion(user, found, made.pk))


def _criterion(user: Any, found: AcceptanceRequest, pk: int) -> Any:
    fresh = acceptance_queries.access_request(user, found.project, found.pk)
    criterion = next(c for c in acceptance_queries.criteria_of(user, fresh) if c.pk == pk)
    criterion.marks = list(criterion.reviews.all())  # type: ignore[attr-defined]
    return criterion


@router.patch(
    "/projects/{code}/acceptances/{acceptance_id}/criteria/{criterion_id}",
    response=CriterionOut,
    summary="Change a criterion",
)
def update_criterion(
    request: HttpRequest, code: str, acceptance_id: int, criterion_id: int, payload: CriterionPatchIn
) -> Any:
    """Change a draft's criterion: its text, whether it is mandatory, its position."""
    user, found = _request(request, code, acceptance_id)
    criterion = acceptance_queries.access_criterion(user, found, criterion_id)
    acceptance.do_update_criterion(criterion, actor=user, **payload_data(payload))
    return _criterion(user, found, criterion.pk)


@router.delete(
    "/projects/{code}/acceptances/{acceptance_id}/criteria/{criterion_id}",
    response={204: None},
    summary="Remove a criterion",
)
def delete_criterion(request: HttpRequest, code: str, acceptance_id: int, criterion_id: int) -> Status[None]:
    """Remove a criterion from a draft."""
    user, found = _request(request, code, acceptance_id)
    acceptance.do_remove_criterion(acceptance_queries.access_criterion(user, found, criterion_id), actor=user)
    return Status(204, None)


@router.put(
    "/projects/{code}/acceptances/{acceptance_id}/criteria/{criterion_id}/review",
    response=CriterionOut,
    summary="Mark a criterion",
)
def review_criterion(
    request: HttpRequest, code: str, acceptance_id: int, criterion_id: int, payload: ReviewIn
) -> Any:
    """Mark a criterion accepted or not (a reviewer or a signer, while in review); marking again
    replaces the caller's mark."""
    user, found = _request(request, code, acceptance_id)
    criterion = acceptance_queries.access_criterion(user, found, criterion_id)
    acceptance.do_review(criterion, actor=user, verdict=payload.verdict, comment=payload.comment)
    return _criterion(user, found, criterion.pk)


@router.post(
    "/projects/{code}/acceptances/{acceptance_id}/submit",
    response=AcceptanceDetailOut,
    summary="Send an acceptance for review",
)
def submit_acceptance(request: HttpRequest, code: str, acceptance_id: int, payload: VersionIn) -> Any:
    """Send a draft to the client for review; the reviewers and signers are told."""
    user, found = _request(request, code, acceptance_id)
    acceptance.do_submit(found, actor=user, version=payload.version)
    return detail(user, found)


@router.post(
    "/projects/{code}/acceptances/{acceptance_id}/withdraw",
    response=AcceptanceDetailOut,
    summary="Withdraw an acceptance",
)
def withdraw_acceptance(request: HttpRequest, code: str, acceptance_id: int, payload: VersionIn) -> Any:
    """Take a request out of review (it is the team's again)."""
    user, found = _request(request, code, acceptance_id)
    acceptance.do_withdraw(found, actor=user, version=payload.version)
    return detail(user, found)


@router.post(
    "/projects/{code}/acceptances/{acceptance_id}/sign",
    response=AcceptanceDetailOut,
    summary="Sign an acceptance",
)
def sign_acceptance(request: HttpRequest, code: str, acceptance_id: int, payload: SignIn) -> Any:
    """Accept, accept with conditions or reject (a holder of "accept deliverable"); signed once."""
    user, found = _request(request, code, acceptance_id)
    acceptance.do_sign(
        found,
        actor=user,
        version=payload.version,
        decision=payload.decision,
        comment=payload.comment,
        conditions=[c.model_dump() for c in payload.conditions],
        rework=payload.rework,
    )
    return detail(user, found)


@router.get(
    "/projects/{code}/acceptances/{acceptance_id}/documents",
    response=list[DocumentOut],
    summary="An acceptance's documents",
)
def list_documents(request: HttpRequest, code: str, acceptance_id: int) -> list[AcceptanceDocument]:
    """The documents offered as evidence."""
    _user, found = _request(request, code, acceptance_id)
    return acceptance_queries.documents_of(found)


@router.post(
    "/projects/{code}/acceptances/{acceptance_id}/documents",
    response={201: DocumentOut},
    summary="Attach a document",
    # Read from request.FILES so that a caller without the right hears 403 before a missing file.
    openapi_extra={"requestBody": DOCUMENT_BODY},
)
def add_document(request: HttpRequest, code: str, acceptance_id: int) -> Status[AcceptanceDocument]:
    """Attach a document to a draft (multipart ``file``, optional ``title``): a PDF, an image or an
    office file up to 20 MB."""
    user, found = _request(request, code, acceptance_id)
    made = acceptance.do_add_document(
        found, actor=user, title=request.POST.get("title", ""), upload=request.FILES.get("file")
    )
    return Status(201, made)


@router.get(
    "/projects/{code}/acceptances/{acceptance_id}/documents/{document_id}", summary="Download a document"
)
def download_document(request: HttpRequest, code: str, acceptance_id: int, document_id: int) -> HttpResponse:
    """The document's file, for whoever reads the request."""
    user, found = _request(request, code, acceptance_id)
    return acceptance_queries.document_response(acceptance_queries.access_document(user, found, document_id))


@router.delete(
    "/projects/{code}/acceptances/{acceptance_id}/documents/{document_id}",
    response={204: None},
    summary="Remove a document",
)
def delete_document(request: HttpRequest, code: str, acceptance_id: int, document_id: int) -> Status[None]:
    """Remove a document from a draft."""
    user, found = _request(request, code, acceptance_id)
    acceptance.do_remove_document(acceptance_queries.access_document(user, found, document_id), actor=user)
    return Status(204, None)


def _condition(request: HttpRequest, code: str, acceptance_id: int, condition_id: int) -> tuple[Any, Any]:
    user, found = _request(request, code, acceptance_id)
    return user, acceptance_queries.access_condition(user, found, condition_id)


@router.post(
    "/projects/{code}/acceptances/{acceptance_id}/conditions/{condition_id}/done",
    response=ConditionOut,
    summary="Mark a condition met",
)
def complete_condition(
    request: HttpRequest, code: str, acceptance_id: int, condition_id: int, payload: VersionIn
) -> AcceptanceCondition:
    """Mark a condition met (its owner, or the team's PMs and leads)."""
    user, condition = _condition(request, code, acceptance_id, condition_id)
    return acceptance.do_complete_condition(condition, actor=user, version=payload.version)


@router.post(
    "/projects/{code}/acceptances/{acceptance_id}/conditions/{condition_id}/reopen",
    response=ConditionOut,
    summary="Open a condition again",
)
def reopen_condition(
    request: HttpRequest, code: str, acceptance_id: int, condition_id: int, payload: VersionIn
) -> AcceptanceCondition:
    """Open a met condition again (its owner, or the team's PMs and leads)."""
    user, condition = _condition(request, code, acceptance_id, condition_id)
    return acceptance.do_reopen_condition(condition, actor=user, version=payload.version)
