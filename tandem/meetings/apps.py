from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """The communication plan (who is told what, how often, by whom) with adherence, and meetings."""

    name = "tandem.meetings"
    label = "meetings"
    verbose_name = _("Meetings and communication plan")

    def ready(self) -> None:
        """Contribute what waits on a person here to their inbox."""
        from tandem.core import inbox
        from tandem.meetings.inbox import count_minutes, minutes_to_approve

        inbox.register("minutes", minutes_to_approve, count=count_minutes)
