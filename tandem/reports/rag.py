"""The RAG rules of a status report: pure functions over plain values, no database.

Each dimension is rated green, amber or red with the reasons that made it so; the overall rating is
the worst dimension. The thresholds (working days; counts of records the client may see):

* **Schedule** — the slip of the forecast project finish and of each milestone against the latest
  approved baseline, in working days: green when nothing slips (≤ 0), amber when the worst slip is
  1–5 days, red when it is more than 5 days, or when a milestone is past its baseline date and not
  finished.
* **Scope** — red when the changes applied since the confirmed charter added more than 10 working
  days, or when 5 or more change requests await a decision; amber when any request awaits a
  decision, a change was approved in the period, or applied changes added any days at all; green
  otherwise.
* **Risks** — red when an open critical risk has no response action, or 3 or more open high or
  critical risks have none; amber when any open risk is high or critical; green otherwise.
* **Issues** — red when a high or critical issue is overdue, or 3 or more issues are overdue; amber
  when any issue is overdue or an open issue is high or critical; green otherwise.
* **Cost** (earned value) — the worse of CPI and SPI: green at or above 0.95, amber at or above 0.90,
  red below (``tandem.costs.thresholds``); green with a note while there is no baseline or nothing
  can be measured yet.
* **Quality** (when the project has tests, defects or acceptances) — red when an open critical defect
  is on a deliverable due within 14 days (or past due); amber when any critical or major defect is
  open, or the pass rate is below 90 %; green otherwise.

An author may set the overall rating to a *worse* colour than computed, with a reason; never better.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tandem.costs.thresholds import index_colour

GREEN, AMBER, RED = "green", "amber", "red"
ORDER = {GREEN: 0, AMBER: 1, RED: 2}

SCHEDULE_AMBER_MAX_DAYS = 5
SCOPE_RED_DAYS = 10
SCOPE_RED_PENDING = 5
RISKS_RED_UNANSWERED = 3
ISSUES_RED_OVERDUE = 3
#: A deliverable due within this many days turns an open critical defect on it red.
QUALITY_DUE_DAYS = 14
#: A pass rate (%) below this is amber.
QUALITY_AMBER_PASS_RATE = 90


@dataclass(frozen=True)
class Reason:
    """Why a dimension has its colour: a code and the values the sentence names."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form stored in a report's facts."""
        return {"code": self.code, "params": dict(self.params)}


@dataclass(frozen=True)
class Rating:
    """A colour and its reasons."""

    colour: str
    reasons: list[Reason]

    def as_dict(self) -> dict[str, Any]:
        """The JSON form stored in a report's facts."""
        return {"colour": self.colour, "reasons": [r.as_dict() for r in self.reasons]}


def worst(*colours: str) -> str:
    """The worst of the colours (green when none)."""
    return max(colours, key=lambda c: ORDER[c], default=GREEN)


def is_worse(candidate: str, than: str) -> bool:
    """Whether ``candidate`` is a strictly worse colour than ``than``."""
    return ORDER[candidate] > ORDER[than]


@dataclass(frozen=True)
class MilestoneSlip:
    """A milestone against the agreed baseline: slip in working days (None without a baseline row)."""

    name: str
    slip_days: int | None
    baseline: dt.date | None
    done: bool


def _colour_of_slip(days: int) -> str:
    if days <= 0:
        return GREEN
    return AMBER if days <= SCHEDULE_AMBER_MAX_DAYS else RED


def rate_schedule(
    *,
    finish_slip_days: int | None,
    milestones: list[MilestoneSlip],
    today: dt.date,
    has_baseline: bool = True,
) -> Rating:
    """Schedule: the worst slip of the project finish and the unfinished milestones; red for a missed one."""
    if not has_baseline:
        return Rating(GREEN, [Reason("no_baseline")])
    colour = GREEN
    reasons: list[Reason] = []
    if finish_slip_days is not None and finish_slip_days > 0:
        colour = worst(colour, _colour_of_slip(finish_slip_days))
        reasons.append(Reason("finish_slip", {"days": finish_slip_days}))
    for m in milestones:
        if m.done:
            continue
        if m.baseline is not None and m.baseline < today:
            colour = RED
            reasons.append(Reason("milestone_missed", {"name": m.name, "date": m.baseline.isoformat()}))
        elif m.slip_days is not None and m.slip_days > 0:
            colour = worst(colour, _colour_of_slip(m.slip_days))
            reasons.append(Reason("milestone_slip", {"name": m.name, "days": m.slip_days}))
    if not reasons:
        reasons.append(Reason("on_schedule"))
    return Rating(colour, reasons)


