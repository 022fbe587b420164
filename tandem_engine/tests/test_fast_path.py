"""The vectorised path gives exactly the generic path's schedule, and plans it does not model fall back."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem_engine import (
    Activity,
    Calendar,
    CalendarException,
    ConstraintType,
    LagUnit,
    Link,
    LinkType,
    Network,
    NetworkCycleError,
    NetworkError,
    ScheduleResult,
    fast,
    schedule,
)
from tandem_engine.calendar import CalendarError, compile_calendar, to_minutes
from tandem_engine.cpm import _schedule_generic, fast_path_refusal
from tandem_engine.fast import _stable_order

from .strategies import CONTINUOUS, STANDARD

NIGHTS = Calendar(
    "nights",
    week=(((0, 360), (1320, 1440)),) * 5 + ((), ()),
    exceptions=(
        CalendarException(date(2026, 12, 24), date(2026, 12, 27)),
        CalendarException(date(2026, 12, 5), date(2026, 12, 5), ((600, 630),)),
    ),
)
CALENDARS = (STANDARD, CONTINUOUS, NIGHTS)
WORKING_LAGS = [-960.0, -480.0, -30.0, -0.4, 0.0, 0.0, 0.0, 0.5, 1.0, 60.0, 480.0, 1200.0]
STARTS = (
    datetime(2026, 11, 23, 8, 0),  # a start of work
    datetime(2026, 11, 23, 17, 0),  # an end of work
    datetime(2026, 11, 23, 12, 30),  # lunch
    datetime(2026, 11, 28, 10, 0),  # a Saturday
    datetime(2026, 11, 25, 9, 17),  # inside a period
)


@st.composite
def plans(draw: st.DrawFn) -> tuple[Network, datetime | None]:
    """Random networks the vectorised path accepts, with everything it models.

    All four link types, leads and lags (working, percent, fractional, elapsed zero), milestones
    and zero durations, ALAP activities, duplicate links, ids that are not in topological order
    (integers with gaps or strings), awkward project starts, three calendars, a status date.
    """
    n = draw(st.integers(1, 30))
    # Some plans are mostly milestones linked without lags, where the start/finish conventions bite.
    sparse = draw(st.booleans())
    kinds = [0, 0, 0, 480] if sparse else [0, 0, 1, 30, 240, 479, 480, 960, 2400]
    durations = draw(st.lists(st.sampled_from(kinds), min_size=n, max_size=n))
    alap = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    order = draw(st.permutations(range(n)))  # the order the activities are listed in
    key = draw(st.sampled_from(["int", "gaps", "str"]))
    ids: list[int | str] = [i if key == "int" else 7 * i + 3 if key == "gaps" else f"t{i}" for i in range(n)]
    activities = tuple(
        Activity(
            ids[i],
            duration=durations[i],
            milestone=durations[i] == 0,
            constraint=ConstraintType.ALAP if alap[i] and draw(st.booleans()) else ConstraintType.ASAP,
        )
        for i in order
    )
    links: list[Link] = []
    if n > 1:
        pairs = draw(st.lists(st.tuples(st.integers(0, n - 2), st.integers(1, n - 1)), max_size=3 * n))
        for a, b in pairs:
            if a >= b:
                continue
            kind = draw(st.sampled_from(tuple(LinkType)))
            unit = draw(st.sampled_from([LagUnit.WORKING] * 4 + [LagUnit.PERCENT, LagUnit.ELAPSED]))
            if sparse and unit is LagUnit.WORKING:
                lag = draw(st.sampled_from([0.0, 0.0, 0.0, 480.0, -480.0]))
            elif unit is LagUnit.WORKING:
                lag = draw(st.sampled_from(WORKING_LAGS))
            elif unit is LagUnit.PERCENT:
                lag = draw(st.sampled_from([-50.0, 25.0, 50.0, 100.0, 150.0]))
            else:
                lag = 0.0  # elapsed lags are the generic path's; a zero one is no lag at all
            links.append(Link(ids[a], ids[b], kind, lag, unit))
    calendar = draw(st.sampled_from(CALENDARS))
    start = draw(st.sampled_from(STARTS))
    network = Network(activities, tuple(links), {calendar.id: calendar}, calendar.id, start)
    status = draw(st.sampled_from([None, None, datetime(2026, 11, 24, 13, 0), datetime(2026, 12, 1, 17, 0)]))
    return network, status


def assert_same(fast: ScheduleResult, generic: ScheduleResult) -> None:
    assert fast.project_start == generic.project_start
    assert fast.project_finish == generic.project_finish
    assert list(fast) == list(generic)
    for activity_id in generic:
        assert fast[activity_id] == generic[activity_id], activity_id
        assert fast.total_float(activity_id) == generic.total_float(activity_id)
    assert fast.critical_path == generic.critical_path
    assert fast.order == generic.order
    assert fast.conflicts == generic.conflicts == ()


@contextmanager
def passes(kind: str) -> Iterator[None]:
    """Full passes on arrays level by level, or on Python lists link by link (``FastPlan.narrow``),
    whatever the plan's shape: each test of a pass runs both ways."""
    kept = fast._NARROW_ENTRIES_PER_LEVEL
    fast._NARROW_ENTRIES_PER_LEVEL = 0 if kind == "arrays" else 1 << 40
    try:
        yield
    finally:
        fast._NARROW_ENTRIES_PER_LEVEL = kept


