"""Who may do what in a project. Services call ``require_*``; templates and the API only reflect."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tandem.accounts.choices import OrganizationKind
from tandem.core.choices import Side
from tandem.core.scoping import (
    forget_memberships,
    forget_request_memo,
    remembered_memberships,
    request_memo,
    sees_as_client,
)
from tandem.projects.choices import DecisionKind, DecisionPreset, Role
from tandem.projects.models import DecisionRight, Membership

if TYPE_CHECKING:
    from tandem.accounts.models import User
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project


class Action:
    """Project actions that are not decisions: they follow from the role alone."""

    EDIT_PROJECT = "edit_project"
    EDIT_CHARTER = "edit_charter"
    EDIT_PLAN = "edit_plan"
    MANAGE_MEMBERS = "manage_members"
    INVITE_CLIENT = "invite_client"
    MANAGE_DECISION_RIGHTS = "manage_decision_rights"
    WRITE_NOTES = "write_notes"
    #: Write and revise requirements (the client PM too when the client acts as PM).
    EDIT_REQUIREMENTS = "edit_requirements"
    #: Submit a request or a candidate requirement (either side, not viewers).
    SUBMIT_REQUIREMENT = "submit_requirement"
    #: Propose a change request (anyone on the project except viewers, the client included).
    PROPOSE_CHANGE = "propose_change"
    #: Edit the communication plan (who is told what, how often, by whom).
    PLAN_COMMUNICATION = "plan_communication"
    #: Schedule meetings, keep their agenda, minutes and action items.
    RUN_MEETINGS = "run_meetings"
    #: Generate, edit and send status reports.
    WRITE_STATUS_REPORTS = "write_status_reports"
    #: Manage the project's chat and generic webhooks.
    MANAGE_INTEGRATIONS = "manage_integrations"


#: Actions the client PM also takes when the client acts as project manager.
CLIENT_AS_PM_ACTIONS: frozenset[str] = frozenset(
    {
        Action.EDIT_PLAN,
        Action.EDIT_REQUIREMENTS,
        Action.PLAN_COMMUNICATION,
        Action.WRITE_STATUS_REPORTS,
    }
)


ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.PROJECT_MANAGER: frozenset(
        {
            Action.EDIT_PROJECT,
            Action.EDIT_CHARTER,
            Action.EDIT_PLAN,
            Action.MANAGE_MEMBERS,
            Action.INVITE_CLIENT,
            Action.MANAGE_DECISION_RIGHTS,
            Action.WRITE_NOTES,
            Action.EDIT_REQUIREMENTS,
            Action.SUBMIT_REQUIREMENT,
            Action.PROPOSE_CHANGE,
            Action.PLAN_COMMUNICATION,
            Action.RUN_MEETINGS,
            Action.WRITE_STATUS_REPORTS,
            Action.MANAGE_INTEGRATIONS,
        }
    ),
    Role.LEAD: frozenset(
        {
            Action.EDIT_CHARTER,
            Action.EDIT_PLAN,
            Action.WRITE_NOTES,
            Action.EDIT_REQUIREMENTS,
            Action.SUBMIT_REQUIREMENT,
            Action.PROPOSE_CHANGE,
            Action.RUN_MEETINGS,
            Action.WRITE_STATUS_REPORTS,
        }
    ),
    Role.MEMBER: frozenset(
        {Action.WRITE_NOTES, Action.EDIT_REQUIREMENTS, Action.SUBMIT_REQUIREMENT, Action.PROPOSE_CHANGE}
    ),
    Role.TEAM_VIEWER: frozenset(),
    Role.SPONSOR: frozenset(
        {
            Action.MANAGE_DECISION_RIGHTS,
            Action.INVITE_CLIENT,
            Action.SUBMIT_REQUIREMENT,
            Action.PROPOSE_CHANGE,
        }
    ),
    Role.CLIENT_PM: frozenset(
        {
            Action.INVITE_CLIENT,
            Action.WRITE_NOTES,
            Action.SUBMIT_REQUIREMENT,
            Action.PROPOSE_CHANGE,
            Action.RUN_MEETINGS,
        }
    ),
    Role.REVIEWER: frozenset({Action.SUBMIT_REQUIREMENT, Action.PROPOSE_CHANGE}),
    Role.CLIENT_VIEWER: frozenset(),
}


def membership_of(user: Viewer, project: Project) -> Membership | None:
    """The user's membership in ``project`` (cached on the project object; within a request, taken
    from the memberships the request's scopes read)."""
    user_id = user.pk
    if not user.is_authenticated or user_id is None:
        return None
    cache: dict[int, Membership | None] = project.__dict__.setdefault("_membership_cache", {})
    if user_id not in cache:
        remembered = remembered_memberships(user)
        if remembered is not None:
            cache[user_id] = remembered.get(project.pk)
        else:
            cache[user_id] = project.memberships.filter(user_id=user_id).first()
    return cache[user_id]