def rate_scope(*, pending: int, approved_in_period: int, added_days: int) -> Rating:
    """Scope: requests awaiting a decision, approvals in the period, days added since the charter."""
    colour = GREEN
    reasons: list[Reason] = []
    if pending:
        colour = RED if pending >= SCOPE_RED_PENDING else AMBER
        reasons.append(Reason("changes_pending", {"count": pending}))
    if approved_in_period:
        colour = worst(colour, AMBER)
        reasons.append(Reason("changes_approved", {"count": approved_in_period}))
    if added_days > 0:
        colour = worst(colour, RED if added_days > SCOPE_RED_DAYS else AMBER)
        reasons.append(Reason("scope_added", {"days": added_days}))
    if not reasons:
        reasons.append(Reason("scope_stable"))
    return Rating(colour, reasons)


def rate_risks(*, high: int, critical: int, critical_unanswered: int, unanswered: int) -> Rating:
    """Risks: open high and critical risks, and those of them without any response action."""
    colour = GREEN
    reasons: list[Reason] = []
    if high or critical:
        colour = AMBER
        reasons.append(Reason("risks_high", {"count": high + critical, "critical": critical}))
    if critical_unanswered or unanswered >= RISKS_RED_UNANSWERED:
        colour = RED
    if unanswered:
        reasons.append(Reason("risks_unanswered", {"count": unanswered}))
    if not reasons:
        reasons.append(Reason("risks_low"))
    return Rating(colour, reasons)


def rate_issues(*, open_count: int, overdue: int, high: int, high_overdue: int) -> Rating:
    """Issues: overdue ones and open high or critical ones."""
    colour = GREEN
    reasons: list[Reason] = []
    if high:
        colour = AMBER
        reasons.append(Reason("issues_high", {"count": high}))
    if overdue:
        colour = RED if (high_overdue or overdue >= ISSUES_RED_OVERDUE) else worst(colour, AMBER)
        reasons.append(Reason("issues_overdue", {"count": overdue}))
    if not reasons:
        reasons.append(Reason("issues_open", {"count": open_count}))
    return Rating(colour, reasons)


def rate_cost(*, cpi: float | None, spi: float | None, has_baseline: bool = True) -> Rating:
    """Cost: the earned value indices, each graded by the shared thresholds; the worse one counts."""
    if not has_baseline:
        return Rating(GREEN, [Reason("cost_no_baseline")])
    if cpi is None and spi is None:
        return Rating(GREEN, [Reason("cost_not_measurable")])
    colour = GREEN
    reasons: list[Reason] = []
    cpi_colour, spi_colour = index_colour(cpi), index_colour(spi)
    if cpi_colour not in (None, GREEN):
        colour = worst(colour, cpi_colour or GREEN)
        reasons.append(Reason("cost_over", {"cpi": f"{cpi:.2f}"}))
    if spi_colour not in (None, GREEN):
        colour = worst(colour, spi_colour or GREEN)
        reasons.append(Reason("cost_behind", {"spi": f"{spi:.2f}"}))
    if not reasons:
        reasons.append(
            Reason(
                "cost_on_track",
                {"cpi": "—" if cpi is None else f"{cpi:.2f}", "spi": "—" if spi is None else f"{spi:.2f}"},
            )
        )
    return Rating(colour, reasons)


def rate_quality(
    *, critical_due_soon: int, open_critical: int, open_major: int, pass_rate: float | None
) -> Rating:
    """Quality: open critical defects on deliverables due soon, open serious defects, the pass rate."""
    reasons: list[Reason] = []
    colour = GREEN
    if critical_due_soon:
        colour = RED
        reasons.append(Reason("quality_critical_due", {"count": critical_due_soon, "days": QUALITY_DUE_DAYS}))
    if open_critical or open_major:
        colour = worst(colour, AMBER)
        reasons.append(Reason("quality_open_serious", {"critical": open_critical, "major": open_major}))
    if pass_rate is not None and pass_rate < QUALITY_AMBER_PASS_RATE:
        colour = worst(colour, AMBER)
        reasons.append(Reason("quality_pass_rate", {"rate": f"{pass_rate:.1f}"}))
    if not reasons:
        rate = "—" if pass_rate is None else f"{pass_rate:.1f}"
        reasons.append(Reason("quality_ok", {"rate": rate}))
    return Rating(colour, reasons)


def overall(ratings: dict[str, Rating]) -> str:
    """The overall colour: the worst dimension."""
    return worst(*(r.colour for r in ratings.values()))


def check_override(computed: str, override: str) -> bool:
    """Whether an author's override is allowed: empty, or strictly worse than computed."""
    return not override or is_worse(override, computed)
