"""Earned value of a project: how much work the money bought, against the agreed baseline.

The arithmetic is the engine's (``tandem_engine.evm``); this module reads its inputs in a constant
number of queries, whatever the plan's size:

- **The baseline used** is the latest approved one, else the latest saved; without any, every
  figure but AC is None ("no baseline"), never an error.
- **BAC** = Σ baseline cost of the baseline's leaf tasks (a row is a summary when another row of
  the same baseline sits under its WBS number; summaries add up their leaves and would count twice).
- **PV(as_of)** = each leaf's baseline cost spread evenly over the working time of its baseline
  start..finish on the project calendar (``tandem_engine.planned_value``), at the end of ``as_of``.
- **EV** = Σ baseline cost × the task's *current* percent complete (a task deleted since the
  baseline earns nothing). Progress has no history yet, so EV is known at ``as_of`` only: for a
  past ``as_of`` it is today's progress (the S-curve says so).
- **AC** = ``tandem.costs.actuals.actual_cost(project, until=as_of)``: counted time priced at the
  internal rate of its day, plus approved expenses.
- **EAC** follows ``EacMethod.TYPICAL`` (BAC / CPI: the cost efficiency so far holds for the rest)
  over the baseline's work, **plus** the current planned cost of leaf tasks added since the
  baseline: they are real work still to pay for, but they were never agreed, so they never count in
  BAC. ETC = EAC − AC and VAC = BAC − EAC follow; TCPI is the engine's, to the budget.
- **Per phase** (each top-level summary of the baseline): the same core figures over its leaves;
  its AC is the cost booked on its tasks (time and expenses on the phase row or under it).

Money is kept in hundredths (ints) and given out as ``Decimal`` amounts; indices are floats.
The colour thresholds of CPI and SPI live in ``tandem.costs.thresholds`` (re-exported here); the
page, the API, the KPI sources and the status reports' cost rule all read them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _

import tandem_engine as engine
from tandem.changes.choices import ChangeStatus
from tandem.changes.models import ChangeRequest
from tandem.core.scoping import Viewer
from tandem.costs.actuals import actual_cost_by_day, actual_cost_by_task
from tandem.costs.thresholds import AMBER as AMBER
from tandem.costs.thresholds import AMBER_AT as AMBER_AT
from tandem.costs.thresholds import GREEN as GREEN
from tandem.costs.thresholds import GREEN_AT as GREEN_AT
from tandem.costs.thresholds import RED as RED
from tandem.costs.thresholds import index_colour as index_colour
from tandem.costs.thresholds import rag_of as rag_of
from tandem.planning import scheduling
from tandem.planning.models import DEFAULT_HOURS, Baseline, BaselineTask, Calendar, Task
from tandem.projects.models import Project
from tandem_engine.evm import BudgetItem, EacMethod, EarnedValue, earned_schedule, planned_value, s_curve

#: The estimate at completion's method (the engine's usual, CPI-based one: BAC / CPI).
EAC_METHOD = EacMethod.TYPICAL
#: The most weekly points an S-curve carries (ten years).
MAX_WEEKS = 520
#: Symbols put before amounts in the verdict; other currencies are written with their code.
SYMBOLS = {"CNY": "¥", "JPY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "HKD": "HK$"}


def money(value_cents: float | int | None) -> Decimal | None:
    """Hundredths as an amount with two decimals (None stays None)."""
    if value_cents is None:
        return None
    return (Decimal(str(value_cents)) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    """The earned value figures of a project or a phase, in hundredths (money) and ratios."""

    bac: int
    pv: int
    ev: int
    ac: int
    #: Current planned cost of leaf tasks added since the baseline (counts in EAC, not in BAC).
    added: int = 0

    @property
    def engine(self) -> EarnedValue:
        """The engine's figures over the baseline's work."""
        return EarnedValue(bac=self.bac, pv=self.pv, ev=self.ev, ac=self.ac, method=EAC_METHOD)

    @property
    def sv(self) -> int:
        """SV = EV − PV."""
        return round(self.engine.sv)

    @property
    def cv(self) -> int:
        """CV = EV − AC."""
        return round(self.engine.cv)

    @property
    def spi(self) -> float | None:
        """SPI = EV / PV."""
        return self.engine.spi

    @property
    def cpi(self) -> float | None:
        """CPI = EV / AC."""
        return self.engine.cpi

    @property
    def eac(self) -> int | None:
        """EAC = BAC / CPI, plus the cost of tasks added since the baseline."""
        eac = self.engine.eac
        return None if eac is None else round(eac) + self.added

    @property
    def etc(self) -> int | None:
        """ETC = EAC − AC."""
        eac = self.eac
        return None if eac is None else eac - self.ac

    @property
    def vac(self) -> int | None:
        """VAC = BAC − EAC."""
        eac = self.eac
        return None if eac is None else self.bac - eac

    @property
    def tcpi(self) -> float | None:
        """TCPI = (BAC − EV) / (BAC − AC)."""
        return self.engine.tcpi

    @property
    def percent_complete(self) -> float | None:
        """EV / BAC, in percent."""
        return 100 * self.ev / self.bac if self.bac else None

    @property
    def percent_spent(self) -> float | None:
        """AC / BAC, in percent."""
        return 100 * self.ac / self.bac if self.bac else None

    @property
    def rag(self) -> str | None:
        """The worse colour of CPI and SPI."""
        return rag_of(self.cpi, self.spi)


@dataclass(frozen=True)
class Phase:
    """A top-level summary of the baseline and its figures."""

    task_id: int | None
    name: str
    wbs: str
    figures: Figures


@dataclass(frozen=True)
class CurvePoint:
    """A point of the S-curve (the eve of the start, then each week's end, and as_of): cumulative
    PV, AC (None after as_of) and EV (at as_of only)."""

    day: dt.date
    pv: int
    ac: int | None
    ev: int | None


@dataclass(frozen=True)
class Marker:
    """A moment the plan changed: an approved baseline or an approved change request."""

    day: dt.date
    kind: str
    label: str


@dataclass(frozen=True)
class Result:
    """The earned value of a project at ``as_of``; ``figures`` is None without a baseline."""

    project: Project
    as_of: dt.date
    currency: str
    baseline: Baseline | None
    figures: Figures | None
    ac: int
    spi_t: float | None = None
    phases: list[Phase] = field(default_factory=list)
    curve: list[CurvePoint] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    #: Whether EV has a history (it has not yet: EV is known at as_of only).
    ev_history: bool = False

    @property
    def eac_method(self) -> str:
        """The estimate at completion's method."""
        return EAC_METHOD.value

    @property
    def rag(self) -> str | None:
        """The worse colour of CPI and SPI (None without a baseline or before any measure)."""
        return self.figures.rag if self.figures else None

    @property
    def verdict(self) -> str:
        """The plain-language sentence, in the active language."""
        f = self.figures
        if f is None:
            return verdict(None, None, None, self.ac, None, self.currency)
        return verdict(f.bac, f.pv, f.ev, f.ac, f.eac, self.currency)


# ---------------------------------------------------------------- the sentence


def format_money(value_cents: int | float, currency: str) -> str:
    """¥210,000 (whole units; cents only when the amount has them)."""
    amount = money(abs(value_cents)) or Decimal(0)
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def _percent(value: float) -> str:
    return f"{round(abs(value) * 100):d}"


def verdict(bac: int | None, pv: int | None, ev: int | None, ac: int, eac: int | None, currency: str) -> str:
    """A plain sentence from the figures (hundredths), in the active language.

    "The project has spent ¥210,000 for ¥200,000 of work done: 5 % over cost and 20 % behind plan;
    at this rate it will cost ¥525,000, ¥25,000 over budget."
    """
    if bac is None or pv is None or ev is None:
        return _("No baseline has been saved yet, so earned value cannot be measured.")
    if not bac:
        return _(
            "The baseline has no cost, so earned value cannot be measured: give the tasks resources "
            "with rates, then save a baseline."
        )

    def m(cents: int | float) -> str:
        return format_money(cents, currency)

    if pv:
        behind = 1 - ev / pv
        if round(behind * 100) > 0:
            schedule = _("%(percent)s %% behind plan") % {"percent": _percent(behind)}
        elif round(behind * 100) < 0:
            schedule = _("%(percent)s %% ahead of plan") % {"percent": _percent(behind)}
        else:
            schedule = _("on plan")
    else:
        schedule = _("no work was planned by this date")
    if not ac or not ev:
        return _(
            "The project has spent %(ac)s for %(ev)s of work done (%(pv)s planned by now): %(schedule)s; "
            "the cost performance cannot be measured yet."
        ) % {"ac": m(ac), "ev": m(ev), "pv": m(pv), "schedule": schedule}
    over = ac / ev - 1
    if round(over * 100) > 0:
        cost = _("%(percent)s %% over cost") % {"percent": _percent(over)}
    elif round(over * 100) < 0:
        cost = _("%(percent)s %% under cost") % {"percent": _percent(over)}
    else:
        cost = _("on cost")
    assert eac is not None
    gap = eac - bac
    if round(gap / 100) > 0:
        budget = _("%(amount)s over budget") % {"amount": m(gap)}
    elif round(gap / 100) < 0:
        budget = _("%(amount)s under budget") % {"amount": m(gap)}
    else:
        budget = _("on budget")
    return _(
        "The project has spent %(ac)s for %(ev)s of work done: %(cost)s and %(schedule)s; at this rate "
        "it will cost %(eac)s, %(budget)s."
    ) % {"ac": m(ac), "ev": m(ev), "cost": cost, "schedule": schedule, "eac": m(eac), "budget": budget}


# ---------------------------------------------------------------- reading


def baseline_of(project: Project) -> Baseline | None:
    """The baseline earned value measures against: the latest approved one, else the latest saved."""
    return (
        Baseline.objects.filter(project=project)
        .order_by(F("approved_at").desc(nulls_last=True), "-created_at", "-id")
        .first()
    )


def _calendar(project: Project, until: dt.datetime | None) -> engine.Calendar:
    """The project calendar for the engine, read without writing (a plan never scheduled has none)."""
    zone = scheduling.zone_of(project)
    row = (
        Calendar.objects.filter(project=project, is_project_calendar=True)
        .prefetch_related("exceptions")
        .first()
    )
    if row is None:
        row = Calendar(
            project=project,
            name="",
            base=scheduling.default_calendar_base(project),
            working_weekdays=list(scheduling.WEEKDAYS),
            hours=DEFAULT_HOURS,
            is_project_calendar=True,
        )
        exceptions: Iterable[Any] = ()
    else:
        exceptions = row.exceptions.all()
    first = project.start_date.year if project.start_date else dt.datetime.now(zone).year
    last = first + 1
    if until is not None:
        last = max(last, until.astimezone(zone).year + 1)
    years = list(range(first, min(last, first + 10) + 1))
    return scheduling.build_calendar(row, exceptions, years, [], calendar_id=scheduling.PROJECT_CALENDAR_ID)


def _summaries(wbs_numbers: Iterable[str]) -> set[str]:
    """The WBS numbers that have a row under them."""
    out: set[str] = set()
    for number in wbs_numbers:
        parts = number.split(".")
        for i in range(1, len(parts)):
            out.add(".".join(parts[:i]))
    return out


def _top_ancestors(rows: Sequence[tuple[int, int | None]]) -> dict[int, int]:
    """Each task's top-level ancestor (itself at the top), from (id, parent_id) pairs."""
    parent = dict(rows)
    out: dict[int, int] = {}
    for pk in parent:
        chain = [pk]
        node = pk
        while True:
            if node in out:
                top = out[node]
                break
            up = parent.get(node)
            if up is None:
                top = node
                break
            chain.append(up)
            node = up
        for member in chain:
            out[member] = top
    return out


def _end_of(day: dt.date) -> dt.datetime:
    """Midnight after ``day`` (naive local time, as the engine reads)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0))


def earned_value(
    project: Project,
    as_of: dt.date | None = None,
    *,
    viewer: Viewer | None = None,
    with_curve: bool = True,
) -> Result:
    """The project's earned value at the end of ``as_of`` (today in the project's zone when None).

    ``viewer`` limits the phases and the S-curve's change markers to what they may see (the money
    figures are the whole project's: a client reads them). ``with_curve=False`` skips the S-curve,
    its markers and SPI(t), which needs the curve (KPI sources and reports need the figures only).
    """
    zone = scheduling.zone_of(project)
    if as_of is None:
        as_of = dt.datetime.now(zone).date()
    baseline = baseline_of(project)
    spent_by_day = actual_cost_by_day(project, until=as_of)
    ac = sum(spent_by_day.values())
    if baseline is None:
        return Result(project, as_of, project.currency, None, None, ac)

    rows = list(
        BaselineTask.objects.filter(baseline=baseline).values_list(
            "task_uid",
            "task_id",
            "wbs",
            "name",
            "kind",
            "visibility",
            "start",
            "finish",
            "cost_cents",
            "task__percent_complete",
        )
    )
    summaries = _summaries(r[2] for r in rows if r[2])
    leaves = [r for r in rows if r[2] not in summaries]
    # Tasks of the plan now: their phase (top ancestor) and the cost of those added since the baseline.
    current = list(
        Task.objects.filter(project=project).values_list("id", "parent_id", "is_summary", "cost_cents")
    )
    top_of = _top_ancestors([(pk, parent) for pk, parent, _s, _c in current])
    in_baseline = {r[0] for r in rows}
    added_by_top: dict[int, int] = defaultdict(int)
    for pk, _parent, is_summary, cost in current:
        if not is_summary and pk not in in_baseline:
            added_by_top[top_of[pk]] += cost

    finishes = [r[7] for r in leaves if r[7] is not None]
    latest = max(finishes, default=None)
    calendar = _calendar(project, latest)
    items_by_top: dict[int, list[BudgetItem]] = defaultdict(list)
    items: list[BudgetItem] = []
    bac = ev = 0
    bac_by_top: dict[int, int] = defaultdict(int)
    ev_by_top: dict[int, int] = defaultdict(int)
    top_of_row = {r[2]: r[0] for r in rows if r[2] and "." not in r[2]}
    for uid, task_id, wbs, _name, _kind, _vis, start, finish, cost, percent in leaves:
        top = top_of_row.get(wbs.split(".")[0], uid) if wbs else uid
        earned = round(cost * (percent or 0) / 100) if task_id is not None else 0
        bac += cost
        ev += earned
        bac_by_top[top] += cost
        ev_by_top[top] += earned
        if cost and start is not None and finish is not None:
            item = BudgetItem(cost, scheduling.to_local(start, zone), scheduling.to_local(finish, zone))  # type: ignore[arg-type]
            items.append(item)
            items_by_top[top].append(item)
    moment = _end_of(as_of)
    pv = round(planned_value(items, calendar, moment))
    added = sum(added_by_top.values())
    figures = Figures(bac=bac, pv=pv, ev=ev, ac=ac, added=added)

    # Phases: top-level summaries of the baseline (those the viewer may see).
    spent_by_task = actual_cost_by_task(project, until=as_of)
    ac_by_top: dict[int, int] = defaultdict(int)
    for booked_on, spent in spent_by_task.items():
        if booked_on is not None and booked_on in top_of:
            ac_by_top[top_of[booked_on]] += spent
    tops = [r for r in rows if r[2] and "." not in r[2] and r[2] in summaries]
    if viewer is not None and tops:
        seen = set(
            BaselineTask.objects.visible_to(viewer)
            .filter(baseline=baseline, task_uid__in=[r[0] for r in tops])
            .values_list("task_uid", flat=True)
        )
        tops = [r for r in tops if r[0] in seen]
    phases = [
        Phase(
            task_id,
            name,
            wbs,
            Figures(
                bac_by_top[uid],
                round(planned_value(items_by_top[uid], calendar, moment)),
                ev_by_top[uid],
                ac_by_top[uid],
                added_by_top[uid],
            ),
        )
        for uid, task_id, wbs, name, *_rest in tops
    ]

    starts = [r[6] for r in leaves if r[6] is not None]
    spi_t = None
    curve: list[CurvePoint] = []
    markers: list[Marker] = []
    if with_curve and starts and latest is not None:
        first_day = min(starts).astimezone(zone).date()
        last_day = max(latest.astimezone(zone).date(), as_of)
        # The curve starts from nothing on the eve of the baseline's start, then ends each week.
        weeks = [first_day - dt.timedelta(days=1), *_week_ends(first_day, last_day)]
        cumulative = s_curve(items, calendar, [_end_of(day) for day in weeks])
        if bac and as_of >= first_day:
            spi_t = earned_schedule(cumulative[1:], ev, _weeks_elapsed(calendar, first_day, as_of)).spi_t
        curve = _curve(weeks, [round(v) for v in cumulative], spent_by_day, as_of, ev, pv)
        markers = _markers(project, viewer, first_day, last_day)
    return Result(
        project,
        as_of,
        project.currency,
        baseline,
        figures,
        ac,
        spi_t=spi_t,
        phases=phases,
        curve=curve,
        markers=markers,
    )


def _weeks_elapsed(calendar: engine.Calendar, first: dt.date, as_of: dt.date) -> float:
    """Actual time in the S-curve's periods: whole weeks since ``first``'s week began, plus the
    working-time share of ``as_of``'s week done by its end (a Friday evening ends a five-day week)."""
    monday = as_of - dt.timedelta(days=as_of.weekday())
    whole = (monday - (first - dt.timedelta(days=first.weekday()))).days // 7
    begin = dt.datetime.combine(monday, dt.time(0, 0))
    week = engine.working_minutes_between(calendar, begin, begin + dt.timedelta(days=7))
    done = engine.working_minutes_between(calendar, begin, _end_of(as_of))
    share = done / week if week > 0 else (as_of.weekday() + 1) / 7
    return whole + share


