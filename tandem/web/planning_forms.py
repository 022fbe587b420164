"""Web forms of the plan: a task, a predecessor link, a baseline. They parse; the services decide.

Durations, estimates and lags are entered in working days and handed to the services in working
minutes, as the API takes them (one working day is 480 minutes, MS Project's default).
Dates and times are the project's local time, without an offset; the services place them in the
project's time zone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.planning.models import Baseline, Dependency, Task
from tandem.web.forms import VISIBILITY_HELP, VersionField
from tandem.web.model_fields import model_field

#: Working minutes in a working day, as the API, the MSPDI export and the demo count them.
MINUTES_PER_DAY = 480
#: The longest duration or lag accepted, in days (the API's bound: 10,000,000 minutes).
MAX_DAYS = Decimal(20_000)
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"

#: Service fields of the task form (the form's ``*_days`` fields become ``*_minutes``).
DAY_FIELDS = {
    "duration_days": "duration_minutes",
    "optimistic_days": "optimistic_minutes",
    "most_likely_days": "most_likely_minutes",
    "pessimistic_days": "pessimistic_minutes",
}
ID_FIELDS = {"parent": "parent_id", "owner": "owner_id", "deliverable": "deliverable_id"}
#: What a task's owner may report without the right to edit the plan.
PROGRESS_ONLY = ("status", "percent_complete", "actual_start", "actual_finish")


def to_minutes(days: Decimal | None) -> int | None:
    """Working days as working minutes, rounded to the minute."""
    return None if days is None else int((days * MINUTES_PER_DAY).to_integral_value())


def to_days(minutes: int | None) -> Decimal | None:
    """Working minutes as working days, to two decimals, without trailing zeros."""
    if minutes is None:
        return None
    value = (Decimal(minutes) / MINUTES_PER_DAY).quantize(Decimal("0.01"))
    return value.to_integral_value() if value == value.to_integral_value() else value.normalize()


class LocalDateTimeField(forms.DateTimeField):
    """A date and time as typed: naive, meaning the project's local time."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)

    def to_python(self, value: Any) -> dt.datetime | None:
        result = super().to_python(value)
        if result is not None and timezone.is_aware(result):
            result = timezone.make_naive(result)
        return result


def _days_field(label: Any, *, required: bool = False, signed: bool = False, help_text: Any = "") -> Any:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=-MAX_DAYS if signed else Decimal(0),
        max_value=MAX_DAYS,
        max_digits=8,
        decimal_places=2,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.25"}),
    )


