"""The status date picker of the earned value page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.web.model_fields import DATE_WIDGET


class AsOfForm(forms.Form):
    """The date the figures are measured at (today when empty)."""

    as_of = forms.DateField(label=_("Status date"), required=False, widget=DATE_WIDGET)
