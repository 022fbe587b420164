"""The demo change requests: four of them in four states, on the demo plan, loaded once."""

from __future__ import annotations

import datetime as dt

from tandem.changes import queries
from tandem.changes.demo import load_demo_changes
from tandem.changes.models import ChangeRequest
from tandem.planning import queries as planning_queries
from tandem.planning.demo import load_demo_plan
from tandem.planning.models import Task
from tandem.projects.demo import load_demo


def test_it_loads_four_requests_once(db: None) -> None:
    project = load_demo()
    load_demo_plan(project, today=dt.date(2026, 11, 23))
    assert load_demo_changes(project, today=dt.date(2026, 11, 23)) == 4
    assert load_demo_changes(project, today=dt.date(2026, 11, 23)) == 4
    statuses = dict(ChangeRequest.objects.filter(project=project).values_list("title", "status"))
    assert sorted(statuses.values()) == ["applied", "awaiting", "draft", "rejected"]
    applied = ChangeRequest.objects.get(project=project, status="applied")
    pm = project.memberships.get(role="pm").user
    agreed = planning_queries.agreed_baseline(pm, project)
    assert agreed is not None and agreed.pk == applied.baseline_id and agreed.name.startswith(applied.code)
    assert Task.objects.filter(project=project, name="会员积分报表 Loyalty points report").exists()
    assert not Task.objects.filter(project=project, name__startswith="微信小程序开发").exists()
    waiting = ChangeRequest.objects.get(project=project, status="awaiting")
    assert waiting.frozen_impact is not None and waiting.frozen_impact.data["finish_change_minutes"] > 0
    client = project.memberships.get(role="client_viewer").user
    assert queries.cumulative_scope(client, project).changes == 1
