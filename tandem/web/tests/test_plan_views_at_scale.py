"""The Gantt data and the board read a fixed number of queries and only what they show, whatever the plan."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tandem.core.choices import Visibility
from tandem.planning import services
from tandem.planning.choices import TaskStatus
from tandem.planning.models import Task
from tandem.resources import services as resource_services
from tandem.resources.models import Resource
from tandem.risks import services as risk_services
from tandem.testing.personas import World
from tandem.testing.plans import DAY, Plan
from tandem.web.tests.test_planning_pages import build_plan, client_for, unpack_gantt, url
from tandem.web.tests.test_query_counts import count_queries
from tandem.web.views.planning import BOARD_COLUMN_SIZE

STATUSES = (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED, TaskStatus.DONE)


def grow(plan: Plan, n: int, *, status: str = "") -> None:
    """``n`` more tasks: owned, linked in a chain, with every status, some internal, some at risk."""
    world, project = plan.world, plan.world.project
    previous = plan.build
    for i in range(n):
        task = services.do_add_task(
            project,
            actor=world.pm,
            name=f"Grown {i}",
            duration_minutes=DAY,
            owner_id=(world.member if i % 2 else world.pm).pk,
            visibility=Visibility.INTERNAL if i % 5 == 0 else Visibility.SHARED,
        )
        wanted = status or STATUSES[i % len(STATUSES)]
        if wanted != TaskStatus.NOT_STARTED:
            services.do_update_task(task, version=task.version, actor=world.pm, status=wanted)
        services.do_add_dependency(project, predecessor_id=previous.pk, successor_id=task.pk, actor=world.pm)
        if i % 3 == 0:
            risk_services.do_add_risk(project, actor=world.pm, title=f"Risk {i}", task_ids=[task.pk])
        previous = task


@pytest.fixture
def plan(world: World) -> Plan:
    return build_plan(world)


@pytest.mark.parametrize("kind", ["pm", "member", "client_viewer"])
@pytest.mark.parametrize("page", ["plan_gantt_data", "plan_gantt", "plan_board"])
def test_it_reads_the_same_queries_for_a_small_and_a_grown_plan(plan: Plan, page: str, kind: str) -> None:
    c = client_for(plan.world, kind)
    grow(plan, 4)
    few = count_queries(c, url(page))
    grow(plan, 16)
    assert count_queries(c, url(page)) == few


def test_the_gantt_data_sends_each_owner_and_risk_title_once(plan: Plan) -> None:
    grow(plan, 12)
    raw = json.loads(client_for(plan.world, "pm").get(url("plan_gantt_data")).content)
    assert sorted(raw["owners"]) == sorted(["", plan.world.pm.full_name, plan.world.member.full_name])
    assert len(raw["risks"]) == len(set(raw["risks"])) == 4
    rows = {t["name"]: t for t in unpack_gantt(raw)["tasks"]}
    assert rows["Grown 1"]["owner"] == plan.world.member.full_name
    assert rows["Grown 3"]["risks"] == ["Risk 3"]
    assert rows["Grown 2"]["start"] <= rows["Grown 2"]["end"]


def test_a_client_gets_no_owner_risk_or_link_of_internal_rows_in_the_compact_data(plan: Plan) -> None:
    world = plan.world
    services.do_update_task(plan.secret, version=plan.secret.version, actor=world.pm, owner_id=world.pm.pk)
    risk_services.do_add_risk(world.project, actor=world.pm, title="Hidden worry", task_ids=[plan.secret.pk])
    raw = client_for(world, "client_viewer").get(url("plan_gantt_data")).content.decode()
    data = unpack_gantt(json.loads(raw))
    # The PM owns the internal task only; the member owns Build, which the client sees.
    assert data["owners"] == ["", world.member.full_name]
    assert "Hidden worry" not in raw
    ids = {t["id"] for t in data["tasks"]}
    assert str(plan.secret.pk) not in ids
    assert all(link["from"] in ids and link["to"] in ids for link in data["links"])


@pytest.fixture
def crowded(world: World) -> Plan:
    plan = build_plan(world)
    grow(plan, BOARD_COLUMN_SIZE + 5, status=TaskStatus.BLOCKED)
    return plan


def cards_in(body: str, status: str) -> int:
    column = body.split(f'data-status="{status}"', 1)[1].split("board-column-head", 1)[0]
    return column.count("board-card ") + column.count('board-card"')


def test_a_crowded_board_column_shows_its_first_cards_and_offers_more(crowded: Plan) -> None:
    c = client_for(crowded.world, "pm")
    page = c.get(url("plan_board"))
    column = next(col for col in page.context["columns"] if col["status"] == TaskStatus.BLOCKED)
    assert len(column["cards"]) == BOARD_COLUMN_SIZE
    assert column["total"] == BOARD_COLUMN_SIZE + 5
    assert column["more"] == f"?blocked={2 * BOARD_COLUMN_SIZE}"
    assert cards_in(page.content.decode(), "blocked") == BOARD_COLUMN_SIZE
    more = c.get(url("plan_board") + column["more"])
    column = next(col for col in more.context["columns"] if col["status"] == TaskStatus.BLOCKED)
    assert len(column["cards"]) == BOARD_COLUMN_SIZE + 5 and column["more"] is None


@pytest.mark.parametrize("value", ["lots", "-3", "0", "1.5", ""])
def test_a_bad_column_size_shows_the_first_cards(crowded: Plan, value: str) -> None:
    response = client_for(crowded.world, "pm").get(url("plan_board") + f"?blocked={value}")
    assert response.status_code == 200
    column = next(col for col in response.context["columns"] if col["status"] == TaskStatus.BLOCKED)
    assert len(column["cards"]) == BOARD_COLUMN_SIZE


def test_the_client_counts_only_shared_cards(crowded: Plan) -> None:
    page = client_for(crowded.world, "client_viewer").get(url("plan_board"))
    column: dict[str, Any] = next(c for c in page.context["columns"] if c["status"] == TaskStatus.BLOCKED)
    # One grown task in five is internal.
    assert column["total"] == (BOARD_COLUMN_SIZE + 5) - len(range(0, BOARD_COLUMN_SIZE + 5, 5))


def _assign_everyone(plan: Plan) -> None:
    """Two people of the vendor's pool on every task not yet assigned (not the summaries)."""
    world = plan.world
    people = []
    for name in ("Ana Analyst", "Dev Developer"):
        found = Resource.objects.filter(organization=world.vendor, name=name).first()
        people.append(found or resource_services.do_add_resource(world.vendor, actor=world.pm, name=name))
    for task in Task.objects.filter(project=world.project, is_summary=False, assignments__isnull=True):
        for person in people:
            resource_services.do_assign(world.project, actor=world.pm, task_id=task.pk, resource_id=person.pk)


