"""The write side of time tracking: ``do_*`` functions, each one transaction with its audit record.

A person logs time on tasks of a project day by day (one entry at a time, the weekly grid, or the
timer). Each entry is priced at the standard rate of the person's resource in force on its day; the
cost is internal and never enters an audit record. Entries belong to the week's timesheet, which
the person submits and the team's PMs and leads approve (then the client, when the project asks for
it). Approval by the team makes the time count: the tasks' actual work is recomputed from it. Days
on or before the project's locked date cannot change.

Audit records of time are internal: a client reads approved hours, not the team's logging history.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import audit, updates, versioning
from tandem.core.choices import Visibility
from tandem.core.validation import full_clean, illegal_character, illegal_character_message
from tandem.costs import budget
from tandem.costs import time_permissions as permissions
from tandem.costs.actuals import COUNTED_SHEET_STATES
from tandem.costs.choices import EDITABLE_SHEET_STATES, SheetStatus
from tandem.costs.models import (
    MINUTES_PER_DAY,
    CostSettings,
    RunningTimer,
    TimeEntry,
    Timesheet,
    week_start,
)
from tandem.costs.pricing import Pricer
from tandem.costs.settings import forget_settings, settings_for, settings_for_update
from tandem.planning.choices import TaskKind
from tandem.planning.models import Task
from tandem.projects.models import Project
from tandem.resources.choices import ResourceKind
from tandem.resources.models import Resource

if TYPE_CHECKING:
    from tandem.accounts.models import User

#: What a caller may set on a time entry.
ENTRY_FIELDS = ("task_id", "day", "minutes", "billable", "note")
#: What the PM may set in the cost settings (the budget thresholds belong to the budget).
SETTINGS_FIELDS = ("client_approves_time", "actuals_from_time", "locked_until")
NOTE_MAX = 500


# ---------------------------------------------------------------- rules shared by every write


def _task_for(actor: User, project: Project, task_id: Any, key: str = "task") -> Task:
    """A task of the project the actor sees that takes time, or a ValidationError on ``key``."""
    try:
        pk = int(task_id)
    except (TypeError, ValueError):
        pk = None
    task = Task.objects.visible_to(actor).filter(project=project, pk=pk).first() if pk else None
    if task is None:
        raise ValidationError({key: [_("No such task in this project.")]})
    if task.is_summary or task.kind == TaskKind.PHASE:
        raise ValidationError({key: [_("Log time on a task, not on a phase or a summary task.")]})
    return task


def _check_minutes(minutes: Any, key: str = "minutes") -> int:
    """Minutes as a whole number from 1 to a day's 1,440, or a ValidationError on ``key``."""
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise ValidationError({key: [_("Give the time as a whole number of minutes.")]})
    if minutes <= 0:
        raise ValidationError({key: [_("Log at least one minute.")]})
    if minutes > MINUTES_PER_DAY:
        raise ValidationError({key: [_("A day has at most 24 hours.")]})
    return minutes


def _check_day(day: Any) -> dt.date:
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise ValidationError({"day": [_("Give the day as a date.")]})
    return day


def _check_unlocked(settings: CostSettings, day: dt.date, key: str = "day") -> None:
    """Time on a day of the locked period cannot be added, changed or removed."""
    if settings.is_locked(day):
        raise ValidationError(
            {key: [_("Time up to %(day)s is locked.") % {"day": settings.locked_until.isoformat()}]}  # type: ignore[union-attr]
        )


def _check_editable(sheet: Timesheet, key: str = "timesheet") -> None:
    """A submitted or approved week cannot change until it is rejected."""
    if sheet.status not in EDITABLE_SHEET_STATES:
        raise ValidationError(
            {
                key: [
                    _("This week is %(status)s: its time cannot change.")
                    % {"status": sheet.get_status_display()}
                ]
            }
        )


def _day_total(user: User, day: dt.date, *, excluding: Iterable[int] = ()) -> int:
    """The minutes ``user`` logged on ``day`` across all projects, leaving out ``excluding``."""
    rows = TimeEntry.objects.filter(user=user, day=day).exclude(pk__in=list(excluding))
    return int(rows.aggregate(total=Sum("minutes"))["total"] or 0)


def _too_long(day: dt.date) -> str:
    return _("More than 24 hours on %(day)s across all projects.") % {"day": day.isoformat()}


