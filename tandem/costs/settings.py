"""A project's cost settings: read with their defaults when none are stored (reads never write), and
stored the first time the PM changes them."""

from __future__ import annotations

import datetime as dt

from tandem.core.database import the_one
from tandem.costs.models import CostSettings
from tandem.projects.models import Project


def settings_for(project: Project) -> CostSettings:
    """The project's cost settings, or unsaved defaults when none are stored (cached on the project)."""
    cached: CostSettings | None = project.__dict__.get("_cost_settings")
    if cached is None:
        cached = the_one(CostSettings.objects.filter(project=project)) or CostSettings(project=project)
        project.__dict__["_cost_settings"] = cached
    return cached


def locked_until(project: Project) -> dt.date | None:
    """The stored locked day, read afresh (a write checks against what is stored now, not a cache)."""
    return CostSettings.objects.filter(project=project).values_list("locked_until", flat=True).first()


def settings_for_update(project: Project) -> CostSettings:
    """The project's stored cost settings (created with the defaults when missing), locked for a change."""
    CostSettings.objects.get_or_create(project=project)
    forget_settings(project)
    return CostSettings.objects.select_for_update().get(project=project)


def forget_settings(project: Project) -> None:
    """Drop the cached settings after they changed."""
    project.__dict__.pop("_cost_settings", None)
