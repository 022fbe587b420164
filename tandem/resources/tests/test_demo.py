"""The demo pools: both sides, a rate history, leave, and an assignment on every leaf task, once."""

from __future__ import annotations

import datetime as dt

from tandem.planning.demo import load_demo_plan
from tandem.planning.models import Task
from tandem.projects.demo import load_demo
from tandem.resources.demo import load_demo_resources
from tandem.resources.models import Assignment, Rate, Resource, ResourceException


def test_it_fills_both_pools_and_assigns_every_leaf_task_once(db: None) -> None:
    today = dt.date(2026, 11, 23)
    project = load_demo()
    load_demo_plan(project, today=today)
    count = load_demo_resources(project, today=today)
    assert load_demo_resources(project, today=today) == count
    assert Assignment.objects.filter(project=project).count() == count
    for organization in (project.vendor, project.client):
        assert Resource.objects.filter(organization=organization).count() >= 5
    assert Resource.objects.filter(organization=project.client, kind="equipment").exists()
    # A raise three months ago: the history has two rates.
    lead = Resource.objects.get(organization=project.vendor, name__contains="Li Ming")
    assert Rate.objects.filter(resource=lead).count() == 2
    assert ResourceException.objects.count() == 1
    leaves = Task.objects.filter(project=project, is_summary=False)
    assigned = set(Assignment.objects.filter(project=project).values_list("task_id", flat=True))
    assert assigned == set(leaves.values_list("pk", flat=True))
    for units, work, duration in Assignment.objects.filter(project=project).values_list(
        "units", "work_minutes", "task__duration_minutes"
    ):
        assert 50 <= units <= 100
        assert work == duration * units // 100
