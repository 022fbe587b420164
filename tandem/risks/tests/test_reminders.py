"""Reminder emails: what is due reaches its owner once a day, and a client never reads an internal record."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.core.management import call_command

from tandem.risks import services
from tandem.testing.personas import World

TODAY = dt.date(2026, 2, 2)


def test_owners_and_deciders_are_reminded_once_a_day(world: World) -> None:
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
    call_command("remind_registers", date=TODAY.isoformat())
    by_person = {m.to[0]: m.body for m in mail.outbox}
    assert set(by_person) == {world.member.email, world.client_pm.email, world.sponsor.email}
    assert "Key user leaves" in by_person[world.member.email] and "Later" not in by_person[world.member.email]
    assert "Name a deputy" in by_person[world.client_pm.email]
    assert "Renegotiate" not in by_person[world.client_pm.email]
    assert "Gateway?" in by_person[world.sponsor.email]
    call_command("remind_registers", date=TODAY.isoformat())
    assert len(mail.outbox) == 3


def test_reminders_speak_the_projects_language(world: World) -> None:
    world.project.language = "zh-hans"
    world.project.save(update_fields=["language"])
    services.do_add_risk(world.project, actor=world.pm, title="R", owner_id=world.pm.pk, next_review=TODAY)
    call_command("remind_registers", date=TODAY.isoformat())
    assert "评审风险" in mail.outbox[0].body