def _check_day_total(user: User, day: dt.date, minutes: int, *, excluding: Iterable[int] = ()) -> None:
    """A person works at most 24 hours on one day, all projects together."""
    if _day_total(user, day, excluding=excluding) + minutes > MINUTES_PER_DAY:
        raise ValidationError({"minutes": [_too_long(day)]})


def _check_note(value: Any) -> str:
    note: str = "" if value is None else str(value)
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": [_("A note has at most %(n)s characters.") % {"n": NOTE_MAX}]})
    char = illegal_character(note)
    if char is not None:
        raise ValidationError({"note": [illegal_character_message(_("note"), char)]})
    return note


def resource_of(user: User, project: Project) -> Resource | None:
    """The person's active resource in the pool (the one of the project's vendor first), if any."""
    rows = list(
        Resource.objects.filter(user=user, active=True, kind=ResourceKind.PERSON)
        .order_by("id")
        .only("id", "organization_id")
    )
    rows.sort(key=lambda r: r.organization_id != project.vendor_id)
    return rows[0] if rows else None


def _sheet(project: Project, user: User, day: dt.date) -> Timesheet:
    """The user's sheet of ``day``'s week in the project, created when missing, locked for the change."""
    sheet, _created = Timesheet.objects.get_or_create(project=project, user=user, week=week_start(day))
    return versioning.locked(sheet)


def _own(entry_or_sheet: TimeEntry | Timesheet, actor: User) -> None:
    if entry_or_sheet.user_id != actor.pk:
        raise PermissionDenied(_("You change only your own time."))


# ---------------------------------------------------------------- one entry


@transaction.atomic
def do_log_time(
    project: Project,
    *,
    actor: User,
    task_id: Any,
    day: Any,
    minutes: Any,
    billable: bool = True,
    note: str | None = "",
) -> TimeEntry:
    """Log the actor's minutes on a task of the project on one day."""
    permissions.require_log_time(actor, project)
    day = _check_day(day)
    task = _task_for(actor, project, task_id)
    minutes = _check_minutes(minutes)
    note = _check_note(note)
    _check_unlocked(settings_for(project), day)
    sheet = _sheet(project, actor, day)
    _check_editable(sheet)
    _check_day_total(actor, day, minutes)
    resource = resource_of(actor, project)
    resource_id = resource.pk if resource else None
    entry = TimeEntry(
        project=project,
        timesheet=sheet,
        task=task,
        user=actor,
        resource_id=resource_id,
        day=day,
        minutes=minutes,
        billable=bool(billable),
        note=note,
        cost_cents=Pricer([resource_id] if resource_id else []).cost_cents(resource_id, day, minutes),
    )
    full_clean(entry, exclude=["project", "timesheet", "task", "user", "resource"])
    entry.save()
    audit.record(
        actor=actor,
        verb="added",
        target=entry,
        project=project,
        changes=audit.field_values(entry, ("task_id", "day", "minutes", "billable", "note")),
        visibility=Visibility.INTERNAL,
    )
    return entry


@transaction.atomic
def do_update_time_entry(entry: TimeEntry, *, version: int | None, actor: User, **data: Any) -> TimeEntry:
    """Change one of the actor's entries (task, day, minutes, billable, note) based on the version read."""
    project = entry.project
    _own(entry, actor)
    permissions.require_log_time(actor, project)
    settings = settings_for(project)

    def refuse(row: TimeEntry) -> None:
        _check_editable(row.timesheet)
        _check_unlocked(settings, row.day)

    def prepare(row: TimeEntry, _before: Mapping[str, Any]) -> None:
        _check_day(row.day)
        _check_minutes(row.minutes)
        row.note = _check_note(row.note)
        _check_unlocked(settings, row.day)
        if week_start(row.day) != row.timesheet.week:
            row.timesheet = _sheet(project, actor, row.day)
            _check_editable(row.timesheet)
        _check_day_total(actor, row.day, row.minutes, excluding=[row.pk])
        row.cost_cents = Pricer([row.resource_id] if row.resource_id else []).cost_cents(
            row.resource_id, row.day, row.minutes
        )

    return updates.update_versioned(
        entry,
        data,
        fields=ENTRY_FIELDS,
        version=version,
        actor=actor,
        project=project,
        audited=ENTRY_FIELDS,
        text_fields=("note",),
        clean={"task_id": lambda value: _task_for(actor, project, value).pk},
        refuse=refuse,
        prepare=prepare,
        exclude=["project", "timesheet", "task", "user", "resource"],
        visibility=Visibility.INTERNAL,
    ).instance


