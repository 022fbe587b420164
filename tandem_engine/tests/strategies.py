"""Hypothesis strategies for random networks and resource plans."""

from __future__ import annotations

from datetime import datetime

from hypothesis import strategies as st

from tandem_engine import (
    Accrual,
    Activity,
    Assignment,
    Calendar,
    LagUnit,
    Link,
    LinkType,
    Network,
    Rate,
    RateEntry,
    RateUnit,
    Resource,
    ResourcePlan,
    ResourceType,
    TaskResourcing,
    WorkContour,
)

START = datetime(2026, 11, 23, 8, 0)
STANDARD = Calendar.standard("std")
CONTINUOUS = Calendar.continuous("24x7")


@st.composite
def networks(
    draw: st.DrawFn,
    *,
    max_size: int = 25,
    link_types: tuple[LinkType, ...] = tuple(LinkType),
    lags: bool = True,
    calendar: Calendar = STANDARD,
) -> Network:
    """A random acyclic network: links only go from a lower to a higher index."""
    n = draw(st.integers(1, max_size))
    durations = draw(st.lists(st.sampled_from([0, 30, 240, 480, 960, 2400]), min_size=n, max_size=n))
    activities = tuple(Activity(i, duration=d, milestone=d == 0) for i, d in enumerate(durations))
    links: list[Link] = []
    if n > 1:
        pairs = draw(
            st.lists(st.tuples(st.integers(0, n - 2), st.integers(1, n - 1)), max_size=3 * n, unique=True)
        )
        for a, b in pairs:
            if a >= b:
                continue
            kind = draw(st.sampled_from(link_types))
            lag = float(draw(st.sampled_from([-480, 0, 0, 60, 480, 1200]))) if lags else 0.0
            links.append(Link(a, b, kind, lag, LagUnit.WORKING))
    return Network(activities, tuple(links), {calendar.id: calendar}, calendar.id, START)


@st.composite
def resource_plans(draw: st.DrawFn, network: Network) -> ResourcePlan:
    """Random work, material and cost resources (rates with history) assigned to ``network``'s activities."""
    people = [
        Resource(
            f"p{k}",
            calendar_id=None,
            rates=(
                tuple(
                    RateEntry(
                        None if j == 0 else datetime(2026, 11, 23 + 2 * j, 8, 0),
                        standard=Rate(draw(st.sampled_from([0.0, 10.0, 55.5, 80.0]))),
                        overtime=Rate(draw(st.sampled_from([0.0, 90.0]))),
                        cost_per_use=draw(st.sampled_from([0.0, 30.0])),
                    )
                    for j in range(draw(st.integers(1, 3)))
                ),
            ),
        )
        for k in range(draw(st.integers(1, 3)))
    ]
    pool = [
        *people,
        Resource(
            "cement", type=ResourceType.MATERIAL, rates=((RateEntry(standard=Rate(3.5, RateUnit.UNIT)),),)
        ),
        Resource("travel", type=ResourceType.COST),
    ]
    assignments: list[Assignment] = []
    for activity in network.activities:
        for resource in draw(st.lists(st.sampled_from(pool), max_size=3, unique_by=lambda r: r.id)):
            assignments.append(
                Assignment(
                    activity.id,
                    resource.id,
                    units=draw(st.sampled_from([0.25, 0.5, 1.0, 2.0])),
                    overtime_work=draw(st.sampled_from([0.0, 0.0, 120.0])),
                    cost=draw(st.sampled_from([0.0, 800.0])),
                    contour=draw(st.sampled_from([WorkContour.FLAT, WorkContour.FLAT, WorkContour.BELL])),
                )
            )
    tasks = {
        a.id: TaskResourcing(
            fixed_cost=draw(st.sampled_from([0.0, 0.0, 100.0])),
            fixed_cost_accrual=draw(st.sampled_from(list(Accrual))),
        )
        for a in network.activities
    }
    return ResourcePlan(resources={r.id: r for r in pool}, assignments=tuple(assignments), tasks=tasks)
