"""Forms of satisfaction pulses: the project's settings, closing a follow-up, answering a survey."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.projects.choices import CLIENT_ROLES, Role
from tandem.pulses.choices import QuestionKind
from tandem.pulses.models import PulseSettings, Question, Survey
from tandem.web.model_fields import ModelFieldsForm


class PulseSettingsForm(ModelFieldsForm):
    """Which triggers send pulses, which survey, to whom; whether the client sees the results."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    survey = forms.TypedChoiceField(label=_("Survey"), coerce=int)
    recipient_roles = forms.MultipleChoiceField(
        label=_("Recipients"),
        choices=[(r.value, r.label) for r in Role if r.value in CLIENT_ROLES],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta(ModelFieldsForm.Meta):
        model = PulseSettings
        fields = [
            "on_milestone",
            "on_acceptance",
            "on_schedule",
            "schedule_day",
            "on_closure",
            "share_results",
            "expiry_days",
        ]

    def __init__(self, *args: Any, surveys: list[Survey], language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        survey = self.fields["survey"]
        assert isinstance(survey, forms.TypedChoiceField)
        survey.choices = [(s.pk, s.name_in(language)) for s in surveys]


class FollowUpCloseForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(forms.Form):
    """The survey's questions still to answer, and a comment."""

    def __init__(
        self, *args: Any, questions: list[Question], language: str, answered: set[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.question_fields: list[tuple[Question, str]] = []
        for question in questions:
            if question.pk in answered:
                continue
            name = f"q{question.pk}"
            label = question.text_in(language)
            bounds = question.bounds
            if bounds is not None:
                low, high = bounds
                field: forms.Field = forms.TypedChoiceField(
                    label=label,
                    choices=[(v, str(v)) for v in range(low, high + 1)],
                    coerce=int,
                    required=question.required,
                    widget=forms.RadioSelect(attrs={"class": "score-choice"}),
                )
            elif question.kind == QuestionKind.CHOICE:
                keys = [str(o.get("en", "")) for o in question.options if isinstance(o, dict)]
                field = forms.ChoiceField(
                    label=label,
                    choices=list(zip(keys, question.option_labels(language), strict=True)),
                    required=question.required,
                    widget=forms.RadioSelect,
                )
            else:
                field = forms.CharField(
                    label=label,
                    required=question.required,
                    max_length=4000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
            self.fields[name] = field
            self.question_fields.append((question, name))
        self.fields["comment"] = forms.CharField(
            label=_("Comment (optional)"),
            required=False,
            max_length=4000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
