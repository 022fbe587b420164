from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CostsConfig(AppConfig):
    """Time tracking, expenses, budgets and earned value: what a project has cost and will cost."""

    name = "tandem.costs"
    label = "costs"
    verbose_name = _("Time and cost")

    def ready(self) -> None:
        from tandem.costs.kpi_sources import register_sources

        register_sources()

        from tandem.core import inbox
        from tandem.costs.inbox import count_timesheets, timesheets_to_approve

        inbox.register("timesheets", timesheets_to_approve, count=count_timesheets)
