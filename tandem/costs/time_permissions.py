"""Who may log, read and approve time in a project, and who keeps its cost settings.

- The delivery team logs its own time: members, leads and PMs (not team viewers); clients never log.
- A person reads their own entries; the team's PMs and leads read every entry of the project, with
  its internal cost; nobody else reads a cost.
- The team's PMs and leads approve submitted weeks. When the project asks the client to approve
  time, holders of the decision right "approve timesheets" approve the team-approved weeks and read
  the submitted and approved weeks (hours, tasks, notes — never a cost). Other clients read no time.
- The PM keeps the cost settings (client approval, actuals from time, the locked period).
A team member previewing the client's view reads as a client and changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tandem.core.scoping import sees_as_client
from tandem.costs.settings import settings_for
from tandem.projects import permissions
from tandem.projects.choices import DecisionKind, Role

if TYPE_CHECKING:
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project

#: Team roles that log time.
LOGGING_ROLES = frozenset({Role.PROJECT_MANAGER, Role.LEAD, Role.MEMBER})
#: Team roles that read everyone's time (with its cost) and approve weeks.
KEEPER_ROLES = frozenset({Role.PROJECT_MANAGER, Role.LEAD})


def _team_role(user: Viewer) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and not sees_as_client(user)


def can_log_time(user: Viewer, project: Project) -> bool:
    """Whether the user logs their own time in the project (the team's members, leads and PMs)."""
    return _team_role(user) and permissions.role_of(user, project) in LOGGING_ROLES


def is_time_keeper(user: Viewer, project: Project) -> bool:
    """Whether the user reads every entry with its cost and approves weeks (the team's PMs and leads)."""
    return _team_role(user) and permissions.role_of(user, project) in KEEPER_ROLES


def is_client_approver(user: Viewer, project: Project) -> bool:
    """Whether the user approves weeks for the client (the decision right, when the project asks for it)."""
    if not getattr(user, "is_authenticated", False) or sees_as_client(user):
        return False
    if not permissions.holds(user, project, DecisionKind.APPROVE_TIMESHEETS):
        return False
    return settings_for(project).client_approves_time


def can_read_time(user: Viewer, project: Project) -> bool:
    """Whether the user reads any time of the project (their own, everyone's, or the submitted weeks)."""
    return can_log_time(user, project) or is_time_keeper(user, project) or is_client_approver(user, project)


def can_edit_cost_settings(user: Viewer, project: Project) -> bool:
    """Whether the user keeps the project's cost settings (the team's PM)."""
    return _team_role(user) and permissions.role_of(user, project) == Role.PROJECT_MANAGER


def require_log_time(user: Viewer, project: Project) -> None:
    """Raise ``PermissionDenied`` unless the user logs time in the project."""
    if not can_log_time(user, project):
        raise PermissionDenied(_("Only the delivery team's members, leads and PMs log time in this project."))


def require_read_time(user: Viewer, project: Project) -> None:
    """Raise ``PermissionDenied`` unless the user reads some of the project's time."""
    if not can_read_time(user, project):
        raise PermissionDenied(_("Your role in this project does not allow this."))


def require_time_keeper(user: Viewer, project: Project) -> None:
    """Raise ``PermissionDenied`` unless the user approves weeks for the team."""
    if not is_time_keeper(user, project):
        raise PermissionDenied(_("Only the team's project managers and leads approve time."))


def require_client_approver(user: Viewer, project: Project) -> None:
    """Raise ``PermissionDenied`` unless the user approves weeks for the client."""
    if not is_client_approver(user, project):
        raise PermissionDenied(_("You do not approve time for the client in this project."))


def require_edit_cost_settings(user: Viewer, project: Project) -> None:
    """Raise ``PermissionDenied`` unless the user keeps the project's cost settings."""
    if not can_edit_cost_settings(user, project):
        raise PermissionDenied(_("Only the project manager changes the cost settings."))