@transaction.atomic
def do_delete_time_entry(entry: TimeEntry, *, version: int | None, actor: User) -> None:
    """Remove one of the actor's entries based on the version read."""
    _own(entry, actor)
    permissions.require_log_time(actor, entry.project)
    current = versioning.locked(entry)
    _check_editable(current.timesheet)
    _check_unlocked(settings_for(entry.project), current.day)
    updates.delete_versioned(
        current,
        version=version,
        actor=actor,
        project=entry.project,
        audited=("task_id", "day", "minutes"),
        visibility=Visibility.INTERNAL,
    )


# ---------------------------------------------------------------- the weekly grid


def cell_key(task_id: int, day: dt.date) -> str:
    """The name of one cell of the weekly grid (a task on a day), which errors are keyed by."""
    return f"m_{task_id}_{day:%Y%m%d}"


def row_key(task_id: int) -> str:
    """The name of one row of the weekly grid (a task), which the row's errors are keyed by."""
    return f"task_{task_id}"


@dataclass
class GridRow:
    """One task's row of the weekly grid: minutes by day (0: none), billable and the note of the row."""

    task_id: int
    minutes: dict[dt.date, int] = field(default_factory=dict)
    billable: bool = True
    note: str = ""


@transaction.atomic
def do_save_week(project: Project, *, actor: User, week: dt.date, rows: Sequence[GridRow]) -> Timesheet:
    """Save the actor's weekly grid as a whole: every cell valid, or nothing saved.

    A cell's minutes replace the minutes of its task on its day (0 removes them); errors name each
    cell at fault (``cell_key``) or row (``row_key``), and ``timesheet`` when the week is closed.
    """
    permissions.require_log_time(actor, project)
    week = week_start(week)
    days = [week + dt.timedelta(days=n) for n in range(7)]
    settings = settings_for(project)
    sheet = _sheet(project, actor, week)
    _check_editable(sheet)
    errors: dict[str, list[str]] = defaultdict(list)
    ids = {row.task_id for row in rows}
    tasks = {
        t.pk: t
        for t in Task.objects.visible_to(actor)
        .filter(project=project, pk__in=ids)
        .only("id", "kind", "is_summary")
    }
    for row in rows:
        task = tasks.get(row.task_id)
        if task is None:
            errors[row_key(row.task_id)].append(_("No such task in this project."))
        elif task.is_summary or task.kind == TaskKind.PHASE:
            errors[row_key(row.task_id)].append(_("Log time on a task, not on a phase or a summary task."))
        try:
            row.note = _check_note(row.note)
        except ValidationError as exc:
            errors[row_key(row.task_id)].extend(exc.message_dict["note"])
    existing: dict[tuple[int, dt.date], list[TimeEntry]] = defaultdict(list)
    for entry in TimeEntry.objects.filter(timesheet=sheet).order_by("id"):
        existing[(entry.task_id, entry.day)].append(entry)
    # Minutes of the actor on each day of the week outside this grid (other projects).
    elsewhere = dict(
        TimeEntry.objects.filter(user=actor, day__in=days)
        .exclude(timesheet=sheet)
        .values_list("day")
        .annotate(total=Sum("minutes"))
        .values_list("day", "total")
    )
    day_totals = {day: int(elsewhere.get(day, 0)) for day in days}
    for (task_id, day), entries in existing.items():
        if task_id not in ids:
            day_totals[day] += sum(e.minutes for e in entries)
    changed: dict[str, dt.date] = {}
    plans: list[tuple[GridRow, dt.date, int, list[TimeEntry]]] = []
    for row in rows:
        for day in days:
            target = row.minutes.get(day, 0) or 0
            entries = existing.get((row.task_id, day), [])
            key = cell_key(row.task_id, day)
            if isinstance(target, bool) or not isinstance(target, int) or target < 0:
                errors[key].append(_("Give the time as a whole number of minutes."))
                continue
            if target > MINUTES_PER_DAY:
                errors[key].append(_("A day has at most 24 hours."))
                continue
            day_totals[day] += target
            same = sum(e.minutes for e in entries) == target and all(
                e.billable == row.billable and e.note == row.note for e in entries
            )
            if same:
                continue
            if settings.is_locked(day):
                errors[key].append(
                    _("Time up to %(day)s is locked.") % {"day": settings.locked_until.isoformat()}  # type: ignore[union-attr]
                )
                continue
            changed[key] = day
            plans.append((row, day, target, entries))
    for key, day in changed.items():
        if day_totals[day] > MINUTES_PER_DAY:
            errors[key].append(_too_long(day))
    if errors:
        raise ValidationError(dict(errors))
    resource = resource_of(actor, project)
    resource_id = resource.pk if resource else None
    pricer = Pricer([resource_id] if resource_id else [])
    before = sum(e.minutes for entries in existing.values() for e in entries)
    created: list[TimeEntry] = []
    kept: list[TimeEntry] = []
    removed: list[int] = []
    for row, day, target, entries in plans:
        if target == 0:
            removed.extend(e.pk for e in entries)
            continue
        if entries:
            first, rest = entries[0], entries[1:]
            removed.extend(e.pk for e in rest)
            first.minutes, first.billable, first.note = target, row.billable, row.note
            first.cost_cents = pricer.cost_cents(first.resource_id, day, target)
            first.version += 1
            kept.append(first)
        else:
            created.append(
                TimeEntry(
                    project=project,
                    timesheet=sheet,
                    task_id=row.task_id,
                    user=actor,
                    resource_id=resource_id,
                    day=day,
                    minutes=target,
                    billable=row.billable,
                    note=row.note,
                    cost_cents=pricer.cost_cents(resource_id, day, target),
                )
            )
    if removed:
        TimeEntry.objects.filter(pk__in=removed).delete()
    if kept:
        now = timezone.now()
        for entry in kept:
            entry.updated_at = now
        TimeEntry.objects.bulk_update(
            kept, ["minutes", "billable", "note", "cost_cents", "version", "updated_at"]
        )
    if created:
        TimeEntry.objects.bulk_create(created)
    if plans:
        after = int(TimeEntry.objects.filter(timesheet=sheet).aggregate(total=Sum("minutes"))["total"] or 0)
        audit.record(
            actor=actor,
            verb="updated",
            target=sheet,
            project=project,
            changes={"minutes": [before, after]},
            visibility=Visibility.INTERNAL,
        )
    return sheet


