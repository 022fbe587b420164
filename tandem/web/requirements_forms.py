"""Forms of the requirements pages: filters, the requirement, a client's request, status, intake."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.requirements.choices import Priority, RequirementStatus, Source
from tandem.requirements.imports import MAX_BYTES
from tandem.requirements.models import Requirement, RequirementConfirmation, RequirementVersion, TraceLink
from tandem.web.forms import VISIBILITY_HELP, VersionField
from tandem.web.model_fields import model_field

SORTS = (
    ("rank", _("Priority order")),
    ("priority", _("Priority")),
    ("code", _("Code")),
    ("status", _("Status")),
    ("-updated", _("Recently changed")),
)
CRITERIA_HELP = _("One criterion per line, in order.")


def _blank(choices: Any, label: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class RequirementFilterForm(forms.Form):
    """Search, filters and order of the backlog."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(RequirementStatus.choices, _("All"))
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=_blank(Priority.choices, _("All"))
    )
    source = forms.ChoiceField(label=_("Source"), required=False, choices=_blank(Source.choices, _("All")))
    awaiting = forms.BooleanField(label=_("Awaiting confirmation"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS)


class RequirementForm(forms.Form):
    """A requirement as the team writes it; on edit, the version read and why it changed."""

    title = model_field(Requirement, "title")
    background = model_field(
        Requirement, "background", widget=forms.Textarea(attrs={"rows": 3}), help_text=_("Markdown")
    )
    description = model_field(Requirement, "description", widget=forms.Textarea(attrs={"rows": 6}))
    priority = model_field(Requirement, "priority")
    acceptance_criteria = model_field(
        Requirement,
        "acceptance_criteria",
        form_class=forms.CharField,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=CRITERIA_HELP,
    )
    source = model_field(Requirement, "source")
    source_note = model_field(Requirement, "source_note", help_text="")
    requester_id = model_field(Requirement, "requester_id", coerce=int, empty_value=None)
    requester_name = model_field(
        Requirement, "requester_name", help_text=_("When the requester is not a member")
    )
    owner_id = model_field(Requirement, "owner_id", coerce=int, empty_value=None)
    visibility = model_field(Requirement, "visibility", help_text=VISIBILITY_HELP)
    reason = model_field(RequirementVersion, "reason", label=_("Reason for the change"))
    version = VersionField()

    def __init__(
        self,
        *args: Any,
        members: list[tuple[int, str]] | None = None,
        team: bool = True,
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        people = [("", "—"), *(members or [])]
        self.fields["requester_id"].choices = people  # type: ignore[attr-defined]
        self.fields["owner_id"].choices = people  # type: ignore[attr-defined]
        if not team:
            del self.fields["visibility"]
        if not editing:
            del self.fields["reason"]
            del self.fields["version"]


class RequestForm(forms.Form):
    """What a client member submits: a request the team turns into a requirement."""

    title = model_field(Requirement, "title", label=_("What do you need?"))
    background = model_field(
        Requirement, "background", label=_("Why? (background)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    description = model_field(
        Requirement, "description", label=_("Details"), widget=forms.Textarea(attrs={"rows": 5})
    )
    priority = model_field(Requirement, "priority")
    acceptance_criteria = model_field(
        Requirement,
        "acceptance_criteria",
        form_class=forms.CharField,
        label=_("How will you know it is done?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=CRITERIA_HELP,
    )
    source_note = model_field(Requirement, "source_note", label=_("Reference or link"), help_text="")


class StatusForm(forms.Form):
    """Move a requirement along its life."""

    status = model_field(Requirement, "status", label=_("New status"), initial=None)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=1000)
    version = VersionField()

    def __init__(self, *args: Any, allowed: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if allowed is not None:
            self.fields["status"].choices = [  # type: ignore[attr-defined]
                (value, label) for value, label in RequirementStatus.choices if value in allowed
            ]


class ConfirmForm(forms.Form):
    """Confirm the version shown."""

    version_number = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    comment = model_field(RequirementConfirmation, "comment")


class LinkForm(forms.Form):
    """Trace a requirement to a task of the plan."""

    # TraceLink.task has no translated verbose name of its own.
    task_id = model_field(TraceLink, "task_id", label=_("Task"), coerce=int)

    def __init__(self, *args: Any, tasks: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["task_id"].choices = tasks or []  # type: ignore[attr-defined]


class NotesForm(forms.Form):
    """Interview or workshop notes, one requirement per bullet line."""

    text = forms.CharField(
        label=_("Notes"),
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Each line starting with “- ”, “* ” or “1. ” becomes a draft requirement; bullets indented "
            "under it become its acceptance criteria. Other lines are ignored."
        ),
    )
    source = model_field(
        Requirement,
        "source",
        choices=[
            (s.value, s.label) for s in (Source.INTERVIEW, Source.WORKSHOP, Source.DOCUMENT, Source.OTHER)
        ],
        initial=None,
    )
    source_note = model_field(Requirement, "source_note", help_text=_("E.g. who, when, where"))
    priority = model_field(Requirement, "priority")
    visibility = model_field(Requirement, "visibility", help_text=VISIBILITY_HELP)


class UploadForm(forms.Form):
    """A CSV or Excel file of survey answers."""

    file = forms.FileField(
        label=_("Survey file (CSV or Excel)"),
        help_text=_(
            "The first row names the columns: title (required), description, background, priority, "
            "acceptance criteria, requester, source — in English or Chinese."
        ),
    )
    visibility = model_field(Requirement, "visibility", help_text=VISIBILITY_HELP)

    def clean_file(self) -> Any:
        """Refuse files larger than the parser accepts before reading them."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload
