"""Who may change the registers: the team's PM, leads and members edit; the client's PM and sponsor raise.

Built on the project's roles (``tandem.projects.permissions``): viewers on either side only read,
closing a risk needs the "close risk" decision right, and a client decision is taken by the member it
names or by a holder of the decision right it names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tandem.projects import permissions
from tandem.projects.choices import Role

if TYPE_CHECKING:
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project
    from tandem.risks.models import ClientDecision

#: Team roles that keep the registers.
EDITOR_ROLES = frozenset({Role.PROJECT_MANAGER, Role.LEAD, Role.MEMBER})
#: Client roles that may raise a risk or an issue (always shared).
RAISER_ROLES = frozenset({Role.CLIENT_PM, Role.SPONSOR})


def can_edit_registers(user: Viewer, project: Project) -> bool:
    """Whether the user keeps the registers (team PM, lead or member)."""
    return permissions.is_team(user, project) and permissions.role_of(user, project) in EDITOR_ROLES


def can_raise(user: Viewer, project: Project) -> bool:
    """Whether the user may add a risk or an issue (the register's editors, the client PM, the sponsor)."""
    return can_edit_registers(user, project) or permissions.role_of(user, project) in RAISER_ROLES


def can_decide(user: Viewer, decision: ClientDecision) -> bool:
    """Whether the user is the named decider or holds the named decision right."""
    if not getattr(user, "is_authenticated", False) or permissions.role_of(user, decision.project) is None:
        return False
    if decision.decider_id is not None and decision.decider_id == user.pk:
        return True
    return bool(decision.decision_kind) and permissions.holds(user, decision.project, decision.decision_kind)


def require_edit(user: Viewer, project: Project) -> None:
    """Raise ``PermissionDenied`` unless the user keeps the registers."""
    if not can_edit_registers(user, project):
        raise PermissionDenied(_("Your role in this project does not allow this."))


def require_raise(user: Viewer, project: Project) -> None:
    """Raise ``PermissionDenied`` unless the user may add a risk or an issue."""
    if not can_raise(user, project):
        raise PermissionDenied(_("Your role in this project does not allow this."))
