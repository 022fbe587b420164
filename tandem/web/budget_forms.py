"""Forms of expenses and the budget: filters, an expense with its receipt, a line, the thresholds."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.costs.choices import CostCategory, ExpenseCategory, ExpenseStatus
from tandem.costs.models import BudgetLine, Expense
from tandem.costs.receipts import RECEIPT_TYPES
from tandem.planning.models import Task
from tandem.web.forms import VersionField
from tandem.web.model_fields import model_field

DATE = forms.DateInput(attrs={"type": "date"})


class ExpenseFilterForm(forms.Form):
    """Status, category and dates of the expense list."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *ExpenseStatus.choices]
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("Any category")), *ExpenseCategory.choices]
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)


def task_choices(tasks: Any) -> list[tuple[str, str]]:
    """Tasks as choices, indented under their phases."""
    return [("", "—"), *((str(t.pk), f"{t.wbs} {t.name}".strip()) for t in tasks)]


class ExpenseForm(forms.Form):
    """An expense (the internal note is the team's only) with its receipt."""

    description = model_field(Expense, "description")
    category = model_field(Expense, "category")
    day = model_field(Expense, "day", widget=DATE)
    amount = model_field(Expense, "amount")
    task = forms.ChoiceField(label=_("Task or phase"), required=False)
    billable = model_field(Expense, "billable")
    visibility = model_field(Expense, "visibility")
    internal_note = model_field(Expense, "internal_note")
    receipt = forms.FileField(
        label=_("Receipt"),
        required=False,
        help_text=_("A PDF or an image (PNG, JPEG, GIF or WebP), up to 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(RECEIPT_TYPES)}),
    )
    version = VersionField()

    def __init__(self, *args: Any, tasks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["task"]).choices = task_choices(tasks)

    def data_for_service(self) -> dict[str, Any]:
        """The cleaned values as the service's keyword arguments (the receipt apart)."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("version", "task", "receipt")}
        data["task_id"] = int(self.cleaned_data["task"]) if self.cleaned_data.get("task") else None
        return data


class RejectForm(forms.Form):
    """Why an expense is rejected."""

    reason = forms.CharField(label=_("Why it is rejected"), max_length=2000, widget=forms.TextInput)
    version = VersionField()


class BudgetLineForm(forms.Form):
    """A new budget line: a phase (or the whole project), a category and the amount."""

    phase = forms.ChoiceField(label=_("Phase"), required=False)
    category = forms.ChoiceField(label=_("Category"), choices=CostCategory.choices)
    amount = model_field(BudgetLine, "amount")
    note = model_field(BudgetLine, "note")

    def __init__(self, *args: Any, phases: list[Task], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["phase"]).choices = [
            ("", _("Whole project")),
            *((str(p.pk), f"{p.wbs} {p.name}".strip()) for p in phases),
        ]

    def data_for_service(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "phase"}
        data["phase_id"] = int(self.cleaned_data["phase"]) if self.cleaned_data.get("phase") else None
        return data


class BudgetLineEditForm(forms.Form):
    """A line's amount and note."""

    amount = model_field(BudgetLine, "amount")
    note = model_field(BudgetLine, "note")
    version = VersionField()


class ThresholdsForm(forms.Form):
    """The budget thresholds, as percents separated by commas."""

    thresholds = forms.CharField(
        label=_("Thresholds (%)"),
        max_length=100,
        help_text=_("Whole percents from 1 to 1000, separated by commas; each notifies once when crossed."),
    )

    def clean_thresholds(self) -> list[str]:
        text = self.cleaned_data["thresholds"]
        return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]
