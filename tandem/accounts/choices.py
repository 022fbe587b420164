"""Enumerations of the accounts app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    """Whether an organization delivers projects or commissions them."""

    VENDOR = "vendor", _("Vendor")
    CLIENT = "client", _("Client")


class Language(models.TextChoices):
    """The languages Tandem speaks."""

    ENGLISH = "en", "English"
    CHINESE = "zh-hans", "简体中文"
