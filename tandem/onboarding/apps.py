"""The onboarding app."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    """Guides, glossary, handbook, training material and readiness."""

    name = "tandem.onboarding"
    label = "onboarding"
    verbose_name = _("Onboarding")
