"""Test cases: the list with search and filters, one case with its revisions, import and export."""

from __future__ import annotations

from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from tandem.api.auth import AUTH
from tandem.api.case_schemas import (
    TestCaseFilters,
    TestCaseImportOut,
    TestCaseIn,
    TestCaseOut,
    TestCasePageOut,
    TestCasePatchIn,
    TestCaseRevisionOut,
)
from tandem.api.routers.common import caller_and_project, payload_data
from tandem.quality import case_imports, case_queries, cases
from tandem.quality.models import TestCase, TestCaseRevision

router = Router(tags=["test cases"], auth=AUTH)

#: The multipart body of an import, for the OpenAPI document.
IMPORT_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        }
    },
}


@router.get("/projects/{code}/test-cases", response=TestCasePageOut, summary="A project's test cases")
def list_cases(request: HttpRequest, code: str, filters: Query[TestCaseFilters]) -> Any:
    """The cases the caller reads (a client tester: those of their runs), 50 a page, by code."""
    user, project = caller_and_project(request, code)
    return case_queries.cases_list(user, project, **filters.model_dump(exclude_none=True))


@router.post("/projects/{code}/test-cases", response={201: TestCaseOut}, summary="Write a test case")
def create_case(request: HttpRequest, code: str, payload: TestCaseIn) -> Status[TestCase]:
    """Write a test case (the team's PMs, leads and members; the client PM, shared only)."""
    user, project = caller_and_project(request, code)
    case = cases.do_create_case(project, actor=user, **payload_data(payload))
    return Status(201, case_queries.access_case(user, project, case.pk))


@router.get("/projects/{code}/test-cases/export", summary="Export the test cases")
def export_cases(
    request: HttpRequest,
    code: str,
    filters: Query[TestCaseFilters],
    format: Literal["csv", "xlsx"] = "csv",
) -> HttpResponse:
    """The cases the caller reads, filtered, as CSV or Excel with headings in the caller's language;
    the file imports again."""
    user, project = caller_and_project(request, code)
    data = filters.model_dump(exclude_none=True)
    data.pop("page", None)
    return case_imports.export_response(user, project, case_queries.check_filters(**data), format)


@router.post(
    "/projects/{code}/test-cases/import",
    response=TestCaseImportOut,
    summary="Import test cases",
    openapi_extra={"requestBody": IMPORT_BODY},
)
def import_cases(request: HttpRequest, code: str, dry_run: bool = False) -> dict[str, Any]:
    """Add a case per row of a CSV or Excel file (multipart ``file``), all or none; ``?dry_run=true``
    answers the rows with their errors and saves nothing."""
    user, project = caller_and_project(request, code)
    # Read from request.FILES so that a caller without the right hears 403 before a missing file.
    upload = request.FILES.get("file")
    content = upload.read(case_imports.MAX_BYTES + 1) if upload is not None else b""
    name = (upload.name or "") if upload is not None else ""
    rows: list[case_imports.ImportRow] = []
    codes: list[str] = []
    if dry_run:
        rows = case_imports.check_import(project, actor=user, content=content, filename=name)
    else:
        codes = [
            c.code for c in case_imports.do_import_cases(project, actor=user, content=content, filename=name)
        ]
    return {
        "dry_run": dry_run,
        "count": sum(1 for r in rows if r.ok) if dry_run else len(codes),
        "rows": [
            {"line": r.line, "title": r.data.get("title", ""), "ok": r.ok, "errors": r.errors} for r in rows
        ],
        "codes": codes,
    }


@router.get("/projects/{code}/test-cases/{case_id}", response=TestCaseOut, summary="A test case")
def get_case(request: HttpRequest, code: str, case_id: int) -> TestCase:
    """One case the caller reads, with its steps, requirements and last result."""
    user, project = caller_and_project(request, code)
    return case_queries.access_case(user, project, case_id)


@router.patch("/projects/{code}/test-cases/{case_id}", response=TestCaseOut, summary="Change a test case")
def update_case(request: HttpRequest, code: str, case_id: int, payload: TestCasePatchIn) -> TestCase:
    """Change a case based on the version read; a new content makes a new revision; ``is_active``
    retires or reactivates it."""
    user, project = caller_and_project(request, code)
    case = case_queries.access_case(user, project, case_id)
    data = payload_data(payload, "version", "is_active")
    with transaction.atomic():  # the content and the retirement are saved together or not at all
        version = payload.version
        if data:
            case = cases.do_update_case(case, actor=user, version=version, **data)
            version = case.version
        if payload.is_active is not None and payload.is_active != case.is_active:
            change = cases.do_reactivate_case if payload.is_active else cases.do_retire_case
            change(case, actor=user, version=version)
    return case_queries.access_case(user, project, case_id)


@router.delete("/projects/{code}/test-cases/{case_id}", response={204: None}, summary="Remove a test case")
def delete_case(request: HttpRequest, code: str, case_id: int, version: int | None = None) -> Status[None]:
    """Remove a case never put into a cycle (``?version=`` the caller read); one that was is retired."""
    user, project = caller_and_project(request, code)
    cases.do_delete_case(case_queries.access_case(user, project, case_id), actor=user, version=version)
    return Status(204, None)


@router.get(
    "/projects/{code}/test-cases/{case_id}/revisions",
    response=list[TestCaseRevisionOut],
    summary="A test case's revisions",
)
def case_revisions(request: HttpRequest, code: str, case_id: int) -> list[TestCaseRevision]:
    """The content of the case at each revision, the newest first."""
    user, project = caller_and_project(request, code)
    return list(case_queries.revisions_of(case_queries.access_case(user, project, case_id)))
