from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Status reports generated from the live plan, risks and changes; immutable once sent."""

    name = "tandem.reports"
    label = "reports"
    verbose_name = _("Status reports")

    def ready(self) -> None:
        """Contribute what waits on a person here to their inbox."""
        from tandem.core import inbox
        from tandem.reports.inbox import count_reports, reports_to_approve

        inbox.register("status_report", reports_to_approve, count=count_reports)
