"""The workload heatmap: capacity from calendars, leave and units; work spread over the tasks' working
time; over-allocation; grouping by role; the drill-down as each reader may see it; constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.planning.choices import CalendarBase
from tandem.planning.models import Task
from tandem.resources import queries, services, workload
from tandem.resources.choices import ResourceKind
from tandem.resources.models import Resource, ResourceException
from tandem.testing.personas import World
from tandem.testing.plans import DAY, build_small_plan

from .conftest import Pool

pytestmark = pytest.mark.django_db

#: The small plan's first week (Design: Monday 5 and Tuesday 6 January 2026; Build: 7 to 9).
WEEK = dt.date(2026, 1, 5)
UTC = dt.UTC


def _row(found: workload.Workload, name: str) -> workload.WorkloadRow:
    return next(r for r in found.rows if r.name == name)


def _pool(world: World, **kwargs: object) -> workload.Workload:
    options = {"start": WEEK, "weeks": 3, **kwargs}
    return workload.workload_of([world.vendor.pk, world.client.pk], **options)  # type: ignore[arg-type]


def _place(task: Task, start: dt.datetime, finish: dt.datetime) -> None:
    """Put a task on given dates (as a reschedule would have stored them)."""
    Task.objects.filter(pk=task.pk).update(start=start, finish=finish)


def _at(day: dt.date, hour: int, world: World) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=world.project.zone)


def test_it_counts_a_standard_week_times_max_units(pool: Pool, world: World) -> None:
    services.do_update_resource(pool.rita, version=pool.rita.version, actor=world.pm, max_units=50)
    found = _pool(world)
    assert _row(found, "Bob Member").capacity_minutes == [5 * DAY] * 3
    assert _row(found, "Rita Reviewer").capacity_minutes == [5 * DAY // 2] * 3
    assert found.weeks == [WEEK, WEEK + dt.timedelta(weeks=1), WEEK + dt.timedelta(weeks=2)]


def test_leave_takes_its_working_days_off_the_capacity(pool: Pool, world: World) -> None:
    # Friday 9 to Tuesday 13 January: one day in the first week, two in the second (weekend not counted).
    ResourceException.objects.create(resource=pool.bob, start=dt.date(2026, 1, 9), end=dt.date(2026, 1, 13))
    # An overlapping span counts once.
    ResourceException.objects.create(resource=pool.bob, start=dt.date(2026, 1, 12), end=dt.date(2026, 1, 12))
    found = _pool(world)
    assert _row(found, "Bob Member").capacity_minutes == [4 * DAY, 3 * DAY, 5 * DAY]


def test_china_holidays_and_make_up_days_shape_the_capacity(pool: Pool, world: World) -> None:
    services.do_update_resource(
        pool.bob, version=pool.bob.version, actor=world.pm, calendar_base=CalendarBase.CHINA
    )
    # Mid-Autumn: Friday 25 September off; National Day: 1 to 7 October off; Sundays 20 September and
    # Saturday 10 October are worked. Leave from 1 to 9 October does not count the holidays twice.
    ResourceException.objects.create(resource=pool.bob, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 9))
    found = _pool(world, start=dt.date(2026, 9, 14), weeks=5)
    assert _row(found, "Rita Reviewer").capacity_minutes == [5 * DAY] * 5
    assert _row(found, "Bob Member").capacity_minutes == [6 * DAY, 4 * DAY, 3 * DAY, 1 * DAY, 5 * DAY]


def test_work_is_spread_over_the_tasks_working_time_across_weeks(pool: Pool, world: World) -> None:
    # Design from Thursday 8 January 08:00 to Wednesday 14 January 17:00: 5 working days.
    _place(pool.plan.design, _at(dt.date(2026, 1, 8), 8, world), _at(dt.date(2026, 1, 14), 17, world))
    found = _pool(world)
    # Bob's 960 minutes of Design: 2/5 in the first week, 3/5 in the second; the internal task
    # (480 on Wednesday 7) stays in the first.
    assert _row(found, "Bob Member").work_minutes == [384 + 480, 576, 0]
    # Rita's Build (720 minutes, 7 to 9 January) lies in the first week.
    assert _row(found, "Rita Reviewer").work_minutes == [720, 0, 0]


def test_a_task_over_a_weekend_counts_working_minutes_not_days(pool: Pool, world: World) -> None:
    # Friday 9 January 13:00 to Monday 12 January 12:00: 4 hours each side of the weekend.
    _place(pool.plan.design, _at(dt.date(2026, 1, 9), 13, world), _at(dt.date(2026, 1, 12), 12, world))
    assert _row(_pool(world), "Bob Member").work_minutes == [480 + 480, 480, 0]


def test_over_allocation_is_work_above_capacity(pool: Pool, world: World) -> None:
    services.do_update_resource(pool.bob, version=pool.bob.version, actor=world.pm, max_units=25)
    row = _row(_pool(world), "Bob Member")
    # Capacity 600 a week; 1,440 minutes of work in the first.
    assert row.capacity_minutes[0] == 600
    assert row.work_minutes[0] == 1440
    assert row.load_percent == [240, 0, 0]
    assert row.over == [True, False, False]


def test_a_week_without_capacity_has_no_load_percent(pool: Pool, world: World) -> None:
    ResourceException.objects.create(resource=pool.bob, start=dt.date(2026, 1, 5), end=dt.date(2026, 1, 11))
    row = _row(_pool(world), "Bob Member")
    assert row.capacity_minutes[0] == 0
    assert row.load_percent[0] is None
    assert row.over[0] is True


def test_roles_sum_their_people(pool: Pool, world: World) -> None:
    services.do_add_resource(world.client, actor=world.pm, name="Rex Reviewer", role="Reviewer")
    Resource.objects.create(organization=world.client, name="Licences", kind=ResourceKind.COST)
    found = _pool(world, group="role")
    names = [r.name for r in found.rows]
    assert names == ["Developer", "Environment", "Reviewer"]
    reviewer = _row(found, "Reviewer")
    assert reviewer.capacity_minutes == [2 * 5 * DAY] * 3
    assert reviewer.work_minutes == [720, 0, 0]
    assert reviewer.resource_id is None


def test_the_project_filter_keeps_the_project_people_and_all_their_work(pool: Pool, world: World) -> None:
    found = workload.workload_of([world.client.pk], start=WEEK, weeks=2, project=world.project)
    assert [r.name for r in found.rows] == ["Rita Reviewer"]  # not the unassigned UAT environment


def test_a_role_filter_keeps_that_role(pool: Pool, world: World) -> None:
    assert [r.name for r in _pool(world, role="Developer").rows] == ["Bob Member"]


def test_bad_input_names_its_field() -> None:
    for start, weeks, group, field in (
        ("2026-13-01", "", "person", "start"),
        ("", "0", "person", "weeks"),
        ("", "105", "person", "weeks"),
        ("", "x", "person", "weeks"),
        ("", "", "team", "group"),
    ):
        with pytest.raises(ValidationError) as caught:
            workload.parse_window(start, weeks, group)
        assert field in caught.value.message_dict
    assert workload.parse_window("2026-01-08", "104", "role") == (WEEK, 104, "role")


def test_the_drill_down_shows_what_the_reader_may_see(pool: Pool, world: World) -> None:
    # Rita works on the internal task too: the client reads only Build.
    services.do_assign(
        world.project,
        actor=world.pm,
        task_id=pool.plan.secret.pk,
        resource_id=pool.rita.pk,
        units=100,
        work_minutes=480,
    )
    _, monday, team = queries.resource_week(world.pm, pool.rita.pk, "2026-01-08")
    assert monday == WEEK
    assert [(t.project_code, t.task_name, t.work_minutes) for t in team] == [
        ("ERP", "Build", 720),
        ("ERP", "Margin review", 480),
    ]
    for reader in (world.client_pm, world.reviewer):
        _, _, seen = queries.resource_week(reader, pool.rita.pk, WEEK)
        assert [t.task_name for t in seen] == ["Build"]
    _, _, later = queries.resource_week(world.pm, pool.rita.pk, "2026-01-12")
    assert later == []


def test_the_heatmap_reads_a_fixed_number_of_queries(world: World) -> None:
    plan = build_small_plan(world, extra=2)

    def measure(people: int) -> int:
        for n in range(people):
            resource = Resource.objects.create(
                organization=world.vendor, name=f"Dev {people}-{n}", role="Developer"
            )
            ResourceException.objects.create(resource=resource, start=WEEK, end=WEEK)
            for task in (plan.design, plan.build):
                services.do_assign(
                    world.project,
                    actor=world.pm,
                    task_id=task.pk,
                    resource_id=resource.pk,
                    units=50,
                    work_minutes=DAY,
                )
        with CaptureQueriesContext(connection) as captured:
            found = workload.workload_of([world.vendor.pk], start=WEEK, weeks=4)
        assert found.rows
        return len(captured)

    small = measure(2)
    assert measure(12) == small
    # resources, leave, assignments, calendars, calendar exceptions
    assert small == 5
