"""Request and response shapes of the communication plan and meetings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema

from tandem.api.model_fields import model_field
from tandem.api.schemas import Id, IsoDate, IsoDateTime, PersonOut, StrictBool, StrictInt, TimeOfDay, Version
from tandem.core.choices import Visibility
from tandem.meetings import models as meetings
from tandem.meetings.choices import (
    ActionStatus,
    Channel,
    CommunicationKind,
    Frequency,
    MeetingKind,
    MonthlyRule,
)
from tandem.projects.choices import Role

# ---------------------------------------------------------------- the communication plan


class ItemIn(Schema):
    """A new communication plan entry."""

    title: str = model_field(meetings.CommunicationItem, "title")
    kind: CommunicationKind = model_field(meetings.CommunicationItem, "kind", CommunicationKind.MEETING)
    purpose: str = model_field(meetings.CommunicationItem, "purpose", "", max_length=20_000)
    audience_roles: list[Role] = model_field(meetings.CommunicationItem, "audience_roles", [], max_length=8)
    channel: Channel = model_field(meetings.CommunicationItem, "channel", Channel.MEETING)
    frequency: Frequency = model_field(meetings.CommunicationItem, "frequency", Frequency.WEEKLY)
    weekday: StrictInt | None = model_field(meetings.CommunicationItem, "weekday", None)
    starts_on: IsoDate | None = model_field(meetings.CommunicationItem, "starts_on", None)
    monthly_rule: MonthlyRule | None = model_field(meetings.CommunicationItem, "monthly_rule", None)
    day_of_month: StrictInt | None = model_field(meetings.CommunicationItem, "day_of_month", None)
    time_of_day: TimeOfDay | None = model_field(meetings.CommunicationItem, "time_of_day", None)
    owner_id: Id | None = None
    template: str = model_field(meetings.CommunicationItem, "template", "", max_length=20_000)
    auto_send: StrictBool = model_field(meetings.CommunicationItem, "auto_send", False)
    visibility: Visibility = model_field(meetings.CommunicationItem, "visibility", Visibility.SHARED)


class ItemPatchIn(Schema):
    """Changes to a plan entry, based on the version read."""

    version: Version
    title: str | None = model_field(meetings.CommunicationItem, "title", None)
    kind: CommunicationKind | None = model_field(meetings.CommunicationItem, "kind", None)
    purpose: str | None = model_field(meetings.CommunicationItem, "purpose", None, max_length=20_000)
    audience_roles: list[Role] | None = model_field(
        meetings.CommunicationItem, "audience_roles", None, max_length=8
    )
    channel: Channel | None = model_field(meetings.CommunicationItem, "channel", None)
    frequency: Frequency | None = model_field(meetings.CommunicationItem, "frequency", None)
    weekday: StrictInt | None = model_field(meetings.CommunicationItem, "weekday", None)
    starts_on: IsoDate | None = model_field(meetings.CommunicationItem, "starts_on", None)
    monthly_rule: MonthlyRule | None = model_field(meetings.CommunicationItem, "monthly_rule", None)
    day_of_month: StrictInt | None = model_field(meetings.CommunicationItem, "day_of_month", None)
    time_of_day: TimeOfDay | None = model_field(meetings.CommunicationItem, "time_of_day", None)
    owner_id: Id | None = None
    template: str | None = model_field(meetings.CommunicationItem, "template", None, max_length=20_000)
    auto_send: StrictBool | None = model_field(meetings.CommunicationItem, "auto_send", None)
    active: StrictBool | None = model_field(meetings.CommunicationItem, "active", None)
    visibility: Visibility | None = model_field(meetings.CommunicationItem, "visibility", None)


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

    note: str = model_field(meetings.Fulfilment, "label", "")
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
    name: str = model_field(meetings.Attendee, "name", "")
    email: str = model_field(meetings.Attendee, "email", "")
    required: StrictBool = model_field(meetings.Attendee, "required", True)


class MeetingIn(Schema):
    """A new meeting; naive times are the project's local time."""

    title: str = model_field(meetings.Meeting, "title")
    kind: MeetingKind = model_field(meetings.Meeting, "kind", MeetingKind.AD_HOC)
    starts_at: IsoDateTime = model_field(meetings.Meeting, "starts_at")
    ends_at: IsoDateTime = model_field(meetings.Meeting, "ends_at")
    location: str = model_field(meetings.Meeting, "location", "")
    online_url: str = model_field(meetings.Meeting, "online_url", "")
    organizer_id: Id | None = None
    item_id: Id | None = None
    visibility: Visibility = model_field(meetings.Meeting, "visibility", Visibility.SHARED)
    attendees: Annotated[list[AttendeeIn], Field(max_length=200)] = []


