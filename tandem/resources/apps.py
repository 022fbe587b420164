from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    """The resource pool of each organization, internal rates, and assignments of resources to tasks."""

    name = "tandem.resources"
    label = "resources"
    verbose_name = _("Resources")
