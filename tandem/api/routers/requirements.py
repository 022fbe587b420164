"""Requirements: the backlog, versions and their diff, confirmations, trace links, intake and exports."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from tandem.api.auth import AUTH, actor
from tandem.api.pagination import LimitOffset, paged
from tandem.api.requirements_schemas import (
    CandidateOut,
    FieldDiffOut,
    ImportIn,
    LinkIn,
    NotesIn,
    ReorderIn,
    RequirementConfirmationOut,
    RequirementConfirmIn,
    RequirementIn,
    RequirementOut,
    RequirementPatchIn,
    RequirementTaskOut,
    StatusIn,
    TraceabilityOut,
    VersionOut,
)
from tandem.planning.models import Task
from tandem.projects import queries as project_queries
from tandem.requirements import exports, imports, queries, services
from tandem.requirements.models import Requirement, RequirementConfirmation, RequirementVersion

router = Router(tags=["requirements"], auth=AUTH)


class RequirementFilters(Schema):
    """Filters and order of the backlog."""

    search: str = ""
    status: str = ""
    priority: str = ""
    source: str = ""
    ordering: str = "rank"


def _requirement(request: HttpRequest, code: str, ref: str) -> tuple[Any, Any, Requirement]:
    user = actor(request)
    project = project_queries.access_project(user, code)
    return user, project, queries.access_requirement(user, project, ref)


def _reread(user: Any, project: Any, requirement: Requirement) -> Requirement:
    """The requirement as the caller sees it, with its visible task count."""
    return queries.requirements_of(user, project).get(pk=requirement.pk)


@router.get("/projects/{code}/requirements", response=list[RequirementOut], summary="The backlog")
@paged
def list_requirements(
    request: HttpRequest, code: str, filters: Query[RequirementFilters]
) -> QuerySet[Requirement]:
    """The requirements the caller may see, in backlog order unless ``ordering`` says otherwise."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    return queries.requirements_of(user, project, **filters.model_dump())


@router.post(
    "/projects/{code}/requirements", response={201: RequirementOut}, summary="Write or submit a requirement"
)
def create_requirement(request: HttpRequest, code: str, payload: RequirementIn) -> Status[Requirement]:
    """A new draft; a client member's request is always shared and names them as requester."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    requirement = services.do_create_requirement(
        project, actor=user, **payload.model_dump(exclude_unset=True)
    )
    return Status(201, _reread(user, project, requirement))


@router.post(
    "/projects/{code}/requirements/reorder", response=list[RequirementOut], summary="Reorder the backlog"
)
def reorder_requirements(request: HttpRequest, code: str, payload: ReorderIn) -> list[Requirement]:
    """Put the listed requirements in this order (holders of "prioritise backlog")."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    services.do_reorder_requirements(project, actor=user, order=payload.order)
    return list(queries.requirements_of(user, project).filter(pk__in=payload.order))


@router.post(
    "/projects/{code}/requirements/from-notes",
    response={201: list[RequirementOut]},
    summary="Requirements from interview or workshop notes",
)
def requirements_from_notes(request: HttpRequest, code: str, payload: NotesIn) -> Status[list[Requirement]]:
    """One draft per bullet line; indented bullets become its acceptance criteria."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    made = services.do_requirements_from_notes(project, actor=user, **payload.model_dump())
    return Status(201, list(queries.requirements_of(user, project).filter(pk__in=[r.pk for r in made])))


@router.post(
    "/projects/{code}/requirements/import/preview",
    response=list[CandidateOut],
    summary="Preview a survey file (CSV or Excel)",
)
def preview_import(request: HttpRequest, code: str, file: File[UploadedFile]) -> list[imports.Candidate]:
    """The candidate requirements in the file with an error list per row; nothing is saved."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    services.require_import(user, project)
    return imports.parse_survey(file.read(imports.MAX_BYTES + 1), file.name or "")