@pytest.mark.parametrize("kind", ["pm", "client_viewer"])
def test_the_gantt_data_reads_the_same_queries_with_assignments(plan: Plan, kind: str) -> None:
    """Assigned names cost one query for the whole plan, whatever the number of rows or assignments."""
    c = client_for(plan.world, kind)
    grow(plan, 4)
    _assign_everyone(plan)
    few = count_queries(c, url("plan_gantt_data"))
    grow(plan, 16)
    _assign_everyone(plan)
    assert count_queries(c, url("plan_gantt_data")) == few


def test_the_gantt_data_names_the_assigned_resources_as_the_viewer_may_see(plan: Plan) -> None:
    _assign_everyone(plan)
    raw = json.loads(client_for(plan.world, "pm").get(url("plan_gantt_data")).content)
    assert raw["resources"] == ["Ana Analyst", "Dev Developer"]
    rows = {t["id"]: t for t in unpack_gantt(raw)["tasks"]}
    assert rows[str(plan.design.pk)]["assigned"] == ["Ana Analyst", "Dev Developer"]
    assert rows[str(plan.secret.pk)]["assigned"] == ["Ana Analyst", "Dev Developer"]
    client = unpack_gantt(
        json.loads(client_for(plan.world, "client_viewer").get(url("plan_gantt_data")).content)
    )
    assert str(plan.secret.pk) not in {t["id"] for t in client["tasks"]}
