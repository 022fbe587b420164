from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequirementsConfig(AppConfig):
    """Requirements with versions, client confirmation, prioritisation and traceability to the plan."""

    name = "tandem.requirements"
    label = "requirements"
    verbose_name = _("Requirements")

    def ready(self) -> None:
        """Contribute what waits on a person here to their inbox."""
        from tandem.core import inbox
        from tandem.requirements.inbox import count_requirements, requirements_to_confirm

        inbox.register("requirement", requirements_to_confirm, count=count_requirements)
