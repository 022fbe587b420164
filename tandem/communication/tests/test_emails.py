"""Notifications by e-mail through a real SMTP server: who gets what, in which language, and never twice."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from tandem.accounts.choices import Language
from tandem.communication import emails, tasks
from tandem.communication.choices import EmailMode
from tandem.communication.models import DigestSent, Notification, NotificationSettings
from tandem.communication.services import do_add_comment
from tandem.core.choices import Visibility
from tandem.projects.models import Charter
from tandem.projects.services import do_confirm_charter
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db


def comment(capture, world: World, target_key: str, body: str, visibility: str = Visibility.SHARED) -> None:
    with capture(execute=True):
        do_add_comment(world.records[target_key], actor=world.pm, body=body, visibility=visibility)


def local(hour: int, minute: int = 0, day: int = 24) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=ZoneInfo(settings.TIME_ZONE))


def test_a_mention_is_mailed_at_once_to_the_one_mentioned(
    world: World, smtp_server, django_capture_on_commit_callbacks
) -> None:
    body = '@"Cindy Client PM" please confirm the goal'
    comment(django_capture_on_commit_callbacks, world, "goal_shared", body)
    (mail,) = smtp_server.wait_for(1)
    assert mail.recipients == [world.client_pm.email]
    assert mail.subject.strip() == "[ERP · ERP upgrade] Alice PM mentioned you: Shared goal"
    assert "please confirm the goal" in mail.text
    assert "please confirm the goal" in mail.html
    assert f"{settings.SITE_URL}/" in mail.text
    goal = world.records["goal_shared"]
    assert f"/comments/goal:{goal.pk}/" in mail.text
    assert Notification.objects.get(recipient=world.client_pm).emailed_at is not None
    # Enqueued again (a retry, a second worker): nothing more.
    tasks.email_notification.enqueue(Notification.objects.get(recipient=world.client_pm).pk)
    assert len(smtp_server.messages) == 1


def test_a_chinese_reader_gets_chinese(world: World, smtp_server, django_capture_on_commit_callbacks) -> None:
    world.sponsor.language = Language.CHINESE
    world.sponsor.save()
    comment(django_capture_on_commit_callbacks, world, "goal_shared", '@"Sam Sponsor" 请确认')
    (mail,) = smtp_server.wait_for(1)
    assert mail.recipients == [world.sponsor.email]
    assert "提及了你" in mail.subject
    assert "打开讨论" in mail.text
    assert "您好" in mail.text or "你好" in mail.text
    assert "Open the discussion" not in mail.text


def test_an_internal_comment_never_mails_a_client(
    world: World, smtp_server, django_capture_on_commit_callbacks
) -> None:
    comment(
        django_capture_on_commit_callbacks,
        world,
        "goal_shared",
        '@"Cindy Client PM" @"Bob Member" margin is thin',
        visibility=Visibility.INTERNAL,
    )
    (mail,) = smtp_server.wait_for(1)
    assert mail.recipients == [world.member.email]
    assert smtp_server.to(world.client_pm.email) == []


def test_a_record_turned_internal_is_not_mailed(world: World, smtp_server) -> None:
    goal = world.records["goal_shared"]
    do_add_comment(goal, actor=world.pm, body='@"Cindy Client PM" look', visibility=Visibility.SHARED)
    notification = Notification.objects.get(recipient=world.client_pm)
    type(goal).objects.filter(pk=goal.pk).update(visibility=Visibility.INTERNAL)
    tasks.email_notification.enqueue(notification.pk)
    notification.refresh_from_db()
    assert notification.emailed_at is None
    assert smtp_server.messages == []


def test_never_means_never(world: World, smtp_server, django_capture_on_commit_callbacks) -> None:
    emails.do_set_email_mode(world.client_pm, email=EmailMode.NEVER, actor=world.client_pm)
    comment(django_capture_on_commit_callbacks, world, "goal_shared", '@"Cindy Client PM" hello')
    tasks.email_digests(local(9))
    assert smtp_server.messages == []


def test_the_digest_is_sent_once_a_day_from_eight(
    world: World, smtp_server, django_capture_on_commit_callbacks
) -> None:
    emails.do_set_email_mode(world.client_pm, email=EmailMode.DAILY_DIGEST, actor=world.client_pm)
    comment(django_capture_on_commit_callbacks, world, "goal_shared", '@"Cindy Client PM" first')
    comment(django_capture_on_commit_callbacks, world, "kpi_shared", '@"Cindy Client PM" second')
    comment(
        django_capture_on_commit_callbacks,
        world,
        "goal_shared",
        '@"Cindy Client PM" @"Bob Member" internal aside',
        visibility=Visibility.INTERNAL,
    )
    smtp_server.wait_for(1)  # Bob's immediate mail
    assert smtp_server.to(world.client_pm.email) == []

    tasks.email_digests(local(7, 59))
    assert smtp_server.to(world.client_pm.email) == []
    tasks.email_digests(local(8, 0))
    tasks.email_digests(local(8, 1))
    tasks.email_digests(local(17))
    (digest,) = smtp_server.to(world.client_pm.email)
    assert "2 new notifications" in digest.subject
    assert "first" in digest.text
    assert "second" in digest.text
    assert "internal aside" not in digest.text
    assert "internal aside" not in digest.html
    assert DigestSent.objects.get(user=world.client_pm).notifications == 2

    # The next day brings only what is new.
    comment(django_capture_on_commit_callbacks, world, "goal_shared", '@"Cindy Client PM" third')
    tasks.email_digests(local(8, 5, day=25))
    assert len(smtp_server.to(world.client_pm.email)) == 2
    assert "third" in smtp_server.to(world.client_pm.email)[1].text
    assert "first" not in smtp_server.to(world.client_pm.email)[1].text


def test_nothing_read_nothing_sent(world: World, smtp_server, django_capture_on_commit_callbacks) -> None:
    emails.do_set_email_mode(world.client_pm, email=EmailMode.DAILY_DIGEST, actor=world.client_pm)
    # Nothing waits on her either (the digest lists what waits too: web/tests/test_inbox_digest.py).
    revision = Charter.objects.get(project=world.project).revision
    do_confirm_charter(world.project, revision=revision, actor=world.sponsor)
    comment(django_capture_on_commit_callbacks, world, "goal_shared", '@"Cindy Client PM" first')
    Notification.objects.update(read_at=dt.datetime(2026, 11, 24, tzinfo=dt.UTC))
    tasks.email_digests(local(9))
    assert smtp_server.messages == []


def test_preferences_are_personal(world: World) -> None:
    from django.core.exceptions import PermissionDenied, ValidationError

    assert emails.email_mode(world.client_pm) == EmailMode.IMMEDIATELY
    assert not NotificationSettings.objects.exists()
    with pytest.raises(PermissionDenied):
        emails.do_set_email_mode(world.client_pm, email=EmailMode.NEVER, actor=world.pm)
    with pytest.raises(ValidationError) as raised:
        emails.do_set_email_mode(world.client_pm, email="hourly", actor=world.client_pm)
    assert "email" in raised.value.message_dict
