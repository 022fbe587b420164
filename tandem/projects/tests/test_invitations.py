"""Invitations by emailed link: sent after commit, accepted once, in the invitee's language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend

from tandem.accounts.models import User
from tandem.projects import services
from tandem.projects.choices import Role
from tandem.projects.models import Invitation, Membership


def invite(world, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return services.do_invite(world.project, actor=world.pm, **kwargs)


def test_it_emails_a_link_that_creates_an_account(world, django_capture_on_commit_callbacks):
    invitation, raw = invite(
        world, django_capture_on_commit_callbacks, email="New.Person@Northwind.test", role=Role.REVIEWER
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@northwind.test"]
    assert raw in message.body
    assert invitation.token_hash != raw
    membership = services.do_accept_invitation(raw, full_name="New Person", password="a long pass phrase 42")
    assert membership.role == Role.REVIEWER
    assert User.objects.get(email="new.person@northwind.test").check_password("a long pass phrase 42")


def test_it_writes_the_email_in_the_projects_language(world, django_capture_on_commit_callbacks):
    world.project.language = "zh-hans"
    world.project.save()
    invite(world, django_capture_on_commit_callbacks, email="li@northwind.test", role=Role.REVIEWER)
    assert "邀请" in mail.outbox[0].subject


def test_it_queues_the_email_as_a_task_in_the_invitees_language(
    world, django_capture_on_commit_callbacks, settings
):
    """The request only queues the mail; the task writes it in the account holder's own language."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    world.outsider.language = "zh-hans"
    world.outsider.save(update_fields=["language"])
    invite(world, django_capture_on_commit_callbacks, email="Oscar@Nowhere.test", role=Role.MEMBER)
    assert mail.outbox == []
    [queued] = default_task_backend.results
    assert queued.task.name == "email_invitation"
    queued.task.call(*queued.args, **queued.kwargs)
    assert mail.outbox[0].to == ["oscar@nowhere.test"] and "邀请" in mail.outbox[0].subject


def test_it_sends_nothing_when_the_transaction_rolls_back(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.do_invite(world.project, actor=world.pm, email="late@northwind.test", role=Role.REVIEWER)
        raise RuntimeError
    assert mail.outbox == [] and not Invitation.objects.exists()


def test_it_sends_nothing_when_the_invitation_fails(world, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError):
        invite(world, django_capture_on_commit_callbacks, email="not-an-email", role=Role.REVIEWER)
    assert mail.outbox == []
    assert not Invitation.objects.exists()


def test_it_accepts_a_link_only_once(world, django_capture_on_commit_callbacks):
    _, raw = invite(
        world, django_capture_on_commit_callbacks, email="once@northwind.test", role=Role.CLIENT_VIEWER
    )
    services.do_accept_invitation(raw, full_name="Once", password="a long pass phrase 42")
    with pytest.raises(ValidationError) as caught:
        services.do_accept_invitation(raw, full_name="Twice", password="a long pass phrase 42")
    assert "token" in caught.value.message_dict


def test_it_refuses_an_expired_link(world, django_capture_on_commit_callbacks):
    invitation, raw = invite(
        world, django_capture_on_commit_callbacks, email="late@northwind.test", role=Role.CLIENT_VIEWER
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(ValidationError):
        services.do_accept_invitation(raw, full_name="Late", password="a long pass phrase 42")


def test_it_refuses_a_weak_password(world, django_capture_on_commit_callbacks):
    _, raw = invite(
        world, django_capture_on_commit_callbacks, email="weak@northwind.test", role=Role.CLIENT_VIEWER
    )
    with pytest.raises(ValidationError) as caught:
        services.do_accept_invitation(raw, full_name="Weak", password="123")
    assert "password" in caught.value.message_dict
    assert not User.objects.filter(email="weak@northwind.test").exists()


def test_it_lets_an_existing_user_accept_when_signed_in(world, django_capture_on_commit_callbacks):
    _, raw = invite(world, django_capture_on_commit_callbacks, email="oscar@nowhere.test", role=Role.MEMBER)
    with pytest.raises(ValidationError):
        services.do_accept_invitation(raw, user=world.client_viewer)
    membership = services.do_accept_invitation(raw, user=world.outsider)
    assert membership.project == world.project


def test_it_refuses_invitations_by_viewers(world):
    with pytest.raises(PermissionDenied):
        services.do_invite(
            world.project, actor=world.client_viewer, email="x@northwind.test", role=Role.REVIEWER
        )
    with pytest.raises(PermissionDenied):
        services.do_invite(world.project, actor=world.client_pm, email="x@acme.test", role=Role.MEMBER)


def test_it_revokes_an_open_invitation(world, django_capture_on_commit_callbacks):
    invitation, raw = invite(
        world, django_capture_on_commit_callbacks, email="gone@northwind.test", role=Role.REVIEWER
    )
    services.do_revoke_invitation(invitation, actor=world.pm)
    with pytest.raises(ValidationError):
        services.do_accept_invitation(raw, full_name="Gone", password="a long pass phrase 42")
    assert not Membership.objects.filter(user__email="gone@northwind.test").exists()
