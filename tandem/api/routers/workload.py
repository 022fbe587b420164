"""The workload heatmap of a resource pool and a resource's tasks in one week."""

from __future__ import annotations

from dataclasses import asdict

from django.http import HttpRequest
from ninja import Query, Router

from tandem.api.auth import AUTH, actor
from tandem.api.workload_schemas import ResourceWeekOut, WorkloadFilters, WorkloadOut
from tandem.resources import queries

router = Router(tags=["resources"], auth=AUTH)


@router.get("/organizations/{org_id}/workload", response=WorkloadOut, summary="A pool's workload by week")
def pool_workload(request: HttpRequest, org_id: int, filters: Query[WorkloadFilters]) -> WorkloadOut:
    """Capacity, assigned work and load per person (or role) and ISO week, for whoever reads the pool."""
    user = actor(request)
    organization = queries.access_organization(user, org_id)
    found = queries.pool_workload(
        user,
        organization,
        start=filters.start,
        weeks=filters.weeks,
        group=filters.group,
        project_code=filters.project,
        role=filters.role,
    )
    rows = [{**asdict(row), "load_percent": row.load_percent, "over": row.over} for row in found.rows]
    return WorkloadOut(start=found.start, group=found.group, weeks=found.weeks, rows=rows)  # type: ignore[arg-type]


@router.get("/resources/{resource_id}/workload/{week}", response=ResourceWeekOut, summary="A resource's week")
def resource_week(request: HttpRequest, resource_id: int, week: str) -> ResourceWeekOut:
    """The tasks giving the resource work in the week holding ``week`` (those the caller may see)."""
    resource, monday, tasks = queries.resource_week(actor(request), resource_id, week)
    return ResourceWeekOut(
        resource_id=resource.pk,
        name=resource.name,
        week=monday,
        tasks=[asdict(t) for t in tasks],  # type: ignore[misc]
    )
