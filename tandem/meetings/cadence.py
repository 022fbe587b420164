"""When a communication plan entry is due, and whether it was done in time.

Every function reads the entry alone (plus its project's time zone and working calendar) and takes
``now`` as an argument, so results reproduce. Due moments are aware datetimes: the entry's local
time of day in the project's time zone on the due day.

- weekly: every ``weekday`` on or after ``starts_on``;
- every second week: the first ``weekday`` on or after ``starts_on``, then every 14 days (parity counts
  from that first occurrence);
- a weekly or every-second-week day that is a public holiday of the project calendar (a usual working
  weekday without working time, e.g. National Day) moves to the next working day, make-up working days
  included, because nobody meets or reports on a holiday; slots that land on the same day are one;
- monthly / quarterly: in every month (every third month, counting from the month of ``starts_on``) on
  the first or last working day of the project calendar (China's holidays and make-up working days
  when the project works on the China calendar), or on ``day_of_month`` (the month's last day when the
  month is shorter);
- as needed: never due.

A due moment is fulfilled by a fulfilment in (previous due moment, due moment + one working day].
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from tandem.meetings.choices import AdherenceStatus, Frequency, MonthlyRule
from tandem.planning import scheduling
from tandem.planning.models import DEFAULT_HOURS, Calendar, CalendarException
from tandem_engine.calendar import working_days

if TYPE_CHECKING:
    from tandem.meetings.models import CommunicationItem
    from tandem.projects.models import Project

#: How far to look for the previous or next due moment (a quarter plus slack).
_HORIZON = dt.timedelta(days=100)
#: How far a holiday can push a weekly slot (``WorkingCalendar.next_working_day`` looks 40 days ahead).
_LONGEST_MOVE = dt.timedelta(days=41)


class WorkingCalendar:
    """The working days of a project's calendar, computed a year at a time and kept on the project."""

    def __init__(self, project: Project, row: Calendar | None = None, *, loaded: bool = False) -> None:
        """``loaded``: ``row`` (None when the project has no calendar yet) was read by the caller."""
        self.project = project
        if not loaded:
            row = Calendar.objects.filter(project=project, is_project_calendar=True).first()
        if row is None:
            # Not created by a read: the calendar the planning app would create for this project.
            row = Calendar(
                project=project,
                name="",
                base=scheduling.default_calendar_base(project),
                working_weekdays=list(scheduling.WEEKDAYS),
                hours=DEFAULT_HOURS,
                is_project_calendar=True,
            )
            self._exceptions: list[object] = []
        else:
            self._exceptions = list(row.exceptions.all())
        self._row = row
        self._years: dict[int, frozenset[dt.date]] = {}
        self._values = _CalendarValues(
            row.base,
            tuple(row.working_weekdays or ()),
            row.hours,
            tuple((e.start, e.end, e.working, e.hours) for e in self._exceptions),  # type: ignore[attr-defined]
        )

    def _year(self, year: int) -> frozenset[dt.date]:
        days = self._years.get(year)
        if days is None:
            days = self._years[year] = _working_days_of(self._values, year)
        return days

    def is_working(self, day: dt.date) -> bool:
        """Whether ``day`` has working time."""
        return day in self._year(day.year)

    def is_holiday(self, day: dt.date) -> bool:
        """Whether ``day`` is a usual working weekday without working time (a public holiday)."""
        return day.weekday() in (self._row.working_weekdays or ()) and not self.is_working(day)

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day after ``day`` (the day after when none within a month)."""
        probe = day + dt.timedelta(days=1)
        for _i in range(40):
            if self.is_working(probe):
                return probe
            probe += dt.timedelta(days=1)
        return day + dt.timedelta(days=1)

    def first_working_day(self, year: int, month: int) -> dt.date:
        """The month's first working day (its first day when none)."""
        last = pycalendar.monthrange(year, month)[1]
        for number in range(1, last + 1):
            day = dt.date(year, month, number)
            if self.is_working(day):
                return day
        return dt.date(year, month, 1)

    def last_working_day(self, year: int, month: int) -> dt.date:
        """The month's last working day (its last day when none)."""
        last = pycalendar.monthrange(year, month)[1]
        for number in range(last, 0, -1):
            day = dt.date(year, month, number)
            if self.is_working(day):
                return day
        return dt.date(year, month, last)


