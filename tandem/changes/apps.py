from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    """Change requests: plan edits in a sandbox, impact computed by the engine, the client's decision."""

    name = "tandem.changes"
    label = "changes"
    verbose_name = _("Change control")

    def ready(self) -> None:
        """Contribute what waits on a person here to their inbox."""
        from tandem.changes.inbox import changes_to_decide, count_changes
        from tandem.core import inbox

        inbox.register("change_request", changes_to_decide, count=count_changes)
