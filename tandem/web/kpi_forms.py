"""Forms of the KPI page: a value entered by hand, and the KPI's source."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.projects import kpis
from tandem.projects.models import KpiMeasurement
from tandem.web.model_fields import model_field


class KpiValueForm(forms.Form):
    """The KPI's value on a date (a value already entered for that date is replaced)."""

    measured_on = model_field(KpiMeasurement, "measured_on")
    value = model_field(KpiMeasurement, "value")
    note = model_field(KpiMeasurement, "note", required=False)


class KpiSourceForm(forms.Form):
    """Where the KPI's values come from."""

    source = forms.ChoiceField(label=_("Measured by"), choices=())

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["source"].choices = kpis.source_choices()  # type: ignore[attr-defined]
