"""Forms of acceptance requests: the request, a criterion, a reviewer's mark, a document, the signature."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.quality.acceptance import DOCUMENT_TYPES
from tandem.quality.choices import AcceptanceDecision, AcceptanceStatus, CriterionVerdict
from tandem.quality.models import AcceptanceCriterion, AcceptanceRequest, CriterionReview
from tandem.web.forms import VersionField
from tandem.web.model_fields import model_field


class AcceptanceFilterForm(forms.Form):
    """The status of the list."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *AcceptanceStatus.choices]
    )


def _choices(rows: Any, label: Any = str) -> list[tuple[str, str]]:
    return [(str(r.pk), label(r)) for r in rows]


class AcceptanceForm(forms.Form):
    """A request: what to accept, by when, who reviews, the evidence."""

    title = model_field(
        AcceptanceRequest, "title", required=False, help_text=_("Empty: the deliverable's name.")
    )
    description = model_field(AcceptanceRequest, "description", widget=forms.Textarea(attrs={"rows": 3}))
    deliverable_id = model_field(AcceptanceRequest, "deliverable_id", coerce=int, empty_value=None)
    milestone_id = model_field(AcceptanceRequest, "milestone_id", coerce=int, empty_value=None)
    due_date = model_field(AcceptanceRequest, "due_date")
    reviewer_ids = model_field(
        AcceptanceRequest, "reviewers", coerce=int, widget=forms.CheckboxSelectMultiple
    )
    test_cycle_ids = model_field(
        AcceptanceRequest, "test_cycles", coerce=int, widget=forms.CheckboxSelectMultiple
    )
    demo_meeting_id = model_field(AcceptanceRequest, "demo_meeting_id", coerce=int, empty_value=None)
    version = VersionField()

    def __init__(
        self,
        *args: Any,
        deliverables: Any,
        milestones: Any,
        members: Any,
        cycles: Any,
        meetings: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        blank = [("", "—")]
        fields = self.fields
        cast(forms.ChoiceField, fields["deliverable_id"]).choices = blank + _choices(deliverables)
        cast(forms.ChoiceField, fields["milestone_id"]).choices = blank + _choices(milestones)
        cast(forms.ChoiceField, fields["reviewer_ids"]).choices = [
            (str(m.pk), m.full_name or m.email) for m in members
        ]
        cast(forms.ChoiceField, fields["test_cycle_ids"]).choices = _choices(cycles)
        cast(forms.ChoiceField, fields["demo_meeting_id"]).choices = blank + _choices(
            meetings, lambda m: f"{m.starts_at:%Y-%m-%d} {m.title}"
        )

    def data_for_service(self) -> dict[str, Any]:
        """The cleaned values as the service takes them (without the version)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class CriterionForm(forms.Form):
    """A criterion of the team's own."""

    text = model_field(AcceptanceCriterion, "text")
    mandatory = model_field(AcceptanceCriterion, "mandatory", required=False)


class ReviewForm(forms.Form):
    """A reviewer's mark on one criterion."""

    verdict = model_field(
        CriterionReview, "verdict", widget=forms.RadioSelect, choices=CriterionVerdict.choices
    )
    comment = model_field(CriterionReview, "comment", widget=forms.TextInput)


class DocumentForm(forms.Form):
    """A document offered as evidence."""

    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(
        label=_("File"),
        help_text=_("A PDF, an image or an office file (Word, Excel, PowerPoint), up to 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(DOCUMENT_TYPES))}),
    )


class SignForm(forms.Form):
    """The signer's decision; the conditions come as rows of the page (``condition_text``…)."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=AcceptanceDecision.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("When rejecting: the reasons."),
    )
    rework = forms.ChoiceField(
        label=_("Rework when rejecting"),
        choices=[
            ("defects", _("A defect per criterion not accepted")),
            ("tasks", _("A plan task per criterion not accepted")),
        ],
        initial="defects",
        required=False,
        widget=forms.RadioSelect,
    )
    version = VersionField()
