from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    """The resource pool of each organization, internal rates, and assignments of resources to tasks."""

    name = "tandem.resources"
    label = "resources"
    verbose_name = _("Resources")

    def ready(self) -> None:
        from tandem.planning.resourcing import register_provider
        from tandem.resources.engine_plan import plan_for

        register_provider(plan_for)
