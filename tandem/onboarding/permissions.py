"""Who may do what with onboarding: the project manager keeps the training material; each member of
the client's side marks the items meant for them as done."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tandem.core.scoping import sees_as_client
from tandem.projects.choices import CLIENT_ROLES, Role
from tandem.projects.permissions import role_of

if TYPE_CHECKING:
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project


def can_manage_training(user: Viewer, project: Project) -> bool:
    """Whether the user adds, edits, orders and removes the project's training material (its PM)."""
    return not sees_as_client(user) and role_of(user, project) == Role.PROJECT_MANAGER


def can_complete_training(user: Viewer, project: Project) -> bool:
    """Whether the user's completion of training is tracked (a member on the client's side)."""
    return not sees_as_client(user) and role_of(user, project) in CLIENT_ROLES


def require_manage_training(user: Viewer, project: Project) -> None:
    """Refuse (``PermissionDenied``) anyone but the project manager."""
    if not can_manage_training(user, project):
        raise PermissionDenied(_("Only the project manager manages the training material."))


def require_complete_training(user: Viewer, project: Project) -> None:
    """Refuse (``PermissionDenied``) anyone but a member on the client's side."""
    if not can_complete_training(user, project):
        raise PermissionDenied(_("Training is tracked for the client's members."))
