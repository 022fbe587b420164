"""MS Project interop (MSPDI import and export, ``.mpp`` through MPXJ), CSV export and iCalendar feeds.

Reading is the engine's safe MSPDI reader (size limit, no DTD, no entities, no external references).
An import is one transaction. Exports and feeds read through ``visible_to``: a client's export holds
shared rows only.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import tandem_engine as engine
from tandem.accounts.choices import OrganizationKind
from tandem.accounts.models import Organization, User
from tandem.core import audit, tabular
from tandem.core.choices import Visibility
from tandem.planning import mpxj_bridge, queries, scheduling, writing
from tandem.planning.choices import TaskKind, TaskStatus
from tandem.planning.models import Calendar, CalendarException, CalendarFeed, Dependency, Task
from tandem.planning.services import hash_feed_token
from tandem.projects import permissions
from tandem.projects import services as project_services
from tandem.projects.models import Project
from tandem.projects.permissions import Action

MAX_IMPORT_BYTES = 16 * 1024 * 1024
NS = "http://schemas.microsoft.com/project"
_CONSTRAINT_CODES = {"ASAP": 0, "ALAP": 1, "MSO": 2, "MFO": 3, "SNET": 4, "SNLT": 5, "FNET": 6, "FNLT": 7}
_LINK_CODES = {"FF": 0, "FS": 1, "SF": 2, "SS": 3}
#: Rows per INSERT of an import (the database may cap it lower: SQLite at 999 values a statement).
IMPORT_BATCH = 1000


class ImportRefused(ValueError):
    """The file cannot be imported; the message says why in words a person understands."""


# ---------------------------------------------------------------- reading files


def read_project_file(path: Path, *, max_bytes: int = MAX_IMPORT_BYTES) -> tuple[engine.MspdiProject, bytes]:
    """Read an MSPDI (``.xml``) or MS Project (``.mpp``, through MPXJ) file into engine inputs.

    Returns the parsed project and the MSPDI bytes it came from. Raises ``ImportRefused``.
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportRefused(
            _("Cannot read %(file)s: %(error)s") % {"file": path, "error": exc.strerror}
        ) from None
    if size > max_bytes:
        raise ImportRefused(
            _("%(file)s is %(size)s bytes, above the limit of %(limit)s bytes.")
            % {"file": path.name, "size": size, "limit": max_bytes}
        )
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0") or path.suffix.lower() in (".mpp", ".mpt"):
        data = _mpp_to_mspdi(path, max_bytes)
    else:
        data = path.read_bytes()
    return parse_mspdi(data, name=path.name, max_bytes=max_bytes), data


def parse_mspdi(data: bytes, *, name: str = "file", max_bytes: int = MAX_IMPORT_BYTES) -> engine.MspdiProject:
    """Parse MSPDI bytes, refusing oversized, unsafe or foreign documents with a clear message."""
    try:
        return engine.read_mspdi(data, max_bytes=max_bytes)
    except engine.MspdiError as exc:
        text = str(exc)
        if "unsafe" in text or "DTD" in text or "Entit" in text:
            raise ImportRefused(
                _(
                    "%(file)s was refused: it declares a DTD, entities or external references, "
                    "which MS Project files never need."
                )
                % {"file": name}
            ) from None
        if "malformed" in text:
            raise ImportRefused(
                _("%(file)s is not well-formed XML (%(error)s).") % {"file": name, "error": text}
            ) from None
        raise ImportRefused(
            _("%(file)s is not an MS Project XML (MSPDI) file: %(error)s") % {"file": name, "error": text}
        ) from None
    except (ValueError, TypeError) as exc:
        raise ImportRefused(
            _("%(file)s has a value that cannot be read: %(error)s") % {"file": name, "error": exc}
        ) from None


def _mpp_to_mspdi(path: Path, max_bytes: int) -> bytes:
    if not mpxj_bridge.java_available():
        raise ImportRefused(
            _(
                "Reading .mpp files needs Java and the mpxj package, which are not installed here. "
                "Save the plan from MS Project as XML (File › Save As › XML) and import that."
            )
        )
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "converted.xml"
        try:
            mpxj_bridge.run("convert", str(path), str(target))
        except (ValueError, OSError) as exc:
            raise ImportRefused(
                _("MPXJ could not read %(file)s: %(error)s") % {"file": path.name, "error": exc}
            ) from None
        if target.stat().st_size > max_bytes:
            raise ImportRefused(_("%(file)s is too large once converted.") % {"file": path.name})
        return target.read_bytes()