class MeetingPatchIn(Schema):
    """Changes to a meeting; moving it re-sends the invitation."""

    version: Version
    title: str | None = model_field(meetings.Meeting, "title", None)
    kind: MeetingKind | None = model_field(meetings.Meeting, "kind", None)
    starts_at: IsoDateTime | None = model_field(meetings.Meeting, "starts_at", None)
    ends_at: IsoDateTime | None = model_field(meetings.Meeting, "ends_at", None)
    location: str | None = model_field(meetings.Meeting, "location", None)
    online_url: str | None = model_field(meetings.Meeting, "online_url", None)
    organizer_id: Id | None = None
    item_id: Id | None = None
    visibility: Visibility | None = model_field(meetings.Meeting, "visibility", None)


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
    minutes: str = model_field(meetings.Meeting, "minutes", max_length=100_000)


class AgendaIn(Schema):
    """A point of the agenda."""

    title: str = model_field(meetings.AgendaItem, "title")
    notes: str = model_field(meetings.AgendaItem, "notes", "", max_length=20_000)
    duration_minutes: StrictInt = model_field(meetings.AgendaItem, "duration_minutes", 10)
    position: StrictInt | None = model_field(meetings.AgendaItem, "position", None, le=10_000)
    visibility: Visibility = model_field(meetings.AgendaItem, "visibility", Visibility.SHARED)


class AgendaPatchIn(Schema):
    """Changes to a point of the agenda."""

    version: Version
    title: str | None = model_field(meetings.AgendaItem, "title", None)
    notes: str | None = model_field(meetings.AgendaItem, "notes", None, max_length=20_000)
    duration_minutes: StrictInt | None = model_field(meetings.AgendaItem, "duration_minutes", None)
    position: StrictInt | None = model_field(meetings.AgendaItem, "position", None, le=10_000)
    visibility: Visibility | None = model_field(meetings.AgendaItem, "visibility", None)


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

    text: str = model_field(meetings.Decision, "text", max_length=5000)
    concerns_client: StrictBool = model_field(meetings.Decision, "concerns_client", False)
    visibility: Visibility = model_field(meetings.Decision, "visibility", Visibility.SHARED)


class MeetingDecisionOut(Schema):
    """A decision of the meeting, with its entry in the client decision register."""

    id: int
    text: str
    concerns_client: bool
    client_decision_id: int | None
    visibility: str


class ActionItemIn(Schema):
    """A new action item."""

    title: str = model_field(meetings.ActionItem, "title")
    owner_id: Id | None = None
    due_date: IsoDate | None = model_field(meetings.ActionItem, "due_date", None)
    visibility: Visibility = model_field(meetings.ActionItem, "visibility", Visibility.SHARED)


class ActionItemPatchIn(Schema):
    """Changes to an action item, or closing it (at a later meeting of the series: ``closed_in_id``)."""

    version: Version
    title: str | None = model_field(meetings.ActionItem, "title", None)
    owner_id: Id | None = None
    due_date: IsoDate | None = model_field(meetings.ActionItem, "due_date", None)
    visibility: Visibility | None = model_field(meetings.ActionItem, "visibility", None)
    status: ActionStatus | None = model_field(meetings.ActionItem, "status", None)
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
