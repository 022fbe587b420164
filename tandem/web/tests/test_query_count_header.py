"""The opt-in query-count headers that benchmarks read: absent by default, exact when switched on."""

from __future__ import annotations

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from tandem.testing.personas import World


def test_it_sends_no_query_headers_by_default(world: World) -> None:
    client = Client()
    client.force_login(world.pm)
    response = client.get(reverse("web:project_home", args=["ERP"]))
    assert response.status_code == 200
    assert "X-Query-Count" not in response
    assert "Server-Timing" not in response


@override_settings(QUERY_COUNT_HEADER=True)
def test_it_counts_every_query_of_the_request_when_switched_on(world: World) -> None:
    # A new client loads the middleware chain after the setting changed.
    client = Client()
    client.force_login(world.pm)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("web:project_home", args=["ERP"]))
    assert response.status_code == 200
    count = int(response["X-Query-Count"])
    # The session and user lookups are counted too: the middleware runs first.
    assert count == len(captured.captured_queries)
    assert count > 2
    timing = response["Server-Timing"]
    match = re.fullmatch(r'app;dur=([\d.]+), db;dur=([\d.]+);desc="(\d+) queries"', timing)
    assert match is not None, timing
    assert int(match.group(3)) == count
    assert float(match.group(2)) <= float(match.group(1))


@override_settings(QUERY_COUNT_HEADER=True)
def test_it_counts_the_api_and_a_request_without_queries(world: World) -> None:
    client = Client()
    # The sign-in page reads nothing from the database for an anonymous visitor.
    assert Client().get(reverse("web:login"))["X-Query-Count"] == "0"
    client.force_login(world.pm)
    response = client.get("/api/v1/projects/ERP/tasks")
    assert response.status_code == 200
    assert int(response["X-Query-Count"]) > 0
