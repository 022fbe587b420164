"""Members and invitations of a project, and its table of decision rights."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from tandem.projects import queries, services
from tandem.projects.choices import CLIENT_ROLES, DecisionKind, DecisionPreset, Role
from tandem.projects.models import Invitation
from tandem.projects.permissions import ROLE_ACTIONS, Action
from tandem.resources.permissions import can_view_pool
from tandem.web.forms import DecisionRightForm, InviteForm, PresetForm, RoleForm
from tandem.web.views.base import ProjectScope, apply_errors, project_view, render_page

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from tandem.accounts.models import Organization


def _manageable_roles(scope: ProjectScope) -> list[tuple[str, StrOrPromise]]:
    """The roles the user may invite or assign (everything for the PM, client roles for the client's)."""
    if scope.can_manage_members:
        return list(Role.choices)
    if scope.can_invite:
        return [(value, label) for value, label in Role.choices if value in CLIENT_ROLES]
    return []


def _pools(scope: ProjectScope) -> dict[str, Any]:
    """The organizations whose pool the page links to, by side (previewing: what a client sees)."""
    project = scope.project
    sides: dict[str, Organization | None] = {"client_pool": project.client}
    if not scope.preview:
        sides["team_pool"] = project.vendor
    return {key: org for key, org in sides.items() if org is not None and can_view_pool(scope.user, org)}


def _members_page(
    request: HttpRequest,
    scope: ProjectScope,
    *,
    invite_form: InviteForm | None = None,
    status: int = 200,
    errors: list[str] | None = None,
) -> HttpResponse:
    roles = _manageable_roles(scope)
    role_values = {value for value, _label in roles}
    members = list(queries.members_of(scope.viewer, scope.project))
    rows: list[dict[str, Any]] = [
        {
            "membership": m,
            "manageable": m.role in role_values and not scope.preview,
            "form": RoleForm(initial={"role": m.role}, prefix=f"m{m.pk}"),
        }
        for m in members
    ]
    for row in rows:
        row["form"].fields["role"].choices = roles
    invitations = list(queries.invitations_of(scope.viewer, scope.project)) if scope.can_invite else []
    context: dict[str, Any] = {
        "scope": scope,
        "project": scope.project,
        "rows": rows,
        "team_rows": [r for r in rows if r["membership"].side == "team"],
        "client_rows": [r for r in rows if r["membership"].side == "client"],
        "invitations": [(i, i.role in role_values) for i in invitations],
        "invite_form": invite_form or (InviteForm(roles=roles) if roles else None),
        "errors": errors or [],
        **_pools(scope),
    }
    return render_page(request, "web/project/members.html", context, status=status)


@project_view
def members(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The people of both sides; invite by email with a role (POST)."""
    if request.method != "POST":
        return _members_page(request, scope)
    roles = _manageable_roles(scope)
    if not roles:
        raise PermissionDenied(_("Your role does not allow managing members with this role."))
    form = InviteForm(request.POST, roles=roles)
    if form.is_valid():
        try:
            invitation, _raw = services.do_invite(
                scope.project,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                actor=scope.user,
                full_name=form.cleaned_data["full_name"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("An invitation was sent to %(email)s.") % {"email": invitation.email})
            return redirect("web:members", code=scope.project.code)
    return _members_page(request, scope, invite_form=form, status=400)


@project_view
@require_POST
def member_role(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Give a member another role."""
    membership = queries.access_membership(scope.viewer, scope.project, pk)
    form = RoleForm(request.POST, prefix=f"m{membership.pk}")
    if not form.is_valid():
        form = RoleForm(request.POST)
    if not form.is_valid():
        return _members_page(request, scope, status=400, errors=[_("Choose one of the roles.")])
    try:
        services.do_change_role(membership, role=form.cleaned_data["role"], actor=scope.user)
    except ValidationError as exc:
        return _members_page(request, scope, status=400, errors=exc.messages)
    messages.success(
        request,
        _("%(name)s is now %(role)s.")
        % {"name": membership.user, "role": Role(form.cleaned_data["role"]).label},
    )
    return redirect("web:members", code=scope.project.code)


@project_view
@require_POST
def member_remove(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Remove a member from the project."""
    membership = queries.access_membership(scope.viewer, scope.project, pk)
    try:
        services.do_remove_member(membership, actor=scope.user)
    except ValidationError as exc:
        return _members_page(request, scope, status=400, errors=exc.messages)
    messages.success(request, _("%(name)s was removed from the project.") % {"name": membership.user})
    return redirect("web:members", code=scope.project.code)


@project_view
@require_POST
def invitation_revoke(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Withdraw an open invitation."""
    invitation: Invitation = queries.access_item(scope.viewer, scope.project, Invitation, pk)
    try:
        services.do_revoke_invitation(invitation, actor=scope.user)
    except ValidationError as exc:
        return _members_page(request, scope, status=400, errors=exc.messages)
    messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect("web:members", code=scope.project.code)


def who_may_change_rights(scope: ProjectScope) -> str:
    """The sentence a reader who cannot change the decision rights reads: the roles that may, and who
    holds them in this project."""
    roles = [role for role in Role if Action.MANAGE_DECISION_RIGHTS in ROLE_ACTIONS.get(role, frozenset())]
    holders = [
        m.user.full_name or m.user.email
        for m in queries.members_of(scope.viewer, scope.project)
        if m.role in {role.value for role in roles}
    ]
    separator = pgettext("list separator", ", ")
    labels = separator.join(str(role.label) for role in roles)
    if holders:
        return _("Only these roles may change the decision rights: %(roles)s (now %(people)s).") % {
            "roles": labels,
            "people": separator.join(holders),
        }
    return _("Only these roles may change the decision rights: %(roles)s.") % {"roles": labels}


def _rights_page(
    request: HttpRequest,
    scope: ProjectScope,
    *,
    status: int = 200,
    errors: list[str] | None = None,
    preset_form: PresetForm | None = None,
) -> HttpResponse:
    rows = []
    for right in queries.decision_rights_of(scope.viewer, scope.project):
        rows.append(
            {
                "kind": right.kind,
                "label": DecisionKind(right.kind).label,
                "roles": set(right.roles),
                "form": DecisionRightForm(initial={"roles": right.roles}, prefix=right.kind),
            }
        )
    return render_page(
        request,
        "web/project/decisions.html",
        {
            "scope": scope,
            "project": scope.project,
            "who_may_change": "" if scope.can_manage_rights else who_may_change_rights(scope),
            "rows": rows,
            "roles": list(Role),
            "preset_form": preset_form or PresetForm(initial={"preset": scope.project.decision_preset}),
            "preset_label": DecisionPreset(scope.project.decision_preset).label,
            "errors": errors or [],
        },
        status=status,
    )


@project_view
def decision_rights(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Who holds which decision; apply a preset (POST)."""
    if request.method != "POST":
        return _rights_page(request, scope)
    if not scope.can_manage_rights:
        raise PermissionDenied(_("Your role in this project does not allow this."))
    form = PresetForm(request.POST)
    if not form.is_valid():
        return _rights_page(request, scope, status=400, preset_form=form)
    try:
        services.do_apply_decision_preset(scope.project, preset=form.cleaned_data["preset"], actor=scope.user)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _rights_page(request, scope, status=400, preset_form=form)
    messages.success(
        request,
        _("The decision rights now follow the preset “%(preset)s”.")
        % {"preset": DecisionPreset(form.cleaned_data["preset"]).label},
    )
    return redirect("web:decisions", code=scope.project.code)


@project_view
@require_POST
def decision_right_edit(request: HttpRequest, scope: ProjectScope, kind: str) -> HttpResponse:
    """Set the roles that hold one kind of decision."""
    if not scope.can_manage_rights:
        raise PermissionDenied(_("Your role in this project does not allow this."))
    form = DecisionRightForm(request.POST, prefix=kind)
    if not form.is_valid():
        return _rights_page(request, scope, status=400, errors=[str(e) for e in form.errors.get("roles", [])])
    try:
        services.do_set_decision_right(
            scope.project, kind=kind, roles=form.cleaned_data["roles"], actor=scope.user
        )
    except ValidationError as exc:
        return _rights_page(request, scope, status=400, errors=exc.messages)
    messages.success(request, _("“%(kind)s” was saved.") % {"kind": DecisionKind(kind).label})
    return redirect("web:decisions", code=scope.project.code)