PASSES = pytest.mark.parametrize("kind", ["arrays", "lists"])


@PASSES
@settings(max_examples=300, deadline=None)
@given(plans())
def test_the_vectorised_path_gives_the_generic_schedule(
    kind: str, plan: tuple[Network, datetime | None]
) -> None:
    network, status = plan
    assert fast_path_refusal(network, status_date=status) is None
    with passes(kind):
        fast_result = schedule(network, status_date=status)
    assert_same(fast_result, _schedule_generic(network, status_date=status))


@PASSES
@settings(max_examples=150, deadline=None)
@given(plans(), st.data())
def test_the_vectorised_reschedule_gives_the_generic_one(
    kind: str, plan: tuple[Network, datetime | None], data: st.DataObject
) -> None:
    with passes(kind):
        _vectorised_reschedule(plan, data)


def _vectorised_reschedule(plan: tuple[Network, datetime | None], data: st.DataObject) -> None:
    network, status = plan
    ids = [a.id for a in network.activities]
    changed = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))
    durations = {i: data.draw(st.sampled_from([0, 1, 60, 480, 4800])) for i in changed}
    fast = schedule(network, status_date=status)
    after = fast.with_durations(durations)
    assert_same(after, _schedule_generic(network, status_date=status).with_durations(durations))
    edited = tuple(replace(a, duration=durations.get(a.id, a.duration)) for a in network.activities)
    assert_same(after, _schedule_generic(replace(network, activities=edited), status_date=status))
    assert_same(fast, _schedule_generic(network, status_date=status))  # the first result is untouched


def plain(
    *activities: Activity, links: tuple[Link, ...] = (), calendars: tuple[Calendar, ...] = ()
) -> Network:
    known = {c.id: c for c in (STANDARD, *calendars)}
    return Network(activities, links, known, STANDARD.id, datetime(2026, 11, 23, 8, 0))


A, B = Activity("a", duration=480), Activity("b", duration=960)
DAY = datetime(2026, 11, 25, 8, 0)


@pytest.mark.parametrize(
    ("network", "reason"),
    [
        (plain(A, replace(B, calendar_id="24x7"), calendars=(CONTINUOUS,)), "activity calendars"),
        (plain(A, replace(B, constraint=ConstraintType.SNET, constraint_date=DAY)), "constraint dates"),
        (plain(A, replace(B, constraint=ConstraintType.SNET), links=(Link("a", "b"),)), "constraints"),
        (plain(A, replace(B, deadline=DAY)), "deadlines"),
        (plain(A, replace(B, actual_start=DAY, percent_complete=50.0)), "actual dates"),
        (plain(A, replace(B, manual=True, manual_start=DAY, manual_finish=DAY)), "manual scheduling"),
        (plain(A, replace(B, elapsed=True)), "elapsed durations"),
        (plain(A, B, links=(Link("a", "b", lag=600.0, lag_unit=LagUnit.ELAPSED),)), "elapsed lags"),
    ],
)
def test_plans_with_what_the_vectorised_path_does_not_model_take_the_generic_path(
    network: Network, reason: str
) -> None:
    assert fast_path_refusal(network) == reason
    result = schedule(network)
    generic = _schedule_generic(network)
    assert [result[i] for i in result] == [generic[i] for i in generic]
    assert result.project_finish == generic.project_finish


