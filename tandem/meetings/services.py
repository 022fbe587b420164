"""The write side of the communication plan and of meetings: one transaction each, validated, versioned
and audited; invitations, minutes and webhooks go out after commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.communication import delivery
from tandem.communication.models import Notification, NotificationVerb
from tandem.core import audit, updates
from tandem.core.choices import Side, Visibility
from tandem.core.validation import full_clean
from tandem.meetings import cadence, ical, kickoff, mail, permissions
from tandem.meetings.choices import (
    ActionStatus,
    CommunicationKind,
    Frequency,
    MeetingKind,
    MeetingStatus,
    MinutesStatus,
    MonthlyRule,
)
from tandem.meetings.models import (
    ActionItem,
    AgendaItem,
    Attendee,
    CommunicationItem,
    Decision,
    Fulfilment,
    Meeting,
)
from tandem.planning import scheduling
from tandem.planning import services as planning_services
from tandem.projects import permissions as project_permissions
from tandem.projects.choices import Role
from tandem.projects.models import Project
from tandem.risks.choices import DecisionStatus
from tandem.risks.models import ClientDecision

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
M = TypeVar("M", bound=models.Model)
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


def _rules(project: Project) -> dict[str, Any]:
    """How the fields of plan entries, meetings and their parts are set: members checked, null texts ""."""
    return {
        "text_fields": TEXT_FIELDS,
        "clean": {
            "owner_id": lambda value: _member_id(project, value, "owner_id"),
            "organizer_id": lambda value: _member_id(project, value, "organizer_id"),
        },
    }


def _create(model: type[M], data: Mapping[str, Any], project: Project, actor: User, **how: Any) -> M:
    """Add a plan entry, meeting or part of one with the fields' rules (members checked), audited."""
    return updates.create_audited(model, data, actor=actor, project=project, **_rules(project), **how)


def _client_writes_shared(actor: User, project: Project, instance: Any) -> None:
    if not project_permissions.is_team(actor, project) and instance.visibility != Visibility.SHARED:
        raise ValidationError({"visibility": [_("Records written by the client are always shared.")]})


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
    permissions.require_plan(actor, project)
    if not project_permissions.is_team(actor, project):
        data.setdefault("visibility", Visibility.SHARED)
    data.setdefault("starts_on", timezone.localdate())

    def rules(item: CommunicationItem, values: Mapping[str, Any]) -> None:
        """Shared when the client writes it, and a cadence that holds together."""
        _client_writes_shared(actor, project, item)
        _validate_item(item)

    how: dict[str, Any] = {"initial": {"project": project, "created_by": actor}, "prepare": rules}
    how["audited"] = ("title", "kind", "frequency")
    return _create(CommunicationItem, data, project, actor, fields=ITEM_FIELDS, **how)


@transaction.atomic
def do_update_item(
    item: CommunicationItem, *, version: int | None, actor: User, **data: Any
) -> CommunicationItem:
    """Change a plan entry (its cadence, audience, owner, template), based on the version read."""
    project = item.project
    permissions.require_plan(actor, project)

    def rules(current: CommunicationItem, before: Mapping[str, Any]) -> None:
        """Shared when the client writes it, and a cadence that holds together."""
        _client_writes_shared(actor, project, current)
        _validate_item(current)

    how: dict[str, Any] = {"fields": ITEM_FIELDS, "prepare": rules, **_rules(project)}
    return updates.update_versioned(item, data, version=version, actor=actor, **how).instance


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
    if not permissions.can_mark_done(actor, item):
        raise PermissionDenied(_("Your role in this project does not allow this."))
    moment = at or timezone.now()
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=cadence_zone(item.project))
    if moment > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"at": [_("A communication cannot be done in the future.")]})
    note = (note or "").strip()
    if "\x00" in note:
        raise ValidationError({"note": [_("Null characters are not allowed.")]})
    if len(note) > 300:
        raise ValidationError({"note": [_("Keep the note under 300 characters.")]})
    return record_fulfilment(item, at=moment, label=note, actor=actor)


# ---------------------------------------------------------------- meetings

