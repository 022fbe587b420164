"""Periodic jobs of pulses: the trigger scan (once a minute; idempotent by the event's unique key)."""

from __future__ import annotations

import datetime as dt

from tandem.core.clock import periodic
from tandem.pulses import triggers


@periodic("pulses.scan_triggers")
def scan_triggers(now: dt.datetime) -> int:
    """Send the pulses that milestones, acceptances, the monthly schedule and closures call for."""
    return len(triggers.scan(now))