def test_a_calendar_listed_twice_under_two_keys_is_still_one_calendar() -> None:
    network = plain(A, replace(B, calendar_id="copy"))
    network = replace(network, calendars={**network.calendars, "copy": STANDARD})
    assert fast_path_refusal(network) is None
    assert schedule(network)["b"] == _schedule_generic(network)["b"]


@pytest.mark.parametrize(
    ("network", "reason", "error", "message"),
    [
        (plain(A, B, links=(Link("a", "b"), Link("b", "a"))), "a cycle", NetworkCycleError, "b -> a -> b"),
        (plain(A, B, links=(Link("a", "z"),)), "unknown activity in a link", NetworkError, "'z'"),
        (plain(A, replace(B, id="a")), "duplicate activity ids", NetworkError, "duplicate"),
        (plain(A, replace(B, duration=-1)), "negative durations", NetworkError, "negative"),
        (plain(A, replace(B, calendar_id="nope")), "unknown calendar", NetworkError, "nope"),
        (replace(plain(A), calendar_id="nope"), "unknown project calendar", NetworkError, "nope"),
    ],
)
def test_invalid_plans_are_reported_by_the_generic_path(
    network: Network, reason: str, error: type[Exception], message: str
) -> None:
    assert fast_path_refusal(network) == reason
    with pytest.raises(error, match=message):
        schedule(network)


def test_integer_ids_beyond_64_bits_and_mixed_ids_are_looked_up_one_by_one() -> None:
    big = 1 << 70
    network = plain(
        Activity(big, duration=480),
        Activity("b", duration=480),
        Activity(-5, duration=60),
        links=(Link(big, "b", LinkType.SS, 30.0), Link(-5, big)),
    )
    assert fast_path_refusal(network) is None
    result, generic = schedule(network), _schedule_generic(network)
    assert_same(result, generic)
    assert result["b"].start == datetime(2026, 11, 23, 9, 30)


def test_the_reschedule_refuses_negative_durations_and_unknown_ids() -> None:
    result = schedule(plain(A, B, links=(Link("a", "b"),)))
    with pytest.raises(NetworkError, match="'b' has a negative duration"):
        result.with_durations({"b": -1})
    with pytest.raises(KeyError):
        result.with_durations({"z": 10})
    with pytest.raises(NetworkError, match=r"'a': a duration is a whole number of minutes, not 1\.5"):
        result.with_durations({"a": 1.5})
    assert result.with_durations({"a": np.int64(960)})["b"] == result.with_durations({"a": 960})["b"]
    assert result.with_durations({})["b"] == result["b"]


def test_every_small_chain_of_tasks_and_milestones_is_scheduled_as_on_the_generic_path() -> None:
    """Exhaustively: chains of four tasks or milestones, every link type, with and without float.

    Random networks rarely hit the rare corners (a zero-lag link between milestones whose late date
    is an end of work, say); four activities are enough to reach every one of them.
    """
    checked = 0
    for durations in itertools.product((0, 480), repeat=4):
        for types in itertools.product(tuple(LinkType), repeat=3):
            for lag, slack in itertools.product((0.0, 480.0), (0, 2400)):
                ids = ("a", "b", "c", "d")
                activities = tuple(Activity(i, duration=d) for i, d in zip(ids, durations, strict=True))
                links = tuple(
                    Link(p, s, kind, lag if k == 1 else 0.0)
                    for k, (p, s, kind) in enumerate(zip(ids, ids[1:], types, strict=False))
                )
                network = plain(*activities, Activity("long", duration=slack), links=links)
                assert_same(schedule(network), _schedule_generic(network))
                checked += 1
    assert checked == 16 * 64 * 4


