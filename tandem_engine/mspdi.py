"""Read MS Project's XML format (MSPDI) into engine inputs.

Parsing goes through ``defusedxml`` with DTDs, entity declarations and external references
refused, and files above a size limit are refused before parsing.

What is read: calendars (week days, base calendars, dated exceptions, recurring exceptions of every
MS Project pattern: daily, weekly, monthly and yearly by day or by position; alternative work
weeks), tasks (duration and its elapsed formats, milestone, calendar, the eight constraints,
deadline, actual dates, percent complete, manual scheduling), and links with their lag
(``LinkLag`` is in tenths of a minute, or the percentage itself for a percent lag;
``LagFormat`` tells elapsed and percent lags apart).
Summary tasks are not activities: links on them are expanded to their leaf tasks, and their dates
are rolled up from the children by :func:`rollup_summaries`. Resources (work, material, cost; rate
tables with effective dates), assignments and each task's type, effort-driven flag, fixed cost and
"ignore resource calendars" go to :attr:`MspdiProject.resourcing`; the stored work and cost totals
are not read (the engine computes them, see ``docs/engine.md``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from xml.etree.ElementTree import Element

import defusedxml
import defusedxml.ElementTree as SafeET

from .calendar import working_minutes_between
from .cpm import ScheduleResult
from .model import (
    Activity,
    ActivityId,
    Calendar,
    CalendarException,
    CalendarId,
    ConstraintType,
    LagUnit,
    Link,
    LinkType,
    Network,
    Recurrence,
    RecurringException,
    WorkingRanges,
)
from .resources import (
    Accrual,
    Assignment,
    Rate,
    RateEntry,
    RateUnit,
    Resource,
    ResourceId,
    ResourcePlan,
    ResourceType,
    TaskResourcing,
    TaskType,
    WorkContour,
)

__all__ = ["MAX_MSPDI_BYTES", "MspdiError", "MspdiProject", "SummaryDates", "read_mspdi", "rollup_summaries"]

MAX_MSPDI_BYTES = 64 * 1024 * 1024
"""Files above this size are refused before parsing (a denial-of-service guard)."""

_NS = "{http://schemas.microsoft.com/project}"
_CONSTRAINTS = {
    0: ConstraintType.ASAP,
    1: ConstraintType.ALAP,
    2: ConstraintType.MSO,
    3: ConstraintType.MFO,
    4: ConstraintType.SNET,
    5: ConstraintType.SNLT,
    6: ConstraintType.FNET,
    7: ConstraintType.FNLT,
}
_LINK_TYPES = {0: LinkType.FF, 1: LinkType.FS, 2: LinkType.SF, 3: LinkType.SS}
# MSPDI exception ``Type``: 1 daily, 2 yearly by month day, 3 yearly by position, 4 monthly by month
# day, 5 monthly by position, 6 weekly, 7 every N days.
_RECURRENCES = {
    1: Recurrence.DAILY,
    2: Recurrence.YEARLY_BY_DAY,
    3: Recurrence.YEARLY_BY_POSITION,
    4: Recurrence.MONTHLY_BY_DAY,
    5: Recurrence.MONTHLY_BY_POSITION,
    6: Recurrence.WEEKLY,
    7: Recurrence.DAILY,
}
# ``MonthItem``: 0 day, 1 weekday, 2 weekend day, 3-9 Sunday-Saturday; ours count from Monday = 0.
_MONTH_ITEMS: dict[int, tuple[int, ...]] = {
    0: (0, 1, 2, 3, 4, 5, 6),
    1: (0, 1, 2, 3, 4),
    2: (5, 6),
    **{item: ((item - 3 + 6) % 7,) for item in range(3, 10)},
}
_ELAPSED_FORMATS = {4, 6, 8, 10, 12, 20}
_TASK_TYPES = {0: TaskType.FIXED_UNITS, 1: TaskType.FIXED_DURATION, 2: TaskType.FIXED_WORK}
_ACCRUALS = {1: Accrual.START, 2: Accrual.END, 3: Accrual.PRORATED}
_CONTOURS = dict(enumerate(WorkContour))  # MSPDI 0 flat, 1 back loaded, ... 8 contoured
_RATE_UNITS = {1: RateUnit.MINUTE, 2: RateUnit.HOUR, 3: RateUnit.DAY, 4: RateUnit.WEEK, 5: RateUnit.MONTH}
_UNASSIGNED = -65535  # MS Project's resource UID for an assignment without a resource
_PERCENT_FORMATS = {19, 20}
_DURATION = re.compile(
    r"^(-)?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


class MspdiError(ValueError):
    """The file is not a readable, safe MSPDI document (too large, a DTD or entities, malformed)."""


@dataclass(frozen=True, slots=True)
class SummaryDates:
    """Dates of a summary task, rolled up from its leaf tasks."""

    start: datetime
    finish: datetime
    early_start: datetime
    early_finish: datetime
    late_start: datetime
    late_finish: datetime
    critical: bool


@dataclass(frozen=True)
class MspdiProject:
    """An MSPDI file as engine inputs plus what the engine does not schedule.

    ``summaries`` maps each summary task UID to the UIDs of its leaf tasks; ``manual`` holds the
    UIDs of manually scheduled tasks; ``notes`` lists features met in the file that were read only
    approximately (e.g. a recurring calendar exception pattern other than daily); ``levels`` holds
    every task's outline level, in file order like ``names``; ``resourcing`` holds the resources,
    assignments and task settings that :func:`~tandem_engine.apply_assignments` and
    :func:`~tandem_engine.cost_schedule` take.
    """

    network: Network
    names: Mapping[ActivityId, str]
    summaries: Mapping[ActivityId, tuple[ActivityId, ...]]
    manual: frozenset[ActivityId]
    notes: tuple[str, ...] = field(default=())
    levels: Mapping[ActivityId, int] = field(default_factory=dict)
    resourcing: ResourcePlan = field(default_factory=ResourcePlan)


def read_mspdi(source: str | Path | bytes, *, max_bytes: int = MAX_MSPDI_BYTES) -> MspdiProject:
    """Read an MSPDI file (a path, or the document's bytes) into a :class:`MspdiProject`.

    Raises :class:`MspdiError` when the file is larger than ``max_bytes``, declares a DTD or
    entities, references external resources, or is not MSPDI.

    >>> project = read_mspdi(b"<Project xmlns='http://schemas.microsoft.com/project'>"
    ...     b"<StartDate>2026-11-23T08:00:00</StartDate></Project>")
    >>> project.network.start
    datetime.datetime(2026, 11, 23, 8, 0)

    Method: a safe ElementTree parse, then a mapping of MSPDI fields onto the engine's dataclasses.
    """
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        size = path.stat().st_size
        if size > max_bytes:
            raise MspdiError(f"{path.name}: {size} bytes is above the {max_bytes}-byte limit")
        data = path.read_bytes()
    if len(data) > max_bytes:
        raise MspdiError(f"document of {len(data)} bytes is above the {max_bytes}-byte limit")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise MspdiError(f"refused unsafe XML: {exc!r}") from exc
    except SafeET.ParseError as exc:
        raise MspdiError(f"malformed XML: {exc}") from exc
    if root.tag != f"{_NS}Project":
        raise MspdiError(f"not an MSPDI document: root element {root.tag!r}")
    return _Reader(root).read()


def rollup_summaries(project: MspdiProject, result: ScheduleResult) -> dict[ActivityId, SummaryDates]:
    """Roll each summary task's dates up from its scheduled leaf tasks (earliest start, latest finish)."""
    rolled: dict[ActivityId, SummaryDates] = {}
    for uid, leaves in project.summaries.items():
        rows = [result[leaf] for leaf in leaves if leaf in result]
        if not rows:
            continue
        rolled[uid] = SummaryDates(
            start=min(r.start for r in rows),
            finish=max(r.finish for r in rows),
            early_start=min(r.early_start for r in rows),
            early_finish=max(r.early_finish for r in rows),
            late_start=min(r.late_start for r in rows),
            late_finish=max(r.late_finish for r in rows),
            critical=any(r.critical for r in rows),
        )
    return rolled


def _moment(text: str | None) -> datetime | None:
    """An MSPDI date and time, or None when there is none or it does not read as one."""
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def parse_duration_minutes(text: str) -> int:
    """Parse an XML duration such as ``PT8H0M0S`` into whole minutes (seconds rounded)."""
    match = _DURATION.match(text.strip())
    if not match:
        raise MspdiError(f"unreadable duration {text!r}")
    sign, years, months, days, hours, minutes, seconds = match.groups()
    if years or months:
        raise MspdiError(f"calendar-dependent duration {text!r}")
    total = float(days or 0) * 1440 + float(hours or 0) * 60 + float(minutes or 0) + float(seconds or 0) / 60
    return -round(total) if sign else round(total)


class _Reader:
    def __init__(self, root: Element) -> None:
        self.root = root
        self.notes: list[str] = []

    def text(self, element: Element, name: str) -> str | None:
        child = element.find(f"{_NS}{name}")
        if child is None or child.text is None:
            return None
        return child.text.strip()

    def integer(self, element: Element, name: str, default: int = 0) -> int:
        value = self.text(element, name)
        return default if value is None or value == "" else int(float(value))

    def moment(self, element: Element, name: str) -> datetime | None:
        value = self.text(element, name)
        return datetime.fromisoformat(value) if value else None

    def children(self, element: Element | None, path: str) -> list[Element]:
        if element is None:
            return []
        return element.findall("/".join(f"{_NS}{part}" for part in path.split("/")))

    # -- calendars --------------------------------------------------------------------------------

    def ranges(self, day: Element) -> WorkingRanges:
        if self.integer(day, "DayWorking") != 1:
            return ()
        out: list[tuple[int, int]] = []
        for wt in self.children(day, "WorkingTimes/WorkingTime"):
            start, finish = self.text(wt, "FromTime"), self.text(wt, "ToTime")
            if not start or not finish:
                continue
            a = _minute_of_day(start)
            b = _minute_of_day(finish)
            out.append((a, b if b > a else 1440))
        return tuple(sorted(out))

    def calendars(self) -> dict[CalendarId, Calendar]:
        raw: dict[int, Element] = {}
        for element in self.children(self.root, "Calendars/Calendar"):
            raw[self.integer(element, "UID")] = element
        built: dict[CalendarId, Calendar] = {}

        def build(uid: int, seen: tuple[int, ...] = ()) -> Calendar:
            if uid in built:
                return built[uid]  # a base calendar shared by several
            element = raw[uid]
            base_uid = self.integer(element, "BaseCalendarUID", -1)
            if base_uid in raw and base_uid not in seen and base_uid != uid:
                base = build(base_uid, (*seen, uid))
            else:
                base = Calendar.standard(uid)
            week: list[WorkingRanges] = list(base.week)
            exceptions: list[CalendarException] = list(base.exceptions)
            own: list[CalendarException | RecurringException] = []
            for day in self.children(element, "WeekDays/WeekDay"):
                day_type = self.integer(day, "DayType")
                if 1 <= day_type <= 7:
                    week[(day_type + 5) % 7] = self.ranges(day)  # MSPDI: 1 = Sunday; ours: 0 = Monday
                elif day_type == 0:
                    period = day.find(f"{_NS}TimePeriod")
                    if period is not None:
                        own.extend(self.exception_span(period, self.ranges(day), ""))
            for exception in self.children(element, "Exceptions/Exception"):
                own.extend(self.exception(exception))
            for work_week in self.children(element, "WorkWeeks/WorkWeek"):
                own.extend(self.work_week(work_week, week))
            exceptions.extend(e for e in own if isinstance(e, CalendarException))
            recurring = [*base.recurring, *(e for e in own if isinstance(e, RecurringException))]
            calendar = Calendar(
                id=uid,
                week=(week[0], week[1], week[2], week[3], week[4], week[5], week[6]),
                exceptions=tuple(exceptions),
                name=self.text(element, "Name") or "",
                recurring=tuple(recurring),
            )
            built[uid] = calendar
            return calendar

        for uid in raw:
            build(uid)
        return built

    def exception_span(self, period: Element, ranges: WorkingRanges, name: str) -> list[CalendarException]:
        first = self.moment(period, "FromDate")
        last = self.moment(period, "ToDate")
        if first is None or last is None:
            return []
        end = last.date() if last.time() != datetime.min.time() else (last - timedelta(minutes=1)).date()
        return [CalendarException(first.date(), max(end, first.date()), ranges, name)]

    def exception(self, element: Element) -> list[CalendarException | RecurringException]:
        period = element.find(f"{_NS}TimePeriod")
        if period is None:
            return []
        ranges = self.ranges(element)
        name = self.text(element, "Name") or ""
        kind = self.integer(element, "Type", 1)
        spans = self.exception_span(period, ranges, name)
        every = max(1, self.integer(element, "Period", 1))
        if not spans or (kind == 1 and every == 1):
            return list(spans)  # every day of the span (also what ordinary exceptions are)
        recurrence = _RECURRENCES.get(kind)
        if recurrence is None:
            self.notes.append(f"recurring exception {name!r} of type {kind} read as its whole span")
            return list(spans)
        span = spans[0]
        occurrences = self.integer(element, "Occurrences", 0)
        if recurrence is Recurrence.WEEKLY:
            mask = self.integer(element, "DaysOfWeek")
            weekdays = tuple(sorted((bit + 6) % 7 for bit in range(7) if mask >> bit & 1))  # bit 0 = Sunday
        else:
            weekdays = _MONTH_ITEMS.get(self.integer(element, "MonthItem"), ())
        position = self.integer(element, "MonthPosition")
        try:
            return [
                RecurringException(
                    start=span.start,
                    recurrence=recurrence,
                    period=every if kind in (1, 4, 5, 6, 7) else 1,
                    weekdays=weekdays,
                    day=self.integer(element, "MonthDay", 1),
                    month=self.integer(element, "Month") + 1,  # MSPDI months count from 0
                    position=-1 if position >= 4 else position + 1,
                    end=span.end,
                    occurrences=occurrences if occurrences > 0 else None,
                    working_times=ranges,
                    name=name,
                )
            ]
        except ValueError as exc:
            raise MspdiError(f"calendar exception {name!r}: {exc}") from exc

    def work_week(self, element: Element, default_week: list[WorkingRanges]) -> list[CalendarException]:
        period = element.find(f"{_NS}TimePeriod")
        if period is None:
            return []
        first = self.moment(period, "FromDate")
        last = self.moment(period, "ToDate")
        if first is None or last is None:
            return []
        week = list(default_week)
        for day in self.children(element, "WeekDays/WeekDay"):
            day_type = self.integer(day, "DayType")
            if 1 <= day_type <= 7:
                week[(day_type + 5) % 7] = self.ranges(day)
        out: list[CalendarException] = []
        current = first.date()
        while current <= last.date():
            out.append(CalendarException(current, current, week[current.weekday()], "work week"))
            current += timedelta(days=1)
        return out

    # -- tasks ------------------------------------------------------------------------------------

    def read(self) -> MspdiProject:
        root = self.root
        calendars = self.calendars()
        project_calendar: CalendarId = self.integer(root, "CalendarUID", 1)
        if project_calendar not in calendars:
            project_calendar = next(iter(calendars), -1)  # the first calendar, or MS Project's standard one
            if project_calendar == -1:
                calendars[-1] = Calendar.standard(-1)
        start = self.moment(root, "StartDate") or datetime(2000, 1, 3, 8)  # noqa: DTZ001 - naive project time
        names: dict[ActivityId, str] = {}
        levels: dict[ActivityId, int] = {}
        activities: list[Activity] = []
        manual: set[ActivityId] = set()
        # Outline structure: a task's parent is the nearest earlier task one level up.
        stack: list[tuple[int, int]] = []  # (outline level, uid)
        children_of: dict[int, list[int]] = {}
        summary_uids: set[int] = set()
        raw_links: list[tuple[int, int, Element]] = []
        for task in self.children(root, "Tasks/Task"):
            uid = self.integer(task, "UID")
            if self.integer(task, "IsNull") == 1 or self.integer(task, "Active", 1) == 0:
                continue
            level = self.integer(task, "OutlineLevel", 1)
            while stack and stack[-1][0] >= level:
                stack.pop()
            if stack:
                children_of.setdefault(stack[-1][1], []).append(uid)
            stack.append((level, uid))
            names[uid] = self.text(task, "Name") or ""
            levels[uid] = level
            for link in self.children(task, "PredecessorLink"):
                raw_links.append((self.integer(link, "PredecessorUID"), uid, link))
            if self.integer(task, "Summary") == 1 or level == 0 or (uid == 0 and level <= 0):
                summary_uids.add(uid)
                continue
            activity = self.activity(task, uid, calendars)
            if activity.manual:
                manual.add(uid)
            activities.append(activity)
        splits = self.split_gaps(activities, calendars, project_calendar)
        if splits:
            activities = [
                replace(a, duration=a.duration + splits[a.id]) if a.id in splits else a for a in activities
            ]
        leaves = {uid: _leaves(uid, children_of, summary_uids) for uid in summary_uids}
        links: list[Link] = []
        for pred, succ, element in raw_links:
            links.extend(self.links(pred, succ, element, leaves, summary_uids))
        network = Network(
            activities=tuple(activities),
            links=tuple(links),
            calendars=calendars,
            calendar_id=project_calendar,
            start=start,
            status_date=self.moment(root, "StatusDate"),
            names=names,
        )
        task_elements = [t for t in self.children(root, "Tasks/Task") if self.integer(t, "UID") in names]
        try:
            resourcing = self.resourcing(task_elements, calendars, splits)
        except ValueError as exc:  # a negative rate, units or work: the file is not usable as it is
            raise MspdiError(f"resources: {exc}") from exc
        return MspdiProject(
            network=network,
            names=names,
            summaries={uid: tuple(v) for uid, v in leaves.items()},
            manual=frozenset(manual),
            notes=tuple(self.notes),
            levels=levels,
            resourcing=resourcing,
        )

    def activity(self, task: Element, uid: int, calendars: Mapping[CalendarId, Calendar]) -> Activity:
        duration_text = self.text(task, "Duration")
        duration = max(0, parse_duration_minutes(duration_text)) if duration_text else 0
        fmt = self.integer(task, "DurationFormat", 7)
        fmt = fmt - 32 if fmt >= 32 else fmt
        constraint = _CONSTRAINTS.get(self.integer(task, "ConstraintType"), ConstraintType.ASAP)
        calendar_uid = self.integer(task, "CalendarUID", -1)
        is_manual = self.integer(task, "Manual") == 1
        percent = float(self.text(task, "PercentComplete") or 0)
        return Activity(
            id=uid,
            duration=duration,
            milestone=self.integer(task, "Milestone") == 1,
            calendar_id=calendar_uid if calendar_uid in calendars else None,
            constraint=constraint,
            constraint_date=self.moment(task, "ConstraintDate")
            if constraint not in (ConstraintType.ASAP, ConstraintType.ALAP)
            else None,
            deadline=self.moment(task, "Deadline"),
            actual_start=self.moment(task, "ActualStart"),
            actual_finish=self.moment(task, "ActualFinish"),
            percent_complete=percent,
            manual=is_manual,
            manual_start=self.manual_date(task, "Start") if is_manual else None,
            manual_finish=self.manual_date(task, "Finish") if is_manual else None,
            elapsed=fmt in _ELAPSED_FORMATS,
            # Tenths of a minute, always elapsed time whatever LevelingDelayFormat shows.
            leveling_delay=max(0, round(self.number(task, "LevelingDelay") / 10)),
        )

    # -- resources and assignments ----------------------------------------------------------------

    def number(self, element: Element, name: str, default: float = 0.0) -> float:
        value = self.text(element, name)
        return default if value is None or value == "" else float(value)

    def rate_entry(self, element: Element, material: bool, effective_from: datetime | None) -> RateEntry:
        # MSPDI stores time rates per hour whatever their display format, costs in cents.
        if material:
            standard = Rate(self.number(element, "StandardRate"), RateUnit.UNIT)
        else:
            standard = Rate(self.number(element, "StandardRate"), RateUnit.HOUR)
        return RateEntry(
            effective_from=effective_from,
            standard=standard,
            overtime=Rate(self.number(element, "OvertimeRate"), RateUnit.HOUR),
            cost_per_use=self.number(element, "CostPerUse") / 100.0,
        )

    def resource(self, element: Element, calendars: Mapping[CalendarId, Calendar]) -> Resource:
        uid = self.integer(element, "UID")
        kind = self.integer(element, "Type", 1)
        if kind == 2 or self.integer(element, "IsCostResource") == 1:
            resource_type = ResourceType.COST
        elif kind == 0:
            resource_type = ResourceType.MATERIAL
        else:
            resource_type = ResourceType.WORK
        material = resource_type is ResourceType.MATERIAL
        tables: dict[int, list[RateEntry]] = {}
        for rate in self.children(element, "Rates/Rate"):
            index = self.integer(rate, "RateTable")
            if not 0 <= index < 5:
                continue  # MS Project has tables A-E only (MPXJ skips others too)
            start = self.moment(rate, "RatesFrom")
            if start is not None and start.year < 1985:  # MS Project's "NA": in force from the beginning
                start = None
            tables.setdefault(index, []).append(self.rate_entry(rate, material, start))
        if tables:
            rates = tuple(
                tuple(sorted(tables.get(i, [RateEntry()]), key=_effective)) for i in range(max(tables) + 1)
            )
        else:
            rates = ((self.rate_entry(element, material, None),),)
        calendar_uid = self.integer(element, "CalendarUID", -1)
        return Resource(
            id=uid,
            name=self.text(element, "Name") or "",
            type=resource_type,
            calendar_id=calendar_uid if calendar_uid in calendars else None,
            max_units=self.number(element, "MaxUnits", 1.0),
            rates=rates,
            material_label=self.text(element, "MaterialLabel") or "",
            accrue_at=_ACCRUALS.get(self.integer(element, "AccrueAt", 3), Accrual.PRORATED),
        )

    def assignment(self, element: Element, resources: Mapping[ResourceId, Resource]) -> Assignment | None:
        resource_uid = self.integer(element, "ResourceUID", _UNASSIGNED)
        resource = resources.get(resource_uid)
        if resource is None:
            return None  # unassigned work (MS Project's placeholder) is no one's work
        work_text = self.text(element, "Work")
        overtime_text = self.text(element, "OvertimeWork")
        units = self.number(element, "Units", 1.0)
        return Assignment(
            task_id=self.integer(element, "TaskUID"),
            resource_id=resource_uid,
            units=units,
            work=float(parse_duration_minutes(work_text)) if work_text else None,
            overtime_work=float(parse_duration_minutes(overtime_text)) if overtime_text else 0.0,
            cost=self.number(element, "Cost") / 100.0 if resource.type is ResourceType.COST else 0.0,
            rate_table=self.integer(element, "CostRateTable"),
            delay=round(self.number(element, "Delay") / 10.0),
            contour=_CONTOURS.get(self.integer(element, "WorkContour"), WorkContour.FLAT),
        )

    def split_gaps(
        self,
        activities: list[Activity],
        calendars: Mapping[CalendarId, Calendar],
        project_calendar: CalendarId,
    ) -> dict[ActivityId, int]:
        """Working minutes of the gaps inside split tasks, from their assignments' timephased work.

        MS Project keeps a split only as timephased work: a stretch without work between periods of
        work, in every assignment of the task. The gap is counted on the task's calendar.
        """
        holes: dict[int, list[set[tuple[datetime, datetime]]]] = {}
        resource_calendars = {
            self.integer(r, "UID"): calendars.get(self.integer(r, "CalendarUID", -1))
            for r in self.children(self.root, "Resources/Resource")
        }
        for element in self.children(self.root, "Assignments/Assignment"):
            # The gaps are the stretches between periods of work: MS Project fills them with
            # periods of zero work, MPXJ (writing an .mpp file's split) with periods without a
            # value or with nothing. A period whose dates do not read is left out (MS Project once
            # saved "2008-12-04T17:-0:00").
            working: list[tuple[datetime, datetime]] = []
            for td in self.children(element, "TimephasedData"):
                if self.integer(td, "Type") not in (1, 2):  # remaining and actual work only
                    continue
                begin, end = _moment(self.text(td, "Start")), _moment(self.text(td, "Finish"))
                if begin and end and parse_duration_minutes(self.text(td, "Value") or "PT0H0M0S") > 0:
                    working.append((begin, end))
            if len(working) < 2:
                continue
            working.sort()
            gaps = {(end, begin) for (_, end), (begin, _) in itertools.pairwise(working) if end < begin}
            # Time the resource does not work in (a night shift's day) is no gap in the task.
            own = resource_calendars.get(self.integer(element, "ResourceUID"))
            if own is not None:
                gaps = {(a, b) for a, b in gaps if working_minutes_between(own, a, b) > 0}
            holes.setdefault(self.integer(element, "TaskUID"), []).append(gaps)
        by_id = {a.id: a for a in activities}
        out: dict[ActivityId, int] = {}
        for uid, per_assignment in holes.items():
            activity = by_id.get(uid)
            common = set.intersection(*per_assignment)
            if activity is None or not common:
                continue
            calendar = calendars[
                activity.calendar_id if activity.calendar_id is not None else project_calendar
            ]
            gap = sum(working_minutes_between(calendar, a, b) for a, b in common)
            if gap > 0:
                out[uid] = gap
        return out

    def resourcing(
        self, tasks: list[Element], calendars: Mapping[CalendarId, Calendar], splits: Mapping[ActivityId, int]
    ) -> ResourcePlan:
        root = self.root
        resources: dict[ResourceId, Resource] = {}
        for element in self.children(root, "Resources/Resource"):
            if self.integer(element, "IsNull") == 1:
                continue
            resource = self.resource(element, calendars)
            resources[self.integer(element, "UID")] = resource
        assignments = [
            a
            for a in (self.assignment(e, resources) for e in self.children(root, "Assignments/Assignment"))
            if a is not None
        ]
        settings: dict[ActivityId, TaskResourcing] = {}
        for task in tasks:
            settings[self.integer(task, "UID")] = TaskResourcing(
                task_type=_TASK_TYPES.get(self.integer(task, "Type"), TaskType.FIXED_UNITS),
                effort_driven=self.integer(task, "EffortDriven") == 1,
                fixed_cost=self.number(task, "FixedCost") / 100.0,
                fixed_cost_accrual=_ACCRUALS.get(self.integer(task, "FixedCostAccrual", 3), Accrual.PRORATED),
                ignore_resource_calendars=self.integer(task, "IgnoreResourceCalendar") == 1,
                split_minutes=splits.get(self.integer(task, "UID"), 0),
            )
        return ResourcePlan(
            resources=resources,
            assignments=tuple(assignments),
            tasks=settings,
            minutes_per_day=self.integer(root, "MinutesPerDay", 480) or 480,
            minutes_per_week=self.integer(root, "MinutesPerWeek", 2400) or 2400,
            days_per_month=self.integer(root, "DaysPerMonth", 20) or 20,
            currency=self.text(root, "CurrencyCode") or "",
        )

    def manual_date(self, task: Element, name: str) -> datetime | None:
        return self.moment(task, f"Manual{name}") or self.moment(task, name)

    def links(
        self,
        pred: int,
        succ: int,
        element: Element,
        leaves: Mapping[int, list[int]],
        summary_uids: set[int],
    ) -> Iterable[Link]:
        link_type = _LINK_TYPES.get(self.integer(element, "Type", 1), LinkType.FS)
        lag_tenths = float(self.text(element, "LinkLag") or 0)
        lag_format = self.integer(element, "LagFormat", 7)
        lag_format = lag_format - 32 if lag_format >= 32 else lag_format
        if lag_format in _PERCENT_FORMATS:
            # A percent lag's ``LinkLag`` is the percentage itself (50 = 50 % of the predecessor's
            # duration), not tenths of a minute: MS Project writes it so, and MPXJ reads it so.
            unit, lag = LagUnit.PERCENT, lag_tenths
        elif lag_format in _ELAPSED_FORMATS:
            unit, lag = LagUnit.ELAPSED, lag_tenths / 10.0
        else:
            unit, lag = LagUnit.WORKING, lag_tenths / 10.0
        preds = leaves[pred] if pred in summary_uids else [pred]
        succs = leaves[succ] if succ in summary_uids else [succ]
        if pred in summary_uids or succ in summary_uids:
            self.notes.append(f"link {pred}->{succ} on a summary task expanded to its leaf tasks")
        for p in preds:
            for s in succs:
                if p != s:
                    yield Link(p, s, link_type, lag, unit)


def _leaves(uid: int, children_of: Mapping[int, list[int]], summary_uids: set[int]) -> list[int]:
    out: list[int] = []
    for child in children_of.get(uid, []):
        if child in summary_uids:
            out.extend(_leaves(child, children_of, summary_uids))
        else:
            out.append(child)
    return out


def _minute_of_day(text: str) -> int:
    hours, minutes, *_ = text.split(":")
    return int(hours) * 60 + int(minutes)


def _effective(entry: RateEntry) -> datetime:
    """Sort key of a rate table entry: its effective date, the entry without one first."""
    return entry.effective_from or datetime(1, 1, 1)  # noqa: DTZ001 - naive project time
