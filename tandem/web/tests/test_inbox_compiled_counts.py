"""The header's count is compiled once per seat signature: every counter's SQL depends on the seats
alone, so a kept count follows a change of rights, roles and time, and costs one query to run."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.core import inbox
from tandem.core.choices import Visibility
from tandem.projects import services as project_services
from tandem.projects.choices import DecisionKind
from tandem.projects.inbox import count_key, seats_of
from tandem.projects.models import Membership
from tandem.pulses.inbox import count_surveys
from tandem.pulses.models import Invitation
from tandem.pulses.tests.support import invitation_of, send
from tandem.testing import inbox as seed
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db

PEOPLE = ("pm", "lead", "member", "sponsor", "client_pm", "reviewer", "client_viewer", "outsider")


def everything_waits(world: World) -> None:
    """One record of each kind waiting on someone (some internal), and a survey sent."""
    plan = seed.plan_with_baseline(world)
    seed.baseline_to_approve(world)
    seed.requirement_in_review(world)
    seed.requirement_in_review(world, title="Margin calculator", visibility=Visibility.INTERNAL)
    seed.change_awaiting(world, plan)
    seed.client_decision(world, decider=world.sponsor)
    seed.client_decision(world, kind=DecisionKind.CLOSE_RISK, visibility=Visibility.INTERNAL)
    seed.report_awaiting(world)
    seed.minutes_to_approve(world, organizer=world.client_pm)
    seed.acceptance_in_review(world, reviewers=(world.reviewer,))
    seed.weeks_submitted(world)
    send(world)


def compiled(rows: Any) -> tuple[str, tuple[Any, ...]]:
    sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    return sql, tuple(params)


def test_every_counter_reads_nothing_but_the_seats_and_takes_the_time_from_the_database(
    world: World,
) -> None:
    everything_waits(world)
    built = 0
    for persona in PEOPLE:
        person = world.people[persona]
        with inbox._sharing():
            count_key(person)  # reads the seats, which every counter shares
            for name, counter in inbox.COUNTERS.items():
                with CaptureQueriesContext(connection) as reads:
                    first = counter(person)
                    second = counter(person)
                assert [q["sql"] for q in reads.captured_queries] == [], (persona, name)
                if first is None:
                    assert second is None, (persona, name)
                    continue
                assert compiled(first) == compiled(second), (persona, name)  # no clock in the parameters
                built += 1
    assert built >= len(inbox.COUNTERS)  # every counter built for someone


def test_a_kept_count_runs_one_query_beside_the_seats_and_agrees_with_the_list(world: World) -> None:
    everything_waits(world)
    for persona in PEOPLE:
        person = world.people[persona]
        first = inbox.count_for(person)
        with CaptureQueriesContext(connection) as reads:
            again = inbox.count_for(person)
        assert again == first == len(inbox.items_for(person)), persona
        # The memberships and decision rights (the seats), then the count; none when on no project.
        assert len(reads.captured_queries) <= 3, (persona, [q["sql"] for q in reads.captured_queries])
    assert inbox.count_for(world.sponsor) > 0


def kinds_waiting(person: Any) -> list[str]:
    """The kinds waiting on ``person``, after checking that the (kept) count agrees with the list."""
    items = inbox.items_for(person)
    assert inbox.count_for(person) == len(items)
    return sorted(item.kind for item in items)


def test_a_kept_count_follows_a_change_of_rights_and_of_role(world: World) -> None:
    seed.baseline_to_approve(world)
    assert kinds_waiting(world.pm) == ["baseline"]
    assert "baseline" in kinds_waiting(world.client_pm)
    project_services.do_set_decision_right(
        world.project, kind=DecisionKind.APPROVE_BASELINE, roles=["client_pm"], actor=world.pm
    )
    assert kinds_waiting(world.pm) == []
    assert "baseline" in kinds_waiting(world.client_pm)
    membership = Membership.objects.get(project=world.project, user=world.client_pm)
    project_services.do_change_role(membership, role="client_viewer", actor=world.pm)
    assert kinds_waiting(world.client_pm) == []


def test_a_kept_count_drops_a_survey_once_its_invitation_expires(world: World) -> None:
    invitation = invitation_of(send(world), world.sponsor)
    waiting = inbox.count_for(world.sponsor)
    assert waiting >= 1
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert inbox.count_for(world.sponsor) == waiting - 1 == len(inbox.items_for(world.sponsor))
    with inbox._sharing():
        seats_of(world.sponsor)
        rows = count_surveys(world.sponsor)
    assert rows is not None and "expires_at" in compiled(rows)[0]


def test_the_list_asks_only_the_providers_whose_counter_has_rows(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed.baseline_to_approve(world)

    def must_not_be_asked(user: Any) -> list[inbox.Item]:
        raise AssertionError("a provider without rows was asked for its items")

    for name in inbox.PROVIDERS:
        if name != "baseline":
            monkeypatch.setitem(inbox.PROVIDERS, name, must_not_be_asked)
    assert [item.kind for item in inbox.items_for(world.pm)] == ["baseline"]
    assert inbox.items_for(world.outsider) == []
