"""Forms of onboarding: a training item, and the glossary's filter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.onboarding.models import TrainingItem
from tandem.projects.choices import CLIENT_ROLES, Role
from tandem.web.forms import VersionField
from tandem.web.model_fields import model_field

CLIENT_ROLE_CHOICES = [(r.value, r.label) for r in Role if r.value in CLIENT_ROLES]


class TrainingItemForm(forms.Form):
    """A document, link or short guide for some of the client's roles (all when none is ticked)."""

    kind = model_field(TrainingItem, "kind", widget=forms.RadioSelect)
    title = model_field(TrainingItem, "title")
    body = model_field(
        TrainingItem,
        "body",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The short guide's text, or a note on the document or the link."),
    )
    url = model_field(
        TrainingItem, "url", assume_scheme="https", help_text=_("For a link: its address (https://…).")
    )
    file = forms.FileField(
        label=_("Document"),
        required=False,
        help_text=_("For a document: a PDF, an image or plain text, up to 20 MB."),
    )
    audience_roles = model_field(
        TrainingItem,
        "audience_roles",
        choices=CLIENT_ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for every client role."),
    )
    position = model_field(TrainingItem, "position", required=False)
    version = VersionField()

    def values(self) -> dict[str, Any]:
        """The item's fields as the services take them (no file, no version; no empty position)."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("file", "version")}
        if data.get("position") is None:
            data.pop("position", None)
        return data


class GlossaryFilterForm(forms.Form):
    """Filter the glossary by a word in either language."""

    q = forms.CharField(label=_("Find a term"), required=False, max_length=100)
