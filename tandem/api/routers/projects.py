"""Organizations and projects: list, detail, create and update."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from tandem.accounts.models import Organization, User
from tandem.api.auth import AUTH, actor
from tandem.api.pagination import paged
from tandem.api.schemas import (
    OrganizationOut,
    ProjectCreateIn,
    ProjectOut,
    ProjectPatchIn,
    ProjectSummaryOut,
    ProjectTeamOut,
)
from tandem.projects import permissions, queries, services
from tandem.projects.choices import DecisionKind, ProjectStatus
from tandem.projects.models import Project
from tandem.projects.permissions import Action

router = Router(tags=["projects"], auth=AUTH)

ACTIONS: tuple[str, ...] = tuple(v for k, v in vars(Action).items() if k.isupper())


def project_out(project: Project, user: User) -> ProjectOut | ProjectTeamOut:
    """The project as ``user`` may see it: team members get the internal fields, clients never."""
    extra: dict[str, Any] = {
        "my_role": permissions.role_of(user, project),
        "my_actions": [a for a in ACTIONS if permissions.can(user, project, a)],
        "my_decisions": [k for k in DecisionKind.values if permissions.holds(user, project, k)],
    }
    team = permissions.is_team(user, project)
    schema: type[ProjectOut | ProjectTeamOut] = ProjectTeamOut if team else ProjectOut
    return schema.model_validate(project).model_copy(update=extra)


def _organization(user: User, pk: int | None, field: str) -> Organization | None:
    """An organization the user may name, or a 422 naming ``field``."""
    if pk is None:
        return None
    organization = queries.organizations_for(user).filter(pk=pk).first()
    if organization is None:
        raise ValidationError({field: [_("No such organization.")]})
    return organization


@router.get(
    "/organizations",
    response=list[OrganizationOut],
    tags=["organizations"],
    summary="Organizations I work with",
)
@paged
def list_organizations(request: HttpRequest) -> QuerySet[Organization]:
    """Organizations relevant to the caller (all of them for those who start projects)."""
    return queries.organizations_for(actor(request))


@router.get("/projects", response=list[ProjectSummaryOut], summary="My projects")
@paged
def list_projects(
    request: HttpRequest, search: str = "", status: ProjectStatus | None = None
) -> QuerySet[Project]:
    """The projects the caller belongs to, searched by code, name or client, and filtered by status."""
    return queries.projects_for(actor(request), search=search.strip(), status=status or "")


@router.post("/projects", response={201: ProjectTeamOut}, summary="Start a project")
def create_project(request: HttpRequest, payload: ProjectCreateIn) -> Status[ProjectTeamOut | ProjectOut]:
    """Start a project (vendor people and operators); the caller becomes its project manager."""
    user = actor(request)
    if not permissions.can_create_projects(user):
        # Answered before the organizations are looked up, so nobody learns from a 422 which exist.
        raise PermissionDenied(_("Only the vendor's people and operators may start projects."))
    data = payload.model_dump(exclude={"client_id", "vendor_id", "preset", "code", "name"})
    client = _organization(user, payload.client_id, "client_id")
    project = services.do_create_project(
        code=payload.code,
        name=payload.name,
        client=client,  # type: ignore[arg-type]
        vendor=_organization(user, payload.vendor_id, "vendor_id"),
        preset=payload.preset,
        actor=user,
        **data,
    )
    return Status(201, project_out(queries.access_project(user, project.code), user))


@router.get("/projects/{code}", response=ProjectTeamOut | ProjectOut, summary="A project")
def get_project(request: HttpRequest, code: str) -> ProjectOut | ProjectTeamOut:
    """One project the caller belongs to."""
    user = actor(request)
    return project_out(queries.access_project(user, code), user)


@router.patch("/projects/{code}", response=ProjectTeamOut | ProjectOut, summary="Change a project")
def update_project(request: HttpRequest, code: str, payload: ProjectPatchIn) -> ProjectOut | ProjectTeamOut:
    """Change a project's details, based on the version the caller read."""
    user = actor(request)
    project = queries.access_project(user, code)
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    services.do_update_project(project, version=payload.version, actor=user, **data)
    return project_out(queries.access_project(user, code), user)