# ---------------------------------------------------------------- the timer


@transaction.atomic
def do_start_timer(
    project: Project,
    *,
    actor: User,
    task_id: Any,
    note: str | None = "",
    billable: bool = True,
    now: dt.datetime | None = None,
) -> RunningTimer:
    """Start the actor's timer on a task of the project (one timer per person)."""
    permissions.require_log_time(actor, project)
    if RunningTimer.objects.select_for_update().filter(user=actor).exists():
        raise ValidationError({"timer": [_("A timer is already running: stop it first.")]})
    task = _task_for(actor, project, task_id)
    timer = RunningTimer(
        user=actor,
        project=project,
        task=task,
        started_at=now or timezone.now(),
        note=_check_note(note),
        billable=bool(billable),
    )
    full_clean(timer, exclude=["user", "project", "task"])
    timer.save()
    audit.record(
        actor=actor,
        verb="started a timer",
        target=task,
        project=project,
        changes={"task_id": [None, task.pk]},
        visibility=Visibility.INTERNAL,
    )
    return timer


def split_by_day(start: dt.datetime, end: dt.datetime, zone: dt.tzinfo) -> list[tuple[dt.date, int]]:
    """The minutes from ``start`` to ``end`` on each local day of ``zone``, each rounded up.

    A stretch that crosses midnight is split at midnight; a day's minutes are rounded up to whole
    minutes; the whole is at least one minute.
    """
    end = max(end, start)
    cursor, last = start.astimezone(zone), end.astimezone(zone)
    parts: list[tuple[dt.date, int]] = []
    while True:
        next_day = cursor.date() + dt.timedelta(days=1)
        midnight = dt.datetime.combine(next_day, dt.time(0), tzinfo=zone)
        stop = min(midnight, last, key=lambda t: t.astimezone(dt.UTC))
        seconds = (stop.astimezone(dt.UTC) - cursor.astimezone(dt.UTC)).total_seconds()
        if seconds > 0:
            parts.append((cursor.date(), min(math.ceil(seconds / 60), MINUTES_PER_DAY)))
        if stop.astimezone(dt.UTC) >= last.astimezone(dt.UTC):
            break
        cursor = midnight
    return parts or [(start.astimezone(zone).date(), 1)]


