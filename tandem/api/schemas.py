"""The API's request and response shapes. Team-only fields live in separate ``*TeamOut`` schemas."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    Strict,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from tandem.accounts.choices import Language
from tandem.accounts.models import ApiToken, User
from tandem.api.model_fields import model_field
from tandem.core.choices import Side, Visibility
from tandem.projects import models as projects
from tandem.projects.choices import (
    DecisionKind,
    DecisionPreset,
    KpiDirection,
    Level,
    ProjectStatus,
    Raci,
    Role,
)
from tandem.projects.permissions import can_create_projects

#: The largest integer a version, revision or id may carry (the databases' 32-bit columns).
MAX_INT = 2**31 - 1

# ---------------------------------------------------------------- the types of request bodies
# A JSON body says what it means: pydantic's lax mode would read `false` as 0, `0` as 1970-01-01
# and "1" as 1, saving a client's mistake as data instead of refusing it (422 naming the field).
# Every input schema uses these types; query strings, which are text, keep the lax ones.

#: true or false, nothing else.
StrictBool = Annotated[bool, Strict()]
#: A JSON integer (not a boolean, a float or a numeric string).
StrictInt = Annotated[int, Strict()]
#: A record's version, as read by the caller (0: a section never saved).
Version = Annotated[int, Strict(), Field(ge=0, le=MAX_INT, description="The version the change is based on.")]
#: The version in a query string (``?version=3``).
QueryVersion = Annotated[int, Field(ge=0, le=MAX_INT, description="The version the change is based on.")]
#: The id of a record.
Id = Annotated[int, Strict(), Field(ge=1, le=MAX_INT)]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?")
_TIME_OF_DAY = re.compile(r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?")
#: The one documented format of a time of day, in and out.
TIME_OF_DAY_PATTERN = f"^{_TIME_OF_DAY.pattern}$"


def _iso_date(value: Any) -> Any:
    """A ``YYYY-MM-DD`` string (or a date read from the database); never a number."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise PydanticCustomError("date_type", "Enter a valid date (YYYY-MM-DD).")


def _iso_datetime(value: Any) -> Any:
    """An ISO 8601 date and time string (or a datetime read from the database); never a number."""
    if isinstance(value, dt.datetime) or (isinstance(value, str) and _ISO_DATETIME.fullmatch(value)):
        return value
    raise PydanticCustomError("datetime_type", "Enter a valid date and time (ISO 8601).")


def _time_of_day(value: Any) -> Any:
    """``HH:MM`` or ``HH:MM:SS`` on the project's clock; a UTC offset is refused, not guessed at."""
    if isinstance(value, dt.time) and value.tzinfo is None:
        return value
    if isinstance(value, str) and _TIME_OF_DAY.fullmatch(value):
        return value
    raise PydanticCustomError("time_of_day", "Enter a time of day as HH:MM, without a UTC offset.")


#: The years a date may fall in: far enough either way for any project, near enough that moving a
#: date by the engine's longest duration or a time zone never leaves what Python and the databases hold.
YEARS = range(1000, 9001)
#: The largest UTC offset of any time zone (+14:00); PostgreSQL refuses an offset beyond ±15:59.
MAX_OFFSET = dt.timedelta(hours=14)


def _in_range(value: dt.date) -> dt.date:
    """``value`` when its year is one of ``YEARS`` and its UTC offset (if any) a real one."""
    offset = value.utcoffset() if isinstance(value, dt.datetime) else None
    if value.year not in YEARS or (offset is not None and abs(offset) > MAX_OFFSET):
        kind = "datetime_type" if isinstance(value, dt.datetime) else "date_type"
        raise PydanticCustomError(kind, "The date is out of range.")
    return value


#: A calendar day: an ISO ``YYYY-MM-DD`` string.
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date), AfterValidator(_in_range)]
#: A moment: an ISO 8601 string.
IsoDateTime = Annotated[dt.datetime, BeforeValidator(_iso_datetime), AfterValidator(_in_range)]
#: A time of day in the project's time zone: ``HH:MM`` (seconds accepted), answered as ``HH:MM``.
TimeOfDay = Annotated[
    dt.time,
    BeforeValidator(_time_of_day),
    PlainSerializer(lambda value: value.strftime("%H:%M"), return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": TIME_OF_DAY_PATTERN,
            "description": "A time of day in the project's time zone, HH:MM (no UTC offset).",
            "examples": ["09:30"],
        }
    ),
]


