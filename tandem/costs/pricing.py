"""Pricing time at internal rates: the rate in force on a day is the latest started one.

A person's time is priced with the standard rate of their resource in the pool; before the first
rate entry the first rate applies (as the engine's rate tables do), and a resource without rates
costs nothing. Prices are hundredths of the project's currency, rounded half up per entry.
"""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from tandem.resources.models import Rate


class Pricer:
    """The rate histories of some resources, read with one query, pricing minutes on a day."""

    def __init__(self, resource_ids: Iterable[int]) -> None:
        ids = {pk for pk in resource_ids if pk is not None}
        history: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
        if ids:
            rows = (
                Rate.objects.filter(resource_id__in=ids)
                .order_by("resource_id", "effective_from")
                .values_list("resource_id", "effective_from", "standard_rate")
            )
            for pk, starts, rate in rows:
                history[pk].append((starts, rate))
        self._days = {pk: [day for day, _rate in entries] for pk, entries in history.items()}
        self._rates = {pk: [rate for _day, rate in entries] for pk, entries in history.items()}

    def hourly_rate(self, resource_id: int | None, day: datetime.date) -> Decimal:
        """The standard rate per hour of the resource in force on ``day`` (0 without rates)."""
        if resource_id is None or resource_id not in self._days:
            return Decimal(0)
        index = bisect.bisect_right(self._days[resource_id], day) - 1
        return self._rates[resource_id][max(index, 0)]

    def cost_cents(self, resource_id: int | None, day: datetime.date, minutes: int) -> int:
        """``minutes`` of the resource's time on ``day`` in hundredths."""
        rate = self.hourly_rate(resource_id, day)
        return int((rate * minutes * 100 / 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))
