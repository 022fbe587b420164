"""Forms of time tracking: the weekly grid (hours per task and day), the timer, rejections, settings."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.costs.models import MINUTES_PER_DAY, CostSettings, RunningTimer
from tandem.costs.timesheets import GridRow, cell_key, row_key
from tandem.planning.models import Task

_CLOCK = re.compile(r"^(\d{1,2}):([0-5]\d)$")


def parse_hours(text: str) -> int:
    """Minutes from hours typed as ``1.5``, ``1,5`` or ``1:30`` ("" is none); ValueError otherwise."""
    text = (text or "").strip()
    if not text:
        return 0
    clock = _CLOCK.match(text)
    if clock:
        return int(clock.group(1)) * 60 + int(clock.group(2))
    try:
        hours = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(text) from None
    if not hours.is_finite() or hours < 0:
        raise ValueError(text)
    return int((hours * 60).quantize(Decimal(1)))


def format_hours(minutes: int) -> str:
    """Minutes as the grid shows them: ``2``, ``1.5`` or ``1:20`` (read back to the same minutes)."""
    if not minutes:
        return ""
    if minutes % 6 == 0:
        return f"{Decimal(minutes) / 60:f}".rstrip("0").rstrip(".")
    return f"{minutes // 60}:{minutes % 60:02d}"


class WeekGridForm(forms.Form):
    """One week of the person's time: a row per task, a cell per day, billable and a note per row."""

    rows = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        tasks: Iterable[Task],
        days: list[dt.date],
        initial_rows: Mapping[int, dict[str, Any]],
        disabled: bool = False,
    ) -> None:
        self.tasks = list(tasks)
        self.days = days
        initial: dict[str, Any] = {"rows": ",".join(str(t.pk) for t in self.tasks)}
        super().__init__(data, initial=initial)
        for task in self.tasks:
            row = initial_rows.get(task.pk, {})
            for day in days:
                key = cell_key(task.pk, day)
                label = f"{task.name} · {day.isoformat()}"
                self.fields[key] = forms.CharField(
                    required=False,
                    max_length=8,
                    label=label,
                    disabled=disabled,
                    widget=forms.TextInput(
                        attrs={"inputmode": "decimal", "size": 4, "class": "hours", "aria-label": label}
                    ),
                )
                self.initial[key] = format_hours(row.get("minutes", {}).get(day, 0))
            self.fields[f"billable_{task.pk}"] = forms.BooleanField(
                required=False, label=_("Billable"), disabled=disabled
            )
            self.initial[f"billable_{task.pk}"] = row.get("billable", True)
            self.fields[f"note_{task.pk}"] = forms.CharField(
                required=False, max_length=500, label=_("Note"), disabled=disabled
            )
            self.initial[f"note_{task.pk}"] = row.get("note", "")
            self.fields[row_key(task.pk)] = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        """Every cell's hours as minutes within a day; each cell at fault keeps its own error."""
        cleaned = super().clean() or {}
        for task in self.tasks:
            for day in self.days:
                key = cell_key(task.pk, day)
                if key not in cleaned:
                    continue
                try:
                    minutes = parse_hours(cleaned[key])
                except ValueError:
                    self.add_error(key, _("Type hours as 1.5 or 1:30."))
                    continue
                if minutes > MINUTES_PER_DAY:
                    self.add_error(key, _("A day has at most 24 hours."))
                    continue
                cleaned[key] = minutes
        return cleaned

    def grid_rows(self) -> list[GridRow]:
        """The rows for ``do_save_week``."""
        data = self.cleaned_data
        return [
            GridRow(
                task_id=task.pk,
                minutes={day: data.get(cell_key(task.pk, day)) or 0 for day in self.days},
                billable=bool(data.get(f"billable_{task.pk}")),
                note=data.get(f"note_{task.pk}") or "",
            )
            for task in self.tasks
        ]


class TimerStartForm(forms.ModelForm[RunningTimer]):
    """Start the timer on a task of the project."""

    task = forms.ModelChoiceField(queryset=Task.objects.none(), label=gettext_lazy("Task"))

    class Meta:
        model = RunningTimer
        fields = ["note", "billable"]

    def __init__(self, *args: Any, tasks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = tasks  # type: ignore[attr-defined]
        self.order_fields(["task", "note", "billable"])


class RejectForm(forms.Form):
    """Why a week goes back to its person."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    reason = forms.CharField(label=gettext_lazy("Why"), max_length=2000, widget=forms.TextInput)


class SheetStepForm(forms.Form):
    """A step of a week's approval, based on the version read."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class CostSettingsForm(forms.ModelForm[CostSettings]):
    """How the project tracks time (the PM)."""

    class Meta:
        model = CostSettings
        fields = ["client_approves_time", "actuals_from_time", "locked_until"]
        widgets = {"locked_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
