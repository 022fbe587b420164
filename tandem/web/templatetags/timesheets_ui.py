"""Template helpers of time tracking: the running timer in the page header and its elapsed time."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from tandem.costs import time_queries
from tandem.costs.models import RunningTimer

register = template.Library()


@register.simple_tag
def running_timer(user: Any) -> RunningTimer | None:
    """The signed-in user's running timer, if any (one query)."""
    return time_queries.running_timer(user)


@register.filter
def elapsed(timer: RunningTimer) -> str:
    """How long the timer has run, as ``h:mm:ss``."""
    seconds = max(int((timezone.now() - timer.started_at).total_seconds()), 0)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
