"""The demo plan: its size, calendar, baseline, progress and slip, and that loading it twice is harmless."""

from __future__ import annotations

import datetime as dt

from tandem.planning import queries
from tandem.planning.choices import TaskKind, TaskStatus
from tandem.planning.demo import load_demo_plan
from tandem.planning.models import Baseline, Calendar, Dependency, Task
from tandem.projects.demo import load_demo


def test_it_loads_a_realistic_plan_once(db: None) -> None:
    project = load_demo()
    count = load_demo_plan(project, today=dt.date(2026, 11, 23))
    assert 75 <= count <= 90
    assert load_demo_plan(project, today=dt.date(2026, 11, 23)) == count
    assert Task.objects.filter(project=project).count() == count
    assert Calendar.objects.get(project=project, is_project_calendar=True).base == "china"
    kinds = set(Dependency.objects.filter(project=project).values_list("type", flat=True))
    assert kinds == {"FS", "SS", "FF"}
    [baseline] = Baseline.objects.filter(project=project)
    assert baseline.is_approved
    # Nothing is scheduled on National Day.
    for start, finish in Task.objects.filter(project=project, is_summary=False).values_list(
        "start", "finish"
    ):
        for moment in (start, finish):
            local = moment.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
            assert not dt.date(2026, 10, 1) <= local <= dt.date(2026, 10, 7), moment
    statuses = set(Task.objects.filter(project=project).values_list("status", flat=True))
    assert {TaskStatus.DONE, TaskStatus.IN_PROGRESS, TaskStatus.NOT_STARTED} <= statuses
    pm = project.memberships.get(role="pm").user
    agreed, forecast = queries.milestone_forecast(pm, project)
    assert agreed == baseline and len(forecast) == 6
    slipping = [m.task.name for m in forecast if m.slipping]
    assert slipping and slipping[0].startswith("M3")
    client = project.memberships.get(role="client_viewer").user
    assert not queries.plan_of(client, project).filter(visibility="internal").exists()
    assert queries.plan_of(client, project).count() < count
    assert Task.objects.filter(project=project, kind=TaskKind.MILESTONE).count() == 6
