"""The colour of a cost or schedule performance index, in one place (pure: no database).

CPI or SPI at or above ``GREEN_AT`` is green, at or above ``AMBER_AT`` amber, below it red. The
earned value page and API, the KPI sources and the status reports' cost rule all grade with these.
"""

from __future__ import annotations

GREEN_AT = 0.95
AMBER_AT = 0.90
GREEN, AMBER, RED = "green", "amber", "red"
#: Rounding slack, so that an index shown as 0.950 is never graded below 0.95.
_SLACK = 1e-9


def index_colour(value: float | None) -> str | None:
    """Green, amber or red for a CPI or SPI (None when it cannot be measured)."""
    if value is None:
        return None
    if value >= GREEN_AT - _SLACK:
        return GREEN
    return AMBER if value >= AMBER_AT - _SLACK else RED


def rag_of(cpi: float | None, spi: float | None) -> str | None:
    """The worse colour of CPI and SPI (None when neither can be measured)."""
    colours = [c for c in (index_colour(cpi), index_colour(spi)) if c is not None]
    if not colours:
        return None
    return RED if RED in colours else AMBER if AMBER in colours else GREEN