MEETING_FIELDS = (
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "location",
    "online_url",
    "organizer_id",
    "item_id",
    "visibility",
)
#: Changing one of these on a scheduled meeting re-sends the invitation with SEQUENCE + 1.
RESCHEDULE_FIELDS = ("starts_at", "ends_at", "location", "online_url", "title")
AGENDA_FIELDS = ("title", "notes", "duration_minutes", "position", "visibility")
ACTION_FIELDS = ("title", "owner_id", "due_date", "visibility")
PartT = TypeVar("PartT", AgendaItem, ActionItem)


def _on_commit_invite(meeting: Meeting, method: str, attendee_ids: list[int] | None = None) -> None:
    from tandem.meetings import tasks  # the tasks module imports this one

    meeting_id = meeting.pk
    transaction.on_commit(lambda: tasks.send_invitations.enqueue(meeting_id, method, attendee_ids))


def _notify_invited(meeting: Meeting, *, actor: User, attendee_ids: list[int] | None = None) -> None:
    """An in-app notification for each invited member (the email carries the .ics).

    The list of notifications is read through the meeting's visibility, so a client never sees one
    about an internal meeting.
    """
    invited = meeting.attendees.filter(user__isnull=False).exclude(user=actor)
    if attendee_ids is not None:
        invited = invited.filter(pk__in=attendee_ids)
    content_type = ContentType.objects.get_for_model(Meeting)
    Notification.objects.bulk_create(
        Notification(
            recipient_id=user_id,
            project=meeting.project,
            verb=NotificationVerb.MEETING_INVITED,
            actor=actor,
            target_type=content_type,
            target_id=meeting.pk,
        )
        for user_id in invited.values_list("user_id", flat=True)
    )


def _publish(meeting: Meeting, *, event: str, title: str, actor: User) -> None:
    project = meeting.project
    with translation.override(project.language):
        local = meeting.starts_at.astimezone(cadence_zone(project))
        text = f"{meeting.title} — {local:%Y-%m-%d %H:%M} ({project.time_zone})"
        heading = str(title) % {"title": meeting.title}
    delivery.publish(
        project,
        event=event,
        title=heading,
        text=text,
        url=ical.meeting_url(meeting),
        shared=meeting.is_shared,
        actor=actor,
    )


def cadence_zone(project: Project) -> Any:
    """The project's time zone."""
    return scheduling.zone_of(project)


def _validate_meeting(meeting: Meeting, actor: User) -> None:
    errors: dict[str, list[str]] = {}
    for name in ("starts_at", "ends_at"):
        value = getattr(meeting, name)
        if isinstance(value, dt.datetime) and timezone.is_naive(value):
            setattr(meeting, name, scheduling.to_aware(value, cadence_zone(meeting.project)))
        elif value is not None and not isinstance(value, dt.datetime):
            errors[name] = [_("Give a date and time.")]
    if (
        not errors
        and meeting.starts_at is not None
        and meeting.ends_at is not None
        and meeting.ends_at <= meeting.starts_at
    ):
        errors["ends_at"] = [_("The meeting must end after it starts.")]
    if meeting.item_id is not None and not (
        CommunicationItem.objects.visible_to(actor)
        .filter(project=meeting.project, pk=meeting.item_id)
        .exists()
    ):
        errors["item_id"] = [_("Choose an entry of this project's communication plan.")]
    if meeting.pk is not None and not meeting.is_shared:
        outside = [a for a in meeting.attendees.select_related("user") if not _is_team_attendee(a)]
        if outside:
            errors["visibility"] = [
                _("An internal meeting can only invite the team; remove the client's attendees.")
            ]
    organizer = meeting.organizer
    internal = not meeting.is_shared
    if organizer is not None and internal and not project_permissions.is_team(organizer, meeting.project):
        errors["organizer_id"] = [_("An internal meeting is organised by a member of the team.")]
    if errors:
        raise ValidationError(errors)


def _is_team_attendee(attendee: Attendee) -> bool:
    if attendee.user_id is None:
        return False
    project = attendee.meeting.project
    return bool(project.memberships.filter(user_id=attendee.user_id, side=Side.TEAM).exists())


