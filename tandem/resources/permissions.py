"""Who may read and keep an organization's resource pool, its rates, and the assignments of a plan.

- The pool of an organization is read by its own people and by the delivery team of any project
  the organization is on (as client or vendor).
- It is kept by the team's PMs and leads of those projects, and by a client's PM for the client's own
  pool (reviewers, environments, data deliveries) — without the cost fields.
- Rates and the cost per use are internal: only the delivery team reads them (never a client, never
  a team member previewing the client's view), and only the team's PMs and leads set them.
- Assignments follow the plan: whoever may edit the plan assigns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from tandem.accounts.choices import OrganizationKind
from tandem.core.choices import Side
from tandem.core.scoping import sees_as_client
from tandem.projects import permissions
from tandem.projects.choices import Role
from tandem.projects.models import Membership

if TYPE_CHECKING:
    from tandem.accounts.models import Organization
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project

#: Team roles that keep a pool and its rates.
KEEPER_ROLES = frozenset({Role.PROJECT_MANAGER, Role.LEAD})


def _signed_in(user: Viewer) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def _memberships(user: Viewer, organization: Organization) -> QuerySet[Membership]:
    """The user's memberships in projects the organization is on."""
    return Membership.objects.filter(user_id=int(user.pk or 0)).filter(
        Q(project__client_id=organization.pk) | Q(project__vendor_id=organization.pk)
    )


def _cached(user: Viewer, organization: Organization, key: str, compute: Any) -> bool:
    # One answer per organization object and reader: a page asks several times.
    cache: dict[tuple[Any, str, bool], bool] = organization.__dict__.setdefault("_pool_rights", {})
    slot = (user.pk, key, sees_as_client(user))
    if slot not in cache:
        cache[slot] = bool(compute())
    return cache[slot]


def is_team_for(user: Viewer, organization: Organization) -> bool:
    """Whether the user reads the pool as the delivery team (and so reads rates)."""
    if not _signed_in(user) or sees_as_client(user):
        return False

    def compute() -> bool:
        mine = getattr(user, "organization_id", None) == organization.pk
        own_vendor = organization.kind == OrganizationKind.VENDOR and mine
        return own_vendor or _memberships(user, organization).filter(side=Side.TEAM).exists()

    return _cached(user, organization, "team", compute)


def can_view_pool(user: Viewer, organization: Organization) -> bool:
    """Whether the user may read the organization's resources (names, roles, skills, capacity)."""
    if not _signed_in(user):
        return False
    return getattr(user, "organization_id", None) == organization.pk or is_team_for(user, organization)


def can_edit_costs(user: Viewer, organization: Organization) -> bool:
    """Whether the user keeps the pool's internal side: rates and cost per use (team PMs and leads)."""
    if not _signed_in(user) or sees_as_client(user):
        return False
    return _cached(
        user,
        organization,
        "keeper",
        lambda: _memberships(user, organization).filter(side=Side.TEAM, role__in=KEEPER_ROLES).exists(),
    )


def can_edit_pool(user: Viewer, organization: Organization) -> bool:
    """Whether the user may add and change resources: team keepers, or the client PM for its own pool."""
    if can_edit_costs(user, organization):
        return True
    if not _signed_in(user) or getattr(user, "organization_id", None) != organization.pk:
        return False
    return _cached(
        user,
        organization,
        "client_keeper",
        lambda: (
            _memberships(user, organization)
            .filter(role=Role.CLIENT_PM, project__client_id=organization.pk)
            .exists()
        ),
    )


def can_assign(user: Viewer, project: Project) -> bool:
    """Whether the user may assign resources to the project's tasks (whoever edits the plan)."""
    return permissions.can(user, project, permissions.Action.EDIT_PLAN)


def require_edit_pool(user: Viewer, organization: Organization) -> None:
    """Raise ``PermissionDenied`` unless the user may keep the organization's pool."""
    if not can_edit_pool(user, organization):
        raise PermissionDenied(_("You may not change this organization's resources."))


def require_edit_costs(user: Viewer, organization: Organization) -> None:
    """Raise ``PermissionDenied`` unless the user may set rates and costs of the organization's pool."""
    if not can_edit_costs(user, organization):
        raise PermissionDenied(_("Only the delivery team's project managers and leads set rates and costs."))


def require_assign(user: Viewer, project: Project) -> None:
    """Raise ``PermissionDenied`` unless the user may assign resources in the project."""
    if not can_assign(user, project):
        raise PermissionDenied(_("Your role in this project does not allow this."))
