"""A change request's cost impact from assignments and rates: the engine prices the edited plan.

Bob (vendor developer) costs 100 an hour plus 50 per use; 20 licences cost 10 each. Design (two
days) has Bob at 100 %: 960 minutes, 1,600 + 50 = 1,650.00. The client reads the change's cost
delta, never the plan's totals, a task's cost or a rate.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tandem.changes import impact, queries, services
from tandem.changes.models import ChangeRequest
from tandem.core.errors import ConflictError
from tandem.planning import services as planning
from tandem.planning.models import Task
from tandem.resources import services as resource_services
from tandem.resources.choices import ResourceKind
from tandem.resources.models import Assignment, Resource
from tandem.testing.api import Caller
from tandem.testing.personas import World

from .conftest import DAY, Plan

#: An hourly rate no client answer may carry.
HOURLY = "100.00"
PER_USE = "50.00"


def fresh(request: ChangeRequest) -> ChangeRequest:
    return ChangeRequest.objects.select_related("project").get(pk=request.pk)


def priced(plan: Plan) -> tuple[Resource, Resource]:
    """Bob on Design with his rate and cost per use; the licences (a material) unassigned."""
    world = plan.world
    pm = world.pm
    bob = resource_services.do_add_resource(world.vendor, actor=pm, name="Bob", cost_per_use=PER_USE)
    resource_services.do_add_rate(bob, actor=pm, effective_from=dt.date(2025, 1, 1), standard_rate=HOURLY)
    licences = resource_services.do_add_resource(
        world.vendor, actor=pm, name="Licences", kind=ResourceKind.MATERIAL, material_label="seat"
    )
    resource_services.do_add_rate(licences, actor=pm, effective_from=dt.date(2025, 1, 1), standard_rate=10)
    resource_services.do_assign(world.project, actor=pm, task_id=plan.design.pk, resource_id=bob.pk)
    # A day rate that would say otherwise: with rates it is not used.
    services.do_update_change_settings(world.project, actor=pm, day_rate="4000")
    return bob, licences


def reports_with(plan: Plan, assignments: list[dict[str, Any]]) -> ChangeRequest:
    """Reports (two days) between Build and Go-live, with the given assignments."""
    world = plan.world
    pm = world.pm
    request = services.do_propose_change(world.project, actor=world.client_pm, title="Sales reports")
    added = services.do_add_edit(
        request,
        actor=pm,
        kind="add_task",
        payload={"name": "Reports", "duration_minutes": 2 * DAY, "assignments": assignments},
    )
    ref = impact.new_ref(added.pk)
    services.do_add_edit(
        request, actor=pm, kind="add_link", payload={"predecessor": plan.build.pk, "successor": ref}
    )
    services.do_add_edit(
        request, actor=pm, kind="add_link", payload={"predecessor": ref, "successor": plan.golive.pk}
    )
    return fresh(request)


def planned_cost(world: World) -> int:
    """The plan's stored cost: its leaf tasks' costs (hundredths)."""
    rows = Task.objects.filter(project=world.project)
    parents = set(rows.exclude(parent=None).values_list("parent_id", flat=True))
    return sum(cents for pk, cents in rows.values_list("pk", "cost_cents") if pk not in parents)


def test_an_added_task_costs_work_at_the_rate_plus_the_cost_per_use_plus_material(plan: Plan) -> None:
    bob, licences = priced(plan)
    request = reports_with(plan, [{"resource": bob.pk, "units": 100}, {"resource": licences.pk, "units": 20}])
    data = services.do_compute_impact(request, actor=plan.world.pm).data
    # Reports: 960 minutes of Bob (1,600) + his cost per use (50) + 20 seats at 10 (200).
    assert data["cost_source"] == "rates"
    assert (data["cost_before"], data["cost_after"], data["cost_delta"]) == ("1650.00", "3500.00", "1850.00")
    assert data["added_cost"] == "1850.00" and data["cost_complete"] is True
    assert [e["cost"] for e in data["edits"]] == [None, None, None]
    assert data["cost_changes"] == [
        {
            "task_id": None,
            "name": "Reports",
            "shared": True,
            "added": True,
            "removed": False,
            "cost_before": "0.00",
            "cost_after": "1850.00",
        }
    ]


def test_a_longer_task_and_a_removed_task_change_the_cost_the_engine_computes(plan: Plan) -> None:
    priced(plan)
    world = plan.world
    request = services.do_propose_change(world.project, actor=world.pm, title="Deeper design")
    services.do_add_edit(
        request,
        actor=world.pm,
        kind="change_task",
        payload={"task_id": plan.design.pk, "duration_minutes": 4 * DAY},
    )
    data = services.do_compute_impact(fresh(request), actor=world.pm).data
    assert (data["cost_before"], data["cost_after"], data["cost_delta"]) == ("1650.00", "3250.00", "1600.00")
    assert [row["name"] for row in data["cost_changes"]] == ["Design"]

    request = services.do_propose_change(world.project, actor=world.pm, title="No design")
    services.do_add_edit(request, actor=world.pm, kind="remove_task", payload={"task_id": plan.design.pk})
    data = services.do_compute_impact(fresh(request), actor=world.pm).data
    assert (data["cost_after"], data["cost_delta"]) == ("0.00", "-1650.00")
    assert data["cost_changes"][0]["removed"] is True


def test_an_explicit_edit_cost_comes_on_top_of_the_plan_s_cost(plan: Plan) -> None:
    bob, _licences = priced(plan)
    request = reports_with(plan, [{"resource": bob.pk}])
    first = request.edits.order_by("position").first()
    assert first is not None
    services.do_update_edit(first, actor=plan.world.pm, cost="300")
    data = services.do_compute_impact(fresh(request), actor=plan.world.pm).data
    assert data["cost_delta"] == "1650.00" and data["added_cost"] == "1950.00"
    assert data["edits"][0]["cost"] == "300.00"


def test_the_approval_assigns_and_the_plan_then_costs_what_the_impact_said(plan: Plan) -> None:
    bob, licences = priced(plan)
    world = plan.world
    request = reports_with(plan, [{"resource": bob.pk, "units": 50}, {"resource": licences.pk, "units": 3}])
    services.do_compute_impact(request, actor=world.pm)
    request = services.do_submit_change(fresh(request), actor=world.pm, version=fresh(request).version)
    assert request.frozen_impact is not None
    predicted = request.frozen_impact.data
    decided = services.do_decide_change(
        request, actor=world.sponsor, version=request.version, outcome="approve"
    )
    assert decided.status == "applied"
    reports = Task.objects.get(project=world.project, name="Reports")
    assert sorted(Assignment.objects.filter(task=reports).values_list("resource__name", "units")) == [
        ("Bob", 50),
        ("Licences", 3),
    ]
    assert Decimal(planned_cost(world)) / 100 == Decimal(predicted["cost_after"])
    assert (
        predicted["new_finish"]
        == reports.project.tasks.order_by("-finish")
        .values_list("finish", flat=True)[0]
        .astimezone(impact.scheduling.zone_of(world.project))
        .isoformat()
    )


def test_a_rate_changed_after_submission_recomputes_instead_of_applying(plan: Plan) -> None:
    bob, _licences = priced(plan)
    world = plan.world
    request = reports_with(plan, [{"resource": bob.pk}])
    services.do_compute_impact(request, actor=world.pm)
    request = services.do_submit_change(fresh(request), actor=world.pm, version=fresh(request).version)
    old = request.frozen_impact
    assert old is not None
    resource_services.do_add_rate(bob, actor=world.pm, effective_from=dt.date(2025, 6, 1), standard_rate=200)
    with pytest.raises(ConflictError):
        services.do_decide_change(request, actor=world.sponsor, version=request.version, outcome="approve")
    again = fresh(request)
    assert again.status == "awaiting" and again.frozen_impact is not None
    assert Decimal(again.frozen_impact.data["cost_after"]) == 2 * Decimal(old.data["cost_after"]) - 100
    assert not Task.objects.filter(project=world.project, name="Reports").exists()


def test_the_client_reads_the_cost_delta_and_never_a_rate_or_a_task_s_cost(plan: Plan) -> None:
    bob, licences = priced(plan)
    world = plan.world
    request = reports_with(plan, [{"resource": bob.pk}, {"resource": licences.pk, "units": 20}])
    found = services.do_compute_impact(request, actor=world.pm)
    client = queries.impact_for(world.sponsor, world.project, found)
    assert client is not None and client["cost_delta"] == "1850.00"
    for key in ("cost_before", "cost_after", "cost_changes"):
        assert key not in client
    text = json.dumps(client)
    assert "1650.00" not in text and "3500.00" not in text and HOURLY not in text

    request = services.do_submit_change(fresh(request), actor=world.pm, version=fresh(request).version)
    sponsor = Caller(world, "sponsor")
    base = f"/projects/{world.project.code}/changes/{request.code}"
    for path in (base, f"{base}/impact", f"{base}/edits"):
        answer = sponsor.get(path)
        assert answer.status == 200, path
        assert "3500.00" not in answer.text and "cost_changes" not in answer.text, path
        assert HOURLY not in answer.text and "1650" not in answer.text, path
    assert sponsor.get(base).json["frozen_impact"]["cost_delta"] == "1850.00"


def test_a_proposed_assignment_is_checked_like_a_real_one(plan: Plan) -> None:
    bob, _licences = priced(plan)
    world = plan.world
    request = services.do_propose_change(world.project, actor=world.pm, title="Reports")
    other = resource_services.do_add_resource(world.vendor, actor=world.pm, name="Gone")
    resource_services.do_update_resource(other, version=other.version, actor=world.pm, active=False)
    for assignments in (
        "Bob",
        [{"resource": 999_999}],
        [{"resource": other.pk}],
        [{"resource": bob.pk, "units": 5000}],
        [{"resource": bob.pk, "units": "lots"}],
        [{"resource": bob.pk, "work_minutes": -5}],
        [{"resource": bob.pk}, {"resource": bob.pk}],
        [{"resource": bob.pk, "rate": 1}],
        [7],
    ):
        with pytest.raises(ValidationError) as caught:
            services.do_add_edit(
                request,
                actor=world.pm,
                kind="add_task",
                payload={"name": "Reports", "duration_minutes": DAY, "assignments": assignments},
            )
        assert set(caught.value.message_dict) == {"assignments"}, assignments
    assert not fresh(request).edits.exists()


def test_the_queries_of_a_priced_impact_do_not_grow_with_the_plan(plan: Plan) -> None:
    bob, _licences = priced(plan)
    world = plan.world
    request = reports_with(plan, [{"resource": bob.pk}])
    edits = list(request.edits.all())
    with CaptureQueriesContext(connection) as small:
        impact.compute_impact(world.project, edits, actor=world.pm)
    for n in range(12):
        task = planning.do_add_task(world.project, actor=world.pm, name=f"More {n}", duration_minutes=DAY)
        dev = resource_services.do_add_resource(world.vendor, actor=world.pm, name=f"Dev {n}")
        resource_services.do_add_rate(
            dev, actor=world.pm, effective_from=dt.date(2025, 1, 1), standard_rate=n + 1
        )
        resource_services.do_assign(world.project, actor=world.pm, task_id=task.pk, resource_id=dev.pk)
    with CaptureQueriesContext(connection) as large:
        data = impact.compute_impact(world.project, edits, actor=world.pm)
    assert data["cost_delta"] == "1650.00"
    # The plain impact's eight, plus the resources, their rates and their leave.
    assert len(large) == len(small) == 11, [q["sql"] for q in large.captured_queries]


def test_the_change_page_shows_the_team_the_plan_s_cost_and_the_client_the_delta(plan: Plan) -> None:
    bob, _licences = priced(plan)
    world = plan.world
    request = reports_with(plan, [{"resource": bob.pk}])
    services.do_compute_impact(request, actor=world.pm)
    request = services.do_submit_change(fresh(request), actor=world.pm, version=fresh(request).version)
    url = f"/projects/{world.project.code}/changes/{request.code}/"

    def page(viewer: str, suffix: str = "") -> str:
        client = Client()
        client.force_login(world.people[viewer])
        response = client.get(url + suffix)
        assert response.status_code == 200
        return response.content.decode()

    team = page("pm")
    assert 'data-testid="cost-before-after"' in team and "1,650" in team and "3,300" in team
    assert 'data-testid="impact-cost-changes"' in team and "from assignments and rates" in team
    for body in (page("sponsor"), page("client_pm"), page("pm", "?view=client")):
        assert 'data-testid="cost-delta"' in body and "1,650" in body  # the delta is Reports' 1,650
        assert "cost-before-after" not in body and "impact-cost-changes" not in body
        assert "3,300" not in body and "3300" not in body


def test_the_api_answers_422_naming_the_assignments_and_takes_good_ones(plan: Plan) -> None:
    bob, _licences = priced(plan)
    world = plan.world
    pm = Caller(world, "pm")
    code = pm.call("POST", f"/projects/{world.project.code}/changes", {"title": "Reports"}).json["code"]
    edits = f"/projects/{world.project.code}/changes/{code}/edits"
    task = {"name": "Reports", "duration_minutes": DAY}
    bad = pm.call("POST", edits, {"kind": "add_task", "payload": task | {"assignments": [{"resource": "x"}]}})
    assert bad.status == 422 and {d["field"] for d in bad.json["detail"]} == {"assignments"}
    good = pm.call(
        "POST", edits, {"kind": "add_task", "payload": task | {"assignments": [{"resource": bob.pk}]}}
    )
    assert good.status == 201, good.text
    found = pm.call("POST", f"/projects/{world.project.code}/changes/{code}/impact")
    assert found.status == 201 and found.json["data"]["cost_delta"] == "850.00"


def test_the_change_page_proposes_who_works_on_a_new_task(plan: Plan) -> None:
    bob, _licences = priced(plan)
    world = plan.world
    request = services.do_propose_change(world.project, actor=world.pm, title="Reports")
    client = Client()
    client.force_login(world.pm)
    base = f"/projects/{world.project.code}/changes/{request.code}/"
    assert 'name="assign_resource"' in client.get(base).content.decode()
    form = {"kind": "add_task", "name": "Reports", "task_kind": "task", "duration_days": "1"}
    refused = client.post(base + "edits/", form | {"assign_resource": "999999"})
    assert refused.status_code == 400 and not fresh(request).edits.exists()
    added = client.post(base + "edits/", form | {"assign_resource": str(bob.pk), "assign_units": "50"})
    assert added.status_code == 302
    edit = fresh(request).edits.get()
    assert edit.payload["assignments"] == [{"resource": bob.pk, "units": 50, "work_minutes": 0}]
    data = services.do_compute_impact(fresh(request), actor=world.pm).data
    # Half a day of Bob (400) and his cost per use at half his units (25), as the engine counts it.
    assert data["cost_delta"] == "425.00"
