"""The resource pool of an organization, its internal rates, and the assignments of a project."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from tandem.api.auth import AUTH, actor
from tandem.api.pagination import paged
from tandem.api.resources_schemas import (
    AssignmentIn,
    AssignmentOut,
    AssignmentPatchIn,
    RateIn,
    RateOut,
    ResourceIn,
    ResourceOut,
    ResourcePatchIn,
)
from tandem.api.routers.common import caller_and_project, payload_data
from tandem.resources import queries, services
from tandem.resources.models import Assignment, Rate, Resource

router = Router(tags=["resources"], auth=AUTH)


class ResourceFilters(Schema):
    """Filters of a pool."""

    search: str = ""
    role: str = ""
    kind: str = ""
    active: bool | None = None


@router.get("/organizations/{org_id}/resources", response=list[ResourceOut], summary="An organization's pool")
@paged
def list_resources(request: HttpRequest, org_id: int, filters: Query[ResourceFilters]) -> QuerySet[Resource]:
    """The organization's resources by name (its own people and the delivery team of its projects)."""
    user = actor(request)
    organization = queries.access_organization(user, org_id)
    return queries.resources_of(user, organization, **filters.model_dump())


@router.post("/organizations/{org_id}/resources", response={201: ResourceOut}, summary="Add a resource")
def add_resource(request: HttpRequest, org_id: int, payload: ResourceIn) -> Status[Resource]:
    """Add a resource (the team's PMs and leads; a client's PM to the client's own pool, without costs)."""
    user = actor(request)
    organization = queries.access_organization(user, org_id)
    resource = services.do_add_resource(organization, actor=user, **payload_data(payload))
    return Status(201, queries.access_resource(user, resource.pk))


@router.get("/resources/{resource_id}", response=ResourceOut, summary="A resource")
def get_resource(request: HttpRequest, resource_id: int) -> Resource:
    """One resource of a pool the caller may read."""
    return queries.access_resource(actor(request), resource_id)


@router.patch("/resources/{resource_id}", response=ResourceOut, summary="Change a resource")
def update_resource(request: HttpRequest, resource_id: int, payload: ResourcePatchIn) -> Resource:
    """Change a resource based on the version read."""
    user = actor(request)
    resource = queries.access_resource(user, resource_id)
    services.do_update_resource(
        resource, version=payload.version, actor=user, **payload_data(payload, "version")
    )
    return queries.access_resource(user, resource.pk)


@router.get("/resources/{resource_id}/rates", response=list[RateOut], summary="A resource's rate history")
@paged
def list_rates(request: HttpRequest, resource_id: int) -> QuerySet[Rate]:
    """The internal rates, newest first (the delivery team only; anyone else gets 404)."""
    user = actor(request)
    return queries.rates_of(user, queries.access_resource(user, resource_id))


@router.post("/resources/{resource_id}/rates", response={201: RateOut}, summary="Add a rate")
def add_rate(request: HttpRequest, resource_id: int, payload: RateIn) -> Status[Rate]:
    """Add a rate from a date on (the team's PMs and leads)."""
    user = actor(request)
    resource = queries.access_resource(user, resource_id)
    queries.rates_of(user, resource)  # 404 for whoever may not know rates exist
    return Status(201, services.do_add_rate(resource, actor=user, **payload_data(payload)))


class AssignmentFilters(Schema):
    """Filters of the assignment list."""

    task_id: int | None = None
    resource_id: int | None = None


@router.get("/projects/{code}/assignments", response=list[AssignmentOut], summary="Who works on what")
@paged
def list_assignments(
    request: HttpRequest, code: str, filters: Query[AssignmentFilters]
) -> QuerySet[Assignment]:
    """The assignments of the tasks the caller sees, in plan order."""
    user, project = caller_and_project(request, code)
    return queries.assignments_of(user, project, **filters.model_dump())


@router.post("/projects/{code}/assignments", response={201: AssignmentOut}, summary="Assign a resource")
def add_assignment(request: HttpRequest, code: str, payload: AssignmentIn) -> Status[Assignment]:
    """Assign a resource of the project's client or vendor to a task (whoever edits the plan)."""
    user, project = caller_and_project(request, code)
    assignment = services.do_assign(project, actor=user, **payload_data(payload))
    return Status(201, queries.access_assignment(user, project, assignment.pk))


@router.patch("/projects/{code}/assignments/{assignment_id}", response=AssignmentOut, summary="Change one")
def update_assignment(
    request: HttpRequest, code: str, assignment_id: int, payload: AssignmentPatchIn
) -> Assignment:
    """Change an assignment's units or work based on the version read."""
    user, project = caller_and_project(request, code)
    assignment = queries.access_assignment(user, project, assignment_id)
    services.do_update_assignment(
        assignment, version=payload.version, actor=user, **payload_data(payload, "version")
    )
    return queries.access_assignment(user, project, assignment.pk)


@router.delete("/projects/{code}/assignments/{assignment_id}", response={204: None}, summary="Unassign")
def delete_assignment(
    request: HttpRequest, code: str, assignment_id: int, version: int | None = None
) -> Status[None]:
    """Remove an assignment (``?version=`` the caller read)."""
    user, project = caller_and_project(request, code)
    services.do_unassign(queries.access_assignment(user, project, assignment_id), version=version, actor=user)
    return Status(204, None)
