"""The write side of the communication plan and of meetings: one transaction each, validated, versioned
and audited; invitations, minutes and webhooks go out after commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.core import audit, versioning
from tandem.core.choices import Visibility
from tandem.core.validation import full_clean
from tandem.meetings import cadence
from tandem.meetings.choices import CommunicationKind, Frequency, MonthlyRule
from tandem.meetings.models import CommunicationItem, Fulfilment
from tandem.projects import permissions as project_permissions
from tandem.projects.choices import Role
from tandem.projects.models import Project
from tandem.projects.permissions import Action

ITEM_FIELDS = (
    "kind",
    "title",
    "purpose",
    "audience_roles",
    "channel",
    "frequency",
    "weekday",
    "starts_on",
    "monthly_rule",
    "day_of_month",
    "time_of_day",
    "owner_id",
    "template",
    "auto_send",
    "active",
    "visibility",
)
TEXT_FIELDS = frozenset(
    {"purpose", "template", "monthly_rule", "location", "online_url", "notes", "name", "email", "minutes"}
)


# ---------------------------------------------------------------- helpers


def _member_id(project: Project, value: Any, field: str, *, side: str | None = None) -> int | None:
    """A member of the project (of one side when given), or a ValidationError on ``field``."""
    if value is None or value == "":
        return None
    try:
        user_id = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: [_("Choose a member of this project.")]}) from None
    memberships = project.memberships.filter(user_id=user_id)
    if side is not None:
        memberships = memberships.filter(side=side)
    if not memberships.exists():
        raise ValidationError({field: [_("Choose a member of this project.")]})
    return user_id


def _assign(instance: Any, data: Mapping[str, Any], allowed: Sequence[str], project: Project) -> None:
    """Set plain fields and member ids on ``instance``; a ValidationError names every field at fault."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
    errors: dict[str, list[str]] = {}
    for name, value in data.items():
        try:
            if name in ("owner_id", "organizer_id"):
                setattr(instance, name, _member_id(project, value, name))
            else:
                if value is None and name in TEXT_FIELDS:
                    value = ""
                setattr(instance, name, value)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _client_writes_shared(actor: User, project: Project, instance: Any) -> None:
    if not project_permissions.is_team(actor, project) and instance.visibility != Visibility.SHARED:
        raise ValidationError({"visibility": [_("Records written by the client are always shared.")]})


def _visibility_of_change(before: Mapping[str, Any], instance: Any) -> str:
    shared = before.get("visibility", Visibility.SHARED) == Visibility.SHARED and instance.is_shared
    return Visibility.SHARED if shared else Visibility.INTERNAL


# ---------------------------------------------------------------- the communication plan