def prime_calendars(projects: Iterable[Project]) -> None:
    """Load the working calendars of many projects in two queries (for lists across projects)."""
    wanted = [p for p in projects if "_meetings_working_calendar" not in p.__dict__]
    rows = {
        row.project_id: row
        for row in Calendar.objects.filter(project__in=wanted, is_project_calendar=True).prefetch_related(
            "exceptions"
        )
    }
    for project in wanted:
        project.__dict__["_meetings_working_calendar"] = WorkingCalendar(
            project, rows.get(project.pk), loaded=True
        )


@dataclass(frozen=True)
class _CalendarValues:
    """What decides a calendar's working days: its base, weekdays, hours and exceptions."""

    base: str
    weekdays: tuple[int, ...]
    hours: str
    exceptions: tuple[tuple[dt.date, dt.date, bool, str], ...]


@functools.lru_cache(maxsize=256)
def _working_days_of(values: _CalendarValues, year: int) -> frozenset[dt.date]:
    """The working days of one year of a calendar, kept by the calendar's values: every request of a
    project's pages needs the same year, and computing it day by day was most of a page's meeting
    panel. Keyed by the values, not the row, so a changed calendar is a new key (nothing to forget)."""
    row = Calendar(
        name="",
        base=values.base,
        working_weekdays=list(values.weekdays),
        hours=values.hours,
        is_project_calendar=True,
    )
    exceptions = [
        CalendarException(start=start, end=end, working=working, hours=hours)
        for start, end, working, hours in values.exceptions
    ]
    engine_calendar = scheduling.build_calendar(
        row, exceptions, [year - 1, year, year + 1], [], calendar_id=scheduling.PROJECT_CALENDAR_ID
    )
    return frozenset(working_days(engine_calendar, dt.date(year, 1, 1), dt.date(year, 12, 31)))


def working_calendar(project: Project) -> WorkingCalendar:
    """The project's working calendar, built once per project object."""
    cached = project.__dict__.get("_meetings_working_calendar")
    if cached is None:
        # The calendar is an input of the plan: built once per plan revision in the process.
        cached = scheduling.derived_from_plan(
            project, "meetings calendar", functools.partial(WorkingCalendar, project)
        )
        project.__dict__["_meetings_working_calendar"] = cached
    return cached


def zone_of(item: CommunicationItem) -> ZoneInfo:
    """The time zone of the entry's project."""
    return scheduling.zone_of(item.project)


def _at(item: CommunicationItem, day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, item.local_time).replace(tzinfo=zone)


def _first_weekly(item: CommunicationItem) -> dt.date:
    weekday = item.weekday if item.weekday is not None else item.starts_on.weekday()
    return item.starts_on + dt.timedelta(days=(weekday - item.starts_on.weekday()) % 7)


def _month_day(item: CommunicationItem, year: int, month: int) -> dt.date:
    rule = item.monthly_rule or MonthlyRule.FIRST_WORKING_DAY
    if rule == MonthlyRule.DAY_OF_MONTH:
        number = item.day_of_month or item.starts_on.day
        return dt.date(year, month, min(number, pycalendar.monthrange(year, month)[1]))
    days = working_calendar(item.project)
    if rule == MonthlyRule.LAST_WORKING_DAY:
        return days.last_working_day(year, month)
    return days.first_working_day(year, month)


