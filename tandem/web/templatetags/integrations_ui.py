"""Template helpers of integrations: who sees the Integrations tab, the e-mail preference form."""

from __future__ import annotations

from typing import Any

from django import template

from tandem.communication import emails, permissions
from tandem.web.integrations_forms import NotificationSettingsForm

register = template.Library()


@register.filter
def manages_integrations(scope: Any) -> bool:
    """Whether the scope's user manages the project's integrations (never in the client preview)."""
    return not scope.preview and permissions.can_manage_integrations(scope.user, scope.project)


@register.simple_tag
def notification_settings_form(user: Any) -> NotificationSettingsForm:
    """The e-mail preference form, filled with the user's current choice."""
    return NotificationSettingsForm(initial={"email": emails.email_mode(user)})