@transaction.atomic
def do_schedule_meeting(
    project: Project,
    *,
    actor: User,
    attendees: Sequence[Mapping[str, Any]] = (),
    notify: bool = True,
    **data: Any,
) -> Meeting:
    """Schedule a meeting and invite its attendees (a kickoff's agenda comes from the charter).

    ``notify=False`` (the demo, imports) records the meeting without mailing or telling the webhooks.
    """
    permissions.require_schedule(actor, project)
    if data.get("organizer_id") in (None, ""):
        data.pop("organizer_id", None)  # the one who schedules organises unless someone else is named
    if not project_permissions.is_team(actor, project):
        data.setdefault("visibility", Visibility.SHARED)

    def rules(meeting: Meeting, values: Mapping[str, Any]) -> None:
        """Shared when the client writes it; times and plan entry that fit."""
        _client_writes_shared(actor, project, meeting)
        _validate_meeting(meeting, actor)

    def invite(meeting: Meeting) -> None:
        """The attendees, and a kickoff's agenda from the charter."""
        for values in attendees:
            _add_attendee(meeting, values)
        if meeting.kind == MeetingKind.KICKOFF:
            for position, (title, notes) in enumerate(
                kickoff.agenda_from_charter(project, shared=meeting.is_shared)
            ):
                AgendaItem.objects.create(
                    meeting=meeting, position=position, title=title[:200], notes=notes, duration_minutes=10
                )

    how: dict[str, Any] = {"initial": {"project": project, "created_by": actor, "organizer": actor}}
    how.update(verb="scheduled", prepare=rules, after_save=invite, audited=("title", "starts_at"))
    meeting = _create(Meeting, data, project, actor, fields=MEETING_FIELDS, **how)
    if notify:
        _on_commit_invite(meeting, ical.METHOD_REQUEST)
        _notify_invited(meeting, actor=actor)
        _publish(meeting, event="meeting.scheduled", title=_("Meeting scheduled: %(title)s"), actor=actor)
    return meeting


def _change_meeting(
    meeting: Meeting, data: Mapping[str, Any], version: int | None, actor: User, **how: Any
) -> updates.Updated[Meeting]:
    """Change a meeting as whoever may run it, based on the version they read, audited."""
    permissions.require_run(actor, meeting)
    how.setdefault("fields", tuple(data))
    return updates.update_versioned(meeting, data, version=version, actor=actor, **how)


def _not_cancelled(meeting: Meeting) -> None:
    """A cancelled meeting stays as it was."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({"status": [_("A cancelled meeting cannot be changed.")]})


def _scheduled(message: str) -> Callable[[Meeting], None]:
    """A check that the meeting is still scheduled, refusing with ``message``."""
    return updates.in_state((MeetingStatus.SCHEDULED,), message)


@transaction.atomic
def do_update_meeting(meeting: Meeting, *, version: int | None, actor: User, **data: Any) -> Meeting:
    """Change a meeting; moving a scheduled one re-sends the invitation with the next SEQUENCE."""
    project = meeting.project

    def rules(current: Meeting, before: Mapping[str, Any]) -> None:
        """Shared when the client writes it; times, plan entry and attendees that fit."""
        _client_writes_shared(actor, project, current)
        _validate_meeting(current, actor)

    def moved(current: Meeting, changes: Mapping[str, Any]) -> bool:
        """Whether the change moves a scheduled meeting (a new invitation is due)."""
        return current.status == MeetingStatus.SCHEDULED and any(f in changes for f in RESCHEDULE_FIELDS)

    def sequence(current: Meeting, changes: dict[str, Any]) -> None:
        """A moved meeting's invitation carries the next SEQUENCE."""
        if moved(current, changes):
            current.sequence += 1

    how: dict[str, Any] = {
        "check": _not_cancelled,
        "prepare": rules,
        "before_save": sequence,
        **_rules(project),
    }
    how["verb"] = lambda current, changes: "rescheduled" if moved(current, changes) else "updated"
    done = _change_meeting(meeting, data, version, actor, fields=MEETING_FIELDS, **how)
    if moved(done.instance, done.changes):
        _on_commit_invite(done.instance, ical.METHOD_REQUEST)
    return done.instance


