"""Defects: the list, filing, changing, moving along the workflow, and the export."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from tandem.api.auth import AUTH
from tandem.api.defects_schemas import (
    DefectFilters,
    DefectIn,
    DefectMoveIn,
    DefectOut,
    DefectPageOut,
    DefectPatchIn,
    DefectTeamOut,
    DefectTeamPageOut,
    PageIn,
)
from tandem.api.routers.common import caller_and_project, payload_data
from tandem.projects.models import Project
from tandem.quality import defect_queries, defect_services, exports
from tandem.quality.defects import do_file_defect
from tandem.quality.models import Defect
from tandem.quality.permissions import reads_internal

router = Router(tags=["defects"], auth=AUTH)


def _filters(filters: DefectFilters) -> defect_queries.DefectFilters:
    data = filters.model_dump()
    data["open_only"] = data.pop("open")
    data["status"] = data["status"] or ""
    data["severity"] = data["severity"] or ""
    data["priority"] = data["priority"] or ""
    return defect_queries.DefectFilters(**data)


def defect_out(user: Any, project: Project, defect: Defect) -> DefectOut | DefectTeamOut:
    """The defect as ``user`` may read it: the team with the triage note, a client without the field."""
    schema: type[DefectOut] = DefectTeamOut if reads_internal(user, project) else DefectOut
    return schema.of(defect)


@router.get(
    "/projects/{code}/defects", response=DefectTeamPageOut | DefectPageOut, summary="A project's defects"
)
def list_defects(
    request: HttpRequest, code: str, filters: Query[DefectFilters], page: Query[PageIn]
) -> DefectPageOut | DefectTeamPageOut:
    """The defects the caller may read (a client: the shared ones), newest first, one page."""
    user, project = caller_and_project(request, code)
    rows = defect_queries.defects_of(user, project, _filters(filters))
    items = [defect_out(user, project, d) for d in rows[page.offset : page.offset + page.limit]]
    schema: Any = DefectTeamPageOut if reads_internal(user, project) else DefectPageOut
    return schema(items=items, count=rows.count(), limit=page.limit, offset=page.offset)  # type: ignore[no-any-return]


@router.post("/projects/{code}/defects", response={201: DefectTeamOut | DefectOut}, summary="File a defect")
def file_defect(request: HttpRequest, code: str, payload: DefectIn) -> Status[DefectOut | DefectTeamOut]:
    """File a defect (anyone on the project but viewers; a client's is always shared)."""
    user, project = caller_and_project(request, code)
    defect = do_file_defect(project, actor=user, data=payload_data(payload))
    return Status(201, defect_out(user, project, defect_queries.access_defect(user, project, defect.pk)))


@router.get("/projects/{code}/defects/export", summary="Export the defects")
def export_defects(
    request: HttpRequest, code: str, filters: Query[DefectFilters], format: Literal["csv", "xlsx"] = "csv"
) -> HttpResponse:
    """The defects the caller may read, filtered, as CSV or Excel in the caller's language (the triage
    note is a column for the team only)."""
    user, project = caller_and_project(request, code)
    rows = defect_queries.defects_of(user, project, _filters(filters))
    return exports.defects_response(user, project, rows, format)


@router.get("/projects/{code}/defects/{defect_id}", response=DefectTeamOut | DefectOut, summary="A defect")
def get_defect(request: HttpRequest, code: str, defect_id: int) -> DefectOut | DefectTeamOut:
    """One defect the caller may read."""
    user, project = caller_and_project(request, code)
    return defect_out(user, project, defect_queries.access_defect(user, project, defect_id))


@router.patch(
    "/projects/{code}/defects/{defect_id}", response=DefectTeamOut | DefectOut, summary="Change a defect"
)
def update_defect(
    request: HttpRequest, code: str, defect_id: int, payload: DefectPatchIn
) -> DefectOut | DefectTeamOut:
    """Change a defect based on the version read: its reporter while it is new, the team's writers always
    (severity, priority, assignee and the triage note are the team's)."""
    user, project = caller_and_project(request, code)
    defect = defect_queries.access_defect(user, project, defect_id)
    defect_services.do_update_defect(
        defect, actor=user, version=payload.version, **payload_data(payload, "version")
    )
    return defect_out(user, project, defect_queries.access_defect(user, project, defect_id))


@router.post(
    "/projects/{code}/defects/{defect_id}/move", response=DefectTeamOut | DefectOut, summary="Move a defect"
)
def move_defect(
    request: HttpRequest, code: str, defect_id: int, payload: DefectMoveIn
) -> DefectOut | DefectTeamOut:
    """Move a defect along the workflow (confirm and fix: the team; verify, close, reopen: the team, the
    reporter, the client PM). Closing a new defect needs a ``resolution``."""
    user, project = caller_and_project(request, code)
    defect = defect_queries.access_defect(user, project, defect_id)
    defect_services.do_move_defect(
        defect,
        actor=user,
        version=payload.version,
        to=payload.to,
        resolution=payload.resolution,
        task_id=payload.task_id,
    )
    return defect_out(user, project, defect_queries.access_defect(user, project, defect_id))
