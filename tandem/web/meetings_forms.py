"""Forms of the communication plan and meeting pages.

Each form's ``data_for_service()`` gives the keyword arguments of the matching ``do_*`` service; the
services keep every rule (members, visibility, cadence, dates), the forms only the shape.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.core.choices import Visibility
from tandem.meetings.choices import (
    Channel,
    CommunicationKind,
    Frequency,
    MeetingKind,
    MonthlyRule,
    Weekday,
)
from tandem.meetings.models import CommunicationItem
from tandem.projects.choices import Role
from tandem.web.forms import DATE_WIDGET, ServiceForm, VersionField, member_choices
from tandem.web.planning_forms import LocalDateTimeField

TEXTAREA = forms.Textarea(attrs={"rows": 3})
VISIBILITY_HELP = _("Internal records are seen by the delivery team only.")


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class ItemForm(ServiceForm):
    """A communication plan entry: what, for whom, how, how often, by whom."""

    renamed = {"owner": "owner_id"}

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=CommunicationKind.choices, initial=CommunicationKind.MEETING
    )
    purpose = forms.CharField(label=_("Purpose"), required=False, widget=TEXTAREA)
    audience_roles = forms.MultipleChoiceField(
        label=_("Audience"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The roles on both sides this communication is for."),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.MEETING)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices, initial=Frequency.WEEKLY)
    weekday = forms.TypedChoiceField(
        label=_("Weekday"),
        choices=_blank("—") + [(str(v), label) for v, label in Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("For weekly and every-second-week entries."),
    )
    monthly_rule = forms.ChoiceField(
        label=_("Day of the month"),
        choices=_blank("—") + list(MonthlyRule.choices),
        required=False,
        help_text=_("For monthly and quarterly entries."),
    )
    day_of_month = forms.IntegerField(label=_("Day number"), min_value=1, max_value=31, required=False)
    starts_on = forms.DateField(
        label=_("Starts on"),
        widget=DATE_WIDGET,
        help_text=_("The first occurrence falls on or after this day; every second week counts from it."),
    )
    time_of_day = forms.TimeField(
        label=_("Time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("In the project's time zone; 16:00 for reports and 10:00 otherwise when left empty."),
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    template = forms.CharField(
        label=_("Content template"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    auto_send = forms.BooleanField(label=_("Send status reports without review"), required=False)
    visibility = forms.ChoiceField(
        label=_("Visibility"),
        choices=Visibility.choices,
        initial=Visibility.SHARED,
        help_text=VISIBILITY_HELP,
    )
    version = VersionField()

    @staticmethod
    def initial_from(item: CommunicationItem) -> dict[str, Any]:
        """The form's initial values from an entry."""
        initial = {name: getattr(item, name) for name in ItemForm.base_fields if hasattr(item, name)}
        initial["owner"] = str(item.owner_id or "")
        initial["weekday"] = "" if item.weekday is None else str(item.weekday)
        return initial


class MarkDoneForm(forms.Form):
    """Record by hand that an entry was done (a phone call, a demo)."""

    note = forms.CharField(label=_("Note"), max_length=300, required=False)


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

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices, initial=MeetingKind.WEEKLY_STATUS)
    starts_at = LocalDateTimeField(label=_("Starts"), help_text=_("In the project's time zone."))
    ends_at = LocalDateTimeField(label=_("Ends"))
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    online_url = forms.URLField(
        label=_("Online meeting link"), max_length=500, required=False, assume_scheme="https"
    )
    organizer = forms.ChoiceField(label=_("Organizer"), required=False)
    item = forms.ChoiceField(label=_("Communication plan entry"), required=False)
    visibility = forms.ChoiceField(
        label=_("Visibility"),
        choices=Visibility.choices,
        initial=Visibility.SHARED,
        help_text=VISIBILITY_HELP,
    )
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

    title = forms.CharField(label=_("Agenda item"), max_length=200)
    duration_minutes = forms.IntegerField(label=_("Minutes"), min_value=0, max_value=1440, initial=10)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    visibility = forms.ChoiceField(
        label=_("Visibility"), choices=Visibility.choices, initial=Visibility.SHARED
    )


class AttendeeForm(ServiceForm):
    """Invite a member, or a stakeholder without an account by name and email."""

    renamed = {"user": "user_id"}

    user = forms.ChoiceField(label=_("Member"), required=False)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)

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

    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 12}), max_length=100_000
    )
    version = VersionField()


class DecisionForm(ServiceForm):
    """A decision of the meeting."""

    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    concerns_client = forms.BooleanField(
        label=_("Concerns the client"),
        required=False,
        help_text=_("Also entered in the client decision register, as decided."),
    )
    visibility = forms.ChoiceField(
        label=_("Visibility"), choices=Visibility.choices, initial=Visibility.SHARED
    )


class ActionForm(ServiceForm):
    """An action item: what, who, by when."""

    renamed = {"owner": "owner_id"}

    title = forms.CharField(label=_("Action"), max_length=300)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE_WIDGET)
    visibility = forms.ChoiceField(
        label=_("Visibility"), choices=Visibility.choices, initial=Visibility.SHARED
    )


class VersionForm(forms.Form):
    """A state change based on the version read."""

    version = VersionField()