# Counts of working minutes from a Monday midnight; multiples of 240 fall on period boundaries.
COUNTS = st.one_of(st.integers(-5000, 200_000), st.integers(-20, 800).map(lambda k: 240 * k))
MINUTE_SLOTS = Calendar("slots", week=(tuple((m, m + 1) for m in range(480, 540, 2)),) * 7)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from((*CALENDARS, MINUTE_SLOTS)),
    st.lists(st.tuples(COUNTS, st.booleans()), min_size=1, max_size=50),
)
def test_keys_convert_to_the_instants_the_scalar_arithmetic_gives(
    calendar: Calendar, counts: list[tuple[int, bool]]
) -> None:
    """The vectorised conversion (binary searches or a bucket table) agrees with the scalar one.

    An odd key is a start (the latest instant after that much work), an even one a finish (the
    earliest); a calendar of one-minute slots takes the binary searches, the others the buckets.
    """
    compiled = compile_calendar(calendar)
    origin = compiled.wm(to_minutes(datetime(2026, 11, 23)))
    keys = [2 * (origin + count) + start for count, start in counts]
    expected = [compiled.instant_start(k >> 1) if k & 1 else compiled.instant_end(k >> 1) for k in keys]
    assert compiled.minutes_of_keys(np.asarray(keys, dtype=np.int64)).tolist() == expected


def test_work_running_past_sixty_years_is_still_scheduled() -> None:
    """The calendar grows as far as the work goes; only sixty years without any work is an error."""
    century = 100 * 52 * 5 * 480  # a hundred years of working weeks, give or take the leap days
    network = plain(
        Activity("long", duration=century), Activity("next", duration=480), links=(Link("long", "next"),)
    )
    result, generic = schedule(network), _schedule_generic(network)
    assert_same(result, generic)
    assert result["next"].start.year == 2126
    weekend_only = Calendar("weekends", week=((),) * 5 + (((480, 1020),),) * 2)
    after_weekends = replace(
        network,
        calendars={
            "weekends": replace(
                weekend_only, exceptions=(CalendarException(date(2026, 1, 1), date(2200, 12, 31)),)
            )
        },
        calendar_id="weekends",
    )
    with pytest.raises(CalendarError):
        schedule(after_weekends)


@pytest.mark.parametrize("bound", [5, 1 << 16, 70_000, 1 << 33])
def test_the_radix_order_is_numpys_stable_order(bound: int) -> None:
    keys = np.random.default_rng(bound).integers(0, bound, size=5000, dtype=np.int64)
    assert np.array_equal(_stable_order(keys, bound), np.argsort(keys, kind="stable"))


@st.composite
def generic_plans(draw: st.DrawFn) -> tuple[Network, datetime | None]:
    """Random plans with something only the generic path models: a task calendar, a constraint
    (with or without its date), a deadline, an elapsed lag, work in progress."""
    network, status = draw(plans())
    activities = list(network.activities)
    calendars = dict(network.calendars)
    links = list(network.links)
    feature = draw(st.sampled_from(["calendar", "constraint", "undated", "deadline", "elapsed", "progress"]))
    k = draw(st.integers(0, len(activities) - 1))
    when = datetime(2026, 11, 25, 13, 0)
    if feature == "calendar":
        other = draw(st.sampled_from([c for c in CALENDARS if c.id != network.calendar_id]))
        calendars[other.id] = other
        activities[k] = replace(activities[k], calendar_id=other.id)
    elif feature == "constraint":
        kind = draw(
            st.sampled_from(
                [
                    ConstraintType.SNET,
                    ConstraintType.FNET,
                    ConstraintType.SNLT,
                    ConstraintType.FNLT,
                    ConstraintType.MSO,
                    ConstraintType.MFO,
                ]
            )
        )
        activities[k] = replace(activities[k], constraint=kind, constraint_date=when)
    elif feature == "undated":  # a constraint kind without its date: the generic path on keys
        activities[k] = replace(
            activities[k], constraint=draw(st.sampled_from([ConstraintType.SNET, ConstraintType.FNET]))
        )
    elif feature == "deadline":
        activities[k] = replace(activities[k], deadline=when)
    elif feature == "elapsed" and links:
        lag = draw(st.sampled_from([-600.0, 600.0, 2000.0]))
        links[0] = replace(links[0], lag=lag, lag_unit=LagUnit.ELAPSED)
    elif feature == "progress":
        activities[k] = replace(activities[k], constraint=ConstraintType.ASAP, actual_start=network.start)
    edited = replace(network, activities=tuple(activities), calendars=calendars, links=tuple(links))
    return edited, status


