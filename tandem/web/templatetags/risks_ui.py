"""Template helpers of the registers' pages: level and status labels, dates in the project's zone."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import template

from tandem.risks.choices import DecisionStatus, RiskLevel

register = template.Library()


@register.filter
def level_label(level: str) -> Any:
    """A risk level's name."""
    return RiskLevel(level).label if level in RiskLevel.values else level


@register.filter
def decision_status_label(status: str) -> Any:
    """A client decision status's name (overdue included)."""
    return DecisionStatus(status).label if status in DecisionStatus.values else status


@register.filter
def local_day(value: dt.datetime | None, zone: str) -> str:
    """An aware datetime as a day (YYYY-MM-DD) in the project's time zone."""
    if value is None:
        return "—"
    try:
        return value.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d")
    except (KeyError, ValueError):
        return value.strftime("%Y-%m-%d")


@register.filter
def percent_of(value: int, total: int) -> int:
    """``value`` as a whole percentage of ``total`` (for bar widths)."""
    return round(100 * int(value or 0) / int(total)) if total else 0