class TaskForm(forms.Form):
    """A phase, work package, task or milestone of the plan."""

    name = model_field(Task, "name", widget=forms.TextInput(attrs={"autofocus": True}))
    kind = model_field(Task, "kind")
    parent = model_field(Task, "parent", label=_("Part of"), coerce=int, empty_value=None)
    owner = model_field(Task, "owner", coerce=int, empty_value=None)
    duration_days = _days_field(
        _("Duration (working days)"),
        help_text=_("A milestone has no duration. Summary tasks take theirs from their subtasks."),
    )
    constraint_type = model_field(Task, "constraint_type")
    constraint_date = model_field(
        Task,
        "constraint_date",
        form_class=LocalDateTimeField,
        help_text=_("Needed by every constraint except ASAP and ALAP."),
    )
    # The model's "deadline" reads 期限; the task form has always said 截止日期.
    deadline = model_field(Task, "deadline", form_class=LocalDateTimeField, label=_("Deadline"))
    optimistic_days = _days_field(_("Optimistic estimate (days)"))
    most_likely_days = _days_field(_("Most likely estimate (days)"))
    pessimistic_days = _days_field(_("Pessimistic estimate (days)"))
    status = model_field(Task, "status")
    percent_complete = model_field(Task, "percent_complete")
    actual_start = model_field(Task, "actual_start", form_class=LocalDateTimeField)
    actual_finish = model_field(Task, "actual_finish", form_class=LocalDateTimeField)
    manual = model_field(
        Task, "manual", help_text=_("The schedule keeps the start you enter instead of computing it.")
    )
    start = model_field(
        Task, "start", form_class=LocalDateTimeField, label=_("Start (manually scheduled tasks)")
    )
    visibility = model_field(Task, "visibility", help_text=VISIBILITY_HELP)
    deliverable = model_field(Task, "deliverable", coerce=int, empty_value=None)
    version = VersionField()

    def __init__(
        self,
        *args: Any,
        parents: list[Task] | None = None,
        members: list[tuple[int, str]] | None = None,
        deliverables: list[tuple[int, str]] | None = None,
        team: bool = True,
        progress_only: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        none = [("", _("— none —"))]
        self.fields["parent"].choices = none + [  # type: ignore[attr-defined]
            (t.pk, f"{getattr(t, 'shown_wbs', t.wbs)} {t.name}".strip()) for t in parents or []
        ]
        self.fields["owner"].choices = none + list(members or [])  # type: ignore[attr-defined]
        self.fields["deliverable"].choices = none + list(deliverables or [])  # type: ignore[attr-defined]
        if not team:
            # The client's tasks are always shared; the service enforces it.
            del self.fields["visibility"]
        if progress_only:
            for name in list(self.fields):
                if name not in (*PROGRESS_ONLY, "version"):
                    del self.fields[name]
            self.fields["status"].widget.attrs["autofocus"] = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        o, m, p = (data.get(f) for f in ("optimistic_days", "most_likely_days", "pessimistic_days"))
        if o is not None and m is not None and o > m:
            self.add_error("optimistic_days", _("The optimistic estimate cannot exceed the most likely one."))
        if m is not None and p is not None and m > p:
            self.add_error(
                "pessimistic_days", _("The pessimistic estimate cannot be below the most likely one.")
            )
        return data

    def task_data(self) -> dict[str, Any]:
        """The cleaned values as the service takes them (minutes, ``*_id``; without the version)."""
        out: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if name == "version":
                continue
            if name in DAY_FIELDS:
                out[DAY_FIELDS[name]] = to_minutes(value)
            elif name in ID_FIELDS:
                out[ID_FIELDS[name]] = value
            else:
                out[name] = value
        if "duration_minutes" in out and out["duration_minutes"] is None:
            out["duration_minutes"] = 0
        if "manual" in out and not out["manual"]:
            out.pop("start", None)  # the schedule computes it
        return out

    @staticmethod
    def initial_for(task: Task, zone: Any) -> dict[str, Any]:
        """The form's values for an existing task (dates in the project's local time)."""

        def local(value: dt.datetime | None) -> dt.datetime | None:
            return None if value is None else value.astimezone(zone).replace(tzinfo=None)

        return {
            "name": task.name,
            "kind": task.kind,
            "parent": task.parent_id,
            "owner": task.owner_id,
            "duration_days": to_days(task.duration_minutes),
            "constraint_type": task.constraint_type,
            "constraint_date": local(task.constraint_date),
            "deadline": local(task.deadline),
            "optimistic_days": to_days(task.optimistic_minutes),
            "most_likely_days": to_days(task.most_likely_minutes),
            "pessimistic_days": to_days(task.pessimistic_minutes),
            "status": task.status,
            "percent_complete": task.percent_complete,
            "actual_start": local(task.actual_start),
            "actual_finish": local(task.actual_finish),
            "manual": task.manual,
            "start": local(task.start),
            "visibility": task.visibility,
            "deliverable": task.deliverable_id,
            "version": task.version,
        }


class LinkEditForm(forms.Form):
    """A link's type and lag, changed in place (one form per link row, prefixed ``link-<id>``)."""

    type = model_field(Dependency, "type", label=_("Link type"))
    lag_days = _days_field(
        _("Lag (working days)"), signed=True, help_text=_("Negative for a lead: the successor may overlap.")
    )

    @classmethod
    def for_link(cls, link: Dependency, data: Any = None) -> LinkEditForm:
        """The row's form of ``link``, bound to ``data`` when given, else showing the link's values."""
        initial = {"type": link.type, "lag_days": to_days(link.lag_minutes)}
        return cls(data, prefix=f"link-{link.pk}", initial=initial)

    def link_changes(self) -> dict[str, Any]:
        """The cleaned type and lag as the service takes them."""
        return {
            "type": self.cleaned_data["type"],
            "lag_minutes": to_minutes(self.cleaned_data.get("lag_days")) or 0,
        }


class LinkForm(LinkEditForm):
    """A predecessor of the task being edited (its fields named ``link-*`` beside the task form's)."""

    prefix = "link"
    field_order = ("predecessor", "type", "lag_days")

    # The model's "predecessor" reads 紧前任务; the link form has always said 前置任务.
    predecessor = model_field(Dependency, "predecessor", label=_("Predecessor"), coerce=int)

    def __init__(self, *args: Any, tasks: list[Task] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["predecessor"].choices = [("", _("— choose —"))] + [  # type: ignore[attr-defined]
            (t.pk, f"{getattr(t, 'shown_wbs', t.wbs)} {t.name}".strip()) for t in tasks or []
        ]

    def link_data(self) -> dict[str, Any]:
        """The cleaned values as the service takes them."""
        return {"predecessor_id": self.cleaned_data["predecessor"], **self.link_changes()}


class BaselineForm(forms.Form):
    """Save the plan's current dates under a name, with the reason."""

    name = model_field(Baseline, "name", widget=forms.TextInput(attrs={"autofocus": True}))
    reason = model_field(
        Baseline,
        "reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the plan is saved now, e.g. the change request that moved it."),
    )
