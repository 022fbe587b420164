"""Who is in a project: members, invitations, and decision rights."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from tandem.accounts.models import User
from tandem.api.auth import AUTH, OPTIONAL_AUTH, actor
from tandem.api.pagination import paged
from tandem.api.schemas import (
    AcceptedOut,
    AcceptIn,
    DecisionRightOut,
    DecisionRolesIn,
    DecisionTableOut,
    InvitationCreatedOut,
    InvitationIn,
    InvitationOut,
    MemberIn,
    MemberOut,
    MemberPatchIn,
    PersonOut,
    PresetIn,
)
from tandem.projects import queries, services
from tandem.projects.choices import DecisionKind
from tandem.projects.models import DecisionRight, Invitation, Membership, Project

router = Router(tags=["members"], auth=AUTH)


# ---------------------------------------------------------------- members


@router.get("/projects/{code}/members", response=list[MemberOut], summary="Members of a project")
@paged
def list_members(request: HttpRequest, code: str) -> QuerySet[Membership]:
    """The project's members, team first."""
    user = actor(request)
    return queries.members_of(user, queries.access_project(user, code))


@router.post("/projects/{code}/members", response={201: MemberOut}, summary="Add a member")
def add_member(request: HttpRequest, code: str, payload: MemberIn) -> Status[Membership]:
    """Add a person who has an account (others are invited)."""
    user = actor(request)
    project = queries.access_project(user, code)
    membership = services.do_add_member_by_email(project, email=payload.email, role=payload.role, actor=user)
    return Status(201, membership)


@router.get("/projects/{code}/members/{member_id}", response=MemberOut, summary="A member")
def get_member(request: HttpRequest, code: str, member_id: int) -> Membership:
    """One membership of the project."""
    user = actor(request)
    project = queries.access_project(user, code)
    return queries.members_of(user, project).get(pk=queries.access_membership(user, project, member_id).pk)


@router.patch("/projects/{code}/members/{member_id}", response=MemberOut, summary="Change a member's role")
def change_role(request: HttpRequest, code: str, member_id: int, payload: MemberPatchIn) -> Membership:
    """Give a member another role."""
    user = actor(request)
    project = queries.access_project(user, code)
    membership = queries.access_membership(user, project, member_id)
    return services.do_change_role(membership, role=payload.role, actor=user)


@router.delete("/projects/{code}/members/{member_id}", response={204: None}, summary="Remove a member")
def remove_member(request: HttpRequest, code: str, member_id: int) -> Status[None]:
    """Remove a member (never the last project manager)."""
    user = actor(request)
    project = queries.access_project(user, code)
    services.do_remove_member(queries.access_membership(user, project, member_id), actor=user)
    return Status(204, None)


# ---------------------------------------------------------------- invitations


@router.get(
    "/projects/{code}/invitations",
    response=list[InvitationOut],
    tags=["invitations"],
    summary="Open invitations",
)
@paged
def list_invitations(request: HttpRequest, code: str) -> QuerySet[Invitation]:
    """Invitations not yet accepted or revoked (a client member sees their own side's)."""
    user = actor(request)
    return queries.invitations_of(user, queries.access_project(user, code))


@router.post(
    "/projects/{code}/invitations",
    response={201: InvitationCreatedOut},
    tags=["invitations"],
    summary="Invite someone",
)
def invite(request: HttpRequest, code: str, payload: InvitationIn) -> Status[InvitationCreatedOut]:
    """Invite someone by email; the link is emailed, and shown here once."""
    user = actor(request)
    project = queries.access_project(user, code)
    invitation, raw = services.do_invite(
        project, email=payload.email, role=payload.role, actor=user, full_name=payload.full_name
    )
    out = InvitationOut.model_validate(invitation).model_dump()
    return Status(201, InvitationCreatedOut(**out, url=services.invitation_url(raw)))


@router.delete(
    "/projects/{code}/invitations/{invitation_id}",
    response={204: None},
    tags=["invitations"],
    summary="Revoke an invitation",
)
def revoke_invitation(request: HttpRequest, code: str, invitation_id: int) -> Status[None]:
    """Withdraw an invitation not accepted yet."""
    user = actor(request)
    project = queries.access_project(user, code)
    invitation = queries.invitations_of(user, project).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404(_("No such open invitation."))
    services.do_revoke_invitation(invitation, actor=user)
    return Status(204, None)


@router.post(
    "/invitations/accept",
    response={201: AcceptedOut},
    auth=OPTIONAL_AUTH,
    tags=["invitations"],
    summary="Accept an invitation",
)
def accept_invitation(request: HttpRequest, payload: AcceptIn) -> Status[AcceptedOut]:
    """Accept as the signed-in user, or (signed out) create an account with a name and password."""
    caller = actor(request)
    membership = services.do_accept_invitation(
        payload.token,
        user=caller if caller.is_authenticated else None,
        full_name=payload.full_name,
        password=payload.password,
    )
    person = PersonOut(id=membership.user.pk, full_name=membership.user.full_name)
    return Status(201, AcceptedOut(project=membership.project.code, role=membership.role, user=person))


# ---------------------------------------------------------------- decision rights


def _table(user: User, project: Project) -> DecisionTableOut:
    """The whole table after a change."""
    rights = [DecisionRightOut.model_validate(r) for r in queries.decision_rights_of(user, project)]
    return DecisionTableOut(preset=project.decision_preset, rights=rights)


@router.get(
    "/projects/{code}/decision-rights",
    response=list[DecisionRightOut],
    tags=["decision rights"],
    summary="Decision rights",
)
@paged
def list_decision_rights(request: HttpRequest, code: str) -> QuerySet[DecisionRight]:
    """Who holds each kind of decision in the project."""
    user = actor(request)
    return queries.decision_rights_of(user, queries.access_project(user, code))


@router.post(
    "/projects/{code}/decision-rights/preset",
    response=DecisionTableOut,
    tags=["decision rights"],
    summary="Apply a preset",
)
def apply_preset(request: HttpRequest, code: str, payload: PresetIn) -> DecisionTableOut:
    """Replace the whole table by a preset (team-led, joint, client acts as PM)."""
    user = actor(request)
    project = services.do_apply_decision_preset(
        queries.access_project(user, code), preset=payload.preset, actor=user
    )
    return _table(user, project)


@router.put(
    "/projects/{code}/decision-rights/{kind}",
    response=DecisionRightOut,
    tags=["decision rights"],
    summary="Set who holds one decision",
)
def set_decision_right(
    request: HttpRequest, code: str, kind: DecisionKind, payload: DecisionRolesIn
) -> DecisionRight:
    """Set the roles holding one kind of decision; the preset becomes custom."""
    user = actor(request)
    project = queries.access_project(user, code)
    return services.do_set_decision_right(project, kind=kind, roles=list(payload.roles), actor=user)
