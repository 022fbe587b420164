"""Budget thresholds: each crossed once, notified to the right people, never again; the daily check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tandem.communication import queries as communication_queries
from tandem.communication.models import Notification, NotificationVerb
from tandem.costs import budget, services, tasks, timesheets
from tandem.costs.choices import SheetStatus
from tandem.costs.models import BudgetAlert, Timesheet
from tandem.projects.models import Project
from tandem.testing.personas import World

from .conftest import Costs, approved_expense, log_time

pytestmark = pytest.mark.django_db


def told(world: World) -> set[str]:
    """Who holds a budget notification, by persona name."""
    names = {user.pk: name for name, user in world.people.items()}
    ids = Notification.objects.filter(verb=NotificationVerb.BUDGET_THRESHOLD).values_list(
        "recipient_id", flat=True
    )
    return {names[pk] for pk in ids}


def test_the_lines_cross_their_thresholds_once_and_the_team_is_told(costs: Costs, world: World) -> None:
    created = budget.check_thresholds(world.project)
    alerts = {(a.line_id, a.threshold) for a in created}
    assert alerts == set(BudgetAlert.objects.values_list("line_id", "threshold"))
    assert alerts == {
        (costs.phase_labour.pk, 80),
        (costs.phase_material.pk, 80),
        (costs.phase_material.pk, 100),
    }
    # One notification per line (its highest threshold), to the team's PM and lead only.
    assert told(world) == {"pm", "lead"}
    assert Notification.objects.filter(verb=NotificationVerb.BUDGET_THRESHOLD).count() == 4
    # A second check creates and notifies nothing.
    assert budget.check_thresholds(world.project) == []
    assert Notification.objects.filter(verb=NotificationVerb.BUDGET_THRESHOLD).count() == 4


def test_the_whole_budget_tells_the_client_pm_and_sponsor_too(costs: Costs, world: World) -> None:
    budget.check_thresholds(world.project)
    Project.objects.filter(pk=world.project.pk).update(budget=Decimal("2000.00"))
    Notification.objects.all().delete()
    project = Project.objects.get(pk=world.project.pk)
    created = budget.check_thresholds(project)  # 2,100.00 of 2,000.00: 80 % and 100 %
    assert {(a.line_id, a.threshold) for a in created} == {(None, 80), (None, 100)}
    assert told(world) == {"pm", "lead", "client_pm", "sponsor"}
    # The client PM reads the notification, and what it says carries no rate.
    seen = list(communication_queries.notifications_of(world.client_pm))
    assert len(seen) == 1 and "100 %" in str(seen[0].target)
    assert budget.check_thresholds(project) == []


def test_the_notification_is_mailed_with_a_sensible_line(
    costs: Costs, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        budget.check_thresholds(world.project)
    subjects = " ".join(m.subject for m in mail.outbox)
    assert "warns about a budget threshold" in subjects
    body = " ".join(str(m.body) for m in mail.outbox)
    assert "Phase 1 · Material: 100 % used" in body
    assert "/budget/" in body


def test_an_expense_approval_checks_once_it_commits(
    costs: Costs, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    budget.check_thresholds(world.project)
    before = BudgetAlert.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        approved_expense(
            world, category="travel", day=dt.date(2026, 3, 2), amount="600", description="Flights"
        )
    # Travel: 900.00 of 1,000.00 crosses 80 %.
    assert BudgetAlert.objects.count() == before + 1
    assert BudgetAlert.objects.filter(line=costs.whole_travel, threshold=80).exists()


def test_a_timesheet_approval_checks_once_it_commits(
    costs: Costs, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    budget.check_thresholds(world.project)
    assert not BudgetAlert.objects.filter(line=costs.phase_labour, threshold=100).exists()
    # Two more hours on Design: 1,200.00 + 200.00 of the phase's 1,500.00 labour stays under 100 %...
    week = dt.date(2026, 2, 2)
    log_time(world, costs.bob, SheetStatus.SUBMITTED, week, [(costs.plan.design, 0, 120)])
    sheet = Timesheet.objects.get(week=week, user=world.member)
    with django_capture_on_commit_callbacks(execute=True):
        timesheets.do_approve_timesheet(sheet, version=sheet.version, actor=world.pm)
    assert not BudgetAlert.objects.filter(line=costs.phase_labour, threshold=100).exists()
    # ...and two more cross 100 % the moment their week is approved.
    week = dt.date(2026, 2, 9)
    log_time(world, costs.bob, SheetStatus.SUBMITTED, week, [(costs.plan.design, 0, 120)])
    sheet = Timesheet.objects.get(week=week, user=world.member)
    with django_capture_on_commit_callbacks(execute=True):
        timesheets.do_approve_timesheet(sheet, version=sheet.version, actor=world.pm)
    assert BudgetAlert.objects.filter(line=costs.phase_labour, threshold=100).exists()


def test_the_daily_job_checks_each_project_once_a_day(costs: Costs, world: World) -> None:
    services.do_set_thresholds(world.project, actor=world.pm, thresholds=[10, 80, 100])
    now = timezone.now()
    # Every line crossed 10 %; the phase's lines 80 % (labour) and 80 % and 100 % (material).
    assert tasks.check_budgets(now, today=dt.date(2026, 3, 1)) == 7
    assert BudgetAlert.objects.filter(line=costs.whole_travel, threshold=10).exists()
    BudgetAlert.objects.filter(threshold=10).delete()
    assert tasks.check_budgets(now, today=dt.date(2026, 3, 1)) == 0  # once a day
    assert tasks.check_budgets(now, today=dt.date(2026, 3, 2)) == 4


def test_thresholds_are_whole_percents_each_once(world: World) -> None:
    for bad in ([0], [1001], [80, 80], "80", [True], ["x"], list(range(1, 13))):
        with pytest.raises(ValidationError) as caught:
            services.do_set_thresholds(world.project, actor=world.pm, thresholds=bad)
        assert "thresholds" in caught.value.message_dict
    row = services.do_set_thresholds(world.project, actor=world.lead, thresholds=[100, 50, 90])
    assert row.budget_thresholds == [50, 90, 100]
    with pytest.raises(PermissionDenied):
        services.do_set_thresholds(world.project, actor=world.member, thresholds=[50])
