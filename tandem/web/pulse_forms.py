"""Forms of satisfaction pulses: the project's settings, closing a follow-up, answering a survey."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.projects.choices import CLIENT_ROLES, Role
from tandem.pulses.choices import QuestionKind, SurveyKind
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


#: How many custom questions the new-survey form offers.
CUSTOM_QUESTIONS = 4


class SurveyForm(forms.Form):
    """A new survey: a standard CSAT or NPS survey, or up to four custom questions."""

    kind = forms.ChoiceField(label=_("Kind"), choices=SurveyKind.choices)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, CUSTOM_QUESTIONS + 1):
            self.fields[f"q{n}_kind"] = forms.ChoiceField(
                label=_("Question %(n)s: kind") % {"n": n},
                choices=[("", "—"), *QuestionKind.choices],
                required=False,
            )
            self.fields[f"q{n}_text_en"] = forms.CharField(
                label=_("Question %(n)s (English)") % {"n": n}, max_length=300, required=False
            )
            self.fields[f"q{n}_text_zh"] = forms.CharField(
                label=_("Question %(n)s (Chinese)") % {"n": n}, max_length=300, required=False
            )
            self.fields[f"q{n}_options"] = forms.CharField(
                label=_("Question %(n)s: options, one a line (English | 中文)") % {"n": n},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        questions: list[dict[str, Any]] = []
        for n in range(1, CUSTOM_QUESTIONS + 1):
            kind = data.get(f"q{n}_kind")
            text = (data.get(f"q{n}_text_en") or "").strip()
            if not kind and not text:
                continue
            if not kind:
                self.add_error(f"q{n}_kind", _("Choose how the question is answered."))
                continue
            if not text:
                self.add_error(f"q{n}_text_en", _("Write the question."))
                continue
            row: dict[str, Any] = {
                "kind": kind,
                "text_en": text,
                "text_zh": (data.get(f"q{n}_text_zh") or "").strip(),
                "required": n == 1,
            }
            if kind == QuestionKind.CHOICE:
                options = []
                for line in (data.get(f"q{n}_options") or "").splitlines():
                    en, _sep, zh = line.partition("|")
                    if en.strip():
                        options.append({"en": en.strip()[:200], "zh": zh.strip()[:200]})
                if len(options) < 2:
                    self.add_error(f"q{n}_options", _("Give at least two options."))
                    continue
                row["options"] = options
            questions.append(row)
        if data.get("kind") == SurveyKind.CUSTOM and not questions and not self.errors:
            self.add_error("q1_kind", _("A custom survey needs at least one question."))
        data["questions"] = questions
        return data
