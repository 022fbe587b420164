"""Earned value management: the standard indices and forecasts, earned schedule, and planned value
spread over working time.

Definitions follow the PMI's *Practice Standard for Earned Value Management* and, for earned
schedule, Lipke's *Schedule is Different* (2003):

- PV (planned value, BCWS), EV (earned value, BCWP), AC (actual cost, ACWP), BAC (budget at
  completion);
- SV = EV − PV, CV = EV − AC, SPI = EV / PV, CPI = EV / AC;
- EAC, by the method in use (:class:`EacMethod`): BAC / CPI (typical: the cost performance so far
  continues), AC + (BAC − EV) (atypical: the rest goes as planned), AC + (BAC − EV) / (CPI × SPI)
  (composite: schedule pressure costs too), or AC + a bottom-up ETC;
- ETC = EAC − AC, VAC = BAC − EAC;
- TCPI = (BAC − EV) / (BAC − AC), the cost performance the remaining work needs to finish on budget
  (and (BAC − EV) / (EAC − AC) to finish at the EAC);
- earned schedule ES = C + (EV − PV(C)) / (PV(C + 1) − PV(C)), where C is the last period whose
  cumulative PV does not exceed EV; SV(t) = ES − AT and SPI(t) = ES / AT, in periods; IEAC(t) =
  planned duration / SPI(t).

An index whose denominator is zero (no work planned yet, nothing spent yet) is ``None``, never an
infinity: "not measurable yet" is what a report should say then.

>>> ev = EarnedValue(bac=500_000, pv=250_000, ev=200_000, ac=210_000)
>>> round(ev.cpi, 3), ev.spi, round(ev.eac), round(ev.tcpi, 3)
(0.952, 0.8, 525000, 1.034)
"""

from __future__ import annotations

import bisect
import enum
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .calendar import compile_calendar, to_minutes
from .model import Calendar


class EacMethod(enum.StrEnum):
    """How the estimate at completion is forecast."""

    #: BAC / CPI: the cost efficiency so far holds for the rest of the work.
    TYPICAL = "typical"
    #: AC + (BAC − EV): the variance so far was a one-off; the rest costs what was planned.
    ATYPICAL = "atypical"
    #: AC + (BAC − EV) / (CPI × SPI): both the cost and the schedule efficiency weigh on the rest.
    COMPOSITE = "composite"
    #: AC + a bottom-up estimate to complete.
    BOTTOM_UP = "bottom_up"


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


@dataclass(frozen=True, slots=True)
class EarnedValue:
    """The earned value figures of a project (or a phase) at one status date, in one currency.

    ``etc_bottom_up`` is the team's own estimate to complete, used by ``EacMethod.BOTTOM_UP``.
    """

    bac: float
    pv: float
    ev: float
    ac: float
    method: EacMethod = EacMethod.TYPICAL
    etc_bottom_up: float | None = None

    def __post_init__(self) -> None:
        for name in ("bac", "pv", "ev", "ac"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} cannot be negative")
        if self.method is EacMethod.BOTTOM_UP and self.etc_bottom_up is None:
            raise ValueError("the bottom-up method needs etc_bottom_up")

    @property
    def sv(self) -> float:
        """Schedule variance, EV − PV (negative: behind plan)."""
        return self.ev - self.pv

    @property
    def cv(self) -> float:
        """Cost variance, EV − AC (negative: over cost)."""
        return self.ev - self.ac

    @property
    def spi(self) -> float | None:
        """Schedule performance index, EV / PV (None before any work is planned)."""
        return _ratio(self.ev, self.pv)

    @property
    def cpi(self) -> float | None:
        """Cost performance index, EV / AC (None before anything is spent)."""
        return _ratio(self.ev, self.ac)

    @property
    def eac(self) -> float | None:
        """Estimate at completion by ``method`` (None when its index is not measurable yet).

        >>> EarnedValue(bac=100, pv=50, ev=40, ac=50, method=EacMethod.ATYPICAL).eac
        110
        """
        remaining = self.bac - self.ev
        if self.method is EacMethod.ATYPICAL:
            return self.ac + remaining
        if self.method is EacMethod.BOTTOM_UP:
            assert self.etc_bottom_up is not None
            return self.ac + self.etc_bottom_up
        cpi = self.cpi
        if self.method is EacMethod.TYPICAL:
            return self.bac / cpi if cpi else None
        spi = self.spi
        return self.ac + remaining / (cpi * spi) if cpi and spi else None

    @property
    def etc(self) -> float | None:
        """Estimate to complete, EAC − AC."""
        eac = self.eac
        return None if eac is None else eac - self.ac

    @property
    def vac(self) -> float | None:
        """Variance at completion, BAC − EAC (negative: the budget will be overrun)."""
        eac = self.eac
        return None if eac is None else self.bac - eac

    @property
    def tcpi(self) -> float | None:
        """To-complete performance index against the budget, (BAC − EV) / (BAC − AC).

        None once the budget is spent (no cost performance can then finish on budget).
        """
        funds = self.bac - self.ac
        return (self.bac - self.ev) / funds if funds > 0 else None

    @property
    def tcpi_eac(self) -> float | None:
        """To-complete performance index against the EAC, (BAC − EV) / (EAC − AC)."""
        eac = self.eac
        if eac is None or eac - self.ac <= 0:
            return None
        return (self.bac - self.ev) / (eac - self.ac)

    @property
    def percent_complete(self) -> float | None:
        """EV / BAC, as a fraction."""
        return _ratio(self.ev, self.bac)