@settings(max_examples=150, deadline=None)
@given(generic_plans(), st.data())
def test_the_generic_reschedule_equals_a_generic_schedule_from_scratch(
    plan: tuple[Network, datetime | None], data: st.DataObject
) -> None:
    network, status = plan
    ids = [a.id for a in network.activities]
    changed = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))
    durations = {i: data.draw(st.sampled_from([0, 1, 60, 480, 4800])) for i in changed}
    after = _schedule_generic(network, status_date=status).with_durations(durations)
    edited = tuple(replace(a, duration=durations.get(a.id, a.duration)) for a in network.activities)
    fresh = _schedule_generic(replace(network, activities=edited), status_date=status)
    assert after.project_finish == fresh.project_finish
    for activity_id in fresh:
        assert after[activity_id] == fresh[activity_id], activity_id
    assert after.critical_path == fresh.critical_path
    assert after.conflicts == fresh.conflicts


def test_every_reschedule_of_a_small_chain_equals_a_schedule_from_scratch() -> None:
    """Exhaustively, on chains of four tasks or milestones and every link type: change one duration
    while the project finish stays (a long task sets it) and compare with scheduling afresh."""
    ids = ("a", "b", "c", "d")
    for durations in itertools.product((0, 480), repeat=4):
        for types in itertools.product(tuple(LinkType), repeat=3):
            activities = tuple(Activity(i, duration=d) for i, d in zip(ids, durations, strict=True))
            links = tuple(Link(p, s, kind) for p, s, kind in zip(ids, ids[1:], types, strict=False))
            network = plain(*activities, Activity("long", duration=4800), links=links)
            result = schedule(network)
            for changed in ids:
                new = 960 if result[changed].finish == result[changed].start else 0
                after = result.with_durations({changed: new})
                edited = tuple(replace(a, duration=new) if a.id == changed else a for a in network.activities)
                assert_same(after, _schedule_generic(replace(network, activities=edited)))


@pytest.mark.parametrize("where", [0, 37, 150, 299])
def test_a_reschedule_that_moves_a_deep_plan_level_after_level_equals_a_schedule_from_scratch(
    where: int,
) -> None:
    """A change early in a 300-level plan moves every level after it; past a number of moving levels
    the reschedule stops tracking what moved and finishes with a plain pass: same dates either way."""
    n = 300
    activities = tuple(Activity(f"t{i}", duration=480 if i % 7 else 0) for i in range(n))
    links = tuple(
        Link(f"t{i}", f"t{i + 1}", LinkType.SS if i % 11 == 0 else LinkType.FS, 60 if i % 5 == 0 else 0)
        for i in range(n - 1)
    )
    side = (Activity("side", duration=960), Link("t3", "side"), Link("side", f"t{n // 2}"))
    network = plain(*activities, side[0], links=(*links, side[1], side[2]))
    result = schedule(network)
    target = f"t{where}"
    new = 2400 if result[target].finish > result[target].start else 480
    after = result.with_durations({target: new})
    edited = tuple(replace(a, duration=new) if a.id == target else a for a in network.activities)
    assert_same(after, _schedule_generic(replace(network, activities=edited)))


def _split(network: Network, data: st.DataObject) -> tuple[Network, Network]:
    """A network cut in two: the first activities and some of their links, then the whole network
    with the remaining links appended (``with_additions``'s input)."""
    k = data.draw(st.integers(1, len(network.activities)))
    kept = {a.id for a in network.activities[:k]}
    inside = [link for link in network.links if link.predecessor in kept and link.successor in kept]
    later = data.draw(st.lists(st.sampled_from(inside), max_size=3)) if inside else []
    before = [link for link in inside if link not in later]
    added = [link for link in network.links if link not in before]
    return (
        replace(network, activities=network.activities[:k], links=tuple(before)),
        replace(network, links=(*before, *added)),
    )


