"""Who tells the scheduler about a plan's resources: a provider registered by the app that keeps them.

The resource pool and assignments live in an app above the plan (``tandem.resources``), which the
plan must not import. That app registers a provider when it is ready; ``plan_for(project)`` asks it
for the engine's ``ResourcePlan`` of a project (None when the project has no assignments), and
``scheduling.reschedule`` schedules and costs the plan with it.
"""

from __future__ import annotations

from collections.abc import Callable

import tandem_engine as engine
from tandem.projects.models import Project

Provider = Callable[[Project], "engine.ResourcePlan | None"]

_PROVIDERS: list[Provider] = []


def register_provider(provider: Provider) -> Provider:
    """Let ``provider`` answer ``plan_for`` (an app's ``ready()`` calls it once)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def plan_for(project: Project) -> engine.ResourcePlan | None:
    """The project's resources and assignments for the engine, or None when it has none."""
    for provider in _PROVIDERS:
        plan = provider(project)
        if plan is not None:
            return plan
    return None