class VersionIn(Schema):
    """The version the caller read."""

    version: Version


# ---------------------------------------------------------------- people and organizations


class OrganizationOut(Schema):
    """A vendor or client organization."""

    id: int
    name: str
    kind: str


class AttributesOut(BaseModel):
    """An answer's shape that pydantic reads straight from a model instance's attributes (in its
    compiled core), for the answers of the busiest lists: the plan's 82 demo tasks validate in
    0.45 ms this way against 5.2 ms as a ``ninja.Schema``, which wraps every object and every
    attribute in a Python getter. Only for shapes whose fields are plain attributes: no
    ``resolve_*`` methods and no related managers (``ninja.Schema`` turns those into lists)."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)


class PersonOut(AttributesOut):
    """A person as others see them."""

    id: int
    full_name: str


class MeOut(Schema):
    """The signed-in user's own profile."""

    id: int
    email: str
    full_name: str
    title: str
    language: str
    organization: OrganizationOut | None
    is_staff: bool
    can_create_projects: bool

    @staticmethod
    def resolve_can_create_projects(obj: User) -> bool:
        """Whether the user may start projects (vendor people and operators)."""
        return can_create_projects(obj)


class ProfileIn(Schema):
    """Changes to one's own profile (omitted fields stay as they are)."""

    full_name: str | None = model_field(User, "full_name", None)
    title: str | None = model_field(User, "title", None)
    language: Language | None = model_field(User, "language", None)


class TokenIn(Schema):
    """A new personal API token."""

    name: str = model_field(ApiToken, "name")


class TokenOut(Schema):
    """A personal API token (its secret is never shown again)."""

    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    """A token just created, with its secret: shown this once."""

    token: str


# ---------------------------------------------------------------- projects


class ProjectSummaryOut(Schema):
    """A project in a list."""

    code: str
    name: str
    status: str
    client: OrganizationOut
    vendor: OrganizationOut | None
    start_date: dt.date | None
    target_date: dt.date | None
    member_count: int
    version: int


class _ProjectFields(Schema):
    code: str
    name: str
    summary: str
    status: str
    client: OrganizationOut
    vendor: OrganizationOut | None
    start_date: dt.date | None
    target_date: dt.date | None
    budget: Decimal | None
    currency: str
    time_zone: str
    language: str
    decision_preset: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    my_role: str | None = None
    my_actions: list[str] = Field(default_factory=list)
    my_decisions: list[str] = Field(default_factory=list)


class ProjectOut(_ProjectFields):
    """A project's details as any member sees them (no team-only fields)."""


class ProjectTeamOut(_ProjectFields):
    """A project's details as the delivery team sees them, internal notes included."""

    internal_notes: str


class ProjectCreateIn(Schema):
    """A new project; the caller becomes its project manager."""

    code: str = model_field(projects.Project, "code")
    name: str = model_field(projects.Project, "name")
    client_id: Id
    vendor_id: Id | None = None
    preset: DecisionPreset = model_field(projects.Project, "decision_preset", DecisionPreset.JOINT)
    summary: str = model_field(projects.Project, "summary", "")
    status: ProjectStatus = model_field(projects.Project, "status", ProjectStatus.PROPOSED)
    start_date: IsoDate | None = model_field(projects.Project, "start_date", None)
    target_date: IsoDate | None = model_field(projects.Project, "target_date", None)
    budget: Decimal | None = model_field(projects.Project, "budget", None)
    currency: str = model_field(projects.Project, "currency", "CNY")
    time_zone: str = model_field(projects.Project, "time_zone", "Asia/Shanghai")
    language: Language = model_field(projects.Project, "language", Language.ENGLISH)
    internal_notes: str = model_field(projects.Project, "internal_notes", "")


class ProjectPatchIn(Schema):
    """Changes to a project, based on the version the caller read."""

    version: Version
    name: str | None = model_field(projects.Project, "name", None)
    summary: str | None = model_field(projects.Project, "summary", None)
    status: ProjectStatus | None = model_field(projects.Project, "status", None)
    start_date: IsoDate | None = model_field(projects.Project, "start_date", None)
    target_date: IsoDate | None = model_field(projects.Project, "target_date", None)
    budget: Decimal | None = model_field(projects.Project, "budget", None)
    currency: str | None = model_field(projects.Project, "currency", None)
    time_zone: str | None = model_field(projects.Project, "time_zone", None)
    language: Language | None = model_field(projects.Project, "language", None)
    internal_notes: str | None = model_field(projects.Project, "internal_notes", None)


