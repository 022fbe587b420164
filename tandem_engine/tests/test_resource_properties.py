"""Properties of work and cost on random networks and resource plans (hypothesis)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem_engine import (
    Network,
    ResourcePlan,
    ResourceType,
    WorkContour,
    apply_assignments,
    cost_schedule,
    rollup_work_cost,
    schedule,
)

from .strategies import networks, resource_plans


@st.composite
def planned(draw: st.DrawFn) -> tuple[Network, ResourcePlan]:
    network = draw(networks(max_size=8))
    return network, draw(resource_plans(network))


def _costs(network: Network, plan: ResourcePlan) -> dict[object, object]:
    shaped = apply_assignments(network, plan)
    return dict(cost_schedule(network, plan, schedule(shaped)))


@settings(max_examples=60, deadline=None)
@given(planned())
def test_a_task_costs_its_assignments_plus_its_fixed_cost(case: tuple[Network, ResourcePlan]) -> None:
    network, plan = case
    shaped = apply_assignments(network, plan)
    costs = cost_schedule(network, plan, schedule(shaped))
    for task_id, cost in costs.items():
        assert cost.cost == pytest.approx(
            sum(a.cost for a in cost.assignments) + plan.task(task_id).fixed_cost
        )
        work = [a.work for a in cost.assignments if plan.resources[a.resource_id].type is ResourceType.WORK]
        assert cost.work == pytest.approx(sum(work))
        assert 0 <= cost.actual_work <= cost.work + 1e-6
        assert 0 <= cost.actual_cost <= cost.cost + 1e-6
    project = rollup_work_cost(costs, {"project": tuple(costs)}, plan)["project"]
    assert project.cost == pytest.approx(sum(c.cost for c in costs.values()))


@settings(max_examples=60, deadline=None)
@given(planned())
def test_flat_work_on_the_task_calendar_is_units_times_duration(case: tuple[Network, ResourcePlan]) -> None:
    network, plan = case
    flat = replace(
        plan,
        assignments=tuple(replace(a, contour=WorkContour.FLAT, overtime_work=0.0) for a in plan.assignments),
    )
    shaped = apply_assignments(network, flat)
    costs = cost_schedule(network, flat, schedule(shaped))
    durations = {a.id: a.duration for a in network.activities}
    for task_id, cost in costs.items():
        for a, row in zip(
            [x for x in flat.assignments if x.task_id == task_id], cost.assignments, strict=True
        ):
            if flat.resources[a.resource_id].type is ResourceType.WORK:
                assert row.work == pytest.approx(a.units * durations[task_id])


@settings(max_examples=40, deadline=None)
@given(planned(), st.sampled_from([2.0, 0.5]))
def test_work_and_labour_scale_with_the_units(case: tuple[Network, ResourcePlan], factor: float) -> None:
    network, plan = case
    people = {r.id for r in plan.resources.values() if r.type is ResourceType.WORK}
    scaled = replace(
        plan,
        assignments=tuple(
            replace(a, units=a.units * factor, overtime_work=a.overtime_work * factor)
            if a.resource_id in people
            else a
            for a in plan.assignments
        ),
    )
    before, after = _costs(network, plan), _costs(network, scaled)
    for task_id in before:
        assert after[task_id].work == pytest.approx(before[task_id].work * factor)  # type: ignore[attr-defined]


@settings(max_examples=30, deadline=None)
@given(networks(max_size=10))
def test_a_plan_without_assignments_keeps_its_network(network: Network) -> None:
    assert apply_assignments(network, ResourcePlan()) is network
    assert all(
        c.work == 0 and c.cost == 0
        for c in cost_schedule(network, ResourcePlan(), schedule(network)).values()
    )
