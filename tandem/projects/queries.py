"""The read side of projects: fetch and authorise in one call, and lists that don't grow queries."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tandem.accounts.models import Organization
from tandem.core.database import the_one
from tandem.core.models import Activity
from tandem.core.scoping import request_memo
from tandem.projects.charter import diff_content
from tandem.projects.choices import CLIENT_ROLES, CharterSectionKey
from tandem.projects.models import (
    Charter,
    CharterConfirmation,
    CharterRevision,
    CharterSection,
    DecisionRight,
    Deliverable,
    Goal,
    Invitation,
    Kpi,
    Membership,
    Note,
    Project,
    RaciAssignment,
    Stakeholder,
)
from tandem.projects.permissions import can_create_projects, is_team

if TYPE_CHECKING:
    from tandem.core.scoping import Viewer

M = TypeVar("M")


def projects_for(user: Viewer, *, search: str = "", status: str = "") -> QuerySet[Project]:
    """The projects a user belongs to, with what a list needs, in one query."""
    qs = (
        Project.objects.visible_to(user)
        .select_related("client", "vendor")
        .annotate(member_count=Count("memberships", distinct=True))
        .order_by("code")
    )
    if search:
        qs = qs.filter(
            Q(code__icontains=search) | Q(name__icontains=search) | Q(client__name__icontains=search)
        )
    if status:
        qs = qs.filter(status=status)
    return qs


def access_project(user: Viewer, code: str) -> Project:
    """The project with ``code`` if the user is a member of it; otherwise ``Http404``."""
    project = the_one(Project.objects.visible_to(user).select_related("client", "vendor").filter(code=code))
    if project is None:
        raise Http404(_("No such project."))
    memo = request_memo(PROJECTS_MEMO)
    if memo is not None:
        memo[project.pk] = project  # the inbox's items name it without reading it again
    return project


#: The request memo of the projects the request read by id (``access_project`` fills it).
PROJECTS_MEMO = "projects.by_id"


def access_item(user: Viewer, project: Project, model: type[M], pk: Any) -> M:
    """A record of ``model`` in ``project`` that the user may see; otherwise ``Http404``."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404(_("No such record.")) from None
    item = the_one(model.objects.visible_to(user).filter(project=project, pk=pk))  # type: ignore[attr-defined]
    if item is None:
        raise Http404(_("No such record."))
    return item  # type: ignore[no-any-return]


def access_membership(user: Viewer, project: Project, pk: Any) -> Membership:
    """A membership of ``project`` visible to the user; otherwise ``Http404``."""
    return access_item(user, project, Membership, pk)


def members_of(user: Viewer, project: Project) -> QuerySet[Membership]:
    """The project's members with their users and organizations."""
    return (
        Membership.objects.visible_to(user)
        .filter(project=project)
        .select_related("user", "user__organization")
        .order_by("side", "role", "user__full_name")
    )


def decision_rights_of(user: Viewer, project: Project) -> QuerySet[DecisionRight]:
    """The project's table of decision rights."""
    return DecisionRight.objects.visible_to(user).filter(project=project).order_by("id")