# ---------------------------------------------------------------- members and invitations


class MemberUserOut(PersonOut):
    """A member's person, with how to reach them."""

    email: str
    organization: OrganizationOut | None


class MemberOut(Schema):
    """A person's role in the project."""

    id: int
    user: MemberUserOut
    role: str
    side: str


class MemberIn(Schema):
    """Add a person who already has an account."""

    email: str
    role: Role = model_field(projects.Membership, "role")


class MemberPatchIn(Schema):
    """Give a member another role."""

    role: Role = model_field(projects.Membership, "role")


class InvitationIn(Schema):
    """Invite someone by email."""

    email: str
    role: Role = model_field(projects.Invitation, "role")
    full_name: str = model_field(projects.Invitation, "full_name", "")


class InvitationOut(Schema):
    """An open invitation."""

    id: int
    email: str
    full_name: str
    role: str
    invited_by: PersonOut | None
    created_at: dt.datetime
    expires_at: dt.datetime


class InvitationCreatedOut(InvitationOut):
    """An invitation just sent, with its link (shown this once, also emailed)."""

    url: str


class AcceptIn(Schema):
    """Accept an invitation: signed in, or creating an account with a name and password."""

    token: str
    full_name: str = ""
    password: str = ""


class AcceptedOut(Schema):
    """The membership an accepted invitation created."""

    project: str
    role: str
    user: PersonOut


# ---------------------------------------------------------------- decision rights


class DecisionRightOut(Schema):
    """Who holds one kind of decision."""

    kind: str
    label: str
    roles: list[str]

    @staticmethod
    def resolve_label(obj: Any) -> str:
        """The decision's name in the caller's language."""
        return str(DecisionKind(obj.kind).label)


class DecisionTableOut(Schema):
    """The project's whole table of decision rights."""

    preset: str
    rights: list[DecisionRightOut]


class PresetIn(Schema):
    """Replace the table by a preset."""

    preset: DecisionPreset = model_field(projects.Project, "decision_preset")


class DecisionRolesIn(Schema):
    """The roles that hold one kind of decision."""

    roles: list[Role]


# ---------------------------------------------------------------- charter


class SectionOut(Schema):
    """A free-text section of the charter (version 0: never written)."""

    key: str
    label: str
    body: str
    version: int


class SectionIn(Schema):
    """New text of a section, based on the version the caller read."""

    body: str = model_field(projects.CharterSection, "body")
    version: Version


class _ItemOut(Schema):
    id: int
    visibility: str
    position: int
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class GoalOut(_ItemOut):
    """A SMART goal."""

    statement: str
    measure: str
    target: str
    due_date: dt.date | None


class GoalIn(Schema):
    """A new goal."""

    statement: str = model_field(projects.Goal, "statement")
    measure: str = model_field(projects.Goal, "measure", "")
    target: str = model_field(projects.Goal, "target", "")
    due_date: IsoDate | None = model_field(projects.Goal, "due_date", None)
    visibility: Visibility = model_field(projects.Goal, "visibility", Visibility.SHARED)
    position: StrictInt | None = model_field(projects.Goal, "position", None)


class GoalPatchIn(Schema):
    """Changes to a goal, based on the version the caller read."""

    version: Version
    statement: str | None = model_field(projects.Goal, "statement", None)
    measure: str | None = model_field(projects.Goal, "measure", None)
    target: str | None = model_field(projects.Goal, "target", None)
    due_date: IsoDate | None = model_field(projects.Goal, "due_date", None)
    visibility: Visibility | None = model_field(projects.Goal, "visibility", None)
    position: StrictInt | None = model_field(projects.Goal, "position", None)


class KpiOut(_ItemOut):
    """A KPI with its thresholds."""

    name: str
    definition: str
    unit: str
    direction: str
    target: Decimal | None
    warning_threshold: Decimal | None
    alarm_threshold: Decimal | None
    source: str = Field(description='"manual" (values entered by hand) or the live source measuring it')


