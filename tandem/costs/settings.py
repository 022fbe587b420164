"""A project's cost settings, created with their defaults the first time anything needs them."""

from __future__ import annotations

from tandem.costs.models import CostSettings
from tandem.projects.models import Project


def settings_for(project: Project) -> CostSettings:
    """The project's cost settings (created with the defaults when missing), cached on the project."""
    cached: CostSettings | None = project.__dict__.get("_cost_settings")
    if cached is None:
        cached, _created = CostSettings.objects.get_or_create(project=project)
        project.__dict__["_cost_settings"] = cached
    return cached


def forget_settings(project: Project) -> None:
    """Drop the cached settings after they changed."""
    project.__dict__.pop("_cost_settings", None)
