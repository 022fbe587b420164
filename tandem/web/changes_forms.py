"""Forms of the change-request pages: propose or edit a request, a sandbox edit, a decision."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.changes.choices import EditKind, Outcome
from tandem.changes.models import ChangeRequest, Decision, SandboxEdit
from tandem.planning.choices import TaskKind
from tandem.planning.models import Dependency, Task
from tandem.resources.models import Assignment
from tandem.web.model_fields import DATE_WIDGET, model_field


class ChangeForm(forms.Form):
    """What and why, urgency, dates and affected tasks of a change request."""

    title = model_field(ChangeRequest, "title")
    description = model_field(ChangeRequest, "description", widget=forms.Textarea(attrs={"rows": 5}))
    urgency = model_field(ChangeRequest, "urgency")
    requested_decision_date = model_field(ChangeRequest, "requested_decision_date")
    decision_due_date = model_field(ChangeRequest, "decision_due_date")
    affected_task_ids = model_field(
        ChangeRequest, "affected_tasks", coerce=int, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    visibility = model_field(ChangeRequest, "visibility")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, tasks: list[tuple[int, str]], team: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["affected_task_ids"].choices = tasks  # type: ignore[attr-defined]
        if not team:
            del self.fields["visibility"]


class EditForm(forms.Form):
    """One plan edit of the sandbox; which fields count depends on the kind."""

    kind = forms.ChoiceField(label=_("Edit"), choices=EditKind.choices)
    name = model_field(Task, "name", label=_("New task name"), required=False)
    task_kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(TaskKind.TASK, TaskKind.TASK.label), (TaskKind.MILESTONE, TaskKind.MILESTONE.label)],
        required=False,
    )
    task_id = forms.TypedChoiceField(label=_("Task"), coerce=int, required=False, empty_value=None)
    duration_days = forms.DecimalField(
        label=_("Duration (working days)"), min_value=0, max_value=20000, decimal_places=2, required=False
    )
    start = forms.DateField(label=_("Start no earlier than"), required=False, widget=DATE_WIDGET)
    predecessor = forms.ChoiceField(label=_("Predecessor"), required=False)
    successor = forms.ChoiceField(label=_("Successor"), required=False)
    type = model_field(Dependency, "type", label=_("Link type"), required=False)
    dependency_id = forms.TypedChoiceField(label=_("Link"), coerce=int, required=False, empty_value=None)
    visibility = model_field(SandboxEdit, "visibility", required=False)
    assign_resource = forms.TypedChoiceField(
        label=_("Assign a resource"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("For a new task: who works on it; the plan's rates then price it."),
    )
    assign_units = model_field(Assignment, "units", required=False)
    effort_days = forms.DecimalField(
        label=_("Added effort (working days)"),
        decimal_places=2,
        max_digits=9,
        required=False,
        help_text=_("Leave empty to count the duration the edit adds."),
    )
    cost = model_field(
        SandboxEdit,
        "cost",
        label=_("Added cost"),
        help_text=_("Leave empty to price the effort at the project's day rate."),
    )

    def __init__(
        self,
        *args: Any,
        tasks: list[tuple[int, str]],
        refs: list[tuple[str, str]],
        links: list[tuple[int, str]],
        resources: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        blank = [("", "—")]
        if resources:
            self.fields["assign_resource"].choices = blank + resources  # type: ignore[attr-defined]
        else:
            del self.fields["assign_resource"], self.fields["assign_units"]
        self.fields["task_id"].choices = blank + tasks  # type: ignore[attr-defined]
        self.fields["predecessor"].choices = blank + refs  # type: ignore[attr-defined]
        self.fields["successor"].choices = blank + refs  # type: ignore[attr-defined]
        self.fields["dependency_id"].choices = blank + links  # type: ignore[attr-defined]

    def payload(self) -> dict[str, Any]:
        """The edit's details for the service, from the fields its kind uses."""
        data = self.cleaned_data
        kind = data["kind"]
        minutes = None if data.get("duration_days") is None else int(data["duration_days"] * 480)
        if kind == EditKind.ADD_TASK:
            out: dict[str, Any] = {
                "name": data.get("name") or "",
                "kind": data.get("task_kind") or TaskKind.TASK,
                "duration_minutes": minutes or 0,
            }
            if data.get("visibility"):
                out["visibility"] = data["visibility"]
            if data.get("assign_resource") is not None:
                units = data.get("assign_units")
                out["assignments"] = [
                    {"resource": data["assign_resource"], "units": 100 if units is None else units}
                ]
            return out
        if kind == EditKind.REMOVE_TASK:
            return {"task_id": data.get("task_id")}
        if kind == EditKind.CHANGE_TASK:
            out = {"task_id": data.get("task_id")}
            if minutes is not None:
                out["duration_minutes"] = minutes
            if data.get("start"):
                out["start"] = data["start"].isoformat()
            return out
        if kind == EditKind.ADD_LINK:
            return {
                "predecessor": data.get("predecessor") or None,
                "successor": data.get("successor") or None,
                "type": data.get("type") or "FS",
            }
        return {"dependency_id": data.get("dependency_id")}

    #: Service field names shown on another form field.
    FIELD_NAMES = {
        "duration_minutes": "duration_days",
        "effort_minutes": "effort_days",
        "assignments": "assign_resource",
    }


class DecisionForm(forms.Form):
    """An approver's decision with a comment."""

    outcome = model_field(Decision, "outcome", choices=Outcome.choices, widget=forms.RadioSelect)
    comment = model_field(Decision, "comment", widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(forms.Form):
    """A step that only needs the version read (submit, withdraw)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
