"""The traceability matrix is read a page at a time, in a fixed number of queries (API and page)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.core.choices import Visibility
from tandem.planning import services as planning
from tandem.requirements import services
from tandem.requirements.tests.conftest import Backlog
from tandem.testing.api import Caller

TRACE = "/projects/ERP/traceability"


def grow(backlog: Backlog, n: int) -> None:
    """``n`` more requirements (every other one internal), each traced to a task, and ``n`` loose tasks."""
    world = backlog.world
    for i in range(n):
        vis = Visibility.SHARED if i % 2 else Visibility.INTERNAL
        req = services.do_create_requirement(world.project, actor=world.pm, title=f"R{i}", visibility=vis)
        task = planning.do_add_task(world.project, actor=world.pm, name=f"Traced {i}", duration_minutes=480)
        services.do_link_task(req, actor=world.pm, task_id=task.pk)
        services.do_confirm_requirement(req, actor=world.client_pm, version_number=1)
        planning.do_add_task(world.project, actor=world.pm, name=f"Loose {i}", duration_minutes=480)


def test_it_pages_rows_and_untraced_tasks_with_the_whole_matrixs_counts(backlog: Backlog) -> None:
    grow(backlog, 6)
    pm = Caller(backlog.world, "pm")
    whole = pm.get(f"{TRACE}?limit=200").json
    assert whole["count"] == len(whole["rows"]) == 9
    assert whole["untraced_count"] == len(whole["untraced_tasks"]) == 8  # the backlog's two, six loose
    assert (whole["confirmed"], whole["covered"]) == (6, 6)
    first = pm.get(f"{TRACE}?limit=4").json
    second = pm.get(f"{TRACE}?limit=4&offset=4").json
    assert (first["limit"], first["offset"], second["offset"]) == (4, 0, 4)
    assert [r["code"] for r in first["rows"] + second["rows"]] == [r["code"] for r in whole["rows"][:8]]
    names = [t["name"] for t in first["untraced_tasks"] + second["untraced_tasks"]]
    assert names == [t["name"] for t in whole["untraced_tasks"]]
    assert {k: first[k] for k in ("count", "untraced_count", "confirmed", "covered")} == {
        k: whole[k] for k in ("count", "untraced_count", "confirmed", "covered")
    }
    assert pm.get(TRACE).json["limit"] == 50  # the API's page size, as every list


def test_a_clients_page_counts_shared_rows_only(backlog: Backlog) -> None:
    grow(backlog, 6)
    client = Caller(backlog.world, "client_viewer")
    page = client.get(f"{TRACE}?limit=2").json
    # REQ-001 and REQ-002, and the three shared grown requirements; the internal tasks are not counted.
    assert page["count"] == 5 and len(page["rows"]) == 2
    assert (page["confirmed"], page["covered"]) == (3, 3)
    assert "Margin" not in str(client.get(f"{TRACE}?limit=200").json)


@pytest.mark.parametrize(
    ("query", "field"), [("limit=0", "limit"), ("limit=201", "limit"), ("offset=-1", "offset")]
)
def test_a_bad_page_is_refused_naming_the_field(backlog: Backlog, query: str, field: str) -> None:
    response = Caller(backlog.world, "pm").get(f"{TRACE}?{query}")
    assert response.status == 422
    assert field in response.text


def count_queries(call: object, *args: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        call(*args)  # type: ignore[operator]
    return len(captured)


@pytest.mark.parametrize("who", ["pm", "client_viewer"])
def test_the_api_and_the_page_read_the_same_queries_for_few_and_many_rows(backlog: Backlog, who: str) -> None:
    caller = Caller(backlog.world, who)
    page = Client()
    page.force_login(backlog.world.people[who])
    path = reverse("web:requirements_traceability", args=["ERP"])
    grow(backlog, 2)
    caller.get(TRACE), page.get(path)  # warm process-wide caches
    few = (count_queries(caller.get, TRACE), count_queries(page.get, path))
    grow(backlog, 12)
    assert (count_queries(caller.get, TRACE), count_queries(page.get, path)) == few


def test_the_page_shows_a_page_of_each_side_with_links_to_the_next(
    backlog: Backlog, monkeypatch: pytest.MonkeyPatch
) -> None:
    grow(backlog, 4)
    page = Client()
    page.force_login(backlog.world.pm)
    path = reverse("web:requirements_traceability", args=["ERP"])
    monkeypatch.setattr("tandem.web.views.requirements.TRACE_PAGE_SIZE", 3)
    first = page.get(path).content.decode()
    later = page.get(path + "?page=2&untraced=2").content.decode()
    bad = page.get(path + "?page=lots&untraced=-4")
    assert "Page 1 of 3" in first and 'href="?page=2"' in first and 'href="?untraced=2"' in first
    assert "Page 2 of 3" in later and 'href="?page=3&amp;untraced=2"' in later
    assert bad.status_code == 200 and "Page 1 of 3" in bad.content.decode()
