"""Reminder emails: what is due reaches its owner once a day, and a client never reads an internal record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from tandem.core import clock
from tandem.planning import scheduling
from tandem.risks import services, tasks
from tandem.testing.personas import World

TODAY = dt.date(2026, 2, 2)


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """Reminders are queued after commit: a block whose after-commit callbacks run when it ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _at(world: World, hour: int) -> dt.datetime:
    """``TODAY`` at ``hour`` o'clock in the project's time zone."""
    return dt.datetime.combine(TODAY, dt.time(hour), tzinfo=scheduling.zone_of(world.project))


def test_owners_and_deciders_are_reminded_once_a_day(world: World, committed: Callable[[], Any]) -> None:
    pm, project = world.pm, world.project
    risk = services.do_add_risk(
        project, actor=pm, title="Key user leaves", owner_id=world.member.pk, next_review=TODAY
    )
    services.do_add_risk_action(
        risk, actor=pm, description="Name a deputy", owner_id=world.client_pm.pk, due_date=TODAY
    )
    secret = services.do_add_risk(project, actor=pm, title="Margin", visibility="internal")
    services.do_add_risk_action(
        secret, actor=pm, description="Renegotiate", owner_id=world.client_pm.pk, due_date=TODAY
    )
    services.do_add_decision(
        project, actor=pm, question="Gateway?", decider_id=world.sponsor.pk, due_date=TODAY
    )
    services.do_add_risk(
        project, actor=pm, title="Later", owner_id=world.member.pk, next_review=TODAY + dt.timedelta(days=9)
    )
    with committed():
        call_command("remind_registers", date=TODAY.isoformat())
    by_person = {m.to[0]: m.body for m in mail.outbox}
    assert set(by_person) == {world.member.email, world.client_pm.email, world.sponsor.email}
    assert "Key user leaves" in by_person[world.member.email] and "Later" not in by_person[world.member.email]
    assert "Name a deputy" in by_person[world.client_pm.email]
    assert "Renegotiate" not in by_person[world.client_pm.email]
    assert "Gateway?" in by_person[world.sponsor.email]
    with committed():
        call_command("remind_registers", date=TODAY.isoformat())
    assert len(mail.outbox) == 3


def test_reminders_speak_the_recipients_language(world: World, committed: Callable[[], Any]) -> None:
    world.pm.language = "zh-hans"
    world.pm.save(update_fields=["language"])
    services.do_add_risk(world.project, actor=world.pm, title="R", owner_id=world.pm.pk, next_review=TODAY)
    services.do_add_risk(
        world.project, actor=world.pm, title="S", owner_id=world.member.pk, next_review=TODAY
    )
    with committed():
        call_command("remind_registers", date=TODAY.isoformat())
    by_person = {m.to[0]: m.body for m in mail.outbox}
    assert "评审风险" in by_person[world.pm.email]
    assert "Review the risk" in by_person[world.member.email]


def test_the_clock_reminds_once_a_day_from_eight_oclock(world: World, committed: Callable[[], Any]) -> None:
    services.do_add_risk(
        world.project, actor=world.pm, title="R", owner_id=world.member.pk, next_review=TODAY
    )
    with committed():
        clock.tick(_at(world, 7))
    assert mail.outbox == []  # nobody is mailed before 08:00
    with committed():
        clock.tick(_at(world, 9))
    assert [m.to[0] for m in mail.outbox] == [world.member.email]
    with committed():
        clock.tick(_at(world, 9).replace(minute=1))
    with committed():
        clock.tick(_at(world, 16))
    assert len(mail.outbox) == 1
    with committed():
        call_command("remind_registers", date=TODAY.isoformat())  # the command finds the day done
    assert len(mail.outbox) == 1


def test_a_rolled_back_run_sends_nothing(world: World, committed: Callable[[], Any]) -> None:
    services.do_add_risk(
        world.project, actor=world.pm, title="R", owner_id=world.member.pk, next_review=TODAY
    )
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        tasks.send_reminders(_at(world, 9))
        raise RuntimeError
    assert mail.outbox == []
    with committed():
        tasks.send_reminders(_at(world, 9))  # the day was not claimed: the next tick sends it
    assert len(mail.outbox) == 1