def _validate_item(item: CommunicationItem) -> None:
    errors: dict[str, list[str]] = {}
    roles = item.audience_roles
    valid_roles = set(Role.values)
    if not isinstance(roles, list) or not all(isinstance(r, str) and r in valid_roles for r in roles):
        errors["audience_roles"] = [_("Choose the audience among the project's roles.")]
    elif len(set(roles)) != len(roles):
        item.audience_roles = list(dict.fromkeys(roles))
    if item.frequency in (Frequency.WEEKLY, Frequency.BIWEEKLY):
        if item.weekday is None:
            errors["weekday"] = [_("Choose the day of the week.")]
        item.monthly_rule = ""
        item.day_of_month = None
    elif item.frequency in (Frequency.MONTHLY, Frequency.QUARTERLY):
        item.weekday = None
        if not item.monthly_rule:
            errors["monthly_rule"] = [_("Choose which day of the month.")]
        elif item.monthly_rule == MonthlyRule.DAY_OF_MONTH:
            if item.day_of_month is None:
                errors["day_of_month"] = [_("Give the day of the month (1–31).")]
        else:
            item.day_of_month = None
    else:
        item.weekday = None
        item.monthly_rule = ""
        item.day_of_month = None
    if item.kind != CommunicationKind.STATUS_REPORT and item.auto_send:
        errors["auto_send"] = [_("Only status reports are sent without review.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_add_item(project: Project, *, actor: User, **data: Any) -> CommunicationItem:
    """Add an entry to the communication plan (needs the right to plan communication)."""
    project_permissions.require(actor, project, Action.PLAN_COMMUNICATION)
    item = CommunicationItem(project=project, created_by=actor)
    if not project_permissions.is_team(actor, project):
        data.setdefault("visibility", Visibility.SHARED)
    data.setdefault("starts_on", timezone.localdate())
    _assign(item, data, ITEM_FIELDS, project)
    _client_writes_shared(actor, project, item)
    _validate_item(item)
    full_clean(item)
    item.save()
    audit.record(
        actor=actor,
        verb="added",
        target=item,
        project=project,
        visibility=item.visibility,
        changes={k: [None, v] for k, v in audit.field_values(item, ("title", "kind", "frequency")).items()},
    )
    return item


@transaction.atomic
def do_update_item(
    item: CommunicationItem, *, version: int | None, actor: User, **data: Any
) -> CommunicationItem:
    """Change a plan entry (its cadence, audience, owner, template), based on the version read."""
    project = item.project
    project_permissions.require(actor, project, Action.PLAN_COMMUNICATION)
    current: CommunicationItem = versioning.locked(item)
    current.project = project
    versioning.check_version(current, version)
    before = audit.field_values(current, ITEM_FIELDS)
    _assign(current, data, ITEM_FIELDS, project)
    _client_writes_shared(actor, project, current)
    _validate_item(current)
    full_clean(current)
    current.version += 1
    current.save()
    changes = audit.changed(before, audit.field_values(current, ITEM_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            verb="updated",
            target=current,
            project=project,
            changes=changes,
            visibility=_visibility_of_change(before, current),
        )
    return current


def do_deactivate_item(item: CommunicationItem, *, version: int | None, actor: User) -> CommunicationItem:
    """Stop an entry: it is no longer due (its history and adherence stay)."""
    return do_update_item(item, version=version, actor=actor, active=False)


def _slot_for(item: CommunicationItem, at: dt.datetime) -> dt.datetime | None:
    """The due moment a fulfilment at ``at`` meets: the latest one whose grace it is within and that is
    not met yet, else the next one (None for an entry due as needed)."""
    if item.frequency == Frequency.AS_NEEDED:
        return None
    last = cadence.last_slot(item, at)
    if (
        last is not None
        and at <= cadence.grace_end(item, last)
        and not Fulfilment.objects.filter(item=item, slot=last).exists()
    ):
        return last
    return cadence.next_slot(item, at)


def record_fulfilment(
    item: CommunicationItem,
    *,
    at: dt.datetime,
    source: models.Model | None = None,
    label: str = "",
    actor: User | None = None,
) -> Fulfilment:
    """Record that the entry was done at ``at`` (a report sent, a meeting held, a call made).

    Call inside the caller's transaction; once per source: recording the same source again returns
    the first fulfilment unchanged.
    """
    if source is not None:
        source_type = ContentType.objects.get_for_model(source)
        found = Fulfilment.objects.filter(item=item, source_type=source_type, source_id=source.pk).first()
        if found is not None:
            return found
    else:
        source_type = None
    fulfilment = Fulfilment.objects.create(
        item=item,
        slot=_slot_for(item, at),
        fulfilled_at=at,
        source_type=source_type,
        source_id=source.pk if source is not None else None,
        label=(label or "")[:300],
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
    audit.record(
        actor=actor,
        verb="fulfilled",
        target=item,
        project=item.project,
        visibility=item.visibility,
        changes={"fulfilled_at": [None, audit.plain(at)], "note": [None, fulfilment.label]},
    )
    return fulfilment


@transaction.atomic
def do_mark_done(
    item: CommunicationItem, *, actor: User, note: str = "", at: dt.datetime | None = None
) -> Fulfilment:
    """Record by hand that the entry was done (a phone call, a demo), with a note."""
    project = item.project
    if not (
        project_permissions.can(actor, project, Action.PLAN_COMMUNICATION)
        or project_permissions.can(actor, project, Action.RUN_MEETINGS)
        or (item.owner_id is not None and item.owner_id == actor.pk)
    ):
        raise PermissionDenied(_("Your role in this project does not allow this."))
    moment = at or timezone.now()
    if moment > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"at": [_("A communication cannot be done in the future.")]})
    note = (note or "").strip()
    if "\x00" in note:
        raise ValidationError({"note": [_("Null characters are not allowed.")]})
    if len(note) > 300:
        raise ValidationError({"note": [_("Keep the note under 300 characters.")]})
    return record_fulfilment(item, at=moment, label=note, actor=actor)