class KpiIn(Schema):
    """A new KPI."""

    name: str = model_field(projects.Kpi, "name")
    definition: str = model_field(projects.Kpi, "definition", "")
    unit: str = model_field(projects.Kpi, "unit", "")
    direction: KpiDirection = model_field(projects.Kpi, "direction", KpiDirection.HIGHER)
    target: Decimal | None = model_field(projects.Kpi, "target", None)
    warning_threshold: Decimal | None = model_field(projects.Kpi, "warning_threshold", None)
    alarm_threshold: Decimal | None = model_field(projects.Kpi, "alarm_threshold", None)
    visibility: Visibility = model_field(projects.Kpi, "visibility", Visibility.SHARED)
    position: StrictInt | None = model_field(projects.Kpi, "position", None)


class KpiPatchIn(Schema):
    """Changes to a KPI, based on the version the caller read."""

    version: Version
    name: str | None = model_field(projects.Kpi, "name", None)
    definition: str | None = model_field(projects.Kpi, "definition", None)
    unit: str | None = model_field(projects.Kpi, "unit", None)
    direction: KpiDirection | None = model_field(projects.Kpi, "direction", None)
    target: Decimal | None = model_field(projects.Kpi, "target", None)
    warning_threshold: Decimal | None = model_field(projects.Kpi, "warning_threshold", None)
    alarm_threshold: Decimal | None = model_field(projects.Kpi, "alarm_threshold", None)
    visibility: Visibility | None = model_field(projects.Kpi, "visibility", None)
    position: StrictInt | None = model_field(projects.Kpi, "position", None)


class StakeholderOut(_ItemOut):
    """A person with a stake in the project."""

    name: str
    side: str
    organization: str
    role_title: str
    influence: str
    interest: str
    contact: str


class StakeholderIn(Schema):
    """A new stakeholder."""

    name: str = model_field(projects.Stakeholder, "name")
    side: Side = model_field(projects.Stakeholder, "side", Side.CLIENT)
    organization: str = model_field(projects.Stakeholder, "organization", "")
    role_title: str = model_field(projects.Stakeholder, "role_title", "")
    influence: Level = model_field(projects.Stakeholder, "influence", Level.MEDIUM)
    interest: Level = model_field(projects.Stakeholder, "interest", Level.MEDIUM)
    contact: str = model_field(projects.Stakeholder, "contact", "")
    visibility: Visibility = model_field(projects.Stakeholder, "visibility", Visibility.SHARED)
    position: StrictInt | None = model_field(projects.Stakeholder, "position", None)


class StakeholderPatchIn(Schema):
    """Changes to a stakeholder, based on the version the caller read."""

    version: Version
    name: str | None = model_field(projects.Stakeholder, "name", None)
    side: Side | None = model_field(projects.Stakeholder, "side", None)
    organization: str | None = model_field(projects.Stakeholder, "organization", None)
    role_title: str | None = model_field(projects.Stakeholder, "role_title", None)
    influence: Level | None = model_field(projects.Stakeholder, "influence", None)
    interest: Level | None = model_field(projects.Stakeholder, "interest", None)
    contact: str | None = model_field(projects.Stakeholder, "contact", None)
    visibility: Visibility | None = model_field(projects.Stakeholder, "visibility", None)
    position: StrictInt | None = model_field(projects.Stakeholder, "position", None)


class RaciCellOut(Schema):
    """A stakeholder's RACI letter for a deliverable."""

    stakeholder_id: int
    stakeholder_name: str = Field(..., alias="stakeholder.name")
    letter: str


class DeliverableOut(_ItemOut):
    """A deliverable with the RACI cells the caller may see."""

    name: str
    description: str
    due_date: dt.date | None
    acceptance_criteria: list[str]
    raci: list[RaciCellOut] = Field(default_factory=list, alias="visible_raci")


class DeliverableIn(Schema):
    """A new deliverable."""

    name: str = model_field(projects.Deliverable, "name")
    description: str = model_field(projects.Deliverable, "description", "")
    due_date: IsoDate | None = model_field(projects.Deliverable, "due_date", None)
    acceptance_criteria: list[Annotated[str, Strict()]] = model_field(
        projects.Deliverable, "acceptance_criteria", default_factory=list
    )
    visibility: Visibility = model_field(projects.Deliverable, "visibility", Visibility.SHARED)
    position: StrictInt | None = model_field(projects.Deliverable, "position", None)


