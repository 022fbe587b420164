"""Forms of the integrations pages: a project's webhooks and one's e-mail notification preference.

``data()`` gives the keyword arguments of the matching service; the rules (URL schemes, known events,
who may manage) stay in the services and the model.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.accounts.choices import Language
from tandem.communication.choices import DeliveryStatus, EmailMode, WebhookEvent, WebhookKind
from tandem.web.forms import VersionField


class WebhookForm(forms.Form):
    """Add or change a webhook."""

    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(attrs={"autofocus": True}))
    kind = forms.ChoiceField(label=_("Platform"), choices=WebhookKind.choices)
    url = forms.CharField(
        label=_("Webhook URL"),
        max_length=1000,
        help_text=_("The address the platform gave when you added the bot or webhook."),
        widget=forms.URLInput(attrs={"inputmode": "url", "spellcheck": "false"}),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        max_length=200,
        required=False,
        help_text=_(
            "DingTalk and Feishu only, when the bot signs messages; leave empty to keep the current one."
        ),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(e.value, e.label) for e in WebhookEvent if e != WebhookEvent.WEBHOOK_TEST],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every event."),
    )
    include_internal = forms.BooleanField(
        label=_("Include internal events"),
        required=False,
        help_text=_("Only for a chat the client does not share: internal records would reach it."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("The project's language")), *Language.choices],
        required=False,
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
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

    email = forms.ChoiceField(
        label=_("E-mail me notifications"),
        choices=EmailMode.choices,
        widget=forms.RadioSelect,
        help_text=_("The daily digest comes once a day from 08:00, with what you have not read yet."),
    )
