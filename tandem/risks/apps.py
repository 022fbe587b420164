from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    """Risk register, issue and conflict logs, and the register of decisions the client must take."""

    name = "tandem.risks"
    label = "risks"
    verbose_name = _("Risks and decisions")

    def ready(self) -> None:
        """Contribute what waits on a person here to their inbox."""
        from tandem.core import inbox
        from tandem.risks.inbox import count_decisions, decisions_to_take

        inbox.register("client_decision", decisions_to_take, count=count_decisions)
