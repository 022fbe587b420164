"""The costs app's live KPI sources: CPI and SPI from earned value, and the share of the budget spent.

Registered with ``tandem.projects.kpis`` when the costs app is ready. Earned value figures are the
whole project's whether the KPI is shared or internal: a client reads them (never a rate or a task's
cost), so ``shared_only`` changes nothing here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from tandem.costs import evm
from tandem.costs.actuals import actual_cost
from tandem.projects.kpis import Source, register
from tandem.projects.models import Project

THREE_PLACES = Decimal("0.001")
ONE_PLACE = Decimal("0.1")


def _index(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(THREE_PLACES)


def cost_performance_index(project: Project, day: dt.date, shared_only: bool) -> Decimal | None:
    """CPI = EV / AC at the end of ``day``; None without a baseline or before anything is spent."""
    figures = evm.earned_value(project, day, with_curve=False).figures
    return _index(figures.cpi) if figures else None


def schedule_performance_index(project: Project, day: dt.date, shared_only: bool) -> Decimal | None:
    """SPI = EV / PV at the end of ``day``; None without a baseline or before any work is planned."""
    figures = evm.earned_value(project, day, with_curve=False).figures
    return _index(figures.spi) if figures else None


def budget_used(project: Project, day: dt.date, shared_only: bool) -> Decimal | None:
    """The actual cost up to ``day`` as a percentage of the project's budget; None without a budget."""
    if not project.budget:
        return None
    spent = Decimal(actual_cost(project, until=day)) / 100
    return (spent * 100 / project.budget).quantize(ONE_PLACE)


def register_sources() -> None:
    """Offer the cost sources to charter KPIs."""
    register(Source("cost.cpi", _("Cost performance index (CPI = EV / AC)"), "", cost_performance_index))
    register(
        Source(
            "schedule.spi", _("Schedule performance index (SPI = EV / PV)"), "", schedule_performance_index
        )
    )
    register(Source("cost.budget_used", _("Budget used (percent of the budget spent)"), "%", budget_used))
