"""KPI values: the readings of a project's KPIs, each KPI's measurements, and its live source."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from tandem.api.auth import AUTH, actor
from tandem.api.pagination import paged
from tandem.api.schemas import IsoDate, KpiOut
from tandem.projects import kpis, queries
from tandem.projects.models import Kpi, KpiMeasurement

router = Router(tags=["charter"], auth=AUTH)


class MeasurementOut(Schema):
    """A KPI's value on a date, graded against the KPI's target and thresholds as they stand."""

    id: int
    measured_on: dt.date
    value: Decimal
    note: str
    source: str = Field(description='"manual", or the key of the live source that measured it')
    status: str = Field(description="on_target, warning, alarm or unknown")

    @staticmethod
    def resolve_status(obj: KpiMeasurement) -> str:
        """Graded against the KPI (read with the row: ``select_related("kpi")``)."""
        return kpis.status_of(obj.kpi, obj.value)


class MeasurementIn(Schema):
    """A value entered by hand (a value already entered for the date is replaced)."""

    measured_on: IsoDate
    value: Decimal = Field(description="The KPI's value, in its unit")
    note: Annotated[str, Field(max_length=300)] = ""


class SourceIn(Schema):
    """Where the KPI's values come from: "manual", or a live source key (see ``GET …/kpi-sources``)."""

    source: Annotated[str, Field(min_length=1, max_length=60)]


class SourceOut(Schema):
    """A live source a KPI can be bound to."""

    key: str
    label: str
    unit: str


class PointOut(Schema):
    """One value of a trend."""

    measured_on: dt.date
    value: Decimal


class ReadingOut(Schema):
    """A KPI's latest value and status, and its trend (oldest first)."""

    kpi_id: int
    name: str
    unit: str
    direction: str
    target: Decimal | None
    source: str
    status: str = Field(description="on_target, warning, alarm or unknown")
    value: Decimal | None
    measured_on: dt.date | None
    trend: list[PointOut]


def _kpi(request: HttpRequest, code: str, item_id: int) -> Kpi:
    user = actor(request)
    return queries.access_item(user, queries.access_project(user, code), Kpi, item_id)


@router.get("/kpi-sources", response=list[SourceOut], summary="List the live KPI sources")
def list_sources(request: HttpRequest) -> list[SourceOut]:
    """The sources a KPI can be bound to, besides "manual"."""
    return [SourceOut(key=s.key, label=str(s.label), unit=s.unit) for s in kpis.SOURCES.values()]


@router.get("/projects/{code}/kpis", response=list[ReadingOut], summary="Read the project's KPIs")
def list_readings(request: HttpRequest, code: str) -> list[ReadingOut]:
    """Every KPI the caller may see with its latest value, its status and its last twelve values."""
    user = actor(request)
    project = queries.access_project(user, code)
    found = kpis.readings(queries.kpis_of(user, project))
    return [
        ReadingOut(
            kpi_id=r.kpi.pk,
            name=r.kpi.name,
            unit=r.kpi.unit,
            direction=r.kpi.direction,
            target=r.kpi.target,
            source=r.kpi.source,
            status=r.status,
            value=r.latest.value if r.latest else None,
            measured_on=r.latest.measured_on if r.latest else None,
            trend=[PointOut(measured_on=m.measured_on, value=m.value) for m in r.trend],
        )
        for r in found.values()
    ]


@router.get(
    "/projects/{code}/charter/kpis/{item_id}/measurements",
    response=list[MeasurementOut],
    summary="List a KPI's values",
)
@paged
def list_measurements(request: HttpRequest, code: str, item_id: int) -> QuerySet[KpiMeasurement]:
    """The KPI's values, newest first."""
    kpi = _kpi(request, code, item_id)
    return kpis.measurements_of(actor(request), kpi).select_related("kpi")


@router.post(
    "/projects/{code}/charter/kpis/{item_id}/measurements",
    response={201: MeasurementOut},
    summary="Enter a KPI's value",
)
def record_measurement(
    request: HttpRequest, code: str, item_id: int, payload: MeasurementIn
) -> Status[KpiMeasurement]:
    """Enter the value of a KPI measured by hand on a date (those who may edit the charter)."""
    kpi = _kpi(request, code, item_id)
    row = kpis.do_record_measurement(
        kpi, value=payload.value, measured_on=payload.measured_on, note=payload.note, actor=actor(request)
    )
    return Status(201, row)


@router.delete(
    "/projects/{code}/charter/kpis/{item_id}/measurements/{measurement_id}",
    response={204: None},
    summary="Remove a KPI's value",
)
def delete_measurement(request: HttpRequest, code: str, item_id: int, measurement_id: int) -> Status[None]:
    """Remove a value entered by mistake."""
    kpi = _kpi(request, code, item_id)
    row = kpis.measurements_of(actor(request), kpi).filter(pk=measurement_id).first()
    if row is None:
        raise Http404(_("No such value."))
    kpis.do_delete_measurement(row, actor=actor(request))
    return Status(204, None)


@router.put(
    "/projects/{code}/charter/kpis/{item_id}/source", response=KpiOut, summary="Choose a KPI's source"
)
def set_source(request: HttpRequest, code: str, item_id: int, payload: SourceIn) -> Kpi:
    """Bind the KPI to a live source, or back to "manual"."""
    kpi = _kpi(request, code, item_id)
    return kpis.do_set_kpi_source(kpi, source=payload.source, actor=actor(request))
