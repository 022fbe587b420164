"""The adapter between the plan's rows and ``tandem_engine``.

``reschedule(project)`` bulk-loads the project's tasks, links and calendars, builds the engine's
frozen dataclasses, runs the critical path method and writes the computed fields back with one
``bulk_update``. Summary rows (tasks with children) are not scheduled themselves: links on them
apply to their leaf tasks, and their dates roll up from those leaves, as in MS Project.

The engine works in naive local time; the rows hold aware datetimes. The project's time zone
converts between the two.
"""

from __future__ import annotations

import datetime as dt
import functools
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

import tandem_engine as engine
from tandem.accounts.choices import Language
from tandem.core.choices import Visibility
from tandem.planning.choices import CalendarBase, TaskKind
from tandem.planning.models import DEFAULT_HOURS, Calendar, CalendarException, Dependency, Task
from tandem.projects.models import Project
from tandem_engine.model import WorkingRanges

#: Fields ``reschedule`` writes.
COMPUTED_FIELDS = (
    "start",
    "finish",
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float_minutes",
    "free_float_minutes",
    "critical",
    "is_summary",
    "wbs",
    "shared_wbs",
    "outline_key",
    "duration_minutes",
    "percent_complete",
)
PROJECT_CALENDAR_ID = "project"
WEEKDAYS = (0, 1, 2, 3, 4)


@dataclass
class Outcome:
    """What a reschedule found: the project's dates, impossible constraints and calendar warnings."""

    project_start: dt.datetime | None = None
    project_finish: dt.datetime | None = None
    critical_path: tuple[int, ...] = ()
    conflicts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- time


