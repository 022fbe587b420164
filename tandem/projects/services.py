"""The write side of projects: every state change is one transaction with its audit record."""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets
import zoneinfo
from collections.abc import Mapping
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.choices import OrganizationKind
from tandem.accounts.models import Organization, User, hash_token
from tandem.accounts.queries import active_user_by_email
from tandem.core import audit, updates, versioning
from tandem.core.choices import Side, Visibility
from tandem.core.errors import ConflictError
from tandem.core.updates import Cleaner
from tandem.core.validation import full_clean
from tandem.projects import permissions, tasks
from tandem.projects.charter import ITEM_FIELDS, charter_content, clean_criteria, visible_content
from tandem.projects.choices import (
    CLIENT_ROLES,
    PRESETS,
    CharterSectionKey,
    DecisionKind,
    DecisionPreset,
    Raci,
    Role,
    side_of,
)
from tandem.projects.mail import invitation_url as invitation_url  # the link the API shows once
from tandem.projects.models import (
    Charter,
    CharterConfirmation,
    CharterRevision,
    CharterSection,
    DecisionRight,
    Deliverable,
    Invitation,
    Membership,
    Note,
    Project,
    RaciAssignment,
    Stakeholder,
)
from tandem.projects.permissions import Action

M = TypeVar("M", bound=models.Model)

PROJECT_FIELDS = (
    "name",
    "summary",
    "status",
    "start_date",
    "target_date",
    "budget",
    "currency",
    "time_zone",
    "language",
)
NOTE_FIELDS = ("title", "body")


# ---------------------------------------------------------------- helpers


