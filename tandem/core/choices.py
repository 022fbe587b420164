"""Enumerations shared by every domain app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    """Who may see a shareable record: the team only, or the team and the client."""

    INTERNAL = "internal", _("Internal")
    SHARED = "shared", _("Shared with client")


class Side(models.TextChoices):
    """Which side of the project a member stands on."""

    TEAM = "team", _("Delivery team")
    CLIENT = "client", _("Client")


class JobStatus(models.TextChoices):
    """Where a background job stands: waiting for a worker, running, finished with a file, or failed."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
