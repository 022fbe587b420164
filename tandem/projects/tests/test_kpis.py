"""KPI values: entered by hand or measured every day from a live source, graded against the KPI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.core.models import Activity
from tandem.projects import kpis, services
from tandem.projects.choices import KpiDirection, KpiStatus
from tandem.projects.models import Kpi, KpiMeasurement
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)


def _kpi(world: World, **data: Any) -> Kpi:
    values = {"name": "Availability", "target": "99.5", **data}
    kpi: Kpi = services.do_add_charter_item(world.project, kind="kpis", data=values, actor=world.pm)
    return kpi


@pytest.mark.parametrize(
    ("direction", "warning", "alarm", "value", "expected"),
    [
        (KpiDirection.HIGHER, "99", "98", "99.7", KpiStatus.ON_TARGET),
        (KpiDirection.HIGHER, "99", "98", "99", KpiStatus.WARNING),  # at the threshold is past it
        (KpiDirection.HIGHER, "99", "98", "97.5", KpiStatus.ALARM),
        (KpiDirection.LOWER, "5", "10", "4", KpiStatus.ON_TARGET),
        (KpiDirection.LOWER, "5", "10", "7", KpiStatus.WARNING),
        (KpiDirection.LOWER, "5", "10", "10", KpiStatus.ALARM),
        (KpiDirection.HIGHER, None, None, "99.6", KpiStatus.ON_TARGET),  # target 99.5 only
        (KpiDirection.HIGHER, None, None, "99.4", KpiStatus.WARNING),
        (KpiDirection.HIGHER, None, "90", "95", KpiStatus.ON_TARGET),  # alarm only
    ],
)
def test_a_value_is_graded_by_the_kpis_direction_and_thresholds(
    direction: str, warning: str | None, alarm: str | None, value: str, expected: str
) -> None:
    kpi = Kpi(
        name="k",
        direction=direction,
        target=Decimal("99.5"),
        warning_threshold=Decimal(warning) if warning else None,
        alarm_threshold=Decimal(alarm) if alarm else None,
    )
    assert kpis.status_of(kpi, Decimal(value)) == expected


def test_no_value_or_nothing_to_compare_with_is_unknown() -> None:
    assert kpis.status_of(Kpi(name="k", target=Decimal(1)), None) == KpiStatus.UNKNOWN
    assert kpis.status_of(Kpi(name="k"), Decimal(3)) == KpiStatus.UNKNOWN


def test_a_value_entered_again_for_the_same_day_replaces_it_and_both_are_audited(world: World) -> None:
    kpi = _kpi(world)
    kpis.do_record_measurement(kpi, value="98.2", measured_on=DAY, actor=world.pm, note="outage on Monday")
    kpis.do_record_measurement(kpi, value=Decimal("99.1"), measured_on=DAY, actor=world.pm)
    rows = list(KpiMeasurement.objects.filter(kpi=kpi).values_list("measured_on", "value", "note"))
    assert rows == [(DAY, Decimal("99.1"), "")]
    changes = [
        a.changes for a in Activity.objects.filter(verb="measured", target_id=str(kpi.pk)).order_by("id")
    ]
    assert changes == [
        {"date": [None, "2026-03-02"], "value": [None, "98.2000"]},
        {"date": [None, "2026-03-02"], "value": ["98.2000", "99.1000"]},
    ]


@pytest.mark.parametrize(
    ("value", "day", "note", "field"),
    [
        ("abc", DAY, "", "value"),
        ("NaN", DAY, "", "value"),
        ("1e12", DAY, "", "value"),
        ("5", None, "", "measured_on"),
        ("5", DAY, "x" * 301, "note"),
    ],
)
def test_bad_input_names_its_field_and_writes_nothing(
    world: World, value: str, day: dt.date | None, note: str, field: str
) -> None:
    kpi = _kpi(world)
    with pytest.raises(ValidationError) as caught:
        kpis.do_record_measurement(kpi, value=value, measured_on=day, note=note, actor=world.pm)
    assert field in caught.value.message_dict
    assert not KpiMeasurement.objects.filter(kpi=kpi).exists()


def test_only_those_who_edit_the_charter_enter_values(world: World) -> None:
    kpi = _kpi(world)
    for person in (world.member, world.sponsor, world.client_pm):
        with pytest.raises(PermissionDenied):
            kpis.do_record_measurement(kpi, value="1", measured_on=DAY, actor=person)


def test_a_kpi_bound_to_a_live_source_takes_no_hand_entered_value(world: World) -> None:
    kpi = kpis.do_set_kpi_source(_kpi(world), source="schedule.percent_complete", actor=world.pm)
    with pytest.raises(ValidationError) as caught:
        kpis.do_record_measurement(kpi, value="1", measured_on=DAY, actor=world.pm)
    assert "value" in caught.value.message_dict
    with pytest.raises(ValidationError) as unknown:
        kpis.do_set_kpi_source(kpi, source="cost.nonsense", actor=world.pm)
    assert "source" in unknown.value.message_dict


def test_readings_of_many_kpis_cost_one_query_and_keep_the_latest_values(world: World) -> None:
    rows = [_kpi(world, name=f"K{i}") for i in range(5)]
    for i, kpi in enumerate(rows):
        for d in range(15):
            kpis.do_record_measurement(
                kpi, value=90 + d + i, measured_on=DAY + dt.timedelta(days=d), actor=world.pm
            )
    with CaptureQueriesContext(connection) as queries:
        found = kpis.readings(rows)
    assert len(queries) == 1
    reading = found[rows[2].pk]
    assert [m.value for m in reading.trend] == [Decimal(92 + d) for d in range(3, 15)]
    assert reading.latest is not None and reading.latest.value == Decimal(106)
    assert reading.status == KpiStatus.ON_TARGET


def test_a_client_reads_the_values_of_shared_kpis_only(world: World) -> None:
    shared, internal = world.records["kpi_shared"], world.records["kpi_internal"]
    for kpi in (shared, internal):
        kpis.do_record_measurement(kpi, value="90", measured_on=DAY, actor=world.pm)
    assert kpis.measurements_of(world.client_pm, shared).count() == 1
    assert kpis.measurements_of(world.client_pm, internal).count() == 0
    assert kpis.measurements_of(world.member, internal).count() == 1
    assert set(KpiMeasurement.objects.visible_to(world.sponsor).values_list("kpi_id", flat=True)) == {
        shared.pk
    }
