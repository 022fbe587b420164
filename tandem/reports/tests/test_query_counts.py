"""The report list answers in the same number of queries for 3 reports as for 30 (API)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.reports import services
from tandem.testing.api import Caller
from tandem.testing.personas import World

from .conftest import EARLY


def _reports(world: World, n: int) -> None:
    for _ in range(n):
        report = services.generate_report(
            world.project,
            period_start=dt.date(2026, 1, 5),
            period_end=dt.date(2026, 1, 9),
            actor=world.pm,
            now=EARLY,
        )
        services.do_send_report(report, actor=world.pm, version=report.version, deliver=False)


def _count(caller: Caller) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = caller.get("/projects/ERP/reports?limit=50")
        assert response.status == 200
    return len(queries)


def test_the_api_list_costs_the_same_for_3_and_30_reports(world: World) -> None:
    pm, sponsor = Caller(world, "pm"), Caller(world, "sponsor")
    _reports(world, 3)
    few = (_count(pm), _count(sponsor))
    _reports(world, 27)
    assert pm.get("/projects/ERP/reports?limit=50").json["count"] == 30
    assert (_count(pm), _count(sponsor)) == few