class DeliverablePatchIn(Schema):
    """Changes to a deliverable, based on the version the caller read."""

    version: Version
    name: str | None = model_field(projects.Deliverable, "name", None)
    description: str | None = model_field(projects.Deliverable, "description", None)
    due_date: IsoDate | None = model_field(projects.Deliverable, "due_date", None)
    acceptance_criteria: list[Annotated[str, Strict()]] | None = model_field(
        projects.Deliverable, "acceptance_criteria", None
    )
    visibility: Visibility | None = model_field(projects.Deliverable, "visibility", None)
    position: StrictInt | None = model_field(projects.Deliverable, "position", None)


class RaciCellIn(Schema):
    """One cell of a RACI row."""

    stakeholder_id: Id
    letter: Raci = model_field(projects.RaciAssignment, "letter")


class RaciIn(Schema):
    """A deliverable's whole RACI row (exactly one Accountable), based on the version read."""

    version: Version
    cells: list[RaciCellIn]


class CharterConfirmationOut(Schema):
    """A client's confirmation of one charter revision."""

    revision: int
    confirmed_by: PersonOut
    confirmed_at: dt.datetime
    comment: str


class CharterOut(Schema):
    """The charter's state: its revision, sections and latest confirmation."""

    revision: int
    sections: list[SectionOut]
    latest_confirmation: CharterConfirmationOut | None


class RevisionSummaryOut(Schema):
    """A frozen revision of the charter in a list."""

    number: int
    created_at: dt.datetime
    created_by: PersonOut | None


class RevisionOut(RevisionSummaryOut):
    """A frozen revision with its (shared) content."""

    content: dict[str, Any]


class CharterChangeOut(Schema):
    """One changed section, or one added, removed or changed item."""

    part: str
    change: str
    label: str
    fields: dict[str, list[Any]]


class CharterDiffOut(Schema):
    """What changed between two revisions."""

    from_revision: int
    to_revision: int
    changes: list[CharterChangeOut]


class ChangesSinceConfirmedOut(Schema):
    """The latest confirmation and what changed in the shared charter since."""

    revision: int
    confirmation: CharterConfirmationOut | None
    changes: list[CharterChangeOut]


class CharterConfirmIn(Schema):
    """Confirm the revision the caller read."""

    revision: StrictInt = model_field(projects.CharterConfirmation, "revision", le=MAX_INT)
    comment: str = model_field(projects.CharterConfirmation, "comment", "", max_length=5000)


# ---------------------------------------------------------------- notes and activity


class NoteOut(Schema):
    """A project note."""

    id: int
    title: str
    body: str
    visibility: str
    author: PersonOut | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class NoteIn(Schema):
    """A new note (a client member's notes are always shared)."""

    title: str = model_field(projects.Note, "title")
    body: str = model_field(projects.Note, "body", "")
    visibility: Visibility = model_field(projects.Note, "visibility", Visibility.INTERNAL)


class NotePatchIn(Schema):
    """Changes to a note, based on the version the caller read."""

    version: Version
    title: str | None = model_field(projects.Note, "title", None)
    body: str | None = model_field(projects.Note, "body", None)
    visibility: Visibility | None = model_field(projects.Note, "visibility", None)


class ActivityOut(Schema):
    """One recorded change."""

    id: int
    project: str | None = Field(None, alias="project.code")
    actor: PersonOut | None
    verb: str
    target_type: str
    target_id: str
    target_label: str
    changes: dict[str, Any]
    visibility: str
    created_at: dt.datetime


class ActivityFilter(Schema):
    """Narrow an activity feed; every filter is optional and they combine."""

    verb: str = Field("", max_length=40, description="Only this verb (created, updated, added, removed, …).")
    target_type: str = Field("", max_length=40, description="Only records of this type, e.g. projects.goal.")
    target_id: str = Field("", max_length=40, description="Only this record (with target_type).")
    actor_id: int | None = Field(None, ge=1, le=2**31 - 1, description="Only what this person did.")
    since: IsoDate | None = Field(None, description="From this day on (YYYY-MM-DD).")
    until: IsoDate | None = Field(None, description="Up to this day, included (YYYY-MM-DD).")

    def as_filters(self) -> dict[str, Any]:
        """The filters as keyword arguments of ``queries.activity_of``; 422 on a reversed range."""
        if self.since and self.until and self.until < self.since:
            raise ValidationError({"until": [_("The end of the range is before its start.")]})
        return self.model_dump()
