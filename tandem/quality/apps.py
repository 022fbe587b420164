"""The quality app."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    """Quality standards, tests, defects and acceptance."""

    name = "tandem.quality"
    label = "quality"
    verbose_name = _("Quality and acceptance")

    def ready(self) -> None:
        from tandem.quality.kpi_sources import register_sources

        register_sources()

        from tandem.core import inbox
        from tandem.quality.inbox import acceptances_to_act_on, count_acceptances

        inbox.register("acceptance", acceptances_to_act_on, count=count_acceptances)
