"""Request and response shapes of the communication plan and meetings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema

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
from tandem.projects.choices import Role

Title = Annotated[str, Field(max_length=200)]
Text = Annotated[str, Field(max_length=20_000)]
LongText = Annotated[str, Field(max_length=100_000)]
Weekday = Annotated[StrictInt, Field(ge=0, le=6)]
DayOfMonth = Annotated[StrictInt, Field(ge=1, le=31)]
Minutes = Annotated[StrictInt, Field(ge=0, le=24 * 60)]


# ---------------------------------------------------------------- the communication plan


class ItemIn(Schema):
    """A new communication plan entry."""

    title: Title
    kind: CommunicationKind = CommunicationKind.MEETING
    purpose: Text = ""
    audience_roles: Annotated[list[Role], Field(max_length=8)] = []
    channel: Channel = Channel.MEETING
    frequency: Frequency = Frequency.WEEKLY
    weekday: Weekday | None = None
    starts_on: IsoDate | None = None
    monthly_rule: MonthlyRule | None = None
    day_of_month: DayOfMonth | None = None
    time_of_day: TimeOfDay | None = None
    owner_id: Id | None = None
    template: Text = ""
    auto_send: StrictBool = False
    visibility: Visibility = Visibility.SHARED


class ItemPatchIn(Schema):
    """Changes to a plan entry, based on the version read."""

    version: Version
    title: Title | None = None
    kind: CommunicationKind | None = None
    purpose: Text | None = None
    audience_roles: Annotated[list[Role], Field(max_length=8)] | None = None
    channel: Channel | None = None
    frequency: Frequency | None = None
    weekday: Weekday | None = None
    starts_on: IsoDate | None = None
    monthly_rule: MonthlyRule | None = None
    day_of_month: DayOfMonth | None = None
    time_of_day: TimeOfDay | None = None
    owner_id: Id | None = None
    template: Text | None = None
    auto_send: StrictBool | None = None
    active: StrictBool | None = None
    visibility: Visibility | None = None


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

    note: Annotated[str, Field(max_length=300)] = ""
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
    name: Title = ""
    email: Annotated[str, Field(max_length=254)] = ""
    required: StrictBool = True


class MeetingIn(Schema):
    """A new meeting; naive times are the project's local time."""

    title: Title
    kind: MeetingKind = MeetingKind.AD_HOC
    starts_at: IsoDateTime
    ends_at: IsoDateTime
    location: Title = ""
    online_url: Annotated[str, Field(max_length=500)] = ""
    organizer_id: Id | None = None
    item_id: Id | None = None
    visibility: Visibility = Visibility.SHARED
    attendees: Annotated[list[AttendeeIn], Field(max_length=200)] = []


class MeetingPatchIn(Schema):
    """Changes to a meeting; moving it re-sends the invitation."""

    version: Version
    title: Title | None = None
    kind: MeetingKind | None = None
    starts_at: IsoDateTime | None = None
    ends_at: IsoDateTime | None = None
    location: Title | None = None
    online_url: Annotated[str, Field(max_length=500)] | None = None
    organizer_id: Id | None = None
    item_id: Id | None = None
    visibility: Visibility | None = None


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
    minutes: LongText


class AgendaIn(Schema):
    """A point of the agenda."""

    title: Title
    notes: Text = ""
    duration_minutes: Minutes = 10
    position: Annotated[StrictInt, Field(ge=0, le=10_000)] | None = None
    visibility: Visibility = Visibility.SHARED


class AgendaPatchIn(Schema):
    """Changes to a point of the agenda."""

    version: Version
    title: Title | None = None
    notes: Text | None = None
    duration_minutes: Minutes | None = None
    position: Annotated[StrictInt, Field(ge=0, le=10_000)] | None = None
    visibility: Visibility | None = None


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

    text: Annotated[str, Field(min_length=1, max_length=5000)]
    concerns_client: StrictBool = False
    visibility: Visibility = Visibility.SHARED


class MeetingDecisionOut(Schema):
    """A decision of the meeting, with its entry in the client decision register."""

    id: int
    text: str
    concerns_client: bool
    client_decision_id: int | None
    visibility: str


class ActionItemIn(Schema):
    """A new action item."""

    title: Annotated[str, Field(max_length=300)]
    owner_id: Id | None = None
    due_date: IsoDate | None = None
    visibility: Visibility = Visibility.SHARED


class ActionItemPatchIn(Schema):
    """Changes to an action item, or closing it (at a later meeting of the series: ``closed_in_id``)."""

    version: Version
    title: Annotated[str, Field(max_length=300)] | None = None
    owner_id: Id | None = None
    due_date: IsoDate | None = None
    visibility: Visibility | None = None
    status: ActionStatus | None = None
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
