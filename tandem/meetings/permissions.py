"""Who may plan communication and run meetings.

Built on the project's roles (``tandem.projects.permissions``): planning the communication needs
``PLAN_COMMUNICATION`` (the PM; the client PM when the client acts as PM); running meetings needs
``RUN_MEETINGS`` (PM, lead, client PM), and a meeting's organizer runs their own meeting too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tandem.projects import permissions
from tandem.projects.permissions import Action

if TYPE_CHECKING:
    from tandem.core.scoping import Viewer
    from tandem.meetings.models import CommunicationItem, Meeting
    from tandem.projects.models import Project


def can_plan(user: Viewer, project: Project) -> bool:
    """Whether the user edits the communication plan."""
    return permissions.can(user, project, Action.PLAN_COMMUNICATION)


def can_schedule(user: Viewer, project: Project) -> bool:
    """Whether the user schedules meetings in the project."""
    return permissions.can(user, project, Action.RUN_MEETINGS)


def can_run(user: Viewer, meeting: Meeting) -> bool:
    """Whether the user keeps this meeting's agenda, attendees, minutes and actions (organizer or runner)."""
    project = meeting.project
    if permissions.role_of(user, project) is None:
        return False
    if meeting.organizer_id is not None and meeting.organizer_id == user.pk:
        return True
    return can_schedule(user, project)


def can_mark_done(user: Viewer, item: CommunicationItem) -> bool:
    """Whether the user records by hand that a plan entry was done (planners, meeting runners, its owner)."""
    project = item.project
    if permissions.role_of(user, project) is None:
        return False
    return (
        can_plan(user, project)
        or can_schedule(user, project)
        or (item.owner_id is not None and item.owner_id == user.pk)
    )


def require_plan(user: Viewer, project: Project) -> None:
    """Raise ``PermissionDenied`` unless the user edits the communication plan."""
    if not can_plan(user, project):
        raise PermissionDenied(_("Your role in this project does not allow this."))


def require_schedule(user: Viewer, project: Project) -> None:
    """Raise ``PermissionDenied`` unless the user schedules meetings."""
    if not can_schedule(user, project):
        raise PermissionDenied(_("Your role in this project does not allow this."))


def require_run(user: Viewer, meeting: Meeting) -> None:
    """Raise ``PermissionDenied`` unless the user runs this meeting."""
    if not can_run(user, meeting):
        raise PermissionDenied(_("Your role in this project does not allow this."))
