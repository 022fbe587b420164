"""Forms of the status report pages: generate a report, edit its narrative, the approval setting.

The forms check the shape; every rule (rights, periods, the override only ever worse) is the service's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.reports.choices import Rag
from tandem.reports.models import ReportSettings, StatusReport
from tandem.web.forms import VersionField
from tandem.web.model_fields import model_field

NARRATIVE = forms.Textarea(attrs={"rows": 5})


class GenerateForm(forms.Form):
    """The period to report on and the report's language."""

    period_start = model_field(StatusReport, "period_start", label=_("First day"))
    period_end = model_field(StatusReport, "period_end", label=_("Last day"))
    language = model_field(StatusReport, "language", initial=None)
    item = model_field(
        StatusReport,
        "item",
        label=_("Communication plan entry"),
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
    title = model_field(StatusReport, "title")
    summary = model_field(StatusReport, "summary", widget=NARRATIVE)
    achievements = model_field(
        StatusReport, "achievements", label=_("Work completed in this period"), widget=NARRATIVE
    )
    next_steps = model_field(
        StatusReport, "next_steps", label=_("Plan for the next period"), widget=NARRATIVE
    )
    help_needed = model_field(
        StatusReport, "help_needed", label=_("Decisions needed from the client"), widget=NARRATIVE
    )
    rag_override = model_field(
        StatusReport,
        "rag_override",
        choices=[("", _("As computed from the data")), *Rag.choices],
        help_text=_("Only a worse status than computed: a report is never rosier than the data."),
    )
    rag_override_reason = model_field(
        StatusReport, "rag_override_reason", widget=forms.Textarea(attrs={"rows": 2})
    )

    def data_for_service(self) -> dict[str, Any]:
        """The keyword arguments of ``do_edit_report``."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class SettingsForm(forms.Form):
    """Whether reports need approval before they are sent."""

    version = VersionField()
    require_approval = model_field(
        ReportSettings, "require_approval", label=_("Reports need approval before they are sent")
    )