def role_of(user: Viewer, project: Project) -> str | None:
    """The user's role in the project, or None for a non-member."""
    membership = membership_of(user, project)
    return membership.role if membership else None


def is_team(user: Viewer, project: Project) -> bool:
    """Whether the user is on the delivery team of the project (and so sees internal records)."""
    if sees_as_client(user):
        return False
    membership = membership_of(user, project)
    return membership is not None and membership.side == Side.TEAM


def can(user: Viewer, project: Project, action: str) -> bool:
    """Whether the user's role permits ``action`` in ``project``."""
    role = role_of(user, project)
    if role is None:
        return False
    if action in CLIENT_AS_PM_ACTIONS and role == Role.CLIENT_PM:
        # When the client acts as project manager, its PM edits the plan and the requirements,
        # plans the communication and writes the status reports too.
        return project.decision_preset == DecisionPreset.CLIENT_AS_PM
    return action in ROLE_ACTIONS.get(role, frozenset())


def decision_roles(project: Project, kind: str) -> list[str]:
    """The roles that hold decision ``kind`` in ``project``."""
    cache: dict[str, list[str]] | None = project.__dict__.get("_decision_cache")
    if cache is None:
        memo = request_memo(RIGHTS_MEMO)
        cache = None if memo is None else memo.get(project.pk)
        if cache is None:
            # Read on nearly every project page: two columns, unordered (a dict).
            rights = project.decision_rights.order_by().values_list("kind", "roles")
            cache = {kind: list(roles or []) for kind, roles in rights}
            if memo is not None:
                memo[project.pk] = cache
        project.__dict__["_decision_cache"] = cache
    return cache.get(kind, [])


#: The request memo of each project's decision rights (``{project id: {kind: roles}}``), shared by
#: every ``Project`` instance the request reads and by the inbox's seats.
RIGHTS_MEMO = "projects.decision_rights"


def rights_of(project_ids: Iterable[int]) -> dict[int, dict[str, list[str]]]:
    """The decision rights of each project (``{kind: roles}``), with one query for those the
    request has not read yet."""
    wanted = sorted(set(project_ids))
    memo = request_memo(RIGHTS_MEMO)
    found: dict[int, dict[str, list[str]]] = {}
    missing = wanted
    if memo is not None:
        found = {pk: memo[pk] for pk in wanted if pk in memo}
        missing = [pk for pk in wanted if pk not in memo]
    if missing:
        read: dict[int, dict[str, list[str]]] = {pk: {} for pk in missing}
        for right in DecisionRight.objects.filter(project_id__in=missing).order_by():
            read[right.project_id][right.kind] = list(right.roles or [])
        found.update(read)
        if memo is not None:
            memo.update(read)
    return found


def holds(user: Viewer, project: Project, kind: str) -> bool:
    """Whether the user holds decision right ``kind`` in ``project``."""
    role = role_of(user, project)
    return role is not None and role in decision_roles(project, kind)


def holders(project: Project, kind: str) -> list[Membership]:
    """The active members who hold decision right ``kind`` in ``project``, with their users (one query,
    once the project's rights are read): whom to name when the reader cannot decide themselves."""
    roles = decision_roles(project, kind)
    if not roles:
        return []
    return list(
        Membership.objects.filter(project=project, role__in=roles, user__is_active=True)
        .select_related("user")
        .order_by("side", "role", "user__full_name", "user_id")
    )


def can_create_projects(user: Viewer) -> bool:
    """Whether the user may start projects: operators and people of a vendor organization."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    organization = getattr(user, "organization", None)
    return bool(user.is_staff or (organization is not None and organization.kind == OrganizationKind.VENDOR))


def require(user: User, project: Project, action: str) -> None:
    """Raise ``PermissionDenied`` unless the user may take ``action``."""
    if not can(user, project, action):
        raise PermissionDenied(_("Your role in this project does not allow this."))


def require_decision(user: User, project: Project, kind: str) -> None:
    """Raise ``PermissionDenied`` unless the user holds decision right ``kind``."""
    if not holds(user, project, kind):
        label = DecisionKind(kind).label
        raise PermissionDenied(
            _("You do not hold the decision right “%(kind)s” in this project.") % {"kind": label}
        )


def forget_cached_rights(project: Project) -> None:
    """Drop the per-object caches after memberships or decision rights change."""
    project.__dict__.pop("_membership_cache", None)
    project.__dict__.pop("_decision_cache", None)
    forget_memberships()
    forget_request_memo(RIGHTS_MEMO)
