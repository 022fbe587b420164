"""Forms of the status report pages: generate a report, edit its narrative, the approval setting.

The forms check the shape; every rule (rights, periods, the override only ever worse) is the service's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.accounts.choices import Language
from tandem.reports.choices import Rag
from tandem.web.forms import DATE_WIDGET, VersionField

NARRATIVE = forms.Textarea(attrs={"rows": 5})


class GenerateForm(forms.Form):
    """The period to report on and the report's language."""

    period_start = forms.DateField(label=_("First day"), widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("Last day"), widget=DATE_WIDGET)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    item = forms.TypedChoiceField(
        label=_("Communication plan entry"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Sending the report then counts as this entry done."),
    )

    def __init__(self, *args: Any, items: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["item"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("None")), *[(str(pk), title) for pk, title in items or []]]

    @staticmethod
    def last_week(today: dt.date) -> dict[str, Any]:
        """The seven days ending today, as initial values."""
        return {"period_start": today - dt.timedelta(days=6), "period_end": today}


class ReportEditForm(forms.Form):
    """The narrative the author writes (Markdown) and the overall status, only ever worse than computed."""

    version = VersionField()
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), required=False, widget=NARRATIVE, max_length=20000)
    achievements = forms.CharField(
        label=_("Work completed in this period"), required=False, widget=NARRATIVE, max_length=20000
    )
    next_steps = forms.CharField(
        label=_("Plan for the next period"), required=False, widget=NARRATIVE, max_length=20000
    )
    help_needed = forms.CharField(
        label=_("Decisions needed from the client"), required=False, widget=NARRATIVE, max_length=20000
    )
    rag_override = forms.ChoiceField(
        label=_("Overall status set by the author"),
        required=False,
        choices=[("", _("As computed from the data")), *Rag.choices],
        help_text=_("Only a worse status than computed: a report is never rosier than the data."),
    )
    rag_override_reason = forms.CharField(
        label=_("Why the status is worse than computed"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def data_for_service(self) -> dict[str, Any]:
        """The keyword arguments of ``do_edit_report``."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class SettingsForm(forms.Form):
    """Whether reports need approval before they are sent."""

    version = VersionField()
    require_approval = forms.BooleanField(
        label=_("Reports need approval before they are sent"), required=False
    )