@transaction.atomic
def do_stop_timer(*, actor: User, now: dt.datetime | None = None) -> list[TimeEntry]:
    """Stop the actor's timer: log its time (split at midnight in the project's time zone)."""
    timer = (
        RunningTimer.objects.select_for_update().select_related("project", "task").filter(user=actor).first()
    )
    if timer is None:
        raise ValidationError({"timer": [_("No timer is running.")]})
    project = timer.project
    entries = [
        do_log_time(
            project,
            actor=actor,
            task_id=timer.task_id,
            day=day,
            minutes=minutes,
            billable=timer.billable,
            note=timer.note,
        )
        for day, minutes in split_by_day(timer.started_at, now or timezone.now(), project.zone)
    ]
    timer.delete()
    return entries


@transaction.atomic
def do_discard_timer(*, actor: User) -> None:
    """Throw the actor's running timer away without logging its time."""
    timer = RunningTimer.objects.select_for_update().select_related("project").filter(user=actor).first()
    if timer is None:
        raise ValidationError({"timer": [_("No timer is running.")]})
    audit.record(
        actor=actor,
        verb="discarded a timer",
        target=timer,
        project=timer.project,
        visibility=Visibility.INTERNAL,
    )
    timer.delete()


# ---------------------------------------------------------------- weeks: submit, approve, reject


def recompute_actual_work(task_ids: Iterable[int]) -> None:
    """Set the tasks' actual work to the sum of their counted time: one grouped read, one bulk write."""
    ids = sorted(set(task_ids))
    if not ids:
        return
    totals = dict(
        TimeEntry.objects.filter(task_id__in=ids, timesheet__status__in=COUNTED_SHEET_STATES)
        .values_list("task_id")
        .annotate(total=Sum("minutes"))
        .values_list("task_id", "total")
    )
    tasks = list(Task.objects.filter(pk__in=ids).only("id", "actual_work_minutes"))
    for task in tasks:
        task.actual_work_minutes = int(totals.get(task.pk, 0))
    Task.objects.bulk_update(tasks, ["actual_work_minutes"])


def _task_ids(sheet: Timesheet) -> list[int]:
    return list(TimeEntry.objects.filter(timesheet=sheet).values_list("task_id", flat=True).distinct())


def _move(
    sheet: Timesheet, to: str, *, version: int | None, actor: User, check: Any, prepare: Any
) -> Timesheet:
    return updates.move(
        sheet,
        to,
        version=version,
        actor=actor,
        project=sheet.project,
        check=check,
        prepare=prepare,
        visibility=Visibility.INTERNAL,
        label=f"{sheet.user} {sheet.week.isoformat()}",
    )


@transaction.atomic
def do_submit_timesheet(sheet: Timesheet, *, version: int | None, actor: User) -> Timesheet:
    """Submit the actor's week for approval (not an empty one)."""
    _own(sheet, actor)
    permissions.require_log_time(actor, sheet.project)

    def check(row: Timesheet) -> None:
        if row.status not in EDITABLE_SHEET_STATES:
            raise ValidationError({"status": [_("This week was already submitted.")]})
        if not TimeEntry.objects.filter(timesheet=row).exists():
            raise ValidationError({"week": [_("There is no time in this week to submit.")]})

    def prepare(row: Timesheet, _before: Any) -> None:
        row.submitted_at = timezone.now()
        row.rejected_reason = ""

    return _move(sheet, SheetStatus.SUBMITTED, version=version, actor=actor, check=check, prepare=prepare)


