"""What the project home shows both sides: the status with its reasons, the next milestones against
the agreed baseline, the latest report and the budget burn.

Every figure is read through the reader's scope (a client sees shared records and the money sums the
budget page shows them, never a rate), with a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from tandem.costs import budget
from tandem.planning import queries as plan_queries
from tandem.planning.choices import TaskStatus
from tandem.reports.choices import Dimension, Rag, ReportStatus
from tandem.reports.models import StatusReport
from tandem.reports.queries import reports_of
from tandem.reports.rendering import reason_text
from tandem.web.views.base import ProjectScope

#: How many upcoming milestones the home lists.
NEXT_MILESTONES = 4
#: Working minutes in a working day (the plan's days are eight hours).
MINUTES_PER_DAY = 480


@dataclass(frozen=True)
class DimensionRow:
    """One dimension of the latest report's status: its colour and why."""

    key: str
    name: str
    colour: str
    label: str
    reasons: list[str]


@dataclass(frozen=True)
class Status:
    """The latest sent status report's rating, as the reader may read it."""

    report: StatusReport
    colour: str
    label: str
    dimensions: list[DimensionRow]


@dataclass(frozen=True)
class MilestoneRow:
    """An unfinished milestone: its forecast next to the agreed (approved) baseline date."""

    name: str
    forecast: dt.datetime | None
    baseline: dt.datetime | None
    slip_days: int | None
    missed: bool


def working_days(minutes: int | None) -> int | None:
    """Working minutes as whole working days, rounded away from zero (a part day counts)."""
    if minutes is None:
        return None
    days = minutes / MINUTES_PER_DAY
    return math.ceil(days) if days > 0 else -math.ceil(-days)


def _rag_label(colour: str) -> str:
    return str(Rag(colour).label) if colour in Rag.values else colour


def latest_status(scope: ProjectScope) -> Status | None:
    """The latest *sent* report's rating and reasons (a draft is never the project's status)."""
    # The home names no author or approver: the report's row alone.
    report = reports_of(scope.viewer, scope.project, status=ReportStatus.SENT).select_related(None).first()
    if report is None:
        return None
    rows = [
        DimensionRow(
            key=name,
            name=str(Dimension(name).label) if name in Dimension.values else name,
            colour=d.get("colour", ""),
            label=_rag_label(d.get("colour", "")),
            reasons=[reason_text(r) for r in d.get("reasons", [])],
        )
        for name, d in report.dimensions.items()
    ]
    return Status(report, report.shown_rag, _rag_label(report.shown_rag), rows)


def next_milestones(scope: ProjectScope) -> dict[str, Any]:
    """The unfinished milestones soonest first, forecast against the agreed baseline."""
    baseline, forecasts = plan_queries.milestone_forecast(scope.viewer, scope.project)
    now = timezone.now()
    open_ones = [m for m in forecasts if m.task.status != TaskStatus.DONE]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    open_ones.sort(key=lambda m: (m.forecast or m.baseline_finish or far, m.task.pk))
    rows = [
        MilestoneRow(
            name=m.task.name,
            forecast=m.forecast,
            baseline=m.baseline_finish,
            slip_days=working_days(m.variance_minutes),
            missed=bool(m.baseline_finish and m.baseline_finish < now),
        )
        for m in open_ones[:NEXT_MILESTONES]
    ]
    return {"baseline": baseline, "milestones": rows, "more_milestones": max(0, len(open_ones) - len(rows))}


@dataclass(frozen=True)
class Burn:
    """The whole budget and what is spent of it: sums only, as the budget page shows every member."""

    summary: budget.Summary

    @property
    def bar(self) -> int:
        """The width of the used-% meter, 0..100."""
        return min(100, int(self.summary.whole_percent or 0))


def budget_burn(scope: ProjectScope) -> Burn | None:
    """The budget's sums (no rate, no person's cost), or None when there is neither budget nor cost."""
    summary = budget.summarize(scope.project, with_burn=False)  # the home shows no burn chart
    if not summary.whole_cents and not summary.totals.actual_cents:
        return None
    return Burn(summary)


def overview(scope: ProjectScope) -> dict[str, Any]:
    """The home's shared panels."""
    status = latest_status(scope)
    return {
        "status": status,
        "latest_report": status.report if status else None,
        "burn": budget_burn(scope),
        **next_milestones(scope),
    }
