"""The pulses' live KPI sources: CSAT (%), NPS and the average first-question score.

Each figure counts the answers given in the ``WINDOW`` days up to the measured day (a rolling half
year), so a charter KPI "client satisfaction ≥ 4.5" follows the client's recent view, not the
whole project's history. Results are aggregates: a shared KPI shows the same figure to the client.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from tandem.projects.kpis import Source, register
from tandem.projects.models import Project
from tandem.pulses import results

WINDOW = 180


def _summary(project: Project, day: dt.date) -> results.Figures:
    return results.figures_between(project, day - dt.timedelta(days=WINDOW - 1), day)


def csat(project: Project, day: dt.date, shared_only: bool) -> Decimal | None:
    """The share (%) of CSAT answers of 4 or 5."""
    return _summary(project, day).csat


def nps(project: Project, day: dt.date, shared_only: bool) -> Decimal | None:
    """% promoters (9–10) − % detractors (0–6)."""
    return _summary(project, day).nps


def average(project: Project, day: dt.date, shared_only: bool) -> Decimal | None:
    """The average CSAT score (1–5), or the average NPS score (0–10) where no CSAT was asked."""
    return _summary(project, day).average


def register_sources() -> None:
    """Offer the satisfaction figures to charter KPIs."""
    register(Source("pulses.csat", _("Client satisfaction, CSAT (share of 4–5 answers)"), "%", csat))
    register(Source("pulses.nps", _("Net promoter score (NPS)"), "", nps))
    register(Source("pulses.average", _("Average satisfaction score"), "", average))
