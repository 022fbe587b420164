"""Sending a pulse: recipients by role, once per event, the mail in each recipient's language with
one-click links that work without signing in (the real SMTP server)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from tandem.accounts.choices import Language
from tandem.pulses import services
from tandem.pulses.choices import Trigger
from tandem.pulses.models import Answer, Invitation, Pulse, Response
from tandem.testing.personas import World
from tandem.testing.smtp import SMTPServer

from .support import links_in, send


def test_it_sends_to_the_sponsor_and_the_client_pm_by_default(world: World) -> None:
    pulse = send(world)
    assert set(Invitation.objects.filter(pulse=pulse).values_list("user__email", flat=True)) == {
        world.sponsor.email,
        world.client_pm.email,
    }


def test_it_sends_to_the_roles_the_pm_chose(world: World) -> None:
    services.do_update_settings(world.project, actor=world.pm, version=None, recipient_roles=["reviewer"])
    pulse = send(world)
    assert list(pulse.invitations.values_list("user__email", flat=True)) == [world.reviewer.email]


def test_it_refuses_team_roles_as_recipients(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        services.do_update_settings(world.project, actor=world.pm, version=None, recipient_roles=["member"])
    assert "recipient_roles" in error.value.message_dict


def test_it_sends_one_pulse_per_event(world: World) -> None:
    first = services.do_send_pulse(world.project, trigger=Trigger.MILESTONE, event_key="42")
    again = services.do_send_pulse(world.project, trigger=Trigger.MILESTONE, event_key="42")
    assert first is not None and again is None
    assert Pulse.objects.filter(project=world.project).count() == 1


def test_only_the_pm_sends_by_hand(world: World) -> None:
    for who in ("member", "sponsor", "client_pm"):
        with pytest.raises(PermissionDenied):
            services.do_send_pulse(
                world.project, trigger=Trigger.MANUAL, event_key=who, actor=world.people[who]
            )


@pytest.mark.django_db(transaction=True)
def test_the_mail_reaches_the_smtp_server_in_each_language_with_working_links(
    world: World, smtp_server: SMTPServer
) -> None:
    world.sponsor.language = Language.CHINESE
    world.sponsor.save(update_fields=["language"])
    send(world)
    smtp_server.wait_for(2)
    sponsor_mail = smtp_server.to(world.sponsor.email)
    pm_mail = smtp_server.to(world.client_pm.email)
    assert len(sponsor_mail) == 1 and len(pm_mail) == 1
    zh, en = sponsor_mail[0], pm_mail[0]
    assert "满意" in zh.text and "满意" in zh.html
    assert "How satisfied" in en.text and "How satisfied" in en.html
    one_click = links_in(zh.text)
    assert len(one_click) == 6  # five scores and the whole form
    assert all(link in zh.html for link in one_click)

    browser = Client()  # nobody signed in
    four = one_click[3]
    assert browser.get(four).status_code == 200  # the page that records the score
    recorded = browser.post(four)
    assert recorded.status_code == 302
    answer = Answer.objects.get(response__invitation__user=world.sponsor)
    assert answer.score == 4
    # The rest of the survey opens without signing in, bound to this invitation.
    rest = browser.get(recorded["Location"])
    assert rest.status_code == 200 and "comment" in rest.content.decode()
    done = browser.post(recorded["Location"], {"comment": "Good weekly reports"})
    assert done.status_code == 200
    assert Response.objects.get(invitation__user=world.sponsor).comment == "Good weekly reports"
    # The one-click link again: "already answered", nothing recorded twice.
    reused = browser.post(one_click[0])
    assert reused.status_code == 409
    assert "Already answered" in reused.content.decode() or "已经" in reused.content.decode()
    assert Answer.objects.filter(response__invitation__user=world.sponsor).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_retried_mail_task_mails_nobody_twice(world: World, smtp_server: SMTPServer) -> None:
    from tandem.pulses import mailing

    pulse = send(world)
    smtp_server.wait_for(2)
    assert mailing.send_invitations(pulse) == 0
    assert len(smtp_server.messages) == 2
