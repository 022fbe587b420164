"""Periodic jobs: functions that the ``tandem clock`` loop calls once a minute with the current time.

A periodic job is registered with :func:`periodic` in an app's ``tasks.py``. It is idempotent: it
works out for itself what is due at ``now`` and what was already done (a report generated for that
slot, a digest sent for that day), so a tick that runs twice — two clocks, a restart, a retry — does
nothing twice. Heavy work is enqueued as a background task rather than done in the tick.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger(__name__)

PeriodicJob = Callable[[datetime], object]

_registry: dict[str, PeriodicJob] = {}


def periodic(name: str) -> Callable[[PeriodicJob], PeriodicJob]:
    """Register ``function(now)`` to be called on every tick of the clock under ``name``."""

    def register(function: PeriodicJob) -> PeriodicJob:
        _registry[name] = function
        return function

    return register


def registered() -> dict[str, PeriodicJob]:
    """Every periodic job, by name (after importing each installed app's ``tasks`` module)."""
    autodiscover_modules("tasks")
    return dict(sorted(_registry.items()))


def tick(now: datetime | None = None) -> dict[str, str | None]:
    """Run every periodic job once for ``now``; one job's failure never stops the others.

    Returns each job's name with ``None`` when it ran, or the error it raised.
    """
    moment = now or timezone.now()
    outcome: dict[str, str | None] = {}
    for name, function in registered().items():
        try:
            function(moment)
        except Exception as error:  # a broken job is logged and retried on the next tick
            logger.exception("Periodic job %s failed", name)
            outcome[name] = f"{type(error).__name__}: {error}"
        else:
            outcome[name] = None
    return outcome
