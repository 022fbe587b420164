"""Forms of defects: the list's filters and the defect form (a client's without visibility or triage)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.quality.choices import DefectPriority, DefectSeverity, DefectStatus
from tandem.quality.models import Defect
from tandem.web.forms import VersionField
from tandem.web.model_fields import model_field

#: The defect form's choice fields and the service's id fields they fill.
LINKS = {
    "test_case": "test_case_id",
    "requirement": "requirement_id",
    "task": "task_id",
    "deliverable": "deliverable_id",
    "assignee": "assignee_id",
}


def _choices(rows: Any, label: Any) -> list[tuple[str, str]]:
    return [("", "—"), *((str(r.pk), label(r)) for r in rows)]


class DefectFilterForm(forms.Form):
    """Search and filters of the defect list."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *DefectStatus.choices]
    )
    open = forms.BooleanField(label=_("Open only"), required=False)
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", _("Any severity")), *DefectSeverity.choices]
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("Any priority")), *DefectPriority.choices]
    )
    assignee = forms.TypedChoiceField(label=_("Assignee"), required=False, coerce=int, empty_value=None)
    requirement = forms.TypedChoiceField(label=_("Requirement"), required=False, coerce=int, empty_value=None)
    deliverable = forms.TypedChoiceField(label=_("Deliverable"), required=False, coerce=int, empty_value=None)
    cycle = forms.TypedChoiceField(label=_("In test cycle"), required=False, coerce=int, empty_value=None)
    mine = forms.BooleanField(label=_("Reported by me"), required=False)

    def __init__(self, *args: Any, options: dict[str, list[tuple[str, str]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in options.items():
            cast(forms.ChoiceField, self.fields[name]).choices = choices


class DefectForm(forms.Form):
    """A defect: what the reporter files, and for the team's triage the assignee and the triage note.

    ``fields`` names the service fields the user may set; the others are left out of the form.
    """

    title = model_field(Defect, "title")
    description = model_field(Defect, "description", widget=forms.Textarea(attrs={"rows": 4}))
    steps_to_reproduce = model_field(Defect, "steps_to_reproduce", widget=forms.Textarea(attrs={"rows": 4}))
    severity = model_field(Defect, "severity")
    priority = model_field(Defect, "priority")
    visibility = model_field(Defect, "visibility")
    test_case = model_field(Defect, "test_case")
    requirement = model_field(Defect, "requirement")
    task = model_field(Defect, "task")
    deliverable = model_field(Defect, "deliverable")
    assignee = model_field(Defect, "assignee")
    internal_note = model_field(Defect, "internal_note", widget=forms.Textarea(attrs={"rows": 3}))
    version = VersionField()

    def __init__(
        self, *args: Any, fields: tuple[str, ...], options: dict[str, list[tuple[str, str]]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        allowed = {f.removesuffix("_id") for f in fields} | {"version"}
        for name in list(self.fields):
            if name not in allowed:
                del self.fields[name]
        for name, choices in options.items():
            if name in self.fields:
                cast(forms.ChoiceField, self.fields[name]).choices = choices

    def data_for_service(self) -> dict[str, Any]:
        """The cleaned values as the service's fields (ids for the links)."""
        data: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if name == "version":
                continue
            if name in LINKS:
                data[LINKS[name]] = int(value) if value else None
            else:
                data[name] = value
        return data


class MoveForm(forms.Form):
    """A move along the workflow, with the reason when a new defect is closed."""

    to = forms.ChoiceField(label=_("Move to"), choices=DefectStatus.choices)
    resolution = model_field(Defect, "resolution", required=False)
    version = VersionField()


def link_options(rows: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """Choices of the linked records the reader sees, by form field."""
    labels = {
        "test_case": lambda r: f"{r.code} {r.title}",
        "requirement": lambda r: f"{r.code} {r.title}",
        "task": lambda r: r.name,
        "deliverable": lambda r: r.name,
        "assignee": lambda r: r.full_name or r.email,
        "cycle": lambda r: r.name,
    }
    return {name: _choices(found, labels[name]) for name, found in rows.items()}