def _clean(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """Run model validation; the ValidationError names each field at fault."""
    full_clean(instance, exclude=exclude)
    if isinstance(instance, Project):
        _check_project_settings(instance)


def _check_project_settings(project: Project) -> None:
    """A known time zone and a three-letter currency code (ISO 4217)."""
    errors: dict[str, list[str]] = {}
    if project.time_zone not in _time_zones():
        errors["time_zone"] = [_("Choose a time zone such as Asia/Shanghai or Europe/Paris.")]
    if not re.fullmatch(r"[A-Z]{3}", project.currency or ""):
        errors["currency"] = [_("Use a three-letter currency code such as CNY or EUR.")]
    if errors:
        raise ValidationError(errors)


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


_locked = versioning.locked


def _strip(value: Any) -> str:
    """A one-line text without surrounding blanks ("" for None)."""
    return (value or "").strip()


def _assign(instance: models.Model, data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    """Set the allow-listed fields of ``data`` on a new record."""
    updates.assign(instance, data, fields=allowed)


def _bump_charter(project: Project, actor: User | None) -> Charter:
    """After an edit: if the shared charter changed, freeze it as a new revision."""
    charter = Charter.objects.select_for_update().get(project=project)
    shared = visible_content(charter_content(project), include_internal=False)
    latest = charter.revisions.order_by("-number").values_list("content", flat=True).first()
    if latest != shared:
        charter.revision = (charter.revisions.aggregate(m=models.Max("number"))["m"] or 0) + 1
        charter.save(update_fields=["revision", "updated_at"])
        CharterRevision.objects.create(
            charter=charter, number=charter.revision, content=shared, created_by=actor
        )
    return charter


# ---------------------------------------------------------------- organizations and projects


@transaction.atomic
def do_create_organization(*, name: str, kind: str, actor: User | None) -> Organization:
    """Create a vendor or client organization."""
    how: dict[str, Any] = {"clean": {"name": _strip}, "verb": "created"}
    return updates.create_audited(
        Organization, {"name": name, "kind": kind}, fields=("name", "kind"), actor=actor, **how
    )


@transaction.atomic
def do_create_project(
    *,
    code: str,
    name: str,
    client: Organization,
    actor: User,
    vendor: Organization | None = None,
    manager: User | None = None,
    preset: str = DecisionPreset.JOINT,
    **fields: Any,
) -> Project:
    """Create a project with its charter, its decision rights from ``preset`` and its first manager.

    The manager is ``manager`` or, when omitted, the acting user.
    """
    if not permissions.can_create_projects(actor):
        raise PermissionDenied(_("Only the vendor's people and operators may start projects."))
    if client.kind != OrganizationKind.CLIENT:
        raise ValidationError({"client": [_("Choose a client organization.")]})
    if vendor is not None and vendor.kind != OrganizationKind.VENDOR:
        raise ValidationError({"vendor": [_("Choose a vendor organization.")]})
    if preset not in PRESETS:
        raise ValidationError({"preset": [_("Choose one of the presets.")]})
    project = Project(
        code=(code or "").strip().upper(),
        name=(name or "").strip(),
        client=client,
        vendor=vendor,
        decision_preset=preset,
    )
    _assign(project, fields, (*PROJECT_FIELDS, "internal_notes"))
    _clean(project)
    project.save()
    Charter.objects.create(project=project, revision=0)
    for kind in DecisionKind.values:
        DecisionRight.objects.create(project=project, kind=kind, roles=list(PRESETS[preset][kind]))
    pm = manager or actor
    Membership.objects.create(project=project, user=pm, role=Role.PROJECT_MANAGER, side=Side.TEAM)
    audit.record(
        actor=actor,
        verb="created",
        target=project,
        project=project,
        changes=audit.field_values(project, ("code", "name", "status")),
    )
    _bump_charter(project, actor)
    return project


@transaction.atomic
def do_update_project(project: Project, *, version: int | None, actor: User, **fields: Any) -> Project:
    """Change the project's details; internal fields are audited in an internal record."""
    permissions.require(actor, project, Action.EDIT_PROJECT)
    how: dict[str, Any] = {"prepare": lambda current, before: _clean(current), "validate": False}
    allowed, internal = (*PROJECT_FIELDS, "internal_notes"), Project.INTERNAL_FIELDS
    return updates.update_versioned(
        project,
        fields,
        fields=allowed,
        version=version,
        actor=actor,
        project=project,
        internal_fields=internal,
        **how,
    ).instance


# ---------------------------------------------------------------- members


def _may_manage_role(actor: User, project: Project, role: str) -> bool:
    if permissions.can(actor, project, Action.MANAGE_MEMBERS):
        return True
    return role in CLIENT_ROLES and permissions.can(actor, project, Action.INVITE_CLIENT)


def _require_manage_role(actor: User, project: Project, role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": [_("Choose one of the roles.")]})
    if not _may_manage_role(actor, project, role):
        raise PermissionDenied(_("Your role does not allow managing members with this role."))


def _check_role_fits_organization(user: User, role: str) -> None:
    org = user.organization
    if org is None:
        return
    if role in CLIENT_ROLES and org.kind == OrganizationKind.VENDOR:
        raise ValidationError({"role": [_("A vendor's employee cannot hold a client role.")]})
    if role not in CLIENT_ROLES and org.kind == OrganizationKind.CLIENT:
        raise ValidationError({"role": [_("A client's employee cannot hold a team role.")]})


def _keep_one_manager(project: Project, membership: Membership, new_role: str | None) -> None:
    if membership.role == Role.PROJECT_MANAGER and new_role != Role.PROJECT_MANAGER:
        others = project.memberships.filter(role=Role.PROJECT_MANAGER).exclude(pk=membership.pk).exists()
        if not others:
            raise ValidationError({"role": [_("A project needs at least one project manager.")]})


@transaction.atomic
def do_add_member(
    project: Project, *, user: User, role: str, actor: User | None, via_invitation: Invitation | None = None
) -> Membership:
    """Add a person to the project with a role."""
    if via_invitation is None:
        if actor is None:
            raise PermissionDenied(_("Your role does not allow managing members with this role."))
        _require_manage_role(actor, project, role)
    _check_role_fits_organization(user, role)
    if project.memberships.filter(user=user).exists():
        raise ValidationError({"user": [_("This person is already a member of the project.")]})
    membership = Membership.objects.create(project=project, user=user, role=role, side=side_of(role))
    permissions.forget_cached_rights(project)
    audit.record(
        actor=actor or user,
        verb="joined" if via_invitation else "added",
        target=membership,
        project=project,
        label=str(user),
        changes={"role": [None, role]},
    )
    return membership


@transaction.atomic
def do_add_member_by_email(project: Project, *, email: str, role: str, actor: User) -> Membership:
    """Add the person whose account uses ``email`` (any case) to the project with a role.

    The caller's right to manage the role is checked before the address is looked up, so a member
    who may not add people never learns whether an address has an account.
    """
    _require_manage_role(actor, project, role)
    person = active_user_by_email(email)
    if person is None:
        message = _("No account uses this email address: send an invitation instead.")
        raise ValidationError({"email": [message]})
    return do_add_member(project, user=person, role=role, actor=actor)


@transaction.atomic
def do_change_role(membership: Membership, *, role: str, actor: User) -> Membership:
    """Give a member another role (on the same side of the project or, for the PM, any side)."""
    project = membership.project
    _require_manage_role(actor, project, membership.role)
    _require_manage_role(actor, project, role)
    current = _locked(membership)
    _check_role_fits_organization(current.user, role)
    _keep_one_manager(project, current, role)
    old = current.role
    current.role, current.side = role, side_of(role)
    current.save(update_fields=["role", "side", "updated_at"])
    permissions.forget_cached_rights(project)
    if old != role:
        audit.record(
            actor=actor,
            verb="changed role",
            target=current,
            project=project,
            label=str(current.user),
            changes={"role": [old, role]},
        )
    return current


@transaction.atomic
def do_remove_member(membership: Membership, *, actor: User) -> None:
    """Remove a member from the project (never the last project manager)."""
    project = membership.project
    _require_manage_role(actor, project, membership.role)
    _keep_one_manager(project, membership, None)
    audit.record(
        actor=actor,
        verb="removed",
        target=membership,
        project=project,
        label=str(membership.user),
        changes={"role": [membership.role, None]},
    )
    membership.delete()
    permissions.forget_cached_rights(project)


# ---------------------------------------------------------------- invitations


@transaction.atomic
def do_invite(
    project: Project, *, email: str, role: str, actor: User, full_name: str = ""
) -> tuple[Invitation, str]:
    """Invite someone by email to join with ``role``; the email goes out after commit."""
    _require_manage_role(actor, project, role)
    email = (email or "").strip().lower()
    invitation = Invitation(
        project=project,
        email=email,
        full_name=(full_name or "").strip(),
        role=role,
        invited_by=actor,
        token_hash="-",
        expires_at=timezone.now() + dt.timedelta(days=settings.INVITATION_DAYS),
    )
    _clean(invitation, exclude=["token_hash"])
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        _check_role_fits_organization(existing, role)
        if project.memberships.filter(user=existing).exists():
            raise ValidationError({"email": [_("This person is already a member of the project.")]})
    raw = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(raw)
    invitation.save()
    audit.record(
        actor=actor,
        verb="invited",
        target=invitation,
        project=project,
        label=email,
        changes={"role": [None, role]},
    )
    invitation_id = invitation.pk
    transaction.on_commit(lambda: tasks.email_invitation.enqueue(invitation_id, raw))
    return invitation, raw


def find_invitation(raw: str) -> Invitation | None:
    """The open invitation whose link carries ``raw``, or None if unknown, used, revoked or expired."""
    invitation = (
        Invitation.objects.select_related("project", "project__client")
        .filter(token_hash=hash_token(raw or ""))
        .first()
    )
    if (
        invitation is None
        or invitation.accepted_at
        or invitation.revoked_at
        or invitation.expires_at < timezone.now()
    ):
        return None
    return invitation


@transaction.atomic
def do_accept_invitation(
    raw: str, *, user: User | None = None, full_name: str = "", password: str = ""
) -> Membership:
    """Accept an invitation: as the signed-in ``user``, or by creating an account with a password."""
    invitation = find_invitation(raw)
    if invitation is None:
        raise ValidationError({"token": [_("This invitation link is invalid, used or expired.")]})
    invitation = _locked(invitation)
    if invitation.accepted_at is not None:
        raise ValidationError({"token": [_("This invitation link is invalid, used or expired.")]})
    if user is None:
        user = User.objects.filter(email__iexact=invitation.email).first()
        if user is not None:
            raise ValidationError({"email": [_("An account with this email exists: sign in to accept.")]})
        if not (full_name or "").strip():
            raise ValidationError({"full_name": [_("Enter your name.")]})
        candidate = User(
            email=invitation.email, full_name=full_name.strip(), language=invitation.project.language
        )
        _clean(candidate, exclude=["password"])
        try:
            validate_password(password, candidate)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user = User.objects.create_user(
            invitation.email, password, full_name=full_name.strip(), language=invitation.project.language
        )
    elif user.email.lower() != invitation.email:
        raise ValidationError({"email": [_("This invitation was sent to another email address.")]})
    membership = do_add_member(
        invitation.project, user=user, role=invitation.role, actor=None, via_invitation=invitation
    )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return membership


@transaction.atomic
def do_revoke_invitation(invitation: Invitation, *, actor: User) -> Invitation:
    """Withdraw an invitation that has not been accepted yet."""
    _require_manage_role(actor, invitation.project, invitation.role)
    if invitation.accepted_at is not None:
        raise ValidationError({"invitation": [_("This invitation has already been accepted.")]})
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
        audit.record(
            actor=actor, verb="revoked", target=invitation, project=invitation.project, label=invitation.email
        )
    return invitation


# ---------------------------------------------------------------- decision rights


@transaction.atomic
def do_apply_decision_preset(project: Project, *, preset: str, actor: User) -> Project:
    """Replace the whole table of decision rights by a preset."""
    permissions.require(actor, project, Action.MANAGE_DECISION_RIGHTS)
    if preset not in PRESETS:
        raise ValidationError({"preset": [_("Choose one of the presets.")]})
    current = _locked(project)
    changes: dict[str, list[Any]] = {}
    for right in DecisionRight.objects.select_for_update().filter(project=current):
        new_roles = list(PRESETS[preset][right.kind])
        if sorted(right.roles) != sorted(new_roles):
            changes[right.kind] = [right.roles, new_roles]
            right.roles = new_roles
            right.save(update_fields=["roles", "updated_at"])
    if current.decision_preset != preset:
        changes["preset"] = [current.decision_preset, preset]
        current.decision_preset = preset
        current.save(update_fields=["decision_preset", "updated_at"])
    permissions.forget_cached_rights(project)
    if changes:
        audit.record(
            actor=actor, verb="changed decision rights", target=current, project=current, changes=changes
        )
    return current


@transaction.atomic
def do_set_decision_right(project: Project, *, kind: str, roles: list[str], actor: User) -> DecisionRight:
    """Set the roles that hold one kind of decision; the project's preset becomes "custom"."""
    permissions.require(actor, project, Action.MANAGE_DECISION_RIGHTS)
    if kind not in DecisionKind.values:
        raise ValidationError({"kind": [_("Choose one of the decision kinds.")]})
    bad = [r for r in roles if r not in Role.values]
    if bad:
        raise ValidationError({"roles": [_("Unknown role: %(role)s.") % {"role": ", ".join(bad)}]})
    if not roles:
        raise ValidationError({"roles": [_("At least one role must hold each decision.")]})
    right = DecisionRight.objects.select_for_update().get(project=project, kind=kind)
    old = list(right.roles)
    ordered = [r for r in Role.values if r in set(roles)]
    if sorted(old) != sorted(ordered):
        right.roles = ordered
        right.save(update_fields=["roles", "updated_at"])
        current = _locked(project)
        changes: dict[str, list[Any]] = {kind: [old, ordered]}
        if current.decision_preset != DecisionPreset.CUSTOM:
            changes["preset"] = [current.decision_preset, DecisionPreset.CUSTOM]
            Project.objects.filter(pk=project.pk).update(decision_preset=DecisionPreset.CUSTOM)
            project.decision_preset = DecisionPreset.CUSTOM
        audit.record(
            actor=actor, verb="changed decision rights", target=project, project=project, changes=changes
        )
    permissions.forget_cached_rights(project)
    return right


# ---------------------------------------------------------------- charter


CHARTER_ITEMS: dict[str, type[Any]] = {key: model for key, (model, _fields) in ITEM_FIELDS.items()}


#: Editable fields that are links rather than charter text (not part of frozen revisions).
ITEM_LINKS: dict[str, tuple[str, ...]] = {"stakeholders": ("user",)}
#: Cleaners of charter item fields: a deliverable's acceptance criteria, a list of texts.
ITEM_CLEANERS: dict[str, Cleaner] = {"acceptance_criteria": clean_criteria}


def item_fields(kind: str) -> tuple[str, ...]:
    """The editable fields of a kind of charter item."""
    return (*ITEM_FIELDS[kind][1], *ITEM_LINKS.get(kind, ()), "visibility", "position")


def _check_item_links(project: Project, item: Any) -> None:
    """A stakeholder's account, when given, must be a member of the project."""
    user_id = getattr(item, "user_id", None)
    if user_id is not None and not project.memberships.filter(user_id=user_id).exists():
        raise ValidationError({"user": [_("Choose a member of this project.")]})


@transaction.atomic
def do_update_section(
    project: Project, *, key: str, body: str, version: int | None, actor: User
) -> CharterSection:
    """Edit a free-text section of the charter (version 0 for a section never saved)."""
    permissions.require(actor, project, Action.EDIT_CHARTER)
    if key not in CharterSectionKey.values:
        raise ValidationError({"key": [_("Unknown charter section.")]})
    section = CharterSection.objects.select_for_update().filter(project=project, key=key).first()
    if section is None:
        section = CharterSection(project=project, key=key, version=0)
    label = str(CharterSectionKey(key).label)
    return _edit_charter(
        section, {"body": body or ""}, version, actor, fields=("body",), lock=False, label=label
    )


def _edit_charter(row: M, data: Mapping[str, Any], version: int | None, actor: User, **how: Any) -> M:
    """Change a part of the charter based on the version read, audited; a change freezes a new revision."""
    done = updates.update_versioned(row, data, version=version, actor=actor, **how)
    if done.changes:
        _bump_charter(done.instance.project, actor)  # type: ignore[attr-defined]
    return done.instance


@transaction.atomic
def do_add_charter_item(project: Project, *, kind: str, data: Mapping[str, Any], actor: User) -> Any:
    """Add a goal, KPI, stakeholder or deliverable to the charter."""
    permissions.require(actor, project, Action.EDIT_CHARTER)
    if kind not in CHARTER_ITEMS:
        raise ValidationError({"kind": [_("Unknown charter part.")]})
    model = CHARTER_ITEMS[kind]

    def rules(item: Any, values: Mapping[str, Any]) -> None:
        """The next position unless one is given; a stakeholder's account belongs to a member."""
        if "position" not in values:
            item.position = (
                model.objects.filter(project=project).aggregate(m=models.Max("position"))["m"] or 0
            ) + 1
        _check_item_links(project, item)

    def written(item: Any) -> dict[str, Any]:
        """The item's texts that are filled in."""
        values = audit.field_values(item, ITEM_FIELDS[kind][1])
        return {k: [None, v] for k, v in values.items() if v not in ("", None, [])}

    how: dict[str, Any] = {
        "initial": {"project": project},
        "prepare": rules,
        "changes": written,
        "clean": ITEM_CLEANERS,
    }
    item = updates.create_audited(model, data, fields=item_fields(kind), actor=actor, project=project, **how)
    _bump_charter(project, actor)
    return item


@transaction.atomic
def do_update_charter_item(item: Any, *, data: Mapping[str, Any], version: int | None, actor: User) -> Any:
    """Edit a charter item; a stale version is refused with a conflict."""
    project = item.project
    permissions.require(actor, project, Action.EDIT_CHARTER)
    kind = next(k for k, m in CHARTER_ITEMS.items() if isinstance(item, m))

    def links(current: Any, before: Mapping[str, Any]) -> None:
        """A stakeholder's account belongs to a member."""
        _check_item_links(project, current)

    return _edit_charter(
        item, data, version, actor, fields=item_fields(kind), prepare=links, clean=ITEM_CLEANERS
    )


@transaction.atomic
def do_delete_charter_item(item: Any, *, version: int | None, actor: User) -> None:
    """Remove a charter item."""
    project = item.project
    permissions.require(actor, project, Action.EDIT_CHARTER)
    updates.delete_versioned(item, version=version, actor=actor, project=project)
    _bump_charter(project, actor)


@transaction.atomic
def do_set_raci(
    deliverable: Deliverable, *, cells: Mapping[int, str], version: int | None, actor: User
) -> Deliverable:
    """Replace a deliverable's RACI row: ``{stakeholder id: letter}`` with exactly one Accountable."""
    project = deliverable.project
    permissions.require(actor, project, Action.EDIT_CHARTER)
    letters = {int(k): v for k, v in cells.items() if v}

    def check(current: Deliverable) -> None:
        """Known letters, exactly one Accountable, stakeholders of this project only."""
        bad = sorted({v for v in letters.values() if v not in Raci.values})
        if bad:
            raise ValidationError(
                {"raci": [_("Unknown RACI letter: %(letters)s.") % {"letters": ", ".join(bad)}]}
            )
        accountable = [k for k, v in letters.items() if v == Raci.ACCOUNTABLE]
        if len(accountable) != 1:
            raise ValidationError(
                {
                    "raci": [
                        _("A deliverable needs exactly one Accountable person (A); this row has %(n)d.")
                        % {"n": len(accountable)}
                    ]
                }
            )
        people = set(Stakeholder.objects.filter(project=project, pk__in=letters).values_list("pk", flat=True))
        if people != set(letters):
            raise ValidationError({"raci": [_("Every person must be a stakeholder of this project.")]})

    def replace_row(current: Deliverable, changes: dict[str, list[Any]]) -> None:
        """Store the new cells; the diff names the stakeholders whose letter changed."""
        before = {str(c.stakeholder_id): c.letter for c in current.raci.all()}
        RaciAssignment.objects.filter(deliverable=current).delete()
        RaciAssignment.objects.bulk_create(
            [
                RaciAssignment(deliverable=current, stakeholder_id=k, letter=v)
                for k, v in sorted(letters.items())
            ]
        )
        after = {str(k): v for k, v in letters.items()}
        for k in sorted(set(before) | set(after)):
            if before.get(k) != after.get(k):
                changes[k] = [before.get(k), after.get(k)]

    # Cells of internal stakeholders stay out of the shared record.
    internal_people = {
        str(pk)
        for pk in Stakeholder.objects.filter(project=project, visibility=Visibility.INTERNAL).values_list(
            "pk", flat=True
        )
    }
    how: dict[str, Any] = {"verb": "changed RACI", "validate": False, "internal_fields": internal_people}
    return _edit_charter(
        deliverable, {}, version, actor, fields=(), check=check, before_save=replace_row, **how
    )


@transaction.atomic
def do_confirm_charter(
    project: Project, *, revision: int | None, actor: User, comment: str = ""
) -> CharterConfirmation:
    """Confirm one revision of the charter; refused if the charter has changed since it was read."""
    permissions.require_decision(actor, project, DecisionKind.CONFIRM_CHARTER)
    if revision is None:
        raise ValidationError({"revision": [_("Name the revision you confirm.")]})
    charter = Charter.objects.select_for_update().get(project=project)
    if int(revision) != charter.revision:
        raise ConflictError(
            _(
                "The charter changed after you opened it (you read revision %(yours)s, it is now revision "
                "%(theirs)s). Review the changes and confirm again."
            )
            % {"yours": revision, "theirs": charter.revision},
            current_version=charter.revision,
        )
    confirmation = CharterConfirmation.objects.create(
        charter=charter, revision=charter.revision, confirmed_by=actor, comment=(comment or "").strip()
    )
    audit.record(
        actor=actor,
        verb="confirmed",
        target=charter,
        project=project,
        label=_("Charter revision %(n)s") % {"n": charter.revision},
        changes={"revision": [None, charter.revision]},
    )
    return confirmation


# ---------------------------------------------------------------- notes


@transaction.atomic
def do_add_note(
    project: Project, *, actor: User, title: str, body: str = "", visibility: str = Visibility.INTERNAL
) -> Note:
    """Write a project note; a client member's notes are always shared."""
    permissions.require(actor, project, Action.WRITE_NOTES)
    if not permissions.is_team(actor, project):
        visibility = Visibility.SHARED
    values = {"title": title, "body": body, "visibility": visibility}
    how: dict[str, Any] = {"initial": {"project": project, "author": actor}, "clean": {"title": _strip}}
    return updates.create_audited(
        Note,
        values,
        fields=(*NOTE_FIELDS, "visibility"),
        actor=actor,
        project=project,
        text_fields=("body",),
        **how,
    )


@transaction.atomic
def do_update_note(note: Note, *, actor: User, version: int | None, **data: Any) -> Note:
    """Edit a note (its author or the project manager)."""
    project = note.project
    if note.author_id != actor.pk and not permissions.can(actor, project, Action.EDIT_PROJECT):
        raise PermissionDenied(_("Only the author or the project manager may edit this note."))
    allowed = (*NOTE_FIELDS, "visibility") if permissions.is_team(actor, project) else NOTE_FIELDS
    return updates.update_versioned(
        note, data, fields=allowed, version=version, actor=actor, project=project
    ).instance


@transaction.atomic
def do_delete_note(note: Note, *, actor: User) -> None:
    """Delete a note (its author or the project manager)."""
    project = note.project
    if note.author_id != actor.pk and not permissions.can(actor, project, Action.EDIT_PROJECT):
        raise PermissionDenied(_("Only the author or the project manager may delete this note."))
    audit.record(actor=actor, verb="removed", target=note, project=project, visibility=note.visibility)
    note.delete()


def integrity_error_as_validation(exc: IntegrityError) -> ValidationError:
    """A database constraint violation as a field-less validation error (never a 500)."""
    return ValidationError(_("This change conflicts with existing data."))
