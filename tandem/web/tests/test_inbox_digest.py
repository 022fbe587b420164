"""The daily digest lists what waits on its reader, through a real SMTP server, in their language."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from tandem.accounts.choices import Language
from tandem.communication import emails, tasks
from tandem.communication.choices import EmailMode
from tandem.communication.models import DigestSent
from tandem.projects import services as project_services
from tandem.projects.models import Charter
from tandem.testing import inbox as seed
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db


def nine(day: int = 24) -> dt.datetime:
    return dt.datetime(2026, 11, day, 9, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))


def test_a_digest_reader_with_nothing_new_but_something_waiting_gets_the_digest(
    world: World, smtp_server
) -> None:
    emails.do_set_email_mode(world.sponsor, email=EmailMode.DAILY_DIGEST, actor=world.sponsor)
    decision = seed.client_decision(world, decider=world.sponsor)
    tasks.email_digests(nine())
    (mail,) = smtp_server.to(world.sponsor.email)
    assert "Tandem: 2 items waiting for you" in mail.subject
    assert "Pilot in Shanghai or Beijing?" in mail.text and "OVERDUE" in mail.text
    assert f"{settings.SITE_URL}/projects/ERP/client-decisions/{decision.pk}/" in mail.text
    assert f"{settings.SITE_URL}/inbox/" in mail.text
    assert "Pilot in Shanghai or Beijing?" in mail.html
    assert mail.text.index("Pilot in Shanghai") < mail.text.index("Charter revision")  # overdue first
    # Once a day.
    tasks.email_digests(nine())
    assert len(smtp_server.to(world.sponsor.email)) == 1
    assert DigestSent.objects.filter(user=world.sponsor).count() == 1


def test_a_chinese_reader_gets_the_waiting_list_in_chinese(world: World, smtp_server) -> None:
    world.client_pm.language = Language.CHINESE
    world.client_pm.save()
    emails.do_set_email_mode(world.client_pm, email=EmailMode.DAILY_DIGEST, actor=world.client_pm)
    seed.requirement_in_review(world)
    tasks.email_digests(nine())
    (mail,) = smtp_server.to(world.client_pm.email)
    assert "2 项待你处理" in mail.subject
    assert "待你处理的事项" in mail.text and "需求" in mail.text and "确认" in mail.text


def test_the_digest_respects_the_preference_and_an_empty_inbox(world: World, smtp_server) -> None:
    # Immediately (the default) and never: no daily digest for what waits.
    emails.do_set_email_mode(world.client_pm, email=EmailMode.NEVER, actor=world.client_pm)
    seed.client_decision(world, decider=world.sponsor)
    tasks.email_digests(nine())
    assert smtp_server.messages == []
    # A digest reader with nothing waiting and nothing new gets nothing.
    emails.do_set_email_mode(world.reviewer, email=EmailMode.DAILY_DIGEST, actor=world.reviewer)
    tasks.email_digests(nine(25))
    assert smtp_server.to(world.reviewer.email) == []


def test_a_client_never_reads_an_internal_record_in_the_digest(world: World, smtp_server) -> None:
    emails.do_set_email_mode(world.client_pm, email=EmailMode.DAILY_DIGEST, actor=world.client_pm)
    revision = Charter.objects.get(project=world.project).revision
    project_services.do_confirm_charter(world.project, revision=revision, actor=world.sponsor)
    seed.requirement_in_review(world, title="Margin calculator", visibility="internal")
    seed.client_decision(world, kind="close_risk", visibility="internal")
    tasks.email_digests(nine())
    assert smtp_server.to(world.client_pm.email) == []