@dataclass(frozen=True)
class OutlineRow:
    """A task of an MSPDI file with its place in the outline."""

    uid: int
    name: str
    level: int
    summary: bool


def outline_of(project: engine.MspdiProject) -> list[OutlineRow]:
    """The file's tasks in file order with outline levels (the engine's network keeps leaves only)."""
    return [
        OutlineRow(int(uid), name, project.levels.get(uid, 1), uid in project.summaries)
        for uid, name in project.names.items()
    ]


# ---------------------------------------------------------------- dry run


def _iso(value: dt.datetime) -> str:
    return value.replace(microsecond=0).isoformat(timespec="seconds")


def dry_run(path: Path) -> dict[str, Any]:
    """Schedule a file with Tandem's engine, ignoring the dates stored in it; nothing is written.

    Honours the file's calendars, constraints, actual dates, manually scheduled tasks and resource
    assignments (resource calendars), and computes each task's work (minutes) and cost (in the
    file's currency) from its resources, assignments and fixed cost. Returns ``{"tasks": [...]}``
    in file order, summary tasks rolled up from their leaves.
    """
    project, _data = read_project_file(path)
    network = engine.apply_assignments(project.network, project.resourcing)
    try:
        result = engine.schedule(network)
    except engine.NetworkCycleError as exc:
        names = " → ".join(str(project.names.get(i, i)) for i in exc.cycle)
        raise ImportRefused(_("The file's links form a loop: %(path)s") % {"path": names}) from None
    except engine.NetworkError as exc:
        raise ImportRefused(_("The file cannot be scheduled: %(error)s") % {"error": exc}) from None
    rolled = engine.rollup_summaries(project, result)
    costs = engine.cost_schedule(project.network, project.resourcing, result)
    costs.update(engine.rollup_work_cost(costs, project.summaries, project.resourcing))
    calendar = network.calendars[network.calendar_id]
    tasks: list[dict[str, Any]] = []
    for uid, name in project.names.items():
        if uid in result:
            row = result[uid]
            slack, critical = row.total_float, row.critical
            dates = (
                row.start,
                row.finish,
                row.early_start,
                row.early_finish,
                row.late_start,
                row.late_finish,
            )
        elif uid in rolled:
            s = rolled[uid]
            dates = (s.start, s.finish, s.early_start, s.early_finish, s.late_start, s.late_finish)
            slack = min(
                engine.working_minutes_between(calendar, s.early_start, s.late_start),
                engine.working_minutes_between(calendar, s.early_finish, s.late_finish),
            )
            critical = s.critical
        else:
            continue
        tasks.append(
            {
                "uid": uid,
                "name": name,
                "start": _iso(dates[0]),
                "finish": _iso(dates[1]),
                "early_start": _iso(dates[2]),
                "early_finish": _iso(dates[3]),
                "late_start": _iso(dates[4]),
                "late_finish": _iso(dates[5]),
                "total_slack_minutes": slack,
                "critical": bool(critical),
                "work_minutes": round(costs[uid].work, 2) if uid in costs else 0.0,
                "cost": round(costs[uid].cost, 2) if uid in costs else 0.0,
            }
        )
    return {"tasks": tasks}


# ---------------------------------------------------------------- import


def _hours_text(ranges: Sequence[tuple[int, int]]) -> str:
    return ",".join(f"{a // 60:02d}:{a % 60:02d}-{(b // 60) % 24:02d}:{b % 60:02d}" for a, b in ranges)


def _client_named(name: str, actor: User) -> Organization:
    """The client organization called ``name``, created (in the caller's transaction) when there is none."""
    existing = Organization.objects.filter(name=name.strip(), kind=OrganizationKind.CLIENT).first()
    if existing is not None:
        return existing
    return project_services.do_create_organization(name=name, kind=OrganizationKind.CLIENT, actor=actor)


