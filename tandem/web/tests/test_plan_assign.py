"""Assigning from the task list and the Gantt, and a task's planned work and cost shown to the team only.

Bob costs 987.65 an hour (the resource tests' secret rate) plus 4,321.09 per use; Design has him
full time for two days. No client page, preview or API answer carries the task's cost or work.
"""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from tandem.planning import services as planning
from tandem.planning.models import Task
from tandem.resources.models import Assignment
from tandem.resources.tests.conftest import SECRET_COST, SECRET_RATE, Pool, make_pool
from tandem.testing.api import Caller
from tandem.testing.personas import World
from tandem.testing.plans import DAY, build_small_plan
from tandem.web.tests.test_query_counts import count_queries

pytestmark = pytest.mark.django_db

#: Design's planned cost: 960 minutes at the secret rate plus the cost per use, as the list shows it.
DESIGN_COST = (Decimal(960) / 60 * Decimal(SECRET_RATE) + Decimal(SECRET_COST)).quantize(Decimal("0.01"))
DESIGN_COST_TEXT = f"{DESIGN_COST:,.2f}"


@pytest.fixture
def pool(world: World) -> Pool:
    return make_pool(world)


def as_(world: World, viewer: str) -> Client:
    client = Client()
    client.force_login(world.people[viewer])
    return client


def page(world: World, viewer: str, name: str, *args: object, query: str = "") -> str:
    response = as_(world, viewer).get(reverse(f"web:{name}", args=["ERP", *args]) + query)
    assert response.status_code == 200, (viewer, name)
    return response.content.decode()