def _weekly_days(item: CommunicationItem, first: dt.date, last: dt.date) -> list[dt.date]:
    """The entry's weekly or every-second-week days by its rule alone, from ``first`` to ``last``."""
    step = 7 if item.frequency == Frequency.WEEKLY else 14
    start = _first_weekly(item)
    if start < first:
        start += dt.timedelta(days=-(-(first - start).days // step) * step)
    out = []
    day = start
    while day <= last:
        out.append(day)
        day += dt.timedelta(days=step)
    return out


def _off_holidays(
    item: CommunicationItem, days: list[dt.date], first: dt.date, last: dt.date
) -> list[dt.date]:
    """``days`` with each public holiday moved to the next working day, within ``first``..``last``."""
    calendar = working_calendar(item.project)
    out: list[dt.date] = []
    for day in days:
        if calendar.is_holiday(day):
            day = calendar.next_working_day(day)
        if first <= day <= last and (not out or out[-1] != day):
            out.append(day)
    return out


def _due_days(item: CommunicationItem, first: dt.date, last: dt.date) -> list[dt.date]:
    """The due days of the entry from ``first`` to ``last`` inclusive."""
    first = max(first, item.starts_on)
    if last < first:
        return []
    if item.frequency in (Frequency.WEEKLY, Frequency.BIWEEKLY):
        # A slot before ``first`` may move into the window when a holiday pushes it, so start earlier.
        return _off_holidays(item, _weekly_days(item, first - _LONGEST_MOVE, last), first, last)
    if item.frequency in (Frequency.MONTHLY, Frequency.QUARTERLY):
        every = 1 if item.frequency == Frequency.MONTHLY else 3
        origin = item.starts_on.year * 12 + item.starts_on.month - 1
        out = []
        index = first.year * 12 + first.month - 1
        index -= (index - origin) % every
        while index <= last.year * 12 + last.month - 1:
            day = _month_day(item, index // 12, index % 12 + 1)
            if first <= day <= last:
                out.append(day)
            index += every
        return out
    return []


def slots(item: CommunicationItem, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The due moments of the entry in (``start``, ``end``], oldest first (aware, project time zone)."""
    zone = zone_of(item)
    first = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    moments = (_at(item, day, zone) for day in _due_days(item, first, last))
    return [moment for moment in moments if start < moment <= end]


def last_slot(item: CommunicationItem, now: dt.datetime) -> dt.datetime | None:
    """The latest due moment at or before ``now``, or None."""
    found = slots(item, now - _HORIZON, now)
    return found[-1] if found else None


def next_slot(item: CommunicationItem, now: dt.datetime) -> dt.datetime | None:
    """The first due moment after ``now``, or None (an entry due as needed has none)."""
    found = slots(item, now, now + _HORIZON)
    return found[0] if found else None


def grace_end(item: CommunicationItem, slot: dt.datetime) -> dt.datetime:
    """Until when a due moment may still be fulfilled: the same time on the next working day."""
    zone = zone_of(item)
    local = slot.astimezone(zone)
    day = working_calendar(item.project).next_working_day(local.date())
    return dt.datetime.combine(day, local.timetz().replace(tzinfo=None)).replace(tzinfo=zone)


def started_at(item: CommunicationItem) -> dt.datetime:
    """The beginning of the entry's first day, in the project's time zone."""
    return dt.datetime.combine(item.starts_on, dt.time(0, 0)).replace(tzinfo=zone_of(item))


@dataclass(frozen=True)
class SlotOutcome:
    """One due moment and the fulfilment time that met it (None when missed or still open)."""

    slot: dt.datetime
    deadline: dt.datetime
    fulfilled_at: dt.datetime | None


@dataclass(frozen=True)
class Adherence:
    """How a plan entry stands at a moment."""

    due: int
    fulfilled: int
    status: str
    next_due: dt.datetime | None
    last_due: dt.datetime | None
    last_fulfilled: dt.datetime | None
    outcomes: tuple[SlotOutcome, ...]

    @property
    def percent(self) -> int | None:
        """Fulfilled due moments as a whole percentage (None before anything was due)."""
        return round(100 * self.fulfilled / self.due) if self.due else None

    @property
    def overdue(self) -> bool:
        """Whether the latest due moment passed its grace unfulfilled."""
        return self.status == AdherenceStatus.OVERDUE


def match(
    item: CommunicationItem, due: Sequence[dt.datetime], done: Iterable[dt.datetime]
) -> list[SlotOutcome]:
    """Pair due moments with fulfilment times: each slot takes the earliest unused fulfilment in
    (previous slot, slot + grace]; a fulfilment meets one slot at most."""
    times = sorted(done)
    used = [False] * len(times)
    outcomes: list[SlotOutcome] = []
    previous: dt.datetime | None = None
    for slot in due:
        deadline = grace_end(item, slot)
        met: dt.datetime | None = None
        for index, moment in enumerate(times):
            if used[index] or (previous is not None and moment <= previous):
                continue
            if moment > deadline:
                break
            used[index] = True
            met = moment
            break
        outcomes.append(SlotOutcome(slot=slot, deadline=deadline, fulfilled_at=met))
        previous = slot
    return outcomes


def adherence(item: CommunicationItem, done: Iterable[dt.datetime], now: dt.datetime) -> Adherence:
    """The entry's adherence at ``now`` from its fulfilment times.

    A due moment counts once its grace has passed, or earlier when it is already fulfilled; the entry
    is overdue when its latest due moment passed its grace unfulfilled, and due while inside the grace.
    """
    times = sorted(done)
    last_fulfilled = times[-1] if times else None
    upcoming = next_slot(item, now) if item.active else None
    if item.frequency == Frequency.AS_NEEDED:
        status = AdherenceStatus.AS_NEEDED if item.active else AdherenceStatus.INACTIVE
        return Adherence(0, 0, status, None, None, last_fulfilled, ())
    due = slots(item, started_at(item) - dt.timedelta(seconds=1), now)
    outcomes = match(item, due, times)
    counted = [o for o in outcomes if o.deadline <= now or o.fulfilled_at is not None]
    fulfilled = sum(1 for o in counted if o.fulfilled_at is not None)
    status = AdherenceStatus.ON_TRACK
    if not item.active:
        status = AdherenceStatus.INACTIVE
    elif outcomes:
        latest = outcomes[-1]
        if latest.fulfilled_at is None:
            status = AdherenceStatus.OVERDUE if latest.deadline <= now else AdherenceStatus.DUE
            if status == AdherenceStatus.DUE and len(outcomes) > 1 and outcomes[-2].fulfilled_at is None:
                status = AdherenceStatus.OVERDUE
    return Adherence(
        due=len(counted),
        fulfilled=fulfilled,
        status=status,
        next_due=upcoming,
        last_due=due[-1] if due else None,
        last_fulfilled=last_fulfilled,
        outcomes=tuple(outcomes),
    )


#: Weekday names as a cadence sentence uses them ("Every Friday", "每周五").
_DAY_NAMES = (
    pgettext_lazy("cadence", "Monday"),
    pgettext_lazy("cadence", "Tuesday"),
    pgettext_lazy("cadence", "Wednesday"),
    pgettext_lazy("cadence", "Thursday"),
    pgettext_lazy("cadence", "Friday"),
    pgettext_lazy("cadence", "Saturday"),
    pgettext_lazy("cadence", "Sunday"),
)


def describe(item: CommunicationItem) -> str:
    """The cadence as a sentence in the active language: "Every Friday at 16:00", "每周五 16:00"."""
    time = item.local_time.strftime("%H:%M")
    weekday = item.weekday if item.weekday is not None else item.starts_on.weekday()
    day = _DAY_NAMES[weekday]
    rule = item.monthly_rule or MonthlyRule.FIRST_WORKING_DAY
    values = {"day": day, "time": time, "number": item.day_of_month or item.starts_on.day}
    if item.frequency == Frequency.WEEKLY:
        return _("Every %(day)s at %(time)s") % values
    if item.frequency == Frequency.BIWEEKLY:
        return _("Every second %(day)s at %(time)s") % values
    if item.frequency == Frequency.MONTHLY:
        if rule == MonthlyRule.LAST_WORKING_DAY:
            return _("Monthly, last working day at %(time)s") % values
        if rule == MonthlyRule.DAY_OF_MONTH:
            return _("Monthly on day %(number)s at %(time)s") % values
        return _("Monthly, first working day at %(time)s") % values
    if item.frequency == Frequency.QUARTERLY:
        if rule == MonthlyRule.LAST_WORKING_DAY:
            return _("Quarterly, last working day at %(time)s") % values
        if rule == MonthlyRule.DAY_OF_MONTH:
            return _("Quarterly on day %(number)s at %(time)s") % values
        return _("Quarterly, first working day at %(time)s") % values
    return str(_("As needed"))
