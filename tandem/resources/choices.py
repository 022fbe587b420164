"""Enumerations of the resource pool."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ResourceKind(models.TextChoices):
    """What a resource is; people and equipment are MS Project's work resources."""

    PERSON = "person", _("Person")
    EQUIPMENT = "equipment", _("Equipment or environment")
    MATERIAL = "material", _("Material")
    COST = "cost", _("Cost")


#: The kinds the engine schedules as work resources (they have a calendar and max units).
WORK_KINDS = frozenset({ResourceKind.PERSON, ResourceKind.EQUIPMENT})