def _week_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """The Sundays from ``first``'s week to ``last``'s week (at most ``MAX_WEEKS``)."""
    day = first + dt.timedelta(days=6 - first.weekday())
    out: list[dt.date] = []
    while len(out) < MAX_WEEKS:
        out.append(day)
        if day >= last:
            break
        day += dt.timedelta(days=7)
    return out


def _curve(
    weeks: Sequence[dt.date],
    pv_weeks: Sequence[int],
    spent_by_day: Mapping[dt.date, int],
    as_of: dt.date,
    ev: int,
    pv_at: int,
) -> list[CurvePoint]:
    """Weekly points, and the point at ``as_of`` (where EV is known) in its place."""
    spent = sorted(spent_by_day.items())
    points: list[CurvePoint] = []
    total, i = 0, 0
    placed = False
    for day, pv in zip(weeks, pv_weeks, strict=True):
        if not placed and as_of < day:
            while i < len(spent) and spent[i][0] <= as_of:
                total += spent[i][1]
                i += 1
            points.append(CurvePoint(as_of, pv_at, total, ev))
            placed = True
        while i < len(spent) and spent[i][0] <= day:
            total += spent[i][1]
            i += 1
        if day == as_of:
            points.append(CurvePoint(day, pv, total, ev))
            placed = True
        else:
            points.append(CurvePoint(day, pv, total if day <= as_of else None, None))
    return points


def _markers(project: Project, viewer: Viewer | None, first: dt.date, last: dt.date) -> list[Marker]:
    """Approved baselines and approved change requests between ``first`` and ``last``."""
    zone = scheduling.zone_of(project)
    out = [
        Marker(approved.astimezone(zone).date(), "baseline", name)
        for name, approved in Baseline.objects.filter(project=project, approved_at__isnull=False).values_list(
            "name", "approved_at"
        )
        if approved is not None
    ]
    changes = ChangeRequest.objects.visible_to(viewer) if viewer is not None else ChangeRequest.objects.all()
    out += [
        Marker(decided.astimezone(zone).date(), "change", f"{code} {title}")
        for code, title, decided in changes.filter(
            project=project,
            status__in=(ChangeStatus.APPROVED, ChangeStatus.APPLIED),
            decided_at__isnull=False,
        ).values_list("code", "title", "decided_at")
        if decided is not None
    ]
    return sorted((m for m in out if first <= m.day <= last), key=lambda m: (m.day, m.kind, m.label))
