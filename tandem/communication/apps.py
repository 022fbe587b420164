from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunicationConfig(AppConfig):
    """Discussion on project records: comments with @mentions, and in-app notifications."""

    name = "tandem.communication"
    label = "communication"
    verbose_name = _("Communication")
