"""The workload heatmap's filters: the first week, how many weeks, person or role, a project."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.resources.workload import DEFAULT_WEEKS, MAX_WEEKS


class WorkloadFilterForm(forms.Form):
    """What the heatmap shows; checked again by the query (errors name the same fields)."""

    start = forms.DateField(
        label=_("From the week of"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    weeks = forms.IntegerField(label=_("Weeks"), required=False, min_value=1, max_value=MAX_WEEKS)
    group = forms.ChoiceField(
        label=_("Rows"),
        required=False,
        choices=[("person", _("People")), ("role", _("Roles"))],
    )
    project = forms.ChoiceField(label=_("Project"), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False)

    def __init__(
        self,
        *args: Any,
        projects: list[tuple[str, str]] | None = None,
        roles: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if projects is None:
            del self.fields["project"]
        else:
            cast(forms.ChoiceField, self.fields["project"]).choices = [
                ("", _("All projects")),
                *((code, f"{code} · {name}") for code, name in projects),
            ]
        if roles is None:
            del self.fields["role"]
        else:
            cast(forms.ChoiceField, self.fields["role"]).choices = [
                ("", _("Any role")),
                *((r, r) for r in roles),
            ]

    def window(self) -> dict[str, Any]:
        """The cleaned filters as the query's keyword arguments."""
        data = self.cleaned_data
        return {
            "start": data.get("start"),
            "weeks": data.get("weeks") or DEFAULT_WEEKS,
            "group": data.get("group") or "person",
        }