@transaction.atomic
def do_submit_week(project: Project, *, actor: User, week: Any) -> Timesheet:
    """Submit the actor's week of ``week`` (any day of it) in the project."""
    permissions.require_log_time(actor, project)
    if not isinstance(week, dt.date):
        raise ValidationError({"week": [_("Give the week as a date.")]})
    sheet = Timesheet.objects.filter(project=project, user=actor, week=week_start(week)).first()
    if sheet is None:
        raise ValidationError({"week": [_("There is no time in this week to submit.")]})
    return do_submit_timesheet(sheet, version=sheet.version, actor=actor)


@transaction.atomic
def do_approve_timesheet(sheet: Timesheet, *, version: int | None, actor: User) -> Timesheet:
    """Approve a submitted week for the team; it counts from now on (and goes to the client when asked)."""
    project = sheet.project
    permissions.require_time_keeper(actor, project)
    settings = settings_for(project)
    to = SheetStatus.TEAM_APPROVED if settings.client_approves_time else SheetStatus.APPROVED

    def prepare(row: Timesheet, _before: Any) -> None:
        row.approved_by = actor
        row.approved_at = timezone.now()

    check = updates.in_state({SheetStatus.SUBMITTED}, _("Only a submitted week can be approved."))
    done = _move(sheet, to, version=version, actor=actor, check=check, prepare=prepare)
    if settings.actuals_from_time:
        recompute_actual_work(_task_ids(done))
    # The week now counts as actual cost: a budget threshold may have been crossed.
    transaction.on_commit(lambda: budget.check_thresholds(project))
    return done


@transaction.atomic
def do_client_approve_timesheet(sheet: Timesheet, *, version: int | None, actor: User) -> Timesheet:
    """Approve a team-approved week for the client (holders of the decision right)."""
    permissions.require_client_approver(actor, sheet.project)

    def prepare(row: Timesheet, _before: Any) -> None:
        row.client_approved_by = actor
        row.client_approved_at = timezone.now()

    check = updates.in_state(
        {SheetStatus.TEAM_APPROVED}, _("Only a week the team approved can be approved by the client.")
    )
    return _move(sheet, SheetStatus.APPROVED, version=version, actor=actor, check=check, prepare=prepare)


@transaction.atomic
def do_reject_timesheet(
    sheet: Timesheet, *, version: int | None, actor: User, reason: str | None
) -> Timesheet:
    """Send a week back to its person with the reason (the team a submitted week, the client a
    team-approved one); it is editable again and no longer counts."""
    project = sheet.project
    keeper = permissions.is_time_keeper(actor, project)
    client = permissions.is_client_approver(actor, project)
    if not (keeper or client):
        raise PermissionDenied(_("Only the people who approve time reject it."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the week is rejected.")]})
    if illegal_character(reason) is not None:
        raise ValidationError(
            {"reason": [illegal_character_message(_("reason"), illegal_character(reason) or "")]}
        )
    allowed = set()
    if keeper:
        allowed.add(SheetStatus.SUBMITTED)
    if client or keeper:
        allowed.add(SheetStatus.TEAM_APPROVED)
    was_counted = sheet.status in COUNTED_SHEET_STATES

    def prepare(row: Timesheet, _before: Any) -> None:
        row.rejected_reason = reason
        row.approved_by = row.client_approved_by = None
        row.approved_at = row.client_approved_at = None

    check = updates.in_state(allowed, _("This week cannot be rejected now."))
    done = _move(sheet, SheetStatus.REJECTED, version=version, actor=actor, check=check, prepare=prepare)
    if was_counted and settings_for(project).actuals_from_time:
        recompute_actual_work(_task_ids(done))
    return done


# ---------------------------------------------------------------- settings


@transaction.atomic
def do_update_cost_settings(project: Project, *, actor: User, **data: Any) -> CostSettings:
    """Change how the project tracks time: client approval, actuals from time, the locked period (the PM)."""
    permissions.require_edit_cost_settings(actor, project)
    settings = settings_for_update(project)
    before = audit.field_values(settings, SETTINGS_FIELDS)
    updates.assign(settings, data, fields=SETTINGS_FIELDS)
    full_clean(settings, exclude=["project"])
    changes = audit.changed(before, audit.field_values(settings, SETTINGS_FIELDS))
    if changes:
        settings.save()
        audit.record(
            actor=actor,
            verb="updated",
            target=settings,
            project=project,
            label=str(_("cost settings")),
            changes=changes,
            visibility=Visibility.INTERNAL,
        )
    forget_settings(project)
    return settings
