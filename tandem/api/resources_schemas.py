"""Request and response shapes of the resource pool, its (internal) rates and the assignments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

from tandem.api.model_fields import model_field
from tandem.api.schemas import Id, IsoDate, PersonOut, StrictBool, StrictInt, Version
from tandem.planning.choices import CalendarBase
from tandem.resources.choices import ResourceKind
from tandem.resources.models import Assignment, Rate, Resource

Skills = Annotated[list[Annotated[str, Field(max_length=50)]], Field(max_length=30)]
Units = Annotated[StrictInt, Field(ge=0, le=2**31 - 1)]


class LeaveOut(Schema):
    """Days a resource does not work."""

    id: int
    start: dt.date
    end: dt.date
    note: str


class ResourceOut(Schema):
    """A resource of an organization's pool; ``cost_per_use`` is empty for anyone but the delivery team."""

    id: int
    organization_id: int
    kind: ResourceKind
    name: str
    user: PersonOut | None
    role: str
    skills: list[str]
    max_units: int
    material_label: str
    calendar_base: str
    active: bool
    cost_per_use: Decimal | None = Field(None, alias="shown_cost_per_use")
    leave: list[LeaveOut] = Field(default_factory=list, alias="exceptions")
    version: int

    @staticmethod
    def resolve_leave(obj: Resource) -> list[LeaveOut]:
        return list(obj.exceptions.all())  # type: ignore[arg-type]


class _ResourceFields(Schema):
    kind: ResourceKind | None = model_field(Resource, "kind", None)
    user_id: Id | None = model_field(Resource, "user", None, description="The person's account.")
    role: str | None = model_field(Resource, "role", None)
    skills: Skills | None = model_field(Resource, "skills", None)
    max_units: StrictInt | None = model_field(Resource, "max_units", None)
    material_label: str | None = model_field(Resource, "material_label", None)
    calendar_base: CalendarBase | None = model_field(Resource, "calendar_base", None)
    cost_per_use: Decimal | None = model_field(Resource, "cost_per_use", None)
    active: StrictBool | None = model_field(Resource, "active", None)


class ResourceIn(_ResourceFields):
    """A new resource (a person by default, at 100 % max units)."""

    name: str = model_field(Resource, "name")


class ResourcePatchIn(_ResourceFields):
    """Changes to a resource, based on the version the caller read."""

    name: str | None = model_field(Resource, "name", None)
    version: Version


class RateOut(Schema):
    """An internal rate in force from a date on (the delivery team only)."""

    id: int
    effective_from: dt.date
    standard_rate: Decimal
    overtime_rate: Decimal
    currency: str
    created_at: dt.datetime


class RateIn(Schema):
    """A new rate; ``effective_from`` is required."""

    effective_from: IsoDate | None = model_field(Rate, "effective_from", None)
    standard_rate: Decimal = model_field(Rate, "standard_rate")
    overtime_rate: Decimal = model_field(Rate, "overtime_rate", Decimal(0))
    currency: str = model_field(
        Rate, "currency", "", description="ISO 4217 code; default: the organization's project currency."
    )


class AssignmentResourceOut(Schema):
    """The assigned resource as the plan shows it (a name, never a rate)."""

    id: int
    name: str
    kind: ResourceKind
    role: str
    organization_id: int


class AssignmentOut(Schema):
    """A resource assigned to a task."""

    id: int
    task_id: int
    task_name: str = Field(..., alias="task.name")
    resource: AssignmentResourceOut
    units: int
    work_minutes: int
    version: int


class AssignmentIn(Schema):
    """A new assignment: a resource of the project's client or vendor on a task of the project."""

    task_id: Id
    resource_id: Id
    units: Units = model_field(Assignment, "units", 100)
    work_minutes: Units = model_field(Assignment, "work_minutes", 0)


class AssignmentPatchIn(Schema):
    """Changes to an assignment, based on the version the caller read."""

    units: Units | None = model_field(Assignment, "units", None)
    work_minutes: Units | None = model_field(Assignment, "work_minutes", None)
    version: Version
