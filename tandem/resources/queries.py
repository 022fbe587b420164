"""The read side of the resource pool: each helper fetches *and* authorises (404 for the unseen)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import DecimalField, F, Q, QuerySet, Value
from django.http import Http404
from django.utils.translation import gettext as _

from tandem.accounts.models import Organization
from tandem.core.scoping import ClientLens, sees_as_client
from tandem.projects.models import Project
from tandem.resources import permissions, workload
from tandem.resources.models import Assignment, Rate, Resource
from tandem.resources.workload import WeekTask, Workload

if TYPE_CHECKING:
    from tandem.core.scoping import Viewer


def _int(pk: Any, message: str) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404(message) from None


def access_organization(user: Viewer, pk: Any) -> Organization:
    """An organization whose pool the user may read; otherwise ``Http404``."""
    organization = Organization.objects.filter(pk=_int(pk, _("No such organization."))).first()
    if organization is None or not permissions.can_view_pool(user, organization):
        raise Http404(_("No such organization."))
    return organization


def resources_of(
    user: Viewer,
    organization: Organization,
    *,
    search: str = "",
    role: str = "",
    kind: str = "",
    active: bool | None = None,
) -> QuerySet[Resource]:
    """The organization's resources the user may read (all or none), filtered, by name."""
    if not permissions.can_view_pool(user, organization):
        return Resource.objects.none()
    rows = _with_costs(user, organization, Resource.objects.filter(organization=organization))
    if search:
        rows = rows.filter(Q(name__icontains=search) | Q(role__icontains=search))
    if role:
        rows = rows.filter(role=role)
    if kind:
        rows = rows.filter(kind=kind)
    if active is not None:
        rows = rows.filter(active=active)
    return rows.prefetch_related("exceptions").order_by("name", "id")


def _with_costs(user: Viewer, organization: Organization, rows: QuerySet[Resource]) -> QuerySet[Resource]:
    """``rows`` with ``shown_cost_per_use``: the cost for the delivery team, None (never read) for others."""
    if permissions.is_team_for(user, organization):
        shown: Any = F("cost_per_use")
    else:
        shown = Value(None, output_field=DecimalField(max_digits=14, decimal_places=2))
    return rows.select_related("user", "organization").annotate(shown_cost_per_use=shown)


def roles_of(organization: Organization) -> list[str]:
    """The distinct roles in the organization's pool, for the role filter."""
    rows = Resource.objects.filter(organization=organization).exclude(role="")
    return list(rows.values_list("role", flat=True).distinct().order_by("role"))


def access_resource(user: Viewer, pk: Any) -> Resource:
    """A resource whose pool the user may read; otherwise ``Http404``."""
    found = (
        Resource.objects.select_related("organization").filter(pk=_int(pk, _("No such resource."))).first()
    )
    if found is None or not permissions.can_view_pool(user, found.organization):
        raise Http404(_("No such resource."))
    return _with_costs(user, found.organization, Resource.objects.filter(pk=found.pk)).prefetch_related(
        "exceptions"
    )[0]


def rates_of(user: Viewer, resource: Resource) -> QuerySet[Rate]:
    """The resource's rate history, newest first; ``Http404`` for anyone but the delivery team."""
    if not permissions.is_team_for(user, resource.organization):
        raise Http404(_("No such resource."))
    return Rate.objects.filter(resource=resource).order_by("-effective_from", "-id")


def assignable_resources(project: Project) -> QuerySet[Resource]:
    """The active resources of the project's organizations (its client and its vendor)."""
    return (
        Resource.objects.filter(organization_id__in=[project.client_id, project.vendor_id], active=True)
        .select_related("organization")
        .order_by("name", "id")
    )


def assignments_of(
    user: Viewer, project: Project, *, task_id: int | None = None, resource_id: int | None = None
) -> QuerySet[Assignment]:
    """The project's assignments the user may see (a client: those of shared tasks), in plan order."""
    rows = (
        Assignment.objects.visible_to(user)
        .filter(project=project)
        .select_related("task", "resource")
        .order_by("task__outline_key", "task_id", "resource__name", "id")
    )
    if task_id is not None:
        rows = rows.filter(task_id=task_id)
    if resource_id is not None:
        rows = rows.filter(resource_id=resource_id)
    return rows


