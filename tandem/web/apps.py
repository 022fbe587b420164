from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    """The server-rendered web UI."""

    name = "tandem.web"
    label = "web"
