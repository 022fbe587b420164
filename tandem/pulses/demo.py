"""Satisfaction pulses in the demo project: five monthly CSAT pulses answered by the sponsor and the
client's PM (average about 4.3, one low score of 2 with its follow-up still open for the PM), and
this month's pulse answered by the client's PM and waiting for the sponsor. Loading twice changes
nothing; no demo mail is sent (the invitations are marked as mailed)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.projects.choices import Role
from tandem.projects.demo import demo_people
from tandem.projects.models import Project
from tandem.pulses import services
from tandem.pulses.choices import Trigger
from tandem.pulses.models import Invitation, Pulse, Response

#: (months ago, sponsor's score, client PM's score, sponsor's comment)
PAST = [
    (5, 5, 5, ""),
    (4, 4, 4, "需求确认会很高效。"),
    (3, 5, 4, ""),
    (2, 2, 5, "Data migration slipped twice; we heard of it late."),
    (1, 4, 5, "Better weekly reports since last month."),
]


def load_demo_pulses(project: Project) -> None:
    """Load the demo's pulses into ``project`` once."""
    if Pulse.objects.filter(project=project).exists():
        return
    people = demo_people(project)
    sponsor, client_pm = people[Role.SPONSOR], people[Role.CLIENT_PM]
    pm = people[Role.PROJECT_MANAGER]
    now = timezone.now()
    services.settings_of(project)
    services.do_update_settings(
        project,
        actor=pm,
        version=None,
        on_schedule=True,
        schedule_day=1,
        on_milestone=True,
        on_acceptance=True,
        on_closure=True,
        share_results=True,
    )
    for months, sponsor_score, pm_score, comment in PAST:
        year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
        sent = now.replace(year=year, month=month + 1, day=2, hour=2, minute=0, second=0, microsecond=0)
        pulse = _send(project, f"{sent:%Y-%m}", sent)
        for user, score, text in ((sponsor, sponsor_score, comment), (client_pm, pm_score, "")):
            _answer(pulse, user, score, text, sent + dt.timedelta(days=1))
    current = _send(project, f"{now:%Y-%m}", now - dt.timedelta(days=2))
    _answer(current, client_pm, 5, "", now - dt.timedelta(days=1))


def _send(project: Project, month: str, sent: dt.datetime) -> Pulse:
    with transaction.atomic():
        pulse = services.do_send_pulse(project, trigger=Trigger.SCHEDULE, event_key=month, subject=month)
        assert pulse is not None
        closes = sent + dt.timedelta(days=30)
        Pulse.objects.filter(pk=pulse.pk).update(sent_at=sent, closes_at=closes)
        Invitation.objects.filter(pulse=pulse).update(expires_at=closes, emailed_at=sent)
    pulse.refresh_from_db()
    return pulse


def _answer(pulse: Pulse, user: User, score: int, comment: str, when: dt.datetime) -> None:
    invitation = Invitation.objects.get(pulse=pulse, user=user)
    # The past invitations have expired by now: answer them as if on the day they were answered.
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() + dt.timedelta(days=1))
    first = services.questions_of(pulse.survey)
    services.do_answer(
        invitation,
        values={f"q{first[0].pk}": score},
        comment=comment,
        by_link=True,
    )
    Invitation.objects.filter(pk=invitation.pk).update(answered_at=when, expires_at=pulse.closes_at)
    Response.objects.filter(invitation=invitation).update(submitted_at=when, completed_at=when)
