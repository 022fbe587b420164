from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Base models, visibility scoping and the audit trail shared by every domain app."""

    name = "tandem.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        connection_created.connect(_keep_more_prepared_statements, dispatch_uid="tandem.core.prepared_max")


def _keep_more_prepared_statements(sender: Any, connection: Any, **kwargs: Any) -> None:
    """psycopg keeps 100 prepared statements per connection by default; the pages and the API of one
    project already run more distinct statements than that, and each eviction is a DEALLOCATE and
    a new PREPARE."""
    prepares = connection.settings_dict["OPTIONS"].get("prepare_threshold") is not None
    if connection.vendor == "postgresql" and prepares:
        connection.connection.prepared_max = settings.DB_PREPARED_MAX
