"""Hypothesis strategies for random networks."""

from __future__ import annotations

from datetime import datetime

from hypothesis import strategies as st

from tandem_engine import Activity, Calendar, LagUnit, Link, LinkType, Network

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
