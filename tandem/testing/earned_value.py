"""The issue's worked example of earned value, built through the services in the personas' project.

ERP (standard calendar, starts Monday 2026-01-05) gets two phases of one task each, both priced by
Bob's rate (3,125 an hour): "Build" (Phase 1, shared) on 5–16 January and "Vendor work" (Phase 2,
internal) on 19–30 January, ten working days and 250,000 each, so BAC is 500,000. A baseline is
saved and approved; Build is 80 % done (EV 200,000); at the end of Friday 16 January PV is 250,000
and Bob's approved time on Build costs 210,000 (AC), plus one more approved day after it:

    CPI 0.952 · SPI 0.80 · EAC 525,000 · TCPI 1.034
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tandem.core.choices import Visibility
from tandem.costs.choices import SheetStatus
from tandem.costs.models import TimeEntry, Timesheet, week_start
from tandem.costs.pricing import Pricer
from tandem.planning import services as planning
from tandem.planning.choices import TaskKind
from tandem.planning.models import Baseline, Task
from tandem.resources import services as resources
from tandem.resources.models import Resource
from tandem.testing.personas import World

#: Ten working days of one person, in minutes.
TEN_DAYS = 10 * 480
#: Bob's internal rate per hour: 80 hours cost 250,000.
RATE = "3125.00"
AS_OF = dt.date(2026, 1, 16)
#: Minutes of approved time on Build up to AS_OF: 67.2 hours at 3,125 = 210,000.
MINUTES_TO_AS_OF = (480,) * 8 + (192,)
#: A day logged after AS_OF (20 January), which AS_OF leaves out.
LATER_DAY = dt.date(2026, 1, 20)


@dataclass
class WorkedExample:
    """The rows of the worked example."""

    world: World
    phase1: Task
    build: Task
    phase2: Task
    vendor_work: Task
    bob: Resource
    baseline: Baseline


def log_time(world: World, task: Task, resource: Resource, day: dt.date, minutes: int) -> TimeEntry:
    """An approved time entry of Bob's, priced at the rate of its day."""
    sheet, _created = Timesheet.objects.get_or_create(
        project=world.project,
        user=world.member,
        week=week_start(day),
        defaults={"status": SheetStatus.APPROVED},
    )
    return TimeEntry.objects.create(
        project=world.project,
        timesheet=sheet,
        task=task,
        user=world.member,
        resource=resource,
        day=day,
        minutes=minutes,
        cost_cents=Pricer([resource.pk]).cost_cents(resource.pk, day, minutes),
    )


def build_worked_example(world: World, *, with_time: bool = True, approve: bool = True) -> WorkedExample:
    """The worked example in ``world.project`` (see the module's docstring)."""
    pm, project = world.pm, world.project
    phase1 = planning.do_add_task(project, actor=pm, name="Phase 1", kind=TaskKind.PHASE)
    build = planning.do_add_task(
        project, actor=pm, name="Build", duration_minutes=TEN_DAYS, parent_id=phase1.pk
    )
    phase2 = planning.do_add_task(
        project, actor=pm, name="Phase 2", kind=TaskKind.PHASE, visibility=Visibility.INTERNAL
    )
    vendor_work = planning.do_add_task(
        project,
        actor=pm,
        name="Vendor work",
        duration_minutes=TEN_DAYS,
        parent_id=phase2.pk,
        visibility=Visibility.INTERNAL,
    )
    planning.do_add_dependency(project, predecessor_id=build.pk, successor_id=vendor_work.pk, actor=pm)
    bob = resources.do_add_resource(world.vendor, actor=pm, name="Bob Member", user_id=world.member.pk)
    resources.do_add_rate(bob, actor=pm, effective_from=dt.date(2025, 1, 1), standard_rate=RATE)
    for task in (build, vendor_work):
        resources.do_assign(project, actor=pm, task_id=task.pk, resource_id=bob.pk, units=100)
    baseline = planning.do_save_baseline(project, name="Contract", actor=pm)
    if approve:
        baseline = planning.do_approve_baseline(baseline, actor=pm)
    build = Task.objects.get(pk=build.pk)
    planning.do_update_task(build, version=build.version, actor=pm, percent_complete=80)
    if with_time:
        for n, minutes in enumerate(MINUTES_TO_AS_OF):
            day = dt.date(2026, 1, 5) + dt.timedelta(days=n + 2 * (n >= 5))  # weekdays of both weeks
            log_time(world, build, bob, day, minutes)
        log_time(world, build, bob, LATER_DAY, 480)
    return WorkedExample(
        world,
        Task.objects.get(pk=phase1.pk),
        Task.objects.get(pk=build.pk),
        Task.objects.get(pk=phase2.pk),
        Task.objects.get(pk=vendor_work.pk),
        bob,
        baseline,
    )