def zone_of(project: Project) -> ZoneInfo:
    """The project's time zone (the server's when the project names an unknown one)."""
    try:
        return ZoneInfo(project.time_zone or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo(str(timezone.get_current_timezone()))


def to_local(value: dt.datetime | None, zone: ZoneInfo) -> dt.datetime | None:
    """An aware datetime as naive local time of ``zone`` (what the engine reads)."""
    if value is None:
        return None
    if timezone.is_naive(value):
        return value
    return value.astimezone(zone).replace(tzinfo=None)


def to_aware(value: dt.datetime | None, zone: ZoneInfo) -> dt.datetime | None:
    """A naive local datetime of ``zone`` as an aware datetime (what the rows hold)."""
    if value is None:
        return None
    if timezone.is_aware(value):
        return value
    return value.replace(tzinfo=zone)


# ---------------------------------------------------------------- calendars


def default_calendar_base(project: Project) -> str:
    """A Chinese-language project works on the mainland China calendar; others on the standard week."""
    return CalendarBase.CHINA if project.language == Language.CHINESE else CalendarBase.STANDARD


def ensure_project_calendar(project: Project) -> Calendar:
    """The project's calendar, created with the project's default base the first time it is needed."""
    calendar = Calendar.objects.filter(project=project, is_project_calendar=True).first()
    if calendar is None:
        base = default_calendar_base(project)
        name = _("Mainland China") if base == CalendarBase.CHINA else _("Standard")
        calendar = Calendar.objects.create(
            project=project,
            name=str(name),
            base=base,
            working_weekdays=list(WEEKDAYS),
            hours=DEFAULT_HOURS,
            is_project_calendar=True,
        )
    return calendar


def parse_hours(text: str, *, field_name: str = "hours") -> WorkingRanges:
    """``"08:00-12:00,13:00-17:00"`` as working ranges; a ``ValidationError`` naming the field otherwise."""
    try:
        return engine.parse_working_ranges(text or "")
    except ValueError:
        raise ValidationError(
            {field_name: [_("Write working hours as 08:00-12:00,13:00-17:00 (sorted, not overlapping).")]}
        ) from None


@functools.lru_cache(maxsize=64)
def _china_exceptions(
    years: tuple[int, ...], day: WorkingRanges
) -> tuple[tuple[engine.CalendarException, ...], tuple[str, ...]]:
    """China's holidays and make-up days over ``years`` (cached: the table is the same for every plan)."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", engine.UnpublishedHolidaysWarning)
        china = engine.china_calendar(years, day=day)
    notes = tuple(str(w.message) for w in seen if issubclass(w.category, engine.UnpublishedHolidaysWarning))
    return china.exceptions, notes


def build_calendar(
    row: Calendar,
    exceptions: Iterable[CalendarException],
    years: Sequence[int],
    caught: list[str],
    *,
    calendar_id: engine.CalendarId | None = None,
) -> engine.Calendar:
    """An engine calendar from a calendar row and its exceptions (China's holidays over ``years``)."""
    day = parse_hours(row.hours) or engine.STANDARD_DAY
    weekdays = set(row.working_weekdays or ())
    week = tuple(day if i in weekdays else () for i in range(7))
    base_exceptions: tuple[engine.CalendarException, ...] = ()
    if row.base == CalendarBase.CHINA:
        base_exceptions, notes = _china_exceptions(tuple(years), day)
        caught.extend(notes)
    own = tuple(
        engine.CalendarException(e.start, e.end, parse_hours(e.hours) or day if e.working else (), e.name)
        for e in exceptions
    )
    return engine.Calendar(
        id=row.pk if calendar_id is None else calendar_id,
        week=week,  # type: ignore[arg-type]
        exceptions=base_exceptions + own,
        name=row.name,
    )


def _years(project: Project, tasks: Sequence[Task], zone: ZoneInfo) -> list[int]:
    first = project.start_date.year if project.start_date else timezone.localdate().year
    last = max(first + 1, project.target_date.year if project.target_date else first)
    for task in tasks:
        for value in (task.finish, task.constraint_date, task.deadline, task.actual_finish, task.held_until):
            if value is not None:
                last = max(last, min(value.astimezone(zone).year + 1, first + 10))
    return list(range(first, last + 1))


def engine_calendars(
    project: Project, tasks: Sequence[Task] = (), caught: list[str] | None = None
) -> dict[engine.CalendarId, engine.Calendar]:
    """Every calendar of the project as engine calendars; the project calendar under ``"project"``."""
    zone = zone_of(project)
    years = _years(project, tasks, zone)
    ensure_project_calendar(project)
    rows = list(Calendar.objects.filter(project=project).prefetch_related("exceptions"))
    sink: list[str] = caught if caught is not None else []
    out: dict[engine.CalendarId, engine.Calendar] = {}
    for row in rows:
        key: engine.CalendarId = PROJECT_CALENDAR_ID if row.is_project_calendar else row.pk
        out[key] = build_calendar(row, row.exceptions.all(), years, sink, calendar_id=key)
    return out


def project_engine_calendar(project: Project) -> engine.Calendar:
    """The project calendar alone, for working-time arithmetic in reports."""
    zone = zone_of(project)
    row = ensure_project_calendar(project)
    return build_calendar(
        row, row.exceptions.all(), _years(project, (), zone), [], calendar_id=PROJECT_CALENDAR_ID
    )


# ---------------------------------------------------------------- the tree


def _children_map(tasks: Sequence[Task]) -> dict[int | None, list[Task]]:
    by_parent: dict[int | None, list[Task]] = {}
    for task in sorted(tasks, key=lambda t: (t.position, t.pk)):
        by_parent.setdefault(task.parent_id, []).append(task)
    return by_parent


def number_outline(tasks: Sequence[Task]) -> None:
    """Set ``wbs``, ``shared_wbs``, ``outline_key`` and ``is_summary`` from the tree (in memory)."""
    by_parent = _children_map(tasks)
    shared_counter: dict[str, int] = {}

    def walk(parent_id: int | None, prefix: str, key_prefix: str, shared_prefix: str | None) -> None:
        for rank, task in enumerate(by_parent.get(parent_id, []), start=1):
            task.wbs = f"{prefix}{rank}"
            task.outline_key = f"{key_prefix}{rank:05d}"
            task.is_summary = bool(by_parent.get(task.pk))
            child_shared_prefix: str | None
            if task.visibility == Visibility.SHARED:
                # A shared row under an internal one is numbered as a top-level row for the client.
                scope = shared_prefix if shared_prefix is not None else ""
                shared_counter[scope] = shared_counter.get(scope, 0) + 1
                task.shared_wbs = f"{scope}{shared_counter[scope]}"
                child_shared_prefix = f"{task.shared_wbs}."
            else:
                task.shared_wbs = ""
                child_shared_prefix = None
            walk(task.pk, f"{task.wbs}.", f"{task.outline_key}.", child_shared_prefix)

    walk(None, "", "", "")


def leaves_of(tasks: Sequence[Task]) -> dict[int, list[int]]:
    """For every summary row, the ids of the leaf tasks below it."""
    by_parent = _children_map(tasks)
    out: dict[int, list[int]] = {}

    def collect(task_id: int) -> list[int]:
        if task_id in out:
            return out[task_id]
        found: list[int] = []
        for child in by_parent.get(task_id, []):
            found.extend(collect(child.pk) if by_parent.get(child.pk) else [child.pk])
        out[task_id] = found
        return found

    for task in tasks:
        if by_parent.get(task.pk):
            collect(task.pk)
    return out


# ---------------------------------------------------------------- the network


def _activity(task: Task, zone: ZoneInfo, hold: dt.datetime | None = None) -> engine.Activity:
    """The engine's activity of a leaf row; ``hold`` (local time) is an extra "start no earlier than".

    A hold combines with the row's own constraint only for ASAP and SNET: the activity becomes SNET at
    the later of the two dates. Every other constraint (ALAP, SNLT, FNET, FNLT, MSO, MFO) is the
    planner's explicit choice and is left alone, as are manual rows and rows already started.
    """
    milestone = task.kind == TaskKind.MILESTONE
    constraint = engine.ConstraintType(task.constraint_type)
    constraint_date = (
        to_local(task.constraint_date, zone)
        if constraint not in (engine.ConstraintType.ASAP, engine.ConstraintType.ALAP)
        else None
    )
    if (
        hold is not None
        and not task.manual
        and task.actual_start is None
        and constraint in (engine.ConstraintType.ASAP, engine.ConstraintType.SNET)
    ):
        constraint = engine.ConstraintType.SNET
        constraint_date = max(hold, constraint_date) if constraint_date is not None else hold
    return engine.Activity(
        id=task.pk,
        duration=0 if milestone else task.duration_minutes,
        milestone=milestone,
        calendar_id=task.calendar_id,
        constraint=constraint,
        constraint_date=constraint_date,
        deadline=to_local(task.deadline, zone),
        actual_start=to_local(task.actual_start, zone),
        actual_finish=to_local(task.actual_finish, zone),
        percent_complete=float(task.percent_complete),
        manual=task.manual,
        manual_start=to_local(task.start, zone) if task.manual else None,
        manual_finish=to_local(task.finish, zone) if task.manual else None,
    )


def holds_of(tasks: Sequence[Task], zone: ZoneInfo) -> dict[int, dt.datetime]:
    """Each row's effective hold in local time: the latest ``held_until`` of the row and its ancestors.

    A hold on a summary row holds every leaf under it.
    """
    by_id = {t.pk: t for t in tasks}
    out: dict[int, dt.datetime] = {}
    for task in tasks:
        latest: dt.datetime | None = None
        node: Task | None = task
        seen: set[int] = set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            if node.held_until is not None:
                local = to_local(node.held_until, zone)
                if local is not None and (latest is None or local > latest):
                    latest = local
            node = by_id.get(node.parent_id) if node.parent_id is not None else None
        if latest is not None:
            out[task.pk] = latest
    return out


def project_start(project: Project, tasks: Sequence[Task], zone: ZoneInfo) -> dt.datetime:
    """Where the schedule starts: the project's start date, else its earliest actual start, else today."""
    if project.start_date is not None:
        return dt.datetime.combine(project.start_date, dt.time(0, 0))
    actuals = [to_local(t.actual_start, zone) for t in tasks if t.actual_start is not None]
    if actuals:
        return min(a for a in actuals if a is not None)
    return dt.datetime.combine(timezone.localdate(), dt.time(0, 0))


def build_network(
    project: Project,
    tasks: Sequence[Task],
    links: Sequence[Dependency],
    calendars: Mapping[engine.CalendarId, engine.Calendar],
) -> engine.Network:
    """The engine's network for the leaf tasks, with links on summary rows expanded to their leaves."""
    zone = zone_of(project)
    leaves = leaves_of(tasks)
    holds = holds_of(tasks, zone)
    activities = tuple(_activity(t, zone, holds.get(t.pk)) for t in tasks if t.pk not in leaves)
    names: dict[engine.ActivityId, str] = {t.pk: t.name for t in tasks}
    out: list[engine.Link] = []
    seen: set[tuple[int, int]] = set()
    for link in links:
        preds = leaves.get(link.predecessor_id) or [link.predecessor_id]
        succs = leaves.get(link.successor_id) or [link.successor_id]
        for p in preds:
            for s in succs:
                if p != s and (p, s) not in seen:
                    seen.add((p, s))
                    out.append(
                        engine.Link(
                            p,
                            s,
                            engine.LinkType(link.type),
                            float(link.lag_minutes),
                            engine.LagUnit.ELAPSED if link.elapsed else engine.LagUnit.WORKING,
                        )
                    )
    return engine.Network(
        activities=activities,
        links=tuple(out),
        calendars=calendars,
        calendar_id=PROJECT_CALENDAR_ID,
        start=project_start(project, tasks, zone),
        names=names,
    )


def cycle_message(cycle: Sequence[engine.ActivityId], names: Mapping[int, str]) -> str:
    """A readable description of a cycle of tasks."""
    path = " → ".join(f"“{names.get(int(i), i)}”" for i in cycle)
    return _("These links would form a loop: %(path)s. Remove one of them first.") % {"path": path}


def reschedule(project: Project) -> Outcome:
    """Schedule the project from its rows and store the computed dates (call inside a transaction).

    Raises ``ValidationError`` when the links form a cycle (naming its tasks).
    """
    zone = zone_of(project)
    tasks = list(Task.objects.filter(project=project).order_by("id"))
    links = list(Dependency.objects.filter(project=project).order_by("id"))
    outcome = Outcome()
    before = {t.pk: _computed_values(t) for t in tasks}
    calendars = engine_calendars(project, tasks, outcome.warnings)
    number_outline(tasks)
    if not tasks:
        return outcome
    network = build_network(project, tasks, links, calendars)
    names = {t.pk: t.name for t in tasks}
    try:
        result = engine.schedule(network)
    except engine.NetworkCycleError as exc:
        raise ValidationError({"predecessor_id": [cycle_message(exc.cycle, names)]}) from None
    except (engine.NetworkError, engine.CalendarError) as exc:
        raise ValidationError(
            {"__all__": [_("The plan cannot be scheduled: %(error)s") % {"error": exc}]}
        ) from None
    outcome.project_start = to_aware(result.project_start, zone)
    outcome.project_finish = to_aware(result.project_finish, zone)
    outcome.critical_path = tuple(int(i) for i in result.critical_path)
    for conflict in result.conflicts:
        outcome.conflicts.append(
            _("“%(task)s”: %(constraint)s %(date)s cannot be met; its links require %(required)s.")
            % {
                "task": names.get(int(conflict.activity_id), conflict.activity_id),
                "constraint": conflict.constraint.value,
                "date": f"{conflict.constraint_date:%Y-%m-%d %H:%M}",
                "required": f"{conflict.required_date:%Y-%m-%d %H:%M}",
            }
        )
    by_id = {t.pk: t for t in tasks}
    for task in tasks:
        if task.pk in result:
            row = result[task.pk]
            task.start = to_aware(row.start, zone)
            task.finish = to_aware(row.finish, zone)
            task.early_start = to_aware(row.early_start, zone)
            task.early_finish = to_aware(row.early_finish, zone)
            task.late_start = to_aware(row.late_start, zone)
            task.late_finish = to_aware(row.late_finish, zone)
            task.total_float_minutes = row.total_float
            task.free_float_minutes = row.free_float
            task.critical = row.critical
    project_cal = calendars[PROJECT_CALENDAR_ID]
    for summary_id, leaf_ids in leaves_of(tasks).items():
        summary = by_id[summary_id]
        rows = [result[i] for i in leaf_ids if i in result]
        if not rows:
            continue
        start, finish = min(r.start for r in rows), max(r.finish for r in rows)
        summary.start, summary.finish = to_aware(start, zone), to_aware(finish, zone)
        summary.early_start = to_aware(min(r.early_start for r in rows), zone)
        summary.early_finish = to_aware(max(r.early_finish for r in rows), zone)
        summary.late_start = to_aware(min(r.late_start for r in rows), zone)
        summary.late_finish = to_aware(max(r.late_finish for r in rows), zone)
        summary.total_float_minutes = min(r.total_float for r in rows)
        summary.free_float_minutes = None
        summary.critical = any(r.critical for r in rows)
        summary.duration_minutes = max(0, engine.working_minutes_between(project_cal, start, finish))
        weights = [(by_id[i].duration_minutes or 1, by_id[i].percent_complete) for i in leaf_ids]
        total = sum(w for w, _p in weights)
        summary.percent_complete = round(sum(w * p for w, p in weights) / total) if total else 0
    # Write only the rows the schedule changed: an edit usually moves a few tasks, not the plan.
    changed = [t for t in tasks if _computed_values(t) != before[t.pk]]
    if changed:
        Task.objects.bulk_update(changed, COMPUTED_FIELDS, batch_size=500)
    return outcome


def _computed_values(task: Task) -> tuple[Any, ...]:
    return tuple(getattr(task, name) for name in COMPUTED_FIELDS)


def finish_after(
    project: Project, start: dt.datetime, minutes: int, calendar: engine.Calendar | None = None
) -> dt.datetime:
    """The moment ``minutes`` working minutes after ``start`` on the project calendar (aware datetimes)."""
    zone = zone_of(project)
    cal = calendar or project_engine_calendar(project)
    local = to_local(start, zone)
    assert local is not None
    result = to_aware(engine.add_working_minutes(cal, local, minutes), zone)
    assert result is not None
    return result


def working_minutes(calendar: engine.Calendar, project: Project, a: dt.datetime, b: dt.datetime) -> int:
    """Working minutes from ``a`` to ``b`` on ``calendar`` (negative when ``b`` is earlier)."""
    zone = zone_of(project)
    la, lb = to_local(a, zone), to_local(b, zone)
    assert la is not None and lb is not None
    return engine.working_minutes_between(calendar, la, lb)
