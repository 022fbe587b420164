from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    """WBS, tasks, dependencies, calendars and baselines; the adapter to the scheduling engine."""

    name = "tandem.planning"
    label = "planning"
    verbose_name = _("Planning")

    def ready(self) -> None:
        from tandem.planning.kpi_sources import register_sources

        register_sources()

        from tandem.core import inbox
        from tandem.planning.inbox import baselines_to_approve, count_baselines

        inbox.register("baseline", baselines_to_approve, count=count_baselines)
