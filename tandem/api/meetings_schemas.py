"""Request and response shapes of the communication plan and meetings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema

from tandem.api.model_fields import model_field
from tandem.api.schemas import Id, IsoDate, IsoDateTime, PersonOut, StrictBool, StrictInt, TimeOfDay, Version
from tandem.core.choices import Visibility
from tandem.meetings.choices import (
    ActionStatus,
    Channel,
    CommunicationKind,
    Frequency,
    MeetingKind,
    MonthlyRule,
)
from tandem.meetings.models import (
    ActionItem,
    AgendaItem,
    Attendee,
    CommunicationItem,
    Decision,
    Fulfilment,
    Meeting,
)
from tandem.projects.choices import Role

# ---------------------------------------------------------------- the communication plan


class ItemIn(Schema):
    """A new communication plan entry."""

    title: str = model_field(CommunicationItem, "title")
    kind: CommunicationKind = model_field(CommunicationItem, "kind", CommunicationKind.MEETING)
    purpose: str = model_field(CommunicationItem, "purpose", "", max_length=20_000)
    audience_roles: list[Role] = model_field(CommunicationItem, "audience_roles", [], max_length=8)
    channel: Channel = model_field(CommunicationItem, "channel", Channel.MEETING)
    frequency: Frequency = model_field(CommunicationItem, "frequency", Frequency.WEEKLY)
    weekday: StrictInt | None = model_field(CommunicationItem, "weekday", None)
    starts_on: IsoDate | None = model_field(CommunicationItem, "starts_on", None)
    monthly_rule: MonthlyRule | None = model_field(CommunicationItem, "monthly_rule", None)
    day_of_month: StrictInt | None = model_field(CommunicationItem, "day_of_month", None)
    time_of_day: TimeOfDay | None = model_field(CommunicationItem, "time_of_day", None)
    owner_id: Id | None = None
    template: str = model_field(CommunicationItem, "template", "", max_length=20_000)
    auto_send: StrictBool = model_field(CommunicationItem, "auto_send", False)
    visibility: Visibility = model_field(CommunicationItem, "visibility", Visibility.SHARED)


class ItemPatchIn(Schema):
    """Changes to a plan entry, based on the version read."""

    version: Version
    title: str | None = model_field(CommunicationItem, "title", None)
    kind: CommunicationKind | None = model_field(CommunicationItem, "kind", None)
    purpose: str | None = model_field(CommunicationItem, "purpose", None, max_length=20_000)
    audience_roles: list[Role] | None = model_field(CommunicationItem, "audience_roles", None, max_length=8)
    channel: Channel | None = model_field(CommunicationItem, "channel", None)
    frequency: Frequency | None = model_field(CommunicationItem, "frequency", None)
    weekday: StrictInt | None = model_field(CommunicationItem, "weekday", None)
    starts_on: IsoDate | None = model_field(CommunicationItem, "starts_on", None)
    monthly_rule: MonthlyRule | None = model_field(CommunicationItem, "monthly_rule", None)
    day_of_month: StrictInt | None = model_field(CommunicationItem, "day_of_month", None)
    time_of_day: TimeOfDay | None = model_field(CommunicationItem, "time_of_day", None)
    owner_id: Id | None = None
    template: str | None = model_field(CommunicationItem, "template", None, max_length=20_000)
    auto_send: StrictBool | None = model_field(CommunicationItem, "auto_send", None)
    active: StrictBool | None = model_field(CommunicationItem, "active", None)
    visibility: Visibility | None = model_field(CommunicationItem, "visibility", None)


class ItemOut(Schema):
    """A plan entry with its cadence as a sentence and its adherence now."""

    id: int
    kind: str
    title: str
    purpose: str
    audience_roles: list[str]
    channel: str
    frequency: str
    weekday: int | None
    starts_on: dt.date
    monthly_rule: str
    day_of_month: int | None
    time_of_day: TimeOfDay
    owner: PersonOut | None
    template: str
    auto_send: bool
    active: bool
    visibility: str
    version: int
    cadence: str
    status: str
    next_due: dt.datetime | None
    last_due: dt.datetime | None
    last_fulfilled: dt.datetime | None
    due: int
    fulfilled: int
    adherence_percent: int | None


class MarkDoneIn(Schema):
    """Record by hand that an entry was done."""

    note: str = model_field(Fulfilment, "label", "")
    at: IsoDateTime | None = None


class FulfilmentOut(Schema):
    """One time an entry was done."""

    id: int
    slot: dt.datetime | None
    fulfilled_at: dt.datetime
    label: str
    actor: PersonOut | None


class OverdueOut(Schema):
    """An overdue entry of a project."""

    id: int
    title: str
    last_due: dt.datetime | None


class AdherenceOut(Schema):
    """A project's communication adherence."""

    project: str
    due: int
    fulfilled: int
    percent: int | None
    overdue: list[OverdueOut]


# ---------------------------------------------------------------- meetings


class AttendeeIn(Schema):
    """A member to invite (``user_id``), or a stakeholder without an account (``name`` and ``email``)."""

    user_id: Id | None = None
    name: str = model_field(Attendee, "name", "")
    email: str = model_field(Attendee, "email", "")
    required: StrictBool = model_field(Attendee, "required", True)


