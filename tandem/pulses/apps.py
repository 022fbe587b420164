"""The pulses app."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PulsesConfig(AppConfig):
    """Satisfaction pulses and their results."""

    name = "tandem.pulses"
    label = "pulses"
    verbose_name = _("Satisfaction pulses")

    def ready(self) -> None:
        from tandem.pulses import inbox, kpi_sources

        kpi_sources.register_sources()
        inbox.register_providers()
