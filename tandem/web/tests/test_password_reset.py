"""The password-reset mail: asked for with the address in any case, queued, in the holder's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_tasks import default_task_backend

from tandem.testing.personas import World


@pytest.fixture
def ask(client: Client, django_capture_on_commit_callbacks: Any) -> Callable[[str], None]:
    """Post the reset form for an address; the after-commit callbacks run as a real commit would."""

    def post(email: str) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("web:password_reset"), {"email": email})
        assert response.status_code == 302

    return post


def test_it_mails_the_link_in_the_holders_language(world: World, ask: Callable[[str], None]) -> None:
    world.client_pm.language = "zh-hans"
    world.client_pm.save(update_fields=["language"])
    ask(world.client_pm.email.upper())
    [message] = mail.outbox
    assert message.to == [world.client_pm.email]
    assert message.subject == "重置您的 Tandem 密码"
    assert "/password-reset/" in message.body


def test_the_request_only_queues_the_mail(world: World, ask: Callable[[str], None], settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ask(world.member.email)
    assert mail.outbox == []
    [queued] = default_task_backend.results
    assert queued.task.name == "email_password_reset"
    assert all(isinstance(argument, int | str) for argument in queued.args)
    queued.task.call(*queued.args, **queued.kwargs)
    assert mail.outbox[0].to == [world.member.email]
    assert mail.outbox[0].subject == "Reset your Tandem password"
