"""Properties every schedule has, on random networks (hypothesis)."""

from __future__ import annotations

import dataclasses
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from tandem_engine import LinkType, Network, schedule, to_minutes, working_minutes_between

from .strategies import CONTINUOUS, networks


@settings(max_examples=150, deadline=None)
@given(networks())
def test_it_starts_no_activity_before_its_links_allow(network: Network) -> None:
    result = schedule(network)
    calendar = network.calendars[network.calendar_id]
    for link in network.links:
        pred, succ = result[link.predecessor], result[link.successor]
        driving = pred.start if link.type in (LinkType.SS, LinkType.SF) else pred.finish
        driven = succ.start if link.type in (LinkType.FS, LinkType.SS) else succ.finish
        assert working_minutes_between(calendar, driving, driven) >= link.lag, link
    for activity in network.activities:
        assert result[activity.id].start >= network.start


@settings(max_examples=150, deadline=None)
@given(networks(link_types=(LinkType.FS,), lags=False, calendar=CONTINUOUS))
def test_it_makes_the_critical_path_as_long_as_the_project(network: Network) -> None:
    result = schedule(network)
    durations = {a.id: a.duration for a in network.activities}
    linked = {(link.predecessor, link.successor) for link in network.links}
    path = result.critical_path
    assert all(pair in linked for pair in itertools.pairwise(path))
    length = to_minutes(result.project_finish) - to_minutes(result.project_start)
    assert sum(durations[i] for i in path) == length
    assert all(result[i].critical for i in path)


@settings(max_examples=150, deadline=None)
@given(networks())
def test_it_never_gives_negative_total_float_without_imposed_dates(network: Network) -> None:
    result = schedule(network)
    assert all(result[a.id].total_float >= 0 for a in network.activities)
    assert all(0 <= result[a.id].free_float <= result[a.id].total_float for a in network.activities)
    assert not result.conflicts


@settings(max_examples=100, deadline=None)
@given(networks(), st.data())
def test_it_reschedules_incrementally_as_from_scratch(network: Network, data: st.DataObject) -> None:
    before = schedule(network)
    target = data.draw(st.sampled_from([a.id for a in network.activities]))
    new = data.draw(st.sampled_from([0, 60, 480, 4800]))
    after = before.with_durations({target: new})
    activities = tuple(
        dataclasses.replace(a, duration=new) if a.id == target else a for a in network.activities
    )
    fresh = schedule(dataclasses.replace(network, activities=activities))
    assert after.project_finish == fresh.project_finish
    for a in network.activities:
        assert after[a.id] == fresh[a.id], a.id
    assert before[target].id == target  # the original result is untouched
