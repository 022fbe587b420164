"""Template helpers of time tracking: the running timer in the page header and its elapsed time."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from tandem.costs import time_permissions, time_queries
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


@register.simple_tag
def time_links(scope: Any) -> dict[str, bool]:
    """Which time pages of the project the reader reaches from the Cost section."""
    viewer, project = scope.viewer, scope.project
    return {
        "log": time_permissions.can_log_time(viewer, project),
        "approve": time_permissions.is_time_keeper(viewer, project)
        or time_permissions.is_client_approver(viewer, project),
        "settings": time_permissions.can_edit_cost_settings(viewer, project),
    }