@dataclass(frozen=True, slots=True)
class EarnedSchedule:
    """Earned schedule at an actual time ``at``, all in periods (e.g. weeks since the start).

    >>> es = earned_schedule([100, 200, 300, 400, 500], ev=250, at=4)
    >>> es.es, es.spi_t, es.sv_t, es.ieac_t
    (2.5, 0.625, -1.5, 8.0)
    """

    es: float
    at: float
    planned_duration: float

    @property
    def sv_t(self) -> float:
        """Schedule variance in time, ES − AT (negative: behind)."""
        return self.es - self.at

    @property
    def spi_t(self) -> float | None:
        """Schedule performance index in time, ES / AT."""
        return _ratio(self.es, self.at)

    @property
    def ieac_t(self) -> float | None:
        """Independent estimate of the duration at completion, planned duration / SPI(t)."""
        spi_t = self.spi_t
        return self.planned_duration / spi_t if spi_t else None


def earned_schedule(cumulative_pv: Sequence[float], ev: float, at: float) -> EarnedSchedule:
    """Earned schedule from the cumulative PV at the end of each period (period 1 first).

    ``cumulative_pv[i]`` is the PV planned by the end of period ``i + 1`` (the baseline's S-curve);
    the planned duration is the number of periods until it reaches its final value. ``at`` is the
    actual time in the same periods. EV beyond the whole plan earns the whole planned duration.
    """
    if at < 0:
        raise ValueError("the actual time cannot be negative")
    if any(b < a for a, b in itertools.pairwise(cumulative_pv)) or any(v < 0 for v in cumulative_pv):
        raise ValueError("cumulative PV must be non-negative and never decrease")
    curve = [0.0, *cumulative_pv]
    total = curve[-1]
    planned = next((i for i, value in enumerate(curve) if value >= total), len(curve) - 1)
    if ev >= total:
        return EarnedSchedule(float(planned), at, float(planned))
    # C: the last period (0 = the start) whose cumulative PV does not exceed EV.
    c = max(i for i, value in enumerate(curve) if value <= ev)
    step = curve[c + 1] - curve[c]
    es = c + ((ev - curve[c]) / step if step else 0.0)
    return EarnedSchedule(es, at, float(planned))


@dataclass(frozen=True, slots=True)
class BudgetItem:
    """A piece of budgeted work: its budget spread evenly over its working time (a flat contour).

    A zero-length item (a milestone, a fixed cost due on a date) is planned entirely at its start.
    """

    budget: float
    start: datetime
    finish: datetime


def planned_value(items: Sequence[BudgetItem], calendar: Calendar, at: datetime) -> float:
    """The PV of ``items`` at the instant ``at``: each item's budget in proportion to the working
    minutes of ``calendar`` it has had by then.

    >>> from tandem_engine import Calendar
    >>> day = BudgetItem(800, datetime(2026, 11, 23, 8), datetime(2026, 11, 24, 17))
    >>> planned_value([day], Calendar.standard(), datetime(2026, 11, 23, 17))
    400.0
    """
    compiled = compile_calendar(calendar)
    moment = to_minutes(at)
    total = 0.0
    for item in items:
        start, finish = to_minutes(item.start), to_minutes(item.finish)
        if moment <= start and not (moment == start == finish):
            continue
        if moment >= finish:
            total += item.budget
            continue
        length = compiled.between(start, finish)
        if length <= 0:
            total += item.budget
            continue
        done = compiled.between(start, moment)
        total += item.budget * min(max(done, 0), length) / length
    return total


def s_curve(items: Sequence[BudgetItem], calendar: Calendar, moments: Sequence[datetime]) -> list[float]:
    """The cumulative PV at each of ``moments`` (e.g. the end of every week): the baseline's S-curve.

    Each value equals ``planned_value(items, calendar, moment)``. Method: the items are sorted by
    finish once, with a running sum of their budgets; at each moment the finished items count whole
    (one binary search) and only those under way are spread over their working time, so a weekly
    curve of a 5,000-task baseline costs about as much as a few ``planned_value`` calls, not one per
    week.
    """
    compiled = compile_calendar(calendar)
    spans = sorted(
        ((to_minutes(item.start), to_minutes(item.finish), item.budget) for item in items),
        key=lambda span: span[1],
    )
    finishes = [finish for _start, finish, _budget in spans]
    finished_sums = list(itertools.accumulate((budget for _s, _f, budget in spans), initial=0.0))
    curve: list[float] = []
    for moment in moments:
        at = to_minutes(moment)
        # An item finished by ``at`` (a zero-length one at ``at`` included) counts whole.
        done = bisect.bisect_right(finishes, at)
        total = finished_sums[done]
        for start, finish, budget in spans[done:]:
            if start >= at:
                continue
            length = compiled.between(start, finish)
            if length <= 0:
                total += budget
                continue
            worked = compiled.between(start, at)
            total += budget * min(max(worked, 0), length) / length
        curve.append(total)
    return curve