class MeetingIn(Schema):
    """A new meeting; naive times are the project's local time."""

    title: str = model_field(Meeting, "title")
    kind: MeetingKind = model_field(Meeting, "kind", MeetingKind.AD_HOC)
    starts_at: IsoDateTime = model_field(Meeting, "starts_at")
    ends_at: IsoDateTime = model_field(Meeting, "ends_at")
    location: str = model_field(Meeting, "location", "")
    online_url: str = model_field(Meeting, "online_url", "")
    organizer_id: Id | None = None
    item_id: Id | None = None
    visibility: Visibility = model_field(Meeting, "visibility", Visibility.SHARED)
    attendees: Annotated[list[AttendeeIn], Field(max_length=200)] = []


class MeetingPatchIn(Schema):
    """Changes to a meeting; moving it re-sends the invitation."""

    version: Version
    title: str | None = model_field(Meeting, "title", None)
    kind: MeetingKind | None = model_field(Meeting, "kind", None)
    starts_at: IsoDateTime | None = model_field(Meeting, "starts_at", None)
    ends_at: IsoDateTime | None = model_field(Meeting, "ends_at", None)
    location: str | None = model_field(Meeting, "location", None)
    online_url: str | None = model_field(Meeting, "online_url", None)
    organizer_id: Id | None = None
    item_id: Id | None = None
    visibility: Visibility | None = model_field(Meeting, "visibility", None)


class MeetingOut(Schema):
    """A meeting."""

    id: int
    kind: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    location: str
    online_url: str
    organizer: PersonOut | None
    item_id: int | None = Field(None, alias="shown_item_id")
    status: str
    minutes: str
    minutes_status: str
    minutes_approved_at: dt.datetime | None
    sequence: int
    uid: str
    visibility: str
    version: int


class MinutesIn(Schema):
    """The draft minutes."""

    version: Version
    minutes: str = model_field(Meeting, "minutes", max_length=100_000)


class AgendaIn(Schema):
    """A point of the agenda."""

    title: str = model_field(AgendaItem, "title")
    notes: str = model_field(AgendaItem, "notes", "", max_length=20_000)
    duration_minutes: StrictInt = model_field(AgendaItem, "duration_minutes", 10)
    position: StrictInt | None = model_field(AgendaItem, "position", None, le=10_000)
    visibility: Visibility = model_field(AgendaItem, "visibility", Visibility.SHARED)


class AgendaPatchIn(Schema):
    """Changes to a point of the agenda."""

    version: Version
    title: str | None = model_field(AgendaItem, "title", None)
    notes: str | None = model_field(AgendaItem, "notes", None, max_length=20_000)
    duration_minutes: StrictInt | None = model_field(AgendaItem, "duration_minutes", None)
    position: StrictInt | None = model_field(AgendaItem, "position", None, le=10_000)
    visibility: Visibility | None = model_field(AgendaItem, "visibility", None)


class AgendaOut(Schema):
    """A point of the agenda."""

    id: int
    position: int
    title: str
    notes: str
    duration_minutes: int
    visibility: str
    version: int


class AttendeeOut(Schema):
    """Someone invited."""

    id: int
    user: PersonOut | None
    name: str = Field(..., alias="display_name")
    email: str = Field(..., alias="address")
    required: bool
    attended: bool


class AttendanceIn(Schema):
    """The attendees who came (the others did not)."""

    attended: Annotated[list[Id], Field(max_length=500)]


class MeetingDecisionIn(Schema):
    """A decision of the meeting."""

    text: str = model_field(Decision, "text", min_length=1, max_length=5000)
    concerns_client: StrictBool = model_field(Decision, "concerns_client", False)
    visibility: Visibility = model_field(Decision, "visibility", Visibility.SHARED)


class MeetingDecisionOut(Schema):
    """A decision of the meeting, with its entry in the client decision register."""

    id: int
    text: str
    concerns_client: bool
    client_decision_id: int | None
    visibility: str


class ActionItemIn(Schema):
    """A new action item."""

    title: str = model_field(ActionItem, "title")
    owner_id: Id | None = None
    due_date: IsoDate | None = model_field(ActionItem, "due_date", None)
    visibility: Visibility = model_field(ActionItem, "visibility", Visibility.SHARED)


class ActionItemPatchIn(Schema):
    """Changes to an action item, or closing it (at a later meeting of the series: ``closed_in_id``)."""

    version: Version
    title: str | None = model_field(ActionItem, "title", None)
    owner_id: Id | None = None
    due_date: IsoDate | None = model_field(ActionItem, "due_date", None)
    visibility: Visibility | None = model_field(ActionItem, "visibility", None)
    status: ActionStatus | None = model_field(ActionItem, "status", None)
    closed_in_id: Id | None = None


class ActionItemTaskIn(Schema):
    """Make an action item a task of the plan."""

    version: Version
    duration_minutes: Annotated[StrictInt, Field(ge=0, le=10_000_000)] = 480


class ActionItemOut(Schema):
    """An action item."""

    id: int
    meeting_id: int
    title: str
    owner: PersonOut | None
    due_date: dt.date | None
    status: str
    task_id: int | None = Field(None, alias="shown_task_id")
    done_at: dt.datetime | None
    closed_in_id: int | None
    visibility: str
    version: int
