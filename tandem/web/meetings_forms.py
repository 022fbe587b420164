"""Forms of the communication plan and meeting pages.

Each form's ``data_for_service()`` gives the keyword arguments of the matching ``do_*`` service; the
services keep every rule (members, visibility, cadence, dates), the forms only the shape.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from tandem.meetings import models as meetings
from tandem.meetings.choices import (
    MeetingKind,
    MonthlyRule,
    Weekday,
)
from tandem.projects.choices import Role
from tandem.web.forms import ServiceForm, VersionField, member_choices
from tandem.web.model_fields import model_field
from tandem.web.planning_forms import LocalDateTimeField

TEXTAREA = forms.Textarea(attrs={"rows": 3})
VISIBILITY_HELP = _("Internal records are seen by the delivery team only.")


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class ItemForm(ServiceForm):
    """A communication plan entry: what, for whom, how, how often, by whom."""

    renamed = {"owner": "owner_id"}

    title = model_field(meetings.CommunicationItem, "title")
    kind = model_field(meetings.CommunicationItem, "kind")
    purpose = model_field(meetings.CommunicationItem, "purpose", widget=TEXTAREA)
    audience_roles = model_field(
        meetings.CommunicationItem,
        "audience_roles",
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The roles on both sides this communication is for."),
    )
    channel = model_field(meetings.CommunicationItem, "channel")
    frequency = model_field(meetings.CommunicationItem, "frequency")
    weekday = model_field(
        meetings.CommunicationItem,
        "weekday",
        choices=_blank("—") + [(str(v), label) for v, label in Weekday.choices],
        help_text=_("For weekly and every-second-week entries."),
    )
    monthly_rule = model_field(
        meetings.CommunicationItem,
        "monthly_rule",
        choices=_blank("—") + list(MonthlyRule.choices),
        help_text=_("For monthly and quarterly entries."),
    )
    day_of_month = model_field(meetings.CommunicationItem, "day_of_month")
    starts_on = model_field(
        meetings.CommunicationItem,
        "starts_on",
        help_text=_("The first occurrence falls on or after this day; every second week counts from it."),
    )
    time_of_day = model_field(
        meetings.CommunicationItem,
        "time_of_day",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("In the project's time zone; 16:00 for reports and 10:00 otherwise when left empty."),
    )
    owner = model_field(meetings.CommunicationItem, "owner")
    template = model_field(meetings.CommunicationItem, "template", widget=forms.Textarea(attrs={"rows": 5}))
    auto_send = model_field(
        meetings.CommunicationItem, "auto_send", label=_("Send status reports without review")
    )
    visibility = model_field(meetings.CommunicationItem, "visibility", help_text=VISIBILITY_HELP)
    version = VersionField()

    @staticmethod
    def initial_from(item: meetings.CommunicationItem) -> dict[str, Any]:
        """The form's initial values from an entry."""
        initial = {name: getattr(item, name) for name in ItemForm.base_fields if hasattr(item, name)}
        initial["owner"] = str(item.owner_id or "")
        initial["weekday"] = "" if item.weekday is None else str(item.weekday)
        return initial


class MarkDoneForm(forms.Form):
    """Record by hand that an entry was done (a phone call, a demo)."""

    note = model_field(meetings.Fulfilment, "label")


class MeetingFilterForm(forms.Form):
    """Search and the upcoming/past switch of the meeting list."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    when = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[("upcoming", _("Upcoming")), ("past", _("Past")), ("all", _("All"))],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=_blank(_("Any")) + list(MeetingKind.choices)
    )


class MeetingForm(ServiceForm):
    """A meeting: what, when (project time), where, which plan entry it fulfils."""

    renamed = {"organizer": "organizer_id", "item": "item_id"}

    title = model_field(meetings.Meeting, "title")
    kind = model_field(meetings.Meeting, "kind", initial=MeetingKind.WEEKLY_STATUS)
    starts_at = model_field(
        meetings.Meeting,
        "starts_at",
        form_class=LocalDateTimeField,
        help_text=_("In the project's time zone."),
    )
    ends_at = model_field(meetings.Meeting, "ends_at", form_class=LocalDateTimeField)
    location = model_field(meetings.Meeting, "location")
    online_url = model_field(meetings.Meeting, "online_url", assume_scheme="https")
    organizer = model_field(meetings.Meeting, "organizer")
    item = model_field(meetings.Meeting, "item")
    visibility = model_field(meetings.Meeting, "visibility", help_text=VISIBILITY_HELP)
    version = VersionField()

    def __init__(self, *args: Any, items: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        field = self.fields["item"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _blank("—") + list(items)


class AttendeesField(forms.MultipleChoiceField):
    """Project members to invite when scheduling."""

    widget = forms.CheckboxSelectMultiple


class ScheduleForm(MeetingForm):
    """A new meeting, with the members to invite."""

    invite = AttendeesField(label=_("Invite"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["invite"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = member_choices(self.project)
        self.order_fields([n for n in self.fields if n != "version"] + ["version"])

    def data_for_service(self) -> dict[str, Any]:
        """The meeting's fields and the attendees to invite."""
        data = super().data_for_service()
        data["attendees"] = [{"user_id": int(v)} for v in data.pop("invite", [])]
        return data


class AgendaForm(ServiceForm):
    """A point of the agenda."""

    title = model_field(meetings.AgendaItem, "title", label=capfirst(meetings.AgendaItem._meta.verbose_name))
    duration_minutes = model_field(meetings.AgendaItem, "duration_minutes", label=_("Minutes"))
    notes = model_field(meetings.AgendaItem, "notes", widget=forms.Textarea(attrs={"rows": 2}))
    visibility = model_field(meetings.AgendaItem, "visibility")


class AttendeeForm(ServiceForm):
    """Invite a member, or a stakeholder without an account by name and email."""

    renamed = {"user": "user_id"}

    user = model_field(meetings.Attendee, "user")
    name = model_field(meetings.Attendee, "name")
    email = model_field(meetings.Attendee, "email")
    required = model_field(meetings.Attendee, "required")

    def data_for_service(self) -> dict[str, Any]:
        """A member's id, or the stakeholder's name and email."""
        data = super().data_for_service()
        if data.get("user_id"):
            return {"user_id": data["user_id"], "required": data["required"]}
        return {"name": data["name"], "email": data["email"], "required": data["required"]}


class AttendanceForm(forms.Form):
    """Who came."""

    attended = forms.MultipleChoiceField(
        label=_("Attended"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["attended"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class MinutesForm(forms.Form):
    """The draft minutes (Markdown)."""

    minutes = model_field(
        meetings.Meeting, "minutes", widget=forms.Textarea(attrs={"rows": 12}), max_length=100_000
    )
    version = VersionField()


class DecisionForm(ServiceForm):
    """A decision of the meeting."""

    text = model_field(meetings.Decision, "text", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    concerns_client = model_field(
        meetings.Decision,
        "concerns_client",
        help_text=_("Also entered in the client decision register, as decided."),
    )
    visibility = model_field(meetings.Decision, "visibility")


class ActionForm(ServiceForm):
    """An action item: what, who, by when."""

    renamed = {"owner": "owner_id"}

    # The model's "action" reads 措施; the action item's form has always said 应对措施.
    title = model_field(meetings.ActionItem, "title", label=_("Action"))
    owner = model_field(meetings.ActionItem, "owner")
    due_date = model_field(meetings.ActionItem, "due_date")
    visibility = model_field(meetings.ActionItem, "visibility")


class VersionForm(forms.Form):
    """A state change based on the version read."""

    version = VersionField()