def invitations_of(user: Viewer, project: Project) -> QuerySet[Invitation]:
    """Open invitations of the project, for the team (a client sees none but their own side's)."""
    qs = (
        Invitation.objects.visible_to(user)
        .filter(project=project, accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
    )
    if not is_team(user, project):
        qs = qs.filter(role__in=CLIENT_ROLES)
    return qs


def charter_of(project: Project) -> Charter:
    """The project's charter row (created with the project)."""
    return Charter.objects.get(project=project)


def sections_of(user: Viewer, project: Project) -> list[CharterSection]:
    """The charter's text sections in their fixed order (missing ones as unsaved blanks)."""
    existing = {s.key: s for s in CharterSection.objects.visible_to(user).filter(project=project)}
    return [
        existing.get(key) or CharterSection(project=project, key=key, version=0)
        for key in CharterSectionKey.values
    ]


def goals_of(user: Viewer, project: Project) -> QuerySet[Goal]:
    """The charter's SMART goals the user may see."""
    return Goal.objects.visible_to(user).filter(project=project).order_by("position", "id")


def kpis_of(user: Viewer, project: Project) -> QuerySet[Kpi]:
    """The charter's KPIs the user may see."""
    return Kpi.objects.visible_to(user).filter(project=project).order_by("position", "id")


def stakeholders_of(user: Viewer, project: Project) -> QuerySet[Stakeholder]:
    """The charter's stakeholders the user may see."""
    return Stakeholder.objects.visible_to(user).filter(project=project).order_by("position", "id")


def deliverables_of(user: Viewer, project: Project) -> QuerySet[Deliverable]:
    """The deliverables the user may see, each with the RACI cells of stakeholders the user may see."""
    cells = RaciAssignment.objects.filter(
        stakeholder__in=Stakeholder.objects.visible_to(user).filter(project=project)
    ).select_related("stakeholder")
    return (
        Deliverable.objects.visible_to(user)
        .filter(project=project)
        .prefetch_related(Prefetch("raci", queryset=cells, to_attr="visible_raci"))
        .order_by("position", "id")
    )


def notes_of(user: Viewer, project: Project) -> QuerySet[Note]:
    """The project notes the user may see, newest first."""
    return Note.objects.visible_to(user).filter(project=project).select_related("author")


def activity_of(
    user: Viewer,
    project: Project | None = None,
    *,
    verb: str = "",
    target_type: str = "",
    target_id: str = "",
    actor_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[Activity]:
    """The activity feed the user may see (of one project, or of all their projects), newest first.

    Optional filters: the verb, the target (type such as ``projects.goal``, and id), the actor,
    and a range of days (``since`` and ``until`` included, in the server's time zone).
    """
    qs = Activity.objects.visible_to(user).select_related("actor", "project")
    if project is not None:
        qs = qs.filter(project=project)
    if verb:
        qs = qs.filter(verb=verb)
    if target_type:
        qs = qs.filter(target_type=target_type)
    if target_id:
        qs = qs.filter(target_id=target_id)
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if since is not None:
        qs = qs.filter(created_at__date__gte=since)
    if until is not None:
        qs = qs.filter(created_at__date__lte=until)
    return qs.order_by("-created_at", "-id")


def confirmations_of(project: Project) -> QuerySet[CharterConfirmation]:
    """Every confirmation of the project's charter, newest first (they are shared by nature)."""
    return CharterConfirmation.objects.filter(charter__project=project).select_related("confirmed_by")


def latest_confirmation(project: Project) -> CharterConfirmation | None:
    """The most recent confirmation of the project's charter."""
    return confirmations_of(project).first()


def charter_revision(project: Project, number: int) -> CharterRevision:
    """One frozen revision of the charter; ``Http404`` when it does not exist."""
    revision = CharterRevision.objects.filter(charter__project=project, number=number).first()
    if revision is None:
        raise Http404(_("No such charter revision."))
    return revision


def changes_since_confirmation(
    project: Project, charter: Charter | None = None
) -> tuple[CharterConfirmation | None, list[dict[str, Any]]]:
    """The latest confirmation and what changed in the charter since, as the user may see it.

    Revisions hold the shared charter only (that is what the client confirms), and every edit of the
    charter freezes the shared charter as a new revision when it changed (``services._bump_charter``):
    the latest revision is the shared charter as it stands, so the comparison reads two stored
    revisions instead of the whole charter on every view of the project home. The charter row
    carries the latest revision's number (``charter``, when the caller has read it): a charter
    confirmed as it stands reads no revision, one changed since reads the two in one query.
    """
    confirmation = latest_confirmation(project)
    if confirmation is None:
        return None, []
    revisions = CharterRevision.objects.filter(charter__project=project)
    if charter is None:
        number = revisions.order_by("-number").values_list("number", flat=True).first()
    else:
        number = charter.revision
    if number is None or number == confirmation.revision:
        return confirmation, []
    contents = dict(
        revisions.filter(number__in=[number, confirmation.revision])
        .order_by()
        .values_list("number", "content")
    )
    if number not in contents:
        return confirmation, []
    return confirmation, diff_content(contents.get(confirmation.revision) or {}, contents[number])


def organizations_for(user: Viewer) -> QuerySet[Organization]:
    """Organizations relevant to a user: all for project starters, else their own and their projects'."""
    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    if can_create_projects(user):
        return Organization.objects.order_by("name")
    mine = Project.objects.visible_to(user)
    return (
        Organization.objects.filter(
            Q(pk=user.organization_id) | Q(client_projects__in=mine) | Q(vendor_projects__in=mine)  # type: ignore[union-attr]
        )
        .distinct()
        .order_by("name")
    )


def revisions_of(project: Project) -> QuerySet[CharterRevision]:
    """The charter's frozen revisions, newest first, without their content (shared by nature)."""
    return (
        CharterRevision.objects.filter(charter__project=project)
        .select_related("created_by")
        .defer("content")
        .order_by("-number")
    )
