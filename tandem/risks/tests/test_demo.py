"""The demo registers: a dozen risks with history, an overdue decision blocking demo tasks, loaded once."""

from __future__ import annotations

import datetime as dt

from tandem.planning.demo import load_demo_plan
from tandem.projects.demo import load_demo
from tandem.risks import queries
from tandem.risks.demo import load_demo_risks
from tandem.risks.models import ClientDecision, Conflict, Issue, Risk, RiskScore


def test_it_fills_the_registers_once(db: None) -> None:
    today = dt.date(2026, 11, 23)
    project = load_demo()
    load_demo_plan(project, today=today)
    assert load_demo_risks(project, today=today) == 12
    assert load_demo_risks(project, today=today) == 12
    assert Risk.objects.filter(project=project).count() == 12
    assert len(set(Risk.objects.values_list("category", flat=True))) >= 6
    assert RiskScore.objects.filter(risk__project=project).count() > 12
    assert Issue.objects.filter(project=project, risk__isnull=False).count() == 1
    assert Conflict.objects.get(project=project).visibility == "internal"
    pm = project.memberships.get(role="pm").user
    levels = {r.level for r in queries.risks_of(pm, project)}
    assert len(levels) >= 3
    [overdue] = [d for d in ClientDecision.objects.filter(project=project) if d.is_overdue(today)]
    assert overdue.blocked_tasks.count() == 2
    client_pm = project.memberships.get(role="client_pm").user
    assert overdue in queries.decisions_waiting_for(client_pm)
    overdue.project = project
    impact = queries.decision_delay_impact(client_pm, overdue, today=today)
    assert impact.blocked and impact.milestones
    client = project.memberships.get(role="client_viewer").user
    assert not queries.risks_of(client, project).filter(visibility="internal").exists()
