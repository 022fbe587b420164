"""The adapter: rows to engine inputs, computed dates back to rows."""

from __future__ import annotations

import datetime as dt

from tandem.accounts.choices import Language
from tandem.planning import scheduling, services
from tandem.planning.choices import CalendarBase, TaskKind
from tandem.planning.models import Calendar, Task
from tandem.projects import services as project_services
from tandem.testing.personas import World

from .conftest import DAY, Plan, at


def test_it_schedules_the_plan_and_stores_the_computed_fields(plan: Plan) -> None:
    design, build, golive = (Task.objects.get(pk=t.pk) for t in (plan.design, plan.build, plan.golive))
    assert design.start == at(2026, 1, 5, 8) and design.finish == at(2026, 1, 6, 17)
    assert build.start == at(2026, 1, 7, 8) and build.finish == at(2026, 1, 9, 17)
    assert golive.start == golive.finish == at(2026, 1, 9, 17)
    assert design.critical and build.critical and golive.critical
    secret = Task.objects.get(pk=plan.secret.pk)
    assert not secret.critical and secret.total_float_minutes == 2 * DAY
    assert secret.late_finish == at(2026, 1, 9, 17)


def test_it_rolls_summaries_up_from_their_leaves(plan: Plan) -> None:
    phase = Task.objects.get(pk=plan.phase.pk)
    assert phase.is_summary
    assert (phase.start, phase.finish) == (at(2026, 1, 5, 8), at(2026, 1, 9, 17))
    assert phase.duration_minutes == 5 * DAY
    assert phase.critical


def test_it_numbers_the_outline_and_a_shared_outline(plan: Plan) -> None:
    rows = {t.name: (t.wbs, t.shared_wbs) for t in Task.objects.filter(project=plan.world.project)}
    assert rows == {
        "Phase 1": ("1", "1"),
        "Design": ("1.1", "1.1"),
        "Build": ("1.2", "1.2"),
        "Margin review": ("1.3", ""),
        "Go-live": ("2", "2"),
    }


def test_it_keeps_the_dates_of_manually_scheduled_tasks(plan: Plan) -> None:
    pm = plan.world.pm
    build = services.do_update_task(
        plan.build, version=plan.build.version, actor=pm, manual=True, start=at(2026, 1, 12, 8)
    )
    assert build.start == at(2026, 1, 12, 8) and build.finish == at(2026, 1, 14, 17)
    # The manual task ignores its predecessor; changing the predecessor leaves it in place.
    services.do_update_task(plan.design, version=plan.design.version, actor=pm, duration_minutes=10 * DAY)
    build.refresh_from_db()
    assert build.start == at(2026, 1, 12, 8)


def test_links_on_a_summary_apply_to_its_leaves(plan: Plan) -> None:
    pm, project = plan.world.pm, plan.world.project
    after = services.do_add_task(project, actor=pm, name="Hypercare", duration_minutes=DAY)
    services.do_add_dependency(project, predecessor_id=plan.phase.pk, successor_id=after.pk, actor=pm)
    after.refresh_from_db()
    assert after.start == at(2026, 1, 12, 8)


def test_a_chinese_project_works_on_the_china_calendar(world: World) -> None:
    pm = world.pm
    project = project_services.do_update_project(
        world.project,
        version=world.project.version,
        actor=pm,
        language=Language.CHINESE,
        start_date=dt.date(2026, 9, 28),
    )
    task = services.do_add_task(project, actor=pm, name="Around National Day", duration_minutes=3 * DAY)
    calendar = Calendar.objects.get(project=project, is_project_calendar=True)
    assert calendar.base == CalendarBase.CHINA
    # 2026-09-28 (Mon), 09-29 (Tue), 09-30 (Wed) work; 10-01..10-07 are the National Day holiday.
    assert task.finish == at(2026, 9, 30, 17)
    longer = services.do_update_task(task, version=task.version, actor=pm, duration_minutes=4 * DAY)
    assert longer.finish.date() > dt.date(2026, 10, 7)


def test_an_english_project_works_on_the_standard_week(world: World) -> None:
    task = services.do_add_task(world.project, actor=world.pm, name="T", duration_minutes=DAY)
    assert Calendar.objects.get(project=world.project, is_project_calendar=True).base == CalendarBase.STANDARD
    assert task.finish == at(2026, 1, 5, 17)


def test_it_converts_between_local_and_aware_time(world: World) -> None:
    zone = scheduling.zone_of(world.project)
    naive = dt.datetime(2026, 1, 5, 8)
    aware = scheduling.to_aware(naive, zone)
    assert aware == at(2026, 1, 5, 8)
    assert scheduling.to_local(aware.astimezone(dt.UTC), zone) == naive


def test_milestones_have_no_duration(world: World) -> None:
    m = services.do_add_task(
        world.project, actor=world.pm, name="M", kind=TaskKind.MILESTONE, duration_minutes=960
    )
    assert m.duration_minutes == 0 and m.start == m.finish
