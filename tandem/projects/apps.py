from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    """Projects, memberships, decision rights, invitations and the charter."""

    name = "tandem.projects"
    label = "projects"
    verbose_name = _("Projects")
