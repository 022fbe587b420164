"""Forms of the integrations pages: a project's webhooks and one's e-mail notification preference.

``data()`` gives the keyword arguments of the matching service; the rules (URL schemes, known events,
who may manage) stay in the services and the model.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.accounts.choices import Language
from tandem.communication.choices import DeliveryStatus, WebhookEvent, WebhookKind
from tandem.communication.models import NotificationSettings, WebhookEndpoint
from tandem.web.forms import VersionField
from tandem.web.model_fields import model_field


class WebhookForm(forms.Form):
    """Add or change a webhook."""

    name = model_field(WebhookEndpoint, "name", widget=forms.TextInput(attrs={"autofocus": True}))
    kind = model_field(WebhookEndpoint, "kind", choices=WebhookKind.choices)
    # The model checks the scheme and the address; the form takes the text as typed.
    url = model_field(
        WebhookEndpoint,
        "url",
        form_class=forms.CharField,
        help_text=_("The address the platform gave when you added the bot or webhook."),
        widget=forms.URLInput(attrs={"inputmode": "url", "spellcheck": "false"}),
    )
    secret = model_field(
        WebhookEndpoint,
        "secret",
        label=_("Signing secret"),
        help_text=_(
            "DingTalk and Feishu only, when the bot signs messages; leave empty to keep the current one."
        ),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    events = model_field(
        WebhookEndpoint,
        "events",
        choices=[(e.value, e.label) for e in WebhookEvent if e != WebhookEvent.WEBHOOK_TEST],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every event."),
    )
    include_internal = model_field(
        WebhookEndpoint,
        "include_internal",
        help_text=_("Only for a chat the client does not share: internal records would reach it."),
    )
    language = model_field(
        WebhookEndpoint, "language", choices=[("", _("The project's language")), *Language.choices]
    )
    # The model's "active" reads 启用; this form has always said 进行中.
    active = model_field(WebhookEndpoint, "active", label=_("Active"))
    rotate_secret = forms.BooleanField(
        label=_("Generate a new signing secret"),
        required=False,
        help_text=_("Generic webhooks: the receiver must then use the new secret."),
    )
    version = VersionField()

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["rotate_secret"]
            del self.fields["version"]

    def data_for_service(self, *, editing: bool) -> dict[str, Any]:
        """The service's keyword arguments (an empty secret keeps the stored one when editing)."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("version", "rotate_secret")}
        if editing and not data.get("secret"):
            data.pop("secret", None)
        return data


class DeliveryFilterForm(forms.Form):
    """Filter a delivery log by status."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *DeliveryStatus.choices],
        required=False,
    )


class NotificationSettingsForm(forms.Form):
    """When one receives notifications by e-mail."""

    email = model_field(
        NotificationSettings,
        "email",
        label=_("E-mail me notifications"),
        initial=None,
        widget=forms.RadioSelect,
        help_text=_("The daily digest comes once a day from 08:00, with what you have not read yet."),
    )