@PASSES
@settings(max_examples=300, deadline=None)
@given(plans(), st.data())
def test_activities_and_links_added_to_a_schedule_give_the_schedule_from_scratch(
    kind: str, plan: tuple[Network, datetime | None], data: st.DataObject
) -> None:
    network, status = plan
    before, after = _split(network, data)
    with passes(kind):
        result = schedule(before, status_date=status)
        extended = result.with_additions(after)
    assert_same(extended, _schedule_generic(after, status_date=status))
    assert_same(result, _schedule_generic(before, status_date=status))  # the first result is untouched


@settings(max_examples=150, deadline=None)
@given(generic_plans(), st.data())
def test_additions_on_the_generic_path_give_the_schedule_from_scratch(
    plan: tuple[Network, datetime | None], data: st.DataObject
) -> None:
    network, status = plan
    before, after = _split(network, data)
    extended = schedule(before, status_date=status).with_additions(after)
    fresh = _schedule_generic(after, status_date=status)
    assert extended.project_finish == fresh.project_finish
    for activity_id in fresh:
        assert extended[activity_id] == fresh[activity_id], activity_id
    assert extended.critical_path == fresh.critical_path
    assert extended.conflicts == fresh.conflicts


def test_a_network_that_is_not_an_extension_is_scheduled_from_scratch() -> None:
    a, b = Activity("a", duration=480), Activity("b", duration=480)
    result = schedule(plain(a, b, links=(Link("a", "b"),)))
    for other in (
        plain(replace(a, duration=960), b, Activity("c", duration=60), links=(Link("a", "b"),)),
        plain(b, a, links=(Link("a", "b"),)),
        plain(a, b, links=(Link("a", "b", LinkType.SS),)),
        replace(plain(a, b, links=(Link("a", "b"),)), start=datetime(2026, 12, 1, 8, 0)),
    ):
        assert_same(result.with_additions(other), _schedule_generic(other))
    with pytest.raises(NetworkCycleError):
        result.with_additions(plain(a, b, links=(Link("a", "b"), Link("b", "a"))))


@pytest.mark.parametrize("where", [0, 37, 150, 298])
def test_a_link_added_to_a_deep_plan_moves_it_as_from_scratch(where: int) -> None:
    """A link added early in a 300-level plan pushes every level after it (past some moving levels
    the cone gives up and finishes with a plain pass), and an added activity moves the finish."""
    n = 300
    activities = tuple(Activity(f"t{i}", duration=480 if i % 7 else 0) for i in range(n))
    links = tuple(
        Link(f"t{i}", f"t{i + 1}", LinkType.SS if i % 11 == 0 else LinkType.FS, 60 if i % 5 == 0 else 0)
        for i in range(n - 1)
    )
    side = Activity("side", duration=4800)
    network = plain(*activities, side, links=(*links, Link("t0", "side")))
    result = schedule(network)
    more = replace(network, links=(*network.links, Link("side", f"t{where + 1}")))
    assert_same(result.with_additions(more), _schedule_generic(more))
    tail = replace(
        more,
        activities=(*more.activities, Activity("tail", duration=960)),
        links=(*more.links, Link("t299", "tail")),
    )
    assert_same(result.with_additions(tail), _schedule_generic(tail))


@settings(max_examples=200, deadline=None)
@given(plans(), st.data())
def test_additions_after_a_duration_change_start_from_the_changed_schedule(
    plan: tuple[Network, datetime | None], data: st.DataObject
) -> None:
    """A result rescheduled with new durations is the schedule of the network with those durations:
    additions to that network extend it, and additions to the network as it was before the change
    (its old durations) are scheduled as what they are."""
    network, status = plan
    before, after = _split(network, data)
    changed = data.draw(st.sampled_from([a.id for a in before.activities]))
    minutes = data.draw(st.sampled_from([0, 60, 480, 4800]))
    result = schedule(before, status_date=status).with_durations({changed: minutes})
    edited = tuple(replace(a, duration=minutes) if a.id == changed else a for a in after.activities)
    for extended in (replace(after, activities=edited), after):
        assert_same(result.with_additions(extended), _schedule_generic(extended, status_date=status))
