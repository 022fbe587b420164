from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Base models, visibility scoping and the audit trail shared by every domain app."""

    name = "tandem.core"
    label = "core"
    verbose_name = _("Core")
