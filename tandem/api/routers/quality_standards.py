"""Quality standards (taken from the charter or written), and the checklist of deliverables and phases."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from tandem.api.auth import AUTH
from tandem.api.case_schemas import (
    QualityCheckIn,
    QualityChecklistOut,
    QualityCheckOut,
    QualityStandardIn,
    QualityStandardOut,
    QualityStandardPatchIn,
)
from tandem.api.routers.common import caller_and_project, payload_data
from tandem.quality import standards
from tandem.quality.models import QualityCheck, QualityStandard

router = Router(tags=["quality standards"], auth=AUTH)


@router.get(
    "/projects/{code}/quality-standards", response=list[QualityStandardOut], summary="The quality standards"
)
def list_standards(request: HttpRequest, code: str) -> list[QualityStandard]:
    """The project's quality standards the caller reads, in order."""
    user, project = caller_and_project(request, code)
    return list(standards.standards_of(user, project))


@router.post(
    "/projects/{code}/quality-standards", response={201: QualityStandardOut}, summary="Add a quality standard"
)
def add_standard(request: HttpRequest, code: str, payload: QualityStandardIn) -> Status[QualityStandard]:
    """Add a standard (whoever edits the charter)."""
    user, project = caller_and_project(request, code)
    standard = standards.do_add_standard(project, actor=user, **payload_data(payload))
    return Status(201, standards.access_standard(user, project, standard.pk))


@router.post(
    "/projects/{code}/quality-standards/from-charter",
    response={201: list[QualityStandardOut]},
    summary="Take the quality standards from the charter",
)
def standards_from_charter(request: HttpRequest, code: str) -> Status[list[QualityStandard]]:
    """One standard per line of the charter's quality standards section; those already there are skipped.
    Answers the standards added."""
    user, project = caller_and_project(request, code)
    return Status(201, standards.do_import_standards_from_charter(project, actor=user))


@router.patch(
    "/projects/{code}/quality-standards/{standard_id}",
    response=QualityStandardOut,
    summary="Change a quality standard",
)
def update_standard(
    request: HttpRequest, code: str, standard_id: int, payload: QualityStandardPatchIn
) -> QualityStandard:
    """Change a standard based on the version read."""
    user, project = caller_and_project(request, code)
    standard = standards.access_standard(user, project, standard_id)
    standards.do_update_standard(
        standard, actor=user, version=payload.version, **payload_data(payload, "version")
    )
    return standards.access_standard(user, project, standard_id)


@router.delete(
    "/projects/{code}/quality-standards/{standard_id}",
    response={204: None},
    summary="Remove a quality standard",
)
def delete_standard(
    request: HttpRequest, code: str, standard_id: int, version: int | None = None
) -> Status[None]:
    """Remove a standard and its checks (``?version=`` the caller read)."""
    user, project = caller_and_project(request, code)
    standards.do_delete_standard(
        standards.access_standard(user, project, standard_id), actor=user, version=version
    )
    return Status(204, None)


@router.get("/projects/{code}/quality-checks", response=QualityChecklistOut, summary="The quality checklist")
def get_checklist(request: HttpRequest, code: str) -> dict[str, Any]:
    """Standards × deliverables and phases the caller reads, each pair with its latest check."""
    user, project = caller_and_project(request, code)
    matrix = standards.checklist(user, project)
    return {
        "targets": [{"key": t.key, "kind": t.kind, "id": t.id, "name": t.name} for t in matrix.targets],
        "rows": [
            {"standard": row.standard, "cells": [{"target": t.key, "check": check} for t, check in row.cells]}
            for row in matrix.rows
        ],
    }


@router.post("/projects/{code}/quality-checks", response={201: QualityCheckOut}, summary="Record a check")
def record_check(request: HttpRequest, code: str, payload: QualityCheckIn) -> Status[QualityCheck]:
    """Record a check of a deliverable or a phase against a standard (the team's PMs, leads and members)."""
    user, project = caller_and_project(request, code)
    standard = standards.standard_named(user, project, payload.standard_id)
    data = payload_data(payload, "standard_id")
    return Status(201, standards.do_record_check(standard, actor=user, **data))
