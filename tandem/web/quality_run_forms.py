"""Forms of test cycles and runs: a cycle, the filters of the lists, cases to add, a tester, a result."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.quality.choices import CycleKind, CycleStatus, RunResult, TestPriority
from tandem.quality.evidence import EVIDENCE_TYPES
from tandem.quality.models import TestCycle
from tandem.web.forms import ServiceForm, VersionField
from tandem.web.model_fields import model_field

DATE = forms.DateInput(attrs={"type": "date"})


class CycleForm(ServiceForm):
    """A test cycle (the kind a client PM plans is UAT only; visibility is the team's)."""

    renamed = {"deliverable": "deliverable_id"}
    members = ()

    name = model_field(TestCycle, "name")
    kind = model_field(TestCycle, "kind")
    build = model_field(TestCycle, "build")
    deliverable = forms.ChoiceField(label=_("Deliverable"), required=False)
    starts_on = model_field(TestCycle, "starts_on", widget=DATE)
    ends_on = model_field(TestCycle, "ends_on", widget=DATE)
    description = model_field(TestCycle, "description")
    visibility = model_field(TestCycle, "visibility")
    version = VersionField()

    def __init__(self, *args: Any, deliverables: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["deliverable"]).choices = [
            ("", "—"),
            *((str(d.pk), d.name) for d in deliverables),
        ]
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            (value, label) for value, label in CycleKind.choices if value in kinds
        ]


class CycleFilterForm(forms.Form):
    """Status and kind of the cycle list."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *CycleStatus.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *CycleKind.choices]
    )


class RunFilterForm(forms.Form):
    """Result, tester and priority of a cycle's runs."""

    result = forms.ChoiceField(
        label=_("Result"), required=False, choices=[("", _("Any result")), *RunResult.choices]
    )
    assignee = forms.TypedChoiceField(label=_("Tester"), required=False, coerce=int, empty_value=None)
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("Any priority")), *TestPriority.choices]
    )

    def __init__(self, *args: Any, testers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [("", _("Anyone")), *testers]


class AddCasesForm(forms.Form):
    """Cases to put into a cycle, by case and by requirement."""

    cases = forms.TypedMultipleChoiceField(label=_("Test cases"), required=False, coerce=int)
    requirements = forms.TypedMultipleChoiceField(
        label=_("All active cases of these requirements"), required=False, coerce=int
    )

    def __init__(self, *args: Any, cases: Any, requirements: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["cases"]).choices = [(c.pk, f"{c.code} {c.title}") for c in cases]
        cast(forms.ChoiceField, self.fields["requirements"]).choices = [
            (r.pk, f"{r.code} {r.title}") for r in requirements
        ]


class ResultForm(forms.Form):
    """A run's overall result and note; each step's result and note come as ``step-<n>-result/note``."""

    result = forms.ChoiceField(
        label=_("Result of the case"),
        required=False,
        choices=[("", _("As the steps say")), *RunResult.choices],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = VersionField()


class EvidenceForm(forms.Form):
    """A file of evidence for a run."""

    file = forms.FileField(
        label=_("Evidence"),
        help_text=_("A PDF, a PNG or JPEG image, or a plain text file (a log), up to 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join([*EVIDENCE_TYPES, ".log", ".txt"])}),
    )