def test_the_dialog_assigns_and_returns_to_the_page_the_editor_came_from(pool: Pool, world: World) -> None:
    build = pool.plan.build
    dialog = reverse("web:plan_task_assign", args=["ERP", build.pk])
    back = reverse("web:plan_list", args=["ERP"]) + "?q=Build&page=1"
    body = as_(world, "pm").get(dialog + "?" + urlencode({"back": back})).content.decode()
    assert "Rita Reviewer" in body and 'name="assign-resource"' in body
    assert f'value="{back.replace("&", "&amp;")}"' in body
    # Rita already works on Build: she is listed, not offered again.
    assert body.count("Rita Reviewer") == 1

    response = as_(world, "pm").post(
        dialog, {"assign-resource": pool.uat_env.pk, "assign-units": "50", "back": back}
    )
    assert response.status_code == 302 and response["Location"] == back
    made = Assignment.objects.get(task=build, resource=pool.uat_env)
    assert (made.units, made.work_minutes) == (50, 3 * DAY // 2)


@pytest.mark.parametrize("back", ["https://evil.test/", "//evil.test/x", "/projects/OTHER/plan/", "/admin/"])
def test_the_dialog_never_returns_outside_the_project_s_plan(pool: Pool, world: World, back: str) -> None:
    response = as_(world, "pm").post(
        reverse("web:plan_task_assign", args=["ERP", pool.plan.build.pk]),
        {"assign-resource": pool.uat_env.pk, "assign-units": "100", "back": back},
    )
    assert response.status_code == 302 and response["Location"] == reverse("web:plan_list", args=["ERP"])


def test_bad_input_shows_form_errors_and_saves_nothing(pool: Pool, world: World) -> None:
    dialog = reverse("web:plan_task_assign", args=["ERP", pool.plan.build.pk])
    before = Assignment.objects.count()
    for data in (
        {"assign-resource": "", "assign-units": "50"},
        {"assign-resource": pool.uat_env.pk, "assign-units": "-3"},
        {"assign-resource": pool.uat_env.pk, "assign-units": "999999"},
        {"assign-resource": pool.rita.pk, "assign-units": "50"},  # already assigned
        {"assign-resource": "abc", "assign-units": "x"},
    ):
        response = as_(world, "pm").post(dialog, data)
        assert response.status_code == 400, data
        assert 'class="field-error' in response.content.decode() or "error" in response.content.decode()
    assert Assignment.objects.count() == before


def test_a_summary_row_offers_no_assignment(world: World) -> None:
    plan = build_small_plan(world, phase=True)
    assert plan.phase is not None
    dialog = reverse("web:plan_task_assign", args=["ERP", plan.phase.pk])
    body = as_(world, "pm").get(dialog).content.decode()
    assert "A summary task takes no assignment" in body and 'name="assign-resource"' not in body
    assert as_(world, "pm").post(dialog, {"assign-resource": "1", "assign-units": "50"}).status_code == 400
    listed = page(world, "pm", "plan_list")
    assert reverse("web:plan_task_assign", args=["ERP", plan.phase.pk]) not in listed
    assert reverse("web:plan_task_assign", args=["ERP", plan.design.pk]) in listed


def test_the_client_never_reaches_the_dialog_of_an_internal_task(pool: Pool, world: World) -> None:
    dialog = reverse("web:plan_task_assign", args=["ERP", pool.plan.secret.pk])
    assert as_(world, "sponsor").get(dialog).status_code == 404
    assert as_(world, "member").get(dialog).status_code == 403
    assert as_(world, "pm").get(dialog + "?view=client").status_code == 404


def test_only_plan_editors_get_the_assign_controls_on_the_list_and_the_gantt(
    pool: Pool, world: World
) -> None:
    assign_url = reverse("web:plan_task_assign", args=["ERP", pool.plan.design.pk])
    assert assign_url in page(world, "pm", "plan_list")
    gantt = page(world, "pm", "plan_gantt")
    urls = json.loads(gantt.split('id="gantt-urls" type="application/json">')[1].split("</script>")[0])
    assert urls["assign"] == reverse("web:plan_task_assign", args=["ERP", 0])
    for viewer, query in (("member", ""), ("sponsor", ""), ("client_viewer", ""), ("pm", "?view=client")):
        assert assign_url not in page(world, viewer, "plan_list", query=query), viewer
        assert '"assign": "/' not in page(world, viewer, "plan_gantt", query=query), viewer


def test_the_team_reads_a_task_s_work_and_cost_and_the_client_never_does(pool: Pool, world: World) -> None:
    design = pool.plan.design
    team_list = page(world, "pm", "plan_list")
    assert DESIGN_COST_TEXT in team_list and 'data-testid="task-cost"' in team_list
    assert DESIGN_COST_TEXT in page(world, "member", "plan_list")
    assert DESIGN_COST_TEXT in page(world, "pm", "plan_task_edit", design.pk)
    assert DESIGN_COST_TEXT in page(world, "pm", "plan_task_assign", design.pk)
    secrets = (DESIGN_COST_TEXT, str(DESIGN_COST), SECRET_RATE, SECRET_COST, "task-cost", "task-work")
    for viewer, query in (("sponsor", ""), ("client_pm", ""), ("client_viewer", ""), ("pm", "?view=client")):
        for name in ("plan_list", "plan_gantt"):
            body = page(world, viewer, name, query=query)
            assert not [s for s in secrets if s in body], (viewer, name)
        data = as_(world, viewer).get(reverse("web:plan_gantt_data", args=["ERP"]) + query).content.decode()
        assert str(round(DESIGN_COST * 100)) not in data and SECRET_RATE not in data

    cents = round(DESIGN_COST * 100)
    team = Caller(world, "pm").get("/projects/ERP/tasks").json
    row = next(t for t in (team["items"] if isinstance(team, dict) else team) if t["id"] == design.pk)
    assert (row["work_minutes"], row["cost_cents"]) == (960, cents)
    assert Caller(world, "pm").get(f"/projects/ERP/tasks/{design.pk}").json["cost_cents"] == cents
    for viewer in ("sponsor", "client_pm", "client_viewer"):
        answer = Caller(world, viewer).get("/projects/ERP/tasks")
        rows = answer.json["items"] if isinstance(answer.json, dict) else answer.json
        assert rows and all(t["cost_cents"] is None and t["work_minutes"] is None for t in rows), viewer
        assert str(cents) not in answer.text
        one = Caller(world, viewer).get(f"/projects/ERP/tasks/{design.pk}").json
        assert one["cost_cents"] is None and one["work_minutes"] is None


def test_the_task_list_reads_the_same_queries_however_many_rows(pool: Pool, world: World) -> None:
    client = as_(world, "pm")
    list_url = reverse("web:plan_list", args=["ERP"])
    few = count_queries(client, list_url)
    for n in range(20):
        task = planning.do_add_task(world.project, actor=world.pm, name=f"More {n}", duration_minutes=DAY)
        Assignment.objects.create(project=world.project, task=task, resource=pool.bob, units=100)
    assert Task.objects.filter(project=world.project).count() > 20
    assert count_queries(client, list_url) == few
