"""Periodic jobs: functions that the ``tandem clock`` loop calls once a minute with the current time.

A periodic job is registered with :func:`periodic` in an app's ``tasks.py``. It is idempotent: it
works out for itself what is due at ``now`` and what was already done (a report generated for that
slot, a digest sent for that day), so a tick that runs twice — two clocks, a restart, a retry — does
nothing twice. Heavy work is enqueued as a background task rather than done in the tick.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from tandem.core.models import PeriodicRun

logger = logging.getLogger(__name__)

PeriodicJob = Callable[[datetime], object]
# The decorated function keeps its own signature (a job may take more, optional, arguments).
Job = TypeVar("Job", bound=PeriodicJob)

_registry: dict[str, PeriodicJob] = {}


def periodic(name: str) -> Callable[[Job], Job]:
    """Register ``function(now)`` to be called on every tick of the clock under ``name``."""

    def register(function: Job) -> Job:
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


def done_keys(job: str, wanted: Iterable[tuple[object, date]]) -> set[tuple[str, date]]:
    """Which (key, day) pairs of ``wanted`` ``job`` has already done its work for (one query)."""
    pairs = {(str(key), day) for key, day in wanted}
    if not pairs:
        return set()
    done = PeriodicRun.objects.filter(
        job=job, key__in={key for key, _ in pairs}, day__in={day for _, day in pairs}
    ).values_list("key", "day")
    return set(done) & pairs


def claim_day(job: str, day: date, key: object = "") -> bool:
    """Record that ``job`` does its work for ``key`` on ``day``; False when that was done already.

    Call it inside the transaction that does the work: a failure rolls the claim back with the work,
    so the next tick tries again, and a second clock waits on the unique row and then gets False.
    """
    try:
        with transaction.atomic():
            PeriodicRun.objects.create(job=job, day=day, key=str(key))
    except IntegrityError:
        return False
    return True