def access_assignment(user: Viewer, project: Project, pk: Any) -> Assignment:
    """An assignment of ``project`` the user may see; otherwise ``Http404``."""
    found = assignments_of(user, project).filter(pk=_int(pk, _("No such assignment."))).first()
    if found is None:
        raise Http404(_("No such assignment."))
    return found


def names_by_task(
    user: Viewer, project: Project, task_ids: Iterable[int] | None = None
) -> dict[int, list[str]]:
    """The names of the resources assigned to each task the user may see, in one query."""
    rows = Assignment.objects.visible_to(user).filter(project=project)
    if task_ids is not None:
        rows = rows.filter(task_id__in=list(task_ids))
    names: dict[int, list[str]] = defaultdict(list)
    for task_id, name in rows.order_by("task_id", "resource__name").values_list("task_id", "resource__name"):
        names[task_id].append(name)
    return dict(names)


def pool_workload(
    user: Viewer,
    organization: Organization,
    *,
    start: object = None,
    weeks: object = None,
    group: object = "person",
    project_code: str = "",
    role: str = "",
    people_slice: slice | None = None,
) -> Workload:
    """The workload heatmap of a pool the user may read, optionally of one project's people.

    Bad input raises a ValidationError naming ``start``, ``weeks``, ``group`` or ``project``.
    """
    monday, count, chosen = workload.parse_window(start, weeks, group)
    project = None
    if project_code:
        project = (
            Project.objects.visible_to(user)
            .filter(code=project_code)
            .filter(Q(client_id=organization.pk) | Q(vendor_id=organization.pk))
            .first()
        )
        if project is None:
            raise ValidationError({"project": [_("No such project of this organization.")]})
    return workload.workload_of(
        [organization.pk],
        start=monday,
        weeks=count,
        group=chosen,
        project=project,
        role=role,
        people_slice=people_slice,
    )


def project_workload(
    user: Viewer, project: Project, *, start: object = None, weeks: object = None, group: object = "person"
) -> tuple[Workload, list[Organization]]:
    """The workload of the project's people from both sides: the pools (client, vendor) the user may read."""
    monday, count, chosen = workload.parse_window(start, weeks, group)
    if sees_as_client(user):
        # The client's view: its own side, as a client member of the project reads it.
        pools = [project.client]
    else:
        pools = [
            o
            for o in (project.vendor, project.client)
            if o is not None and permissions.can_view_pool(user, o)
        ]
    found = workload.workload_of(
        [o.pk for o in pools], start=monday, weeks=count, group=chosen, project=project
    )
    return found, pools


def resource_week(
    user: Viewer, pk: Any, week: object, *, preview: bool = False
) -> tuple[Resource, dt.date, list[WeekTask]]:
    """A resource the user may read, the Monday of ``week`` and the tasks it works on then (scoped).

    ``preview``: a team member reads the tasks as the client would (shared tasks only).
    """
    resource = access_resource(user, pk)
    reader: Viewer = ClientLens(user) if preview and not sees_as_client(user) else user  # type: ignore[arg-type]
    try:
        day = week if isinstance(week, dt.date) else dt.date.fromisoformat(str(week))
    except ValueError:
        raise ValidationError({"week": [_("Give the week as a date: YYYY-MM-DD.")]}) from None
    monday = workload.monday_of(day)
    return resource, monday, workload.week_tasks(reader, resource, monday)


def projects_of_pool(user: Viewer, organization: Organization) -> list[tuple[str, str]]:
    """(code, name) of the user's projects that the organization is on, for the workload's project filter."""
    rows = Project.objects.visible_to(user).filter(
        Q(client_id=organization.pk) | Q(vendor_id=organization.pk)
    )
    return list(rows.order_by("code").values_list("code", "name"))
