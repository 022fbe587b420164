"""Forms of test cases and quality standards: a case (its steps as text), the list's filters, an import,
a standard, a check."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tandem.quality.cases import parse_steps
from tandem.quality.choices import TestPriority
from tandem.quality.models import QualityCheck, QualityStandard, TestCase
from tandem.web.forms import VersionField
from tandem.web.model_fields import model_field

STEPS_HELP = _(
    "One step per line: the action, then “=>” and the expected result "
    "(e.g. “Open the order => The order shows”). Numbering such as “1.” is optional."
)


class CaseForm(forms.Form):
    """A test case; the steps are one line each, ``action => expected``."""

    title = model_field(TestCase, "title")
    preconditions = model_field(TestCase, "preconditions", widget=forms.Textarea(attrs={"rows": 2}))
    steps = model_field(
        TestCase,
        "steps",
        form_class=forms.CharField,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=STEPS_HELP,
    )
    expected_result = model_field(TestCase, "expected_result", widget=forms.Textarea(attrs={"rows": 2}))
    priority = model_field(TestCase, "priority")
    requirements = model_field(TestCase, "requirements", widget=forms.SelectMultiple(attrs={"size": 6}))
    visibility = model_field(TestCase, "visibility")
    version = VersionField()

    def __init__(self, *args: Any, requirements: Any, team: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["requirements"]).choices = [
            (str(r.pk), f"{r.code} {r.title}") for r in requirements
        ]
        if not team:  # a client's case is always shared
            del self.fields["visibility"]

    def clean_steps(self) -> list[dict[str, str]]:
        """The steps read from the text (an error names the line at fault)."""
        try:
            return parse_steps(self.cleaned_data.get("steps") or "")
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    def data_for_service(self) -> dict[str, Any]:
        """The cleaned values as the service's keyword arguments."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        data["requirements"] = [int(pk) for pk in data.get("requirements") or []]
        return data


class CaseFilterForm(forms.Form):
    """Search and filters of the test case list."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("Any priority")), *TestPriority.choices]
    )
    requirement = forms.ChoiceField(label=_("Requirement"), required=False)
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Active and retired")), ("true", _("Active")), ("false", _("Retired"))],
    )

    def __init__(self, *args: Any, requirements: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["requirement"]).choices = [
            ("", _("Any requirement")),
            *((str(r.pk), f"{r.code} {r.title}") for r in requirements),
        ]


class CaseImportForm(forms.Form):
    """A CSV or Excel file of test cases."""

    file = forms.FileField(
        label=_("Test case file (CSV or Excel)"),
        help_text=_(
            "The first row names the columns: title (required), preconditions, steps, expected result, "
            "priority, requirements, visibility — in English or Chinese. Steps one per line, "
            "“action => expected”."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class StandardForm(forms.Form):
    """A quality standard."""

    title = model_field(QualityStandard, "title")
    description = model_field(QualityStandard, "description", widget=forms.Textarea(attrs={"rows": 2}))
    visibility = model_field(QualityStandard, "visibility")


class CheckForm(forms.Form):
    """A check of a deliverable or a phase (``target``: ``deliverable:3``, ``phase:7``) against a standard."""

    standard = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    target = forms.CharField(widget=forms.HiddenInput, max_length=40)
    result = model_field(QualityCheck, "result")
    note = model_field(QualityCheck, "note", required=False)

    def clean_target(self) -> dict[str, int]:
        """The target as the service's ``deliverable_id`` or ``phase_id``."""
        kind, _sep, pk = self.cleaned_data["target"].partition(":")
        if kind not in ("deliverable", "phase") or not pk.isdigit():
            raise ValidationError(_("Choose a deliverable or a phase."))
        return {f"{kind}_id": int(pk)}