@transaction.atomic
def do_cancel_meeting(meeting: Meeting, *, version: int | None, actor: User) -> Meeting:
    """Call a scheduled meeting off: attendees receive the cancellation (METHOD:CANCEL)."""

    def sequence(current: Meeting, changes: dict[str, Any]) -> None:
        """The cancellation carries the next SEQUENCE."""
        current.sequence += 1

    how: dict[str, Any] = {"verb": "cancelled", "before_save": sequence, "validate": False}
    scheduled = _scheduled(_("Only a scheduled meeting can be cancelled."))
    cancelled = {"status": MeetingStatus.CANCELLED}
    current = _change_meeting(meeting, cancelled, version, actor, check=scheduled, **how).instance
    _on_commit_invite(current, ical.METHOD_CANCEL)
    return current


@transaction.atomic
def do_mark_held(meeting: Meeting, *, version: int | None, actor: User) -> Meeting:
    """Record that the meeting took place; it fulfils its communication plan entry."""

    def started(current: Meeting) -> None:
        """Only a scheduled meeting that has started can have been held."""
        _scheduled(_("Only a scheduled meeting can be marked as held."))(current)
        if current.starts_at > timezone.now():
            raise ValidationError(
                {"status": [_("A meeting that has not started yet cannot have been held.")]}
            )

    how: dict[str, Any] = {"verb": "held", "check": started, "validate": False}
    current = _change_meeting(meeting, {"status": MeetingStatus.HELD}, version, actor, **how).instance
    if current.item_id is not None:
        item = CommunicationItem.objects.select_related("project").get(pk=current.item_id)
        # The fulfilment follows its plan entry's visibility: an internal meeting lends it no title.
        label = current.title if current.is_shared else ""
        record_fulfilment(item, at=current.starts_at, source=current, label=label, actor=actor)
    return current


def _require_open_minutes(meeting: Meeting) -> None:
    if meeting.minutes_locked:
        raise ValidationError({"minutes": [_("The minutes are approved and can no longer change.")]})


@transaction.atomic
def do_save_minutes(meeting: Meeting, *, version: int | None, actor: User, minutes: str) -> Meeting:
    """Write the draft minutes (Markdown)."""

    def lengths(current: Meeting, changes: dict[str, Any]) -> None:
        """The record keeps the minutes' lengths, not their text."""
        if "minutes" in changes:
            changes["minutes"] = [len(text) for text in changes["minutes"]]

    how: dict[str, Any] = {
        "verb": "minutes_saved",
        "check": _require_open_minutes,
        "text_fields": TEXT_FIELDS,
    }
    return _change_meeting(meeting, {"minutes": minutes}, version, actor, before_save=lengths, **how).instance


@transaction.atomic
def do_approve_minutes(meeting: Meeting, *, version: int | None, actor: User, notify: bool = True) -> Meeting:
    """Approve the minutes: read-only from now, mailed to the attendees (unless ``notify=False``)."""

    def check(current: Meeting) -> None:
        """Open minutes of a held meeting, written."""
        _require_open_minutes(current)
        if current.status != MeetingStatus.HELD:
            raise ValidationError({"status": [_("Mark the meeting as held before approving its minutes.")]})
        if not current.minutes.strip():
            raise ValidationError({"minutes": [_("Write the minutes before approving them.")]})

    def approver(current: Meeting, before: Mapping[str, Any]) -> None:
        """Who approved, when."""
        current.minutes_approved_by = actor
        current.minutes_approved_at = timezone.now()

    how: dict[str, Any] = {"verb": "minutes_approved", "check": check, "prepare": approver, "validate": False}
    current = _change_meeting(
        meeting, {"minutes_status": MinutesStatus.APPROVED}, version, actor, **how
    ).instance
    if notify:
        from tandem.meetings import tasks  # the tasks module imports this one

        meeting_id = current.pk
        transaction.on_commit(lambda: tasks.send_minutes.enqueue(meeting_id))
        _publish(current, event="minutes.approved", title=_("Minutes approved: %(title)s"), actor=actor)
    return current


# ---------------------------------------------------------------- agenda


