"""Who may discuss: every member who can see a record may comment on it, except the read-only viewers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tandem.projects import permissions
from tandem.projects.choices import Role

if TYPE_CHECKING:
    from tandem.communication.models import Comment
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project

#: Roles that only read.
READ_ONLY_ROLES = frozenset({Role.TEAM_VIEWER, Role.CLIENT_VIEWER})


def can_comment(user: Viewer, project: Project) -> bool:
    """Whether the user may add comments in the project."""
    role = permissions.role_of(user, project)
    return role is not None and role not in READ_ONLY_ROLES


def can_edit(user: Viewer, comment: Comment) -> bool:
    """Only the author edits a comment."""
    return bool(getattr(user, "is_authenticated", False)) and comment.author_id == user.pk


def can_delete(user: Viewer, comment: Comment) -> bool:
    """The author or the project manager removes a comment."""
    return can_edit(user, comment) or (
        permissions.is_team(user, comment.project)
        and permissions.role_of(user, comment.project) == Role.PROJECT_MANAGER
    )


def require_comment(user: Viewer, project: Project) -> None:
    """Raise ``PermissionDenied`` unless the user may comment."""
    if not can_comment(user, project):
        raise PermissionDenied(_("Your role in this project does not allow this."))


def can_manage_integrations(user: Viewer, project: Project) -> bool:
    """Whether the user configures the project's webhooks (team-only configuration)."""
    return permissions.can(user, project, permissions.Action.MANAGE_INTEGRATIONS)


def require_manage_integrations(user: Viewer, project: Project) -> None:
    """Raise ``PermissionDenied`` unless the user manages the project's integrations."""
    if not can_manage_integrations(user, project):
        raise PermissionDenied(_("Your role in this project does not allow this."))