def _imported_task(
    project: Project,
    parent: Task | None,
    position: int,
    line: OutlineRow,
    activity: engine.Activity | None,
    calendar_rows: dict[engine.CalendarId, Calendar],
    zone: ZoneInfo,
) -> Task:
    """The unsaved row of one task of the file (a summary row when the engine has no activity for it)."""
    task = Task(
        project=project,
        parent=parent,
        position=position,
        name=(line.name or "—")[:200],
        external_uid=line.uid,
        visibility=Visibility.SHARED,
    )
    if activity is None:
        task.kind = TaskKind.PHASE if line.level == 1 else TaskKind.WORK_PACKAGE
        return task
    task.kind = TaskKind.MILESTONE if activity.milestone else TaskKind.TASK
    task.duration_minutes = activity.duration
    task.constraint_type = activity.constraint.value
    task.constraint_date = scheduling.to_aware(activity.constraint_date, zone)
    task.deadline = scheduling.to_aware(activity.deadline, zone)
    task.actual_start = scheduling.to_aware(activity.actual_start, zone)
    task.actual_finish = scheduling.to_aware(activity.actual_finish, zone)
    task.percent_complete = max(0, min(100, round(activity.percent_complete)))
    task.status = (
        TaskStatus.DONE
        if task.percent_complete == 100 or activity.actual_finish
        else TaskStatus.IN_PROGRESS
        if activity.actual_start
        else TaskStatus.NOT_STARTED
    )
    task.manual = activity.manual
    task.start = scheduling.to_aware(activity.manual_start, zone)
    task.finish = scheduling.to_aware(activity.manual_finish, zone)
    if activity.calendar_id is not None and activity.calendar_id in calendar_rows:
        task.calendar = calendar_rows[activity.calendar_id]
    return task


@transaction.atomic
def import_plan(
    path: Path,
    *,
    actor: User,
    project: Project | None = None,
    code: str = "",
    name: str = "",
    client: Organization | None = None,
    client_name: str = "",
) -> Project:
    """Import a file as a new project (``code``, ``name``, and ``client`` or the name of a client
    organization, created when new) or replace ``project``'s plan.

    All or nothing: any error rolls the whole import back, a client organization created for it too.
    """
    parsed, _data = read_project_file(path)
    outline = outline_of(parsed)
    network = parsed.network
    if project is None:
        if client is None and client_name.strip():
            client = _client_named(client_name, actor)
        if client is None:
            raise ImportRefused(_("Name the client organization of the new project."))
        project = project_services.do_create_project(
            code=code,
            name=name or path.stem,
            client=client,
            actor=actor,
            start_date=network.start.date(),
        )
    else:
        permissions.require(actor, project, Action.EDIT_PLAN)
        writing.lock_plan(project)
        Task.objects.filter(project=project).delete()
        Calendar.objects.filter(project=project).delete()
        if project.start_date != network.start.date():
            Project.objects.filter(pk=project.pk).update(start_date=network.start.date())
            project.start_date = network.start.date()
    zone = scheduling.zone_of(project)
    # Calendars: the file's week and every dated exception, on a standard base.
    calendar_rows: dict[engine.CalendarId, Calendar] = {}
    exceptions: list[CalendarException] = []
    used_names: set[str] = set()
    for cid, cal in network.calendars.items():
        working = [i for i, ranges in enumerate(cal.week) if ranges]
        hours = next((r for r in cal.week if r), engine.STANDARD_DAY)
        label = (cal.name or f"Calendar {cid}")[:90]
        while label in used_names:
            label = f"{label} ({cid})"[:100]
        used_names.add(label)
        row = Calendar.objects.create(
            project=project,
            name=label,
            base="standard",
            working_weekdays=working or [0],
            hours=_hours_text(hours),
            is_project_calendar=cid == network.calendar_id,
        )
        calendar_rows[cid] = row
        for e in cal.exceptions:
            exceptions.append(
                CalendarException(
                    calendar=row,
                    name=e.name[:100],
                    start=e.start,
                    end=e.end,
                    working=bool(e.working_times),
                    hours=_hours_text(e.working_times) if e.working_times else "",
                )
            )
    CalendarException.objects.bulk_create(exceptions, batch_size=IMPORT_BATCH)
    # Tasks in outline order, parents from the outline levels. Rows are inserted one outline level
    # at a time (a level's parents exist before it), in batches, never one query per row.
    activities = {a.id: a for a in network.activities}
    stack: list[tuple[int, Task]] = []
    positions: dict[int, int] = {}
    created: dict[int, Task] = {}
    levels: dict[int, list[Task]] = {}
    for line in outline:
        if line.level <= 0:
            continue  # the project summary task
        while stack and stack[-1][0] >= line.level:
            stack.pop()
        parent = stack[-1][1] if stack else None
        key = id(parent)  # the parent has no primary key yet
        positions[key] = positions.get(key, -1) + 1
        task = _imported_task(
            project, parent, positions[key], line, activities.get(line.uid), calendar_rows, zone
        )
        created[line.uid] = task
        levels.setdefault(len(stack), []).append(task)
        stack.append((line.level, task))
    for depth in sorted(levels):
        # bulk_create sets each row's parent_id from its parent, inserted with the level above.
        Task.objects.bulk_create(levels[depth], batch_size=IMPORT_BATCH)
    links = []
    seen: set[tuple[int, int]] = set()
    for link in network.links:
        pred, succ = created.get(int(link.predecessor)), created.get(int(link.successor))
        if pred is None or succ is None or (pred.pk, succ.pk) in seen:
            continue
        seen.add((pred.pk, succ.pk))
        lag = link.lag
        if link.lag_unit == engine.LagUnit.PERCENT:
            lag = (
                (activities[link.predecessor].duration * link.lag / 100.0)
                if link.predecessor in activities
                else 0
            )
        links.append(
            Dependency(
                project=project,
                predecessor=pred,
                successor=succ,
                type=link.type.value,
                lag_minutes=round(lag),
                elapsed=link.lag_unit == engine.LagUnit.ELAPSED,
            )
        )
    Dependency.objects.bulk_create(links, batch_size=IMPORT_BATCH)
    try:
        scheduling.reschedule(project)
    except ValidationError as exc:
        raise ImportRefused(" ".join(exc.messages)) from None
    audit.record(
        actor=actor,
        verb="imported plan",
        target=project,
        project=project,
        label=path.name,
        changes={"tasks": [None, len(created)], "links": [None, len(links)]},
    )
    return project


