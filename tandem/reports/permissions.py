"""Who may do what with status reports, on top of the project's roles and decision rights.

Writing (generate, edit, submit, send) is ``WRITE_STATUS_REPORTS``; approving or returning a report
awaiting approval is the ``APPROVE_STATUS_REPORT`` decision right; changing whether approval is
required is ``PLAN_COMMUNICATION`` or ``EDIT_PROJECT``. Drafts are seen by the team and by anyone
who writes or approves reports (the client PM when the client acts as project manager).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tandem.core.scoping import sees_as_client
from tandem.projects import permissions
from tandem.projects.choices import DecisionKind
from tandem.projects.permissions import Action

if TYPE_CHECKING:
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project


def can_write(user: Viewer, project: Project) -> bool:
    """Whether the user generates, edits and sends the project's reports."""
    return permissions.can(user, project, Action.WRITE_STATUS_REPORTS)


def can_approve(user: Viewer, project: Project) -> bool:
    """Whether the user holds the right to approve status reports."""
    return permissions.holds(user, project, DecisionKind.APPROVE_STATUS_REPORT)


def can_configure(user: Viewer, project: Project) -> bool:
    """Whether the user may say if reports need approval."""
    return permissions.can(user, project, Action.PLAN_COMMUNICATION) or permissions.can(
        user, project, Action.EDIT_PROJECT
    )


def sees_drafts(user: Viewer, project: Project) -> bool:
    """Whether the user may read unsent reports (never through the client lens)."""
    if sees_as_client(user):
        return False
    return permissions.is_team(user, project) or can_write(user, project) or can_approve(user, project)


def require_write(user: Viewer, project: Project) -> None:
    """Raise ``PermissionDenied`` unless the user writes reports."""
    if not can_write(user, project):
        raise PermissionDenied(_("Your role in this project does not allow this."))


def require_configure(user: Viewer, project: Project) -> None:
    """Raise ``PermissionDenied`` unless the user may change the report settings."""
    if not can_configure(user, project):
        raise PermissionDenied(_("Your role in this project does not allow this."))
