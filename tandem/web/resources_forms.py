"""Forms of the resource pool: a resource, its leave and its rates (the rate form is the team's only)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import Organization, User
from tandem.resources.models import Assignment, Rate, Resource, ResourceException
from tandem.web.forms import VersionField
from tandem.web.model_fields import model_field

DATE = forms.DateInput(attrs={"type": "date"})


class ResourceFilterForm(forms.Form):
    """Search and role filter of a pool."""

    search = forms.CharField(label=_("Search"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Role"), required=False)

    def __init__(self, *args: Any, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [("", _("Any role")), *((r, r) for r in roles)]


class ResourceForm(forms.Form):
    """A resource of an organization's pool; the cost field only for the team's keepers."""

    name = model_field(Resource, "name")
    kind = model_field(Resource, "kind")
    user = forms.ChoiceField(
        label=_("Account"), required=False, help_text=Resource._meta.get_field("user").help_text
    )
    role = model_field(Resource, "role")
    skills = forms.CharField(
        label=_("Skills"), required=False, max_length=1000, help_text=_("Separate the skills with commas.")
    )
    max_units = model_field(Resource, "max_units")
    material_label = model_field(Resource, "material_label")
    calendar_base = model_field(Resource, "calendar_base")
    cost_per_use = model_field(Resource, "cost_per_use")
    active = model_field(Resource, "active")
    version = VersionField()

    def __init__(self, *args: Any, organization: Organization, costs: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = User.objects.filter(organization=organization, is_active=True).order_by("full_name")
        cast(forms.ChoiceField, self.fields["user"]).choices = [
            ("", "—"),
            *((str(p.pk), str(p)) for p in people),
        ]
        if not costs:
            del self.fields["cost_per_use"]

    def data_for_service(self) -> dict[str, Any]:
        """The cleaned values as the service's keyword arguments."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("version", "user")}
        data["user_id"] = int(self.cleaned_data["user"]) if self.cleaned_data.get("user") else None
        return data


class LeaveForm(forms.Form):
    """Days a resource does not work."""

    start = model_field(ResourceException, "start", widget=DATE)
    end = model_field(ResourceException, "end", widget=DATE)
    note = model_field(ResourceException, "note")


class RateForm(forms.Form):
    """A new internal rate from a date on."""

    effective_from = model_field(Rate, "effective_from", widget=DATE)
    standard_rate = model_field(Rate, "standard_rate")
    overtime_rate = model_field(Rate, "overtime_rate")
    currency = model_field(Rate, "currency", required=False, initial="")


class AssignmentUnitsForm(forms.Form):
    """The units of one assignment of the task being edited (a form per row, prefixed ``assignment-<id>``)."""

    units = model_field(Assignment, "units")
    version = VersionField()

    @classmethod
    def for_assignment(cls, assignment: Assignment, data: Any = None) -> AssignmentUnitsForm:
        """The row's form of ``assignment``, bound to ``data`` when given, else showing its values."""
        initial = {"units": assignment.units, "version": assignment.version}
        return cls(data, prefix=f"assignment-{assignment.pk}", initial=initial)


class AssignmentForm(forms.Form):
    """A resource assigned to the task being edited (fields named ``assign-*``); work follows the units."""

    prefix = "assign"

    resource = forms.ChoiceField(label=_("Resource"))
    units = model_field(Assignment, "units")

    def __init__(self, *args: Any, resources: list[Resource], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["resource"]).choices = [("", _("— choose —"))] + [
            (str(r.pk), f"{r.name} · {r.organization.name}" + (f" · {r.role}" if r.role else ""))
            for r in resources
        ]