def _meeting_part(meeting: Meeting, actor: User, *, minutes_part: bool = False) -> None:
    permissions.require_run(actor, meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({"status": [_("A cancelled meeting cannot be changed.")]})
    if minutes_part:
        _require_open_minutes(meeting)


def _part_visibility(meeting: Meeting, actor: User, part: Any) -> None:
    if not project_permissions.is_team(actor, meeting.project) and part.visibility != Visibility.SHARED:
        raise ValidationError({"visibility": [_("Records written by the client are always shared.")]})


@transaction.atomic
def do_add_agenda_item(meeting: Meeting, *, actor: User, **data: Any) -> AgendaItem:
    """Add a point to the agenda (internal points are never shown or sent to the client)."""
    _meeting_part(meeting, actor, minutes_part=True)
    initial: dict[str, Any] = {"meeting": meeting}
    if "position" not in data:
        last = meeting.agenda.aggregate(models.Max("position"))["position__max"]
        initial["position"] = 0 if last is None else last + 1
    return _add_part(AgendaItem, data, meeting=meeting, actor=actor, fields=AGENDA_FIELDS, initial=initial)


def _add_part(
    model: type[PartT], data: Mapping[str, Any], *, meeting: Meeting, actor: User, **how: Any
) -> PartT:
    """Add an agenda point or action item; the record is shared only while the meeting and the part are."""
    how.setdefault("initial", {"meeting": meeting})
    how.setdefault("audited", ("title",))
    return _create(
        model,
        data,
        meeting.project,
        actor,
        prepare=lambda part, values: _part_visibility(meeting, actor, part),
        exclude=["meeting"],
        visibility=lambda part: _part_shared(meeting, part),
        **how,
    )


def _part_shared(meeting: Meeting, part: Any) -> str:
    return Visibility.SHARED if meeting.is_shared and part.is_shared else Visibility.INTERNAL


def _update_part(
    part: PartT, data: Mapping[str, Any], *, meeting: Meeting, version: int | None, actor: User, **how: Any
) -> PartT:
    """Change an agenda point or action item based on the version read; the record is shared only while
    the meeting and the part are shared, before and after the change."""

    also = how.pop("prepare", None)

    def rules(current: PartT, before: Mapping[str, Any]) -> None:
        """Shared when the client writes it, then the part's own rules."""
        _part_visibility(meeting, actor, current)
        if also is not None:
            also(current, before)

    how.update(_rules(meeting.project), project=meeting.project, prepare=rules)
    how["visibility"] = lambda current: _part_shared(meeting, current)
    return updates.update_versioned(part, data, version=version, actor=actor, **how).instance


@transaction.atomic
def do_update_agenda_item(point: AgendaItem, *, version: int | None, actor: User, **data: Any) -> AgendaItem:
    """Change a point of the agenda."""
    meeting = point.meeting
    _meeting_part(meeting, actor, minutes_part=True)
    return _update_part(
        point, data, meeting=meeting, version=version, actor=actor, fields=AGENDA_FIELDS, exclude=["meeting"]
    )


@transaction.atomic
def do_delete_agenda_item(point: AgendaItem, *, version: int | None, actor: User) -> None:
    """Remove a point from the agenda."""
    meeting = point.meeting
    _meeting_part(meeting, actor, minutes_part=True)
    how: dict[str, Any] = {"verb": "deleted", "project": meeting.project, "audited": ("title",)}
    how["visibility"] = lambda current: _part_shared(meeting, current)
    updates.delete_versioned(point, version=version, actor=actor, **how)


# ---------------------------------------------------------------- attendees


def _add_attendee(meeting: Meeting, values: Mapping[str, Any]) -> Attendee:
    allowed = {"user_id", "name", "email", "required"}
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ValidationError(
            {f"attendees.{name}": [_("This field cannot be set here.")] for name in unknown}
        )
    attendee = Attendee(meeting=meeting, required=bool(values.get("required", True)))
    user_id = values.get("user_id")
    project = meeting.project
    if user_id not in (None, ""):
        member_id = _member_id(project, user_id, "user_id") or 0
        attendee.user_id = member_id
        team = project.memberships.filter(user_id=member_id, side=Side.TEAM).exists()
        if not meeting.is_shared and not team:
            raise ValidationError(
                {"user_id": [_("An internal meeting can only invite members of the team.")]}
            )
        if meeting.attendees.filter(user_id=member_id).exists():
            raise ValidationError({"user_id": [_("This member is already invited.")]})
    else:
        attendee.name = (values.get("name") or "").strip()
        attendee.email = (values.get("email") or "").strip()
        if not attendee.email:
            raise ValidationError({"email": [_("Choose a member, or give the stakeholder's email.")]})
        if not meeting.is_shared:
            raise ValidationError({"email": [_("An internal meeting can only invite members of the team.")]})
    full_clean(attendee, exclude=["meeting", "user"])
    attendee.save()
    return attendee


@transaction.atomic
def do_add_attendee(meeting: Meeting, *, actor: User, **values: Any) -> Attendee:
    """Invite a project member (either side) or a stakeholder by name and email; a scheduled meeting
    sends them the invitation."""
    _meeting_part(meeting, actor, minutes_part=True)
    attendee = _add_attendee(meeting, values)
    audit.record(
        actor=actor,
        verb="invited",
        target=meeting,
        project=meeting.project,
        visibility=meeting.visibility,
        changes={"attendee": [None, attendee.display_name]},
    )
    if meeting.status == MeetingStatus.SCHEDULED:
        _on_commit_invite(meeting, ical.METHOD_REQUEST, [attendee.pk])
        _notify_invited(meeting, actor=actor, attendee_ids=[attendee.pk])
    return attendee


@transaction.atomic
def do_remove_attendee(attendee: Attendee, *, actor: User) -> None:
    """Take someone off the meeting (a scheduled meeting sends them the cancellation)."""
    meeting = attendee.meeting
    _meeting_part(meeting, actor, minutes_part=True)
    audit.record(
        actor=actor,
        verb="uninvited",
        target=meeting,
        project=meeting.project,
        visibility=meeting.visibility,
        changes={"attendee": [attendee.display_name, None]},
    )
    if meeting.status == MeetingStatus.SCHEDULED:
        from tandem.meetings import tasks  # the tasks module imports this one

        meeting_id, address, name, language, team = (
            meeting.pk,
            attendee.address,
            attendee.display_name,
            mail.language_of(attendee),
            mail.is_team(attendee),
        )
        transaction.on_commit(
            lambda: tasks.send_cancellation_to.enqueue(meeting_id, address, name, language, team)
        )
    attendee.delete()


@transaction.atomic
def do_record_attendance(meeting: Meeting, *, actor: User, attended: Sequence[int]) -> list[Attendee]:
    """Record who came: the attendees whose ids are listed attended, the others did not."""
    _meeting_part(meeting, actor, minutes_part=True)
    rows = list(meeting.attendees.select_related("user"))
    wanted = set()
    for value in attended:
        try:
            wanted.add(int(value))
        except (TypeError, ValueError):
            raise ValidationError({"attended": [_("Choose attendees of this meeting.")]}) from None
    if wanted - {a.pk for a in rows}:
        raise ValidationError({"attended": [_("Choose attendees of this meeting.")]})
    changed = []
    for attendee in rows:
        value = attendee.pk in wanted
        if attendee.attended != value:
            attendee.attended = value
            changed.append(attendee)
    Attendee.objects.bulk_update(changed, ["attended"])
    if changed:
        audit.record(
            actor=actor,
            verb="attendance",
            target=meeting,
            project=meeting.project,
            visibility=meeting.visibility,
            changes={a.display_name: [not a.attended, a.attended] for a in changed},
        )
    return rows


# ---------------------------------------------------------------- decisions


@transaction.atomic
def do_add_decision(
    meeting: Meeting,
    *,
    actor: User,
    text: str,
    concerns_client: bool = False,
    visibility: str = Visibility.SHARED,
) -> Decision:
    """Record a decision of the meeting; one that concerns the client also enters the client decision
    register, as decided by the meeting."""
    _meeting_part(meeting, actor, minutes_part=True)
    decision = Decision(meeting=meeting, text=(text or "").strip(), concerns_client=bool(concerns_client))
    decision.visibility = visibility
    decision.created_by = actor
    _part_visibility(meeting, actor, decision)
    if decision.concerns_client and not (meeting.is_shared and decision.visibility == Visibility.SHARED):
        raise ValidationError(
            {"concerns_client": [_("A decision that concerns the client is shared, in a shared meeting.")]}
        )
    full_clean(decision, exclude=["meeting"])
    if decision.concerns_client:
        register = ClientDecision(
            project=meeting.project,
            question=decision.text[:300],
            context=_("Decided in the meeting “%(title)s” on %(day)s.")
            % {
                "title": meeting.title,
                "day": meeting.starts_at.astimezone(cadence_zone(meeting.project)).date(),
            },
            status=DecisionStatus.DECIDED,
            outcome=decision.text,
            decided_by=actor,
            decided_at=timezone.now(),
            visibility=Visibility.SHARED,
        )
        full_clean(register)
        register.save()
        audit.record(
            actor=actor,
            verb="decided",
            target=register,
            project=meeting.project,
            visibility=Visibility.SHARED,
            changes={"status": [None, DecisionStatus.DECIDED], "outcome": [None, register.outcome]},
        )
        decision.client_decision = register
    decision.save()
    audit.record(
        actor=actor,
        verb="added",
        target=decision,
        project=meeting.project,
        visibility=_part_shared(meeting, decision),
        changes={"text": [None, decision.text]},
    )
    return decision


# ---------------------------------------------------------------- action items


@transaction.atomic
def do_add_action(meeting: Meeting, *, actor: User, **data: Any) -> ActionItem:
    """Record an action item: what, who, by when (internal ones never reach the client)."""
    _meeting_part(meeting, actor, minutes_part=True)
    how: dict[str, Any] = {"fields": ACTION_FIELDS, "audited": ("title", "due_date")}
    return _add_part(ActionItem, data, meeting=meeting, actor=actor, **how)


def _can_close(actor: User, action: ActionItem) -> bool:
    return permissions.can_run(actor, action.meeting) or (
        action.owner_id is not None and action.owner_id == actor.pk
    )


@transaction.atomic
def do_update_action(
    action: ActionItem,
    *,
    version: int | None,
    actor: User,
    status: str | None = None,
    closed_in: Meeting | None = None,
    **data: Any,
) -> ActionItem:
    """Change an action item, or close (reopen) it — its owner may too; closing it at a later meeting
    of the series records where."""
    meeting = action.meeting
    if data:
        _meeting_part(meeting, actor)
    elif not _can_close(actor, action):
        raise PermissionDenied(_("Your role in this project does not allow this."))

    def close(current: ActionItem, before: Mapping[str, Any]) -> None:
        """Closing stamps when and where, reopening clears them."""
        if status is None:
            return
        if status not in ActionStatus.values:
            raise ValidationError({"status": [_("Choose open or done.")]})
        if status != current.status:
            current.status = status
            current.done_at = timezone.now() if status == ActionStatus.DONE else None
            current.closed_in = closed_in if status == ActionStatus.DONE else None

    how: dict[str, Any] = {"audited": (*ACTION_FIELDS, "status"), "exclude": ["meeting", "closed_in"]}
    return _update_part(
        action,
        data,
        meeting=meeting,
        version=version,
        actor=actor,
        fields=ACTION_FIELDS,
        prepare=close,
        **how,
    )


@transaction.atomic
def do_make_action_a_task(
    action: ActionItem, *, version: int | None, actor: User, **task_data: Any
) -> ActionItem:
    """Turn an action item into a task of the plan (needs the right to edit the plan), and link them."""
    meeting = action.meeting
    project = meeting.project
    permissions.require_run(actor, meeting)

    def plan(current: ActionItem, changes: dict[str, Any]) -> None:
        """Add the task to the plan and link it."""
        data: dict[str, Any] = {"name": current.title[:200], "owner_id": current.owner_id}
        data["visibility"] = _part_shared(meeting, current)
        data.update(task_data)
        current.task = planning_services.do_add_task(project, actor=actor, **data)
        changes["task"] = [None, current.task.name]

    how: dict[str, Any] = {
        "verb": "planned",
        "check": _not_yet_a_task,
        "before_save": plan,
        "validate": False,
    }
    return _update_part(action, {}, meeting=meeting, version=version, actor=actor, fields=(), **how)


def _not_yet_a_task(action: ActionItem) -> None:
    """An action item becomes a task once."""
    if action.task_id is not None:
        raise ValidationError({"task_id": [_("This action is already a task of the plan.")]})
