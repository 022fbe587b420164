"""Logging time, the weekly grid, the timer, and the approval of weeks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.core.errors import ConflictError
from tandem.core.models import Activity
from tandem.costs import timesheets as services
from tandem.costs.choices import SheetStatus
from tandem.costs.models import CostSettings, RunningTimer, TimeEntry, Timesheet
from tandem.costs.settings import settings_for
from tandem.planning.models import Task
from tandem.resources.models import Rate, Resource
from tandem.testing.plans import Plan, build_small_plan

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 2)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def plan(world) -> Plan:
    return build_small_plan(world, phase=True)


def log(world, plan, *, who="member", day=MONDAY, minutes=60, task=None, **extra):
    return services.do_log_time(
        world.project,
        actor=world.people[who],
        task_id=(task or plan.design).pk,
        day=day,
        minutes=minutes,
        **extra,
    )


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# ---------------------------------------------------------------- one entry


def test_it_logs_time_on_a_task_into_the_weeks_sheet(world, plan):
    entry = log(world, plan, day=MONDAY + dt.timedelta(days=2), minutes=90, note="Workshop")
    assert entry.timesheet.week == MONDAY
    assert entry.timesheet.status == SheetStatus.OPEN
    assert (entry.minutes, entry.note, entry.billable) == (90, "Workshop", True)
    record = Activity.objects.get(target_type="costs.timeentry", target_id=str(entry.pk))
    assert record.visibility == "internal"
    assert "cost_cents" not in record.changes


@pytest.mark.parametrize("minutes", [0, -5, 1441])
def test_it_refuses_minutes_outside_a_day(world, plan, minutes):
    with pytest.raises(ValidationError) as excinfo:
        log(world, plan, minutes=minutes)
    assert "minutes" in errors_of(excinfo)
    assert not TimeEntry.objects.exists()


def test_it_refuses_more_than_24_hours_a_day_across_projects(world, plan):
    log(world, plan, minutes=1000)
    with pytest.raises(ValidationError) as excinfo:
        log(world, plan, minutes=441, task=plan.build)
    assert "minutes" in errors_of(excinfo)
    log(world, plan, minutes=440, task=plan.build)  # exactly 24 hours is fine


def test_it_refuses_a_locked_day(world, plan):
    CostSettings.objects.create(project=world.project, locked_until=MONDAY)
    with pytest.raises(ValidationError) as excinfo:
        log(world, plan, day=MONDAY)
    assert "day" in errors_of(excinfo)
    log(world, plan, day=MONDAY + dt.timedelta(days=1))


def test_it_refuses_a_phase_a_summary_and_a_task_of_another_project(world, plan):
    for task_id in (plan.phase.pk, 999_999):
        with pytest.raises(ValidationError) as excinfo:
            log(world, plan, task=Task(pk=task_id))
        assert "task" in errors_of(excinfo)


def test_it_refuses_a_week_that_was_submitted(world, plan):
    entry = log(world, plan)
    services.do_submit_timesheet(entry.timesheet, version=entry.timesheet.version, actor=world.member)
    with pytest.raises(ValidationError) as excinfo:
        log(world, plan, minutes=30)
    assert "timesheet" in errors_of(excinfo)
    fresh = TimeEntry.objects.get(pk=entry.pk)
    with pytest.raises(ValidationError) as excinfo:
        services.do_update_time_entry(fresh, version=fresh.version, actor=world.member, minutes=30)
    assert "timesheet" in errors_of(excinfo)


@pytest.mark.parametrize("who", ["team_viewer", "client_pm", "sponsor", "client_viewer"])
def test_only_the_teams_members_leads_and_pms_log_time(world, plan, who):
    with pytest.raises(PermissionDenied):
        log(world, plan, who=who)


def test_it_updates_and_deletes_an_entry_based_on_the_version(world, plan):
    entry = log(world, plan)
    updated = services.do_update_time_entry(
        entry, version=entry.version, actor=world.member, minutes=120, day=MONDAY + dt.timedelta(days=7)
    )
    assert updated.minutes == 120
    assert updated.timesheet.week == MONDAY + dt.timedelta(days=7)
    with pytest.raises(ConflictError):
        services.do_update_time_entry(updated, version=entry.version, actor=world.member, minutes=10)
    with pytest.raises(PermissionDenied):
        services.do_delete_time_entry(updated, version=updated.version, actor=world.lead)
    services.do_delete_time_entry(updated, version=updated.version, actor=world.member)
    assert not TimeEntry.objects.exists()


def test_an_entry_is_priced_at_the_rate_in_force_on_its_day(world, plan):
    person = Resource.objects.create(organization=world.vendor, name="Bob", user=world.member)
    Rate.objects.create(resource=person, effective_from=dt.date(2026, 1, 1), standard_rate=Decimal("120"))
    Rate.objects.create(resource=person, effective_from=dt.date(2026, 3, 4), standard_rate=Decimal("150"))
    before = log(world, plan, day=MONDAY, minutes=90)
    after = log(world, plan, day=MONDAY + dt.timedelta(days=2), minutes=90)
    assert (before.resource_id, before.cost_cents, after.cost_cents) == (person.pk, 18000, 22500)
    moved = services.do_update_time_entry(
        before, version=before.version, actor=world.member, day=MONDAY + dt.timedelta(days=3)
    )
    assert moved.cost_cents == 22500


def test_an_entry_of_a_person_without_a_resource_costs_nothing(world, plan):
    assert log(world, plan).cost_cents == 0


# ---------------------------------------------------------------- the weekly grid


def grid(plan, **minutes_by_task):
    rows = []
    for name, minutes in minutes_by_task.items():
        task = getattr(plan, name)
        rows.append(
            services.GridRow(
                task_id=task.pk, minutes={MONDAY + dt.timedelta(days=i): m for i, m in enumerate(minutes)}
            )
        )
    return rows


def test_the_grid_saves_the_week_in_one_go(world, plan):
    log(world, plan, day=MONDAY, minutes=30)
    services.do_save_week(
        world.project, actor=world.member, week=MONDAY, rows=grid(plan, design=[60, 0, 90], build=[0, 480])
    )
    got = sorted(TimeEntry.objects.values_list("task_id", "day", "minutes"))
    assert got == sorted(
        [
            (plan.design.pk, MONDAY, 60),
            (plan.design.pk, MONDAY + dt.timedelta(days=2), 90),
            (plan.build.pk, MONDAY + dt.timedelta(days=1), 480),
        ]
    )
    services.do_save_week(world.project, actor=world.member, week=MONDAY, rows=grid(plan, design=[0, 0, 90]))
    assert TimeEntry.objects.filter(task=plan.design).count() == 1


def test_a_grid_with_one_bad_cell_saves_nothing(world, plan):
    rows = grid(plan, design=[60, 60], build=[0, 1500])
    with pytest.raises(ValidationError) as excinfo:
        services.do_save_week(world.project, actor=world.member, week=MONDAY, rows=rows)
    assert list(errors_of(excinfo)) == [services.cell_key(plan.build.pk, MONDAY + dt.timedelta(days=1))]
    assert not TimeEntry.objects.exists()


def test_the_grid_names_the_cells_of_a_day_over_24_hours_and_a_phase_row(world, plan):
    rows = [*grid(plan, design=[1000], build=[500]), services.GridRow(task_id=plan.phase.pk)]
    with pytest.raises(ValidationError) as excinfo:
        services.do_save_week(world.project, actor=world.member, week=MONDAY, rows=rows)
    assert set(errors_of(excinfo)) == {
        services.cell_key(plan.design.pk, MONDAY),
        services.cell_key(plan.build.pk, MONDAY),
        services.row_key(plan.phase.pk),
    }


def test_the_grid_refuses_changes_on_locked_days(world, plan):
    CostSettings.objects.create(project=world.project, locked_until=MONDAY)
    with pytest.raises(ValidationError) as excinfo:
        services.do_save_week(
            world.project, actor=world.member, week=MONDAY, rows=grid(plan, design=[60, 60])
        )
    assert list(errors_of(excinfo)) == [services.cell_key(plan.design.pk, MONDAY)]


# ---------------------------------------------------------------- the timer


def test_a_second_timer_is_refused(world, plan):
    services.do_start_timer(world.project, actor=world.member, task_id=plan.design.pk)
    with pytest.raises(ValidationError) as excinfo:
        services.do_start_timer(world.project, actor=world.member, task_id=plan.build.pk)
    assert "timer" in errors_of(excinfo)


def test_stopping_the_timer_logs_whole_minutes_rounded_up(world, plan):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    services.do_start_timer(world.project, actor=world.member, task_id=plan.design.pk, note="Call", now=start)
    (entry,) = services.do_stop_timer(actor=world.member, now=start + dt.timedelta(minutes=25, seconds=1))
    assert (entry.day, entry.minutes, entry.note) == (MONDAY, 26, "Call")
    assert not RunningTimer.objects.exists()


def test_a_timer_stopped_at_once_logs_one_minute(world, plan):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    services.do_start_timer(world.project, actor=world.member, task_id=plan.design.pk, now=start)
    (entry,) = services.do_stop_timer(actor=world.member, now=start)
    assert entry.minutes == 1


def test_a_timer_past_midnight_is_split_per_day_in_the_projects_zone(world, plan):
    # 23:30 to 01:15 in Shanghai is 15:30 to 17:15 UTC: one UTC day, two days of the project.
    start = dt.datetime(2026, 3, 2, 23, 30, tzinfo=SHANGHAI)
    services.do_start_timer(world.project, actor=world.member, task_id=plan.design.pk, now=start)
    entries = services.do_stop_timer(
        actor=world.member, now=start.astimezone(dt.UTC) + dt.timedelta(minutes=105)
    )
    assert [(e.day, e.minutes) for e in entries] == [(MONDAY, 30), (MONDAY + dt.timedelta(days=1), 75)]


def test_a_timer_stopped_on_a_locked_day_stays_running(world, plan):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    services.do_start_timer(world.project, actor=world.member, task_id=plan.design.pk, now=start)
    CostSettings.objects.create(project=world.project, locked_until=MONDAY)
    with pytest.raises(ValidationError) as excinfo:
        services.do_stop_timer(actor=world.member, now=start + dt.timedelta(hours=1))
    assert "day" in errors_of(excinfo)
    assert RunningTimer.objects.exists()
    services.do_discard_timer(actor=world.member)
    assert not RunningTimer.objects.exists() and not TimeEntry.objects.exists()


# ---------------------------------------------------------------- weeks


def submitted(world, plan, minutes=(60, 120)):
    log(world, plan, minutes=minutes[0])
    log(world, plan, task=plan.build, minutes=minutes[1], day=MONDAY + dt.timedelta(days=1))
    return services.do_submit_week(world.project, actor=world.member, week=MONDAY + dt.timedelta(days=3))


def test_an_empty_week_cannot_be_submitted(world, plan):
    with pytest.raises(ValidationError) as excinfo:
        services.do_submit_week(world.project, actor=world.member, week=MONDAY)
    assert "week" in errors_of(excinfo)


def test_the_teams_approval_approves_and_counts_the_week(world, plan):
    sheet = submitted(world, plan)
    assert sheet.status == SheetStatus.SUBMITTED
    with pytest.raises(PermissionDenied):
        services.do_approve_timesheet(sheet, version=sheet.version, actor=world.member)
    with pytest.raises(PermissionDenied):
        services.do_approve_timesheet(sheet, version=sheet.version, actor=world.client_pm)
    approved = services.do_approve_timesheet(sheet, version=sheet.version, actor=world.lead)
    assert (approved.status, approved.approved_by) == (SheetStatus.APPROVED, world.lead)
    assert plan.fresh(plan.design).actual_work_minutes == 60
    assert plan.fresh(plan.build).actual_work_minutes == 120


def test_with_client_approval_the_team_approves_first_then_the_client(world, plan):
    settings = settings_for(world.project)
    settings.client_approves_time = True
    settings.save()
    sheet = submitted(world, plan)
    # The client PM cannot approve a week the team has not approved yet.
    with pytest.raises(ValidationError) as excinfo:
        services.do_client_approve_timesheet(sheet, version=sheet.version, actor=world.client_pm)
    assert "status" in errors_of(excinfo)
    team = services.do_approve_timesheet(sheet, version=sheet.version, actor=world.pm)
    assert team.status == SheetStatus.TEAM_APPROVED
    assert plan.fresh(plan.design).actual_work_minutes == 60  # the team's approval makes it count
    with pytest.raises(PermissionDenied):
        services.do_client_approve_timesheet(team, version=team.version, actor=world.sponsor)
    done = services.do_client_approve_timesheet(team, version=team.version, actor=world.client_pm)
    assert (done.status, done.client_approved_by) == (SheetStatus.APPROVED, world.client_pm)


def test_a_rejection_needs_a_reason_and_reopens_the_week(world, plan):
    settings = settings_for(world.project)
    settings.client_approves_time = True
    settings.save()
    sheet = services.do_approve_timesheet((s := submitted(world, plan)), version=s.version, actor=world.pm)
    with pytest.raises(ValidationError) as excinfo:
        services.do_reject_timesheet(sheet, version=sheet.version, actor=world.client_pm, reason="  ")
    assert "reason" in errors_of(excinfo)
    rejected = services.do_reject_timesheet(
        sheet, version=sheet.version, actor=world.client_pm, reason="Build was on hold that day"
    )
    assert (rejected.status, rejected.rejected_reason) == (SheetStatus.REJECTED, "Build was on hold that day")
    assert plan.fresh(plan.design).actual_work_minutes == 0  # no longer counted
    log(world, plan, minutes=15, day=MONDAY + dt.timedelta(days=4))  # editable again
    again = services.do_submit_week(world.project, actor=world.member, week=MONDAY)
    assert (again.status, again.rejected_reason) == (SheetStatus.SUBMITTED, "")


def test_actuals_are_left_alone_when_the_project_does_not_take_them_from_time(world, plan):
    CostSettings.objects.create(project=world.project, actuals_from_time=False)
    sheet = submitted(world, plan)
    services.do_approve_timesheet(sheet, version=sheet.version, actor=world.pm)
    assert plan.fresh(plan.design).actual_work_minutes == 0


def test_recomputing_actual_work_reads_once_and_writes_once(world, plan, django_assert_num_queries):
    sheet = submitted(world, plan)
    Timesheet.objects.filter(pk=sheet.pk).update(status=SheetStatus.APPROVED)
    ids = [plan.design.pk, plan.build.pk, plan.golive.pk]
    # the grouped sum, the tasks, the bulk update
    with django_assert_num_queries(3):
        services.recompute_actual_work(ids)
    assert plan.fresh(plan.golive).actual_work_minutes == 0


# ---------------------------------------------------------------- settings


def test_only_the_pm_changes_the_cost_settings(world):
    with pytest.raises(PermissionDenied):
        services.do_update_cost_settings(world.project, actor=world.lead, client_approves_time=True)
    done = services.do_update_cost_settings(
        world.project, actor=world.pm, client_approves_time=True, locked_until=MONDAY
    )
    assert (done.client_approves_time, done.locked_until) == (True, MONDAY)
    with pytest.raises(ValidationError) as excinfo:
        services.do_update_cost_settings(world.project, actor=world.pm, budget_thresholds=[1])
    assert "budget_thresholds" in errors_of(excinfo)