# ---------------------------------------------------------------- reading the plan for an export

#: The columns of a task an export reads (one row of values each, no model instances).
_EXPORT_TASK_FIELDS = (
    "pk",
    "shown_parent_id",
    "shown_wbs",
    "name",
    "kind",
    "status",
    "owner__full_name",
    "duration_minutes",
    "start",
    "finish",
    "deadline",
    "percent_complete",
    "actual_start",
    "actual_finish",
    "manual",
    "constraint_type",
    "constraint_date",
    "calendar_id",
    "held_until",
    "total_float_minutes",
    "critical",
    "is_summary",
)


@dataclass(frozen=True)
class _PlanValues:
    """The plan a user may see, read for an export: task rows as dicts in outline order, link tuples."""

    tasks: list[dict[str, Any]]
    #: (successor id, predecessor id, type, lag in minutes, elapsed), in id order.
    links: list[tuple[int, int, str, int, bool]]


def _plan_values(user: Any, project: Project) -> _PlanValues:
    """Two queries whatever the size of the plan, through the same scope as every page (``plan_of``)."""
    tasks = list(queries.plan_of(user, project).values(*_EXPORT_TASK_FIELDS))
    links = list(
        queries.dependencies_of(user, project).values_list(
            "successor_id", "predecessor_id", "type", "lag_minutes", "elapsed"
        )
    )
    return _PlanValues(tasks, links)


def _local_texts(project: Project) -> Callable[[dt.datetime | None], str | None]:
    """A converter of stored datetimes to the project's local time as ISO text, remembering each value
    (a plan's dates repeat: many tasks start on the same morning)."""
    zone = scheduling.zone_of(project)
    seen: dict[dt.datetime, str] = {}

    def local(value: dt.datetime | None) -> str | None:
        if value is None:
            return None
        text = seen.get(value)
        if text is None:
            moment = scheduling.to_local(value, zone)
            assert moment is not None
            text = seen[value] = moment.replace(microsecond=0).isoformat(timespec="seconds")
        return text

    return local