@router.post(
    "/projects/{code}/requirements/import",
    response={201: list[RequirementOut]},
    summary="Import confirmed rows",
)
def import_candidates(request: HttpRequest, code: str, payload: ImportIn) -> Status[list[Requirement]]:
    """Create the confirmed survey rows as drafts, all or none."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    rows = [row.model_dump(exclude_unset=True) for row in payload.rows]
    made = services.do_import_candidates(project, actor=user, rows=rows, visibility=payload.visibility)
    return Status(201, list(queries.requirements_of(user, project).filter(pk__in=[r.pk for r in made])))


@router.get("/projects/{code}/requirements/{ref}", response=RequirementOut, summary="A requirement")
def get_requirement(request: HttpRequest, code: str, ref: str) -> Requirement:
    """One requirement, by id or code (``REQ-001``)."""
    user, project, requirement = _requirement(request, code, ref)
    return _reread(user, project, requirement)


@router.patch("/projects/{code}/requirements/{ref}", response=RequirementOut, summary="Revise a requirement")
def revise_requirement(request: HttpRequest, code: str, ref: str, payload: RequirementPatchIn) -> Requirement:
    """A new version; once confirmed, description, priority and criteria change only by a change request."""
    user, project, requirement = _requirement(request, code, ref)
    data = payload.model_dump(exclude_unset=True, exclude={"version", "reason"})
    revised = services.do_revise_requirement(
        requirement, actor=user, version=payload.version, reason=payload.reason, **data
    )
    return _reread(user, project, revised)


@router.post(
    "/projects/{code}/requirements/{ref}/status", response=RequirementOut, summary="Change the status"
)
def change_status(request: HttpRequest, code: str, ref: str, payload: StatusIn) -> Requirement:
    """Move the requirement along its life (draft → in review → … → accepted, or rejected / withdrawn)."""
    user, project, requirement = _requirement(request, code, ref)
    services.do_change_status(
        requirement, actor=user, status=payload.status, version=payload.version, comment=payload.comment
    )
    return _reread(user, project, requirement)


@router.post(
    "/projects/{code}/requirements/{ref}/confirm",
    response={201: RequirementConfirmationOut},
    summary="Confirm a version",
)
def confirm_requirement(
    request: HttpRequest, code: str, ref: str, payload: RequirementConfirmIn
) -> Status[RequirementConfirmation]:
    """Confirm the version you read (holders of "confirm requirement"); 409 if it changed since."""
    user, _project, requirement = _requirement(request, code, ref)
    confirmation = services.do_confirm_requirement(
        requirement, actor=user, version_number=payload.version_number, comment=payload.comment
    )
    return Status(201, confirmation)


@router.get(
    "/projects/{code}/requirements/{ref}/confirmations",
    response=list[RequirementConfirmationOut],
    summary="The confirmation record",
)
def list_confirmations(request: HttpRequest, code: str, ref: str) -> QuerySet[RequirementConfirmation]:
    """Who confirmed which version, and when."""
    user, _project, requirement = _requirement(request, code, ref)
    return queries.confirmations_of(user, requirement)


@router.get("/projects/{code}/requirements/{ref}/versions", response=list[VersionOut], summary="Versions")
def list_versions(request: HttpRequest, code: str, ref: str) -> QuerySet[RequirementVersion]:
    """Every version of the content, oldest first."""
    user, _project, requirement = _requirement(request, code, ref)
    return queries.versions_of(user, requirement)


@router.get(
    "/projects/{code}/requirements/{ref}/diff", response=list[FieldDiffOut], summary="Compare two versions"
)
def diff_versions(request: HttpRequest, code: str, ref: str, old: int, new: int) -> list[queries.FieldDiff]:
    """The fields that differ between versions ``old`` and ``new``, with a line diff."""
    user, _project, requirement = _requirement(request, code, ref)
    return queries.diff_versions(user, requirement, old, new)


@router.get(
    "/projects/{code}/requirements/{ref}/tasks", response=list[RequirementTaskOut], summary="Linked tasks"
)
def list_links(request: HttpRequest, code: str, ref: str) -> QuerySet[Task]:
    """The tasks (that you may see) the requirement is traced to."""
    user, _project, requirement = _requirement(request, code, ref)
    return queries.linked_tasks(user, requirement)


@router.post(
    "/projects/{code}/requirements/{ref}/tasks",
    response={201: list[RequirementTaskOut]},
    summary="Link a task",
)
def link_task(request: HttpRequest, code: str, ref: str, payload: LinkIn) -> Status[QuerySet[Task]]:
    """Trace the requirement to a task of the plan."""
    user, _project, requirement = _requirement(request, code, ref)
    services.do_link_task(requirement, actor=user, task_id=payload.task_id)
    return Status(201, queries.linked_tasks(user, requirement))


@router.delete(
    "/projects/{code}/requirements/{ref}/tasks/{task_id}", response={204: None}, summary="Unlink a task"
)
def unlink_task(request: HttpRequest, code: str, ref: str, task_id: int) -> Status[None]:
    """Remove a trace link."""
    user, _project, requirement = _requirement(request, code, ref)
    services.do_unlink_task(requirement, actor=user, task_id=task_id)
    return Status(204, None)


@router.get("/projects/{code}/traceability", response=TraceabilityOut, summary="Traceability matrix")
def traceability(request: HttpRequest, code: str, page: Query[LimitOffset.Input]) -> dict[str, Any]:
    """Requirements against tasks, with the gaps: confirmed requirements or tasks without the other.

    Paged like every list: ``limit`` rows from ``offset``, with ``count`` rows in all. The untraced
    tasks are paged by the same window (``untraced_count`` in all); ``confirmed`` and ``covered``
    count the whole matrix.
    """
    user = actor(request)
    project = project_queries.access_project(user, code)
    offset, limit = page.offset, page.limit
    matrix = queries.traceability(
        user, project, offset=offset, limit=limit, untraced_offset=offset, untraced_limit=limit
    )
    return {
        "rows": [
            {
                "id": row.requirement.pk,
                "code": row.requirement.code,
                "title": row.requirement.title,
                "status": row.requirement.status,
                "tasks": row.tasks,
                "gap": row.gap,
            }
            for row in matrix.rows
        ],
        "untraced_tasks": matrix.untraced_tasks,
        "confirmed": matrix.confirmed,
        "covered": matrix.covered,
        "count": matrix.count,
        "untraced_count": matrix.untraced_count,
        "limit": limit,
        "offset": offset,
    }


@router.get("/projects/{code}/requirements.pdf", summary="The specification as PDF")
def export_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The requirements specification with versions and confirmations, in the project's language."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    response = HttpResponse(exports.export_pdf(user, project), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{project.code}-requirements.pdf"'
    return response


@router.get("/projects/{code}/requirements.xlsx", summary="The specification as Excel")
def export_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    """The requirements specification as a workbook, in the project's language."""
    user = actor(request)
    project = project_queries.access_project(user, code)
    response = HttpResponse(
        exports.export_xlsx(user, project),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{project.code}-requirements.xlsx"'
    return response
