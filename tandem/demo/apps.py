from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo project: a loader that sits above every domain app and calls each one's demo data."""

    name = "tandem.demo"
    label = "demo"
    verbose_name = "Demo"