# ---------------------------------------------------------------- MSPDI export


def _duration(minutes: int) -> str:
    return f"PT{minutes // 60}H{minutes % 60}M0S"


def _text(value: Any) -> str:
    """Element text: characters no XML can hold replaced (a control character stored before it was
    refused would otherwise make the whole file malformed), then ``&``, ``<`` and ``>`` escaped."""
    return tabular.clean_text(str(value)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _el(tag: str, value: Any = None) -> str:
    """An element with text, or an empty one (``<Tag />``) for ``None`` and empty text."""
    text = "" if value is None else _text(value)
    return f"<{tag}>{text}</{tag}>" if text else f"<{tag} />"


def _num(tag: str, value: int) -> str:
    """An element holding a number (no escaping needed)."""
    return f"<{tag}>{value}</{tag}>"


def _wrap(tag: str, inner: Sequence[str]) -> str:
    """An element around ``inner`` (an empty element when there is nothing inside)."""
    return f"<{tag}>{''.join(inner)}</{tag}>" if inner else f"<{tag} />"


def _working_times(ranges: Sequence[tuple[int, int]]) -> str:
    return _wrap(
        "WorkingTimes",
        [
            f"<WorkingTime><FromTime>{a // 60:02d}:{a % 60:02d}:00</FromTime>"
            f"<ToTime>{(b // 60) % 24:02d}:{b % 60:02d}:00</ToTime></WorkingTime>"
            for a, b in ranges
        ],
    )


def _calendar_xml(n: int, name: str, calendar: engine.Calendar) -> str:
    parts = [_num("UID", n), _el("Name", name), _num("IsBaseCalendar", 1), _num("BaseCalendarUID", -1)]
    days = []
    for day_type in range(1, 8):  # 1 = Sunday
        ranges = calendar.week[(day_type + 5) % 7]
        days.append(
            _wrap(
                "WeekDay",
                [_num("DayType", day_type), _num("DayWorking", 1 if ranges else 0)]
                + ([_working_times(ranges)] if ranges else []),
            )
        )
    parts.append(_wrap("WeekDays", days))
    if calendar.exceptions:
        exceptions = []
        for e in calendar.exceptions:
            inner = [
                _num("EnteredByOccurrences", 0),
                f"<TimePeriod><FromDate>{e.start.isoformat()}T00:00:00</FromDate>"
                f"<ToDate>{e.end.isoformat()}T23:59:00</ToDate></TimePeriod>",
                _num("Occurrences", 1),
                _el("Name", e.name or ("Working" if e.working_times else "Holiday")),
                _num("Type", 1),
                _num("DayWorking", 1 if e.working_times else 0),
            ]
            if e.working_times:
                inner.append(_working_times(e.working_times))
            exceptions.append(_wrap("Exception", inner))
        parts.append(_wrap("Exceptions", exceptions))
    return _wrap("Calendar", parts)


def _latest_moment(tasks: Sequence[dict[str, Any]]) -> Task:
    """An unsaved row holding the latest date of the plan: all ``scheduling.engine_calendars`` reads
    from the rows is how many years of holidays to lay out, and that follows the latest date alone."""
    moments = [
        t[name]
        for t in tasks
        for name in ("finish", "constraint_date", "deadline", "actual_finish", "held_until")
        if t[name] is not None
    ]
    return Task(finish=max(moments) if moments else None)


def export_mspdi(user: Any, project: Project) -> bytes:
    """The plan the user may see as MSPDI XML that MS Project and MPXJ read.

    Written as text in one pass (no element tree): the bytes are those ElementTree wrote before, a
    5,000-task plan in a fraction of the time.
    """
    plan = _plan_values(user, project)
    tasks = plan.tasks
    local = _local_texts(project)
    rows = list(Calendar.objects.visible_to(user).filter(project=project).prefetch_related("exceptions"))
    caught: list[str] = []
    calendars = scheduling.engine_calendars(project, [_latest_moment(tasks)], caught) if rows else {}
    starts = [t["start"] for t in tasks if t["start"]]
    start = min(starts) if starts else None
    out = [
        "<?xml version='1.0' encoding='UTF-8'?>\n",
        f'<Project xmlns="{NS}">',
        _el("Name", project.name),
        _el("Title", project.name),
        _num("ScheduleFromStart", 1),
        _el("StartDate", local(start) or f"{project.start_date or timezone.localdate()}T08:00:00"),
        _num("CalendarUID", 1),
        _num("MinutesPerDay", 480),
        _num("MinutesPerWeek", 2400),
        _num("DaysPerMonth", 20),
    ]
    uid_of: dict[int, int] = {}
    ordered = sorted(rows, key=lambda r: (not r.is_project_calendar, r.pk))
    calendar_parts = []
    for n, row in enumerate(ordered, start=1):
        uid_of[row.pk] = n
        engine_cal = calendars[scheduling.PROJECT_CALENDAR_ID if row.is_project_calendar else row.pk]
        calendar_parts.append(_calendar_xml(n, row.name, engine_cal))
    out.append(_wrap("Calendars", calendar_parts))
    preds: dict[int, list[str]] = {}
    for successor_id, predecessor_id, link_type, lag_minutes, elapsed in plan.links:
        preds.setdefault(successor_id, []).append(
            f"<PredecessorLink><PredecessorUID>{predecessor_id}</PredecessorUID>"
            f"<Type>{_LINK_CODES[link_type]}</Type><CrossProject>0</CrossProject>"
            f"<LinkLag>{lag_minutes * 10}</LinkLag><LagFormat>{8 if elapsed else 7}</LagFormat>"
            "</PredecessorLink>"
        )
    task_parts = []
    depth: dict[int, int] = {}
    for n, task in enumerate(tasks, start=1):
        pk, parent_id = task["pk"], task["shown_parent_id"]
        level = depth.get(parent_id, 0) + 1 if parent_id else 1
        depth[pk] = level
        wbs = _el("WBS", task["shown_wbs"])
        duration = _duration(task["duration_minutes"])
        parts = [
            f"<Task><UID>{pk}</UID><ID>{n}</ID>",
            _el("Name", task["name"]),
            "<Type>1</Type><IsNull>0</IsNull>",
            wbs,
            _el("OutlineNumber", task["shown_wbs"]),
            _num("OutlineLevel", level),
            _el("Start", local(task["start"])),
            _el("Finish", local(task["finish"])),
            f"<Duration>{duration}</Duration><DurationFormat>7</DurationFormat>",
            _num("Manual", 1 if task["manual"] else 0),
        ]
        if task["manual"]:
            parts += [
                _el("ManualStart", local(task["start"])),
                _el("ManualFinish", local(task["finish"])),
                f"<ManualDuration>{duration}</ManualDuration>",
            ]
        parts += [
            _num("Milestone", 1 if task["kind"] == TaskKind.MILESTONE else 0),
            _num("Summary", 1 if task["is_summary"] else 0),
            _num("Critical", 1 if task["critical"] else 0),
            _num("PercentComplete", task["percent_complete"]),
        ]
        if task["actual_start"]:
            parts.append(_el("ActualStart", local(task["actual_start"])))
        if task["actual_finish"]:
            parts.append(_el("ActualFinish", local(task["actual_finish"])))
        parts.append(_num("ConstraintType", _CONSTRAINT_CODES.get(task["constraint_type"], 0)))
        if task["constraint_date"]:
            parts.append(_el("ConstraintDate", local(task["constraint_date"])))
        if task["deadline"]:
            parts.append(_el("Deadline", local(task["deadline"])))
        calendar_id = task["calendar_id"]
        parts.append(_num("CalendarUID", uid_of.get(calendar_id, -1) if calendar_id else -1))
        if task["total_float_minutes"] is not None:
            parts.append(_num("TotalSlack", task["total_float_minutes"] * 10))
        parts += preds.get(pk, ())
        parts.append("</Task>")
        task_parts.append("".join(parts))
    out.append(_wrap("Tasks", task_parts))
    out.append("</Project>")
    return "".join(out).encode("utf-8", "xmlcharrefreplace")


# ---------------------------------------------------------------- CSV


CSV_COLUMNS = (
    "wbs",
    "name",
    "kind",
    "status",
    "owner",
    "duration_minutes",
    "start",
    "finish",
    "deadline",
    "percent_complete",
    "actual_start",
    "actual_finish",
    "constraint_type",
    "constraint_date",
    "total_float_minutes",
    "critical",
    "predecessors",
)


def _plan_rows(user: Any, project: Project) -> list[list[Any]]:
    """The plan the user may see, one row per task in ``CSV_COLUMNS`` order, local times of the project."""
    plan = _plan_values(user, project)
    local = _local_texts(project)
    wbs_of = {t["pk"]: t["shown_wbs"] for t in plan.tasks}
    preds: dict[int, list[str]] = {}
    for successor_id, predecessor_id, link_type, lag_minutes, _elapsed in plan.links:
        lag = f"{lag_minutes:+d}m" if lag_minutes else ""
        preds.setdefault(successor_id, []).append(f"{wbs_of.get(predecessor_id, '?')}{link_type}{lag}")
    return [
        [
            t["shown_wbs"],
            t["name"],
            t["kind"],
            t["status"],
            t["owner__full_name"] or "",
            t["duration_minutes"],
            local(t["start"]),
            local(t["finish"]),
            local(t["deadline"]),
            t["percent_complete"],
            local(t["actual_start"]),
            local(t["actual_finish"]),
            t["constraint_type"],
            local(t["constraint_date"]),
            t["total_float_minutes"],
            int(t["critical"]),
            ";".join(preds.get(t["pk"], [])),
        ]
        for t in plan.tasks
    ]


def export_csv(user: Any, project: Project) -> str:
    """The plan the user may see as CSV (UTF-8, one row per task, local times of the project)."""
    return tabular.write_csv(CSV_COLUMNS, _plan_rows(user, project))


# ---------------------------------------------------------------- Excel


def export_xlsx(user: Any, project: Project) -> bytes:
    """The plan the user may see as an Excel workbook: the CSV's columns, typed cells, a frozen header."""
    return tabular.write_xlsx(CSV_COLUMNS, _plan_rows(user, project), title=project.code, widths=(10, 48))


# ---------------------------------------------------------------- iCalendar (RFC 5545, `icalendar`)


def calendar_feed(feed: CalendarFeed, *, host: str = "tandem") -> str:
    """The feed's iCalendar text: milestones and deadlines the feed's owner may see."""
    import icalendar  # loaded by the feed's requests only (0.1 s)

    user, project = feed.user, feed.project
    tasks = queries.plan_of(user, project).filter(kind=TaskKind.MILESTONE) | queries.plan_of(
        user, project
    ).filter(deadline__isnull=False)
    stamp = timezone.now()
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Tandem//Plan//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{project.code} · {project.name}")
    for task in tasks.order_by("outline_key", "id"):
        events = []
        if task.kind == TaskKind.MILESTONE and task.finish:
            events.append(("milestone", task.finish, _("Milestone: %(name)s") % {"name": task.name}))
        if task.deadline:
            events.append(("deadline", task.deadline, _("Deadline: %(name)s") % {"name": task.name}))
        description = f"{project.code} {queries.shown_wbs(task)} · {task.get_status_display()}"
        for kind, moment, summary in events:
            event = icalendar.Event()
            event.add("uid", f"{kind}-{task.pk}@{host}")
            event.add("dtstamp", stamp.astimezone(dt.UTC))
            event.add("dtstart", moment.astimezone(dt.UTC))
            event.add("dtend", moment.astimezone(dt.UTC))
            event.add("summary", summary)
            event.add("description", description)
            event.add("transp", "TRANSPARENT")
            cal.add_component(event)
    return str(cal.to_ical().decode())


def find_feed(raw: str) -> CalendarFeed | None:
    """The feed behind a secret token, if its owner is still an active member of the project."""
    feed = (
        CalendarFeed.objects.select_related("user", "project").filter(token_hash=hash_feed_token(raw)).first()
    )
    if feed is None or not feed.user.is_active or permissions.role_of(feed.user, feed.project) is None:
        return None
    return feed
