"""The demo's pulses as ``tandem demo`` loads them: five answered monthly pulses (CSAT average about
4.3, one low score with its follow-up) and this month's pulse waiting for the sponsor."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings

from tandem.core import inbox
from tandem.projects.choices import Role
from tandem.projects.demo import demo_people, load_demo
from tandem.pulses import results
from tandem.pulses.choices import FollowUpStatus
from tandem.pulses.demo import load_demo_pulses
from tandem.pulses.models import FollowUp, Pulse
from tandem.testing.api import FAST_PASSWORDS

pytestmark = pytest.mark.django_db


@override_settings(PASSWORD_HASHERS=FAST_PASSWORDS)
def test_the_demo_has_past_results_a_follow_up_and_a_pulse_waiting_for_the_sponsor() -> None:
    project = load_demo()
    load_demo_pulses(project)
    load_demo_pulses(project)  # a second load changes nothing
    assert Pulse.objects.filter(project=project).count() == 6
    figures = results.by_project([project.pk])[project.pk]
    assert Decimal("4.2") <= figures.average <= Decimal("4.4")  # type: ignore[operator]
    follow_up = FollowUp.objects.get(project=project)
    assert (follow_up.reason, follow_up.status) == ("CSAT 2", FollowUpStatus.OPEN)
    people = demo_people(project)
    waiting = [i for i in inbox.items_for(people[Role.SPONSOR]) if i.kind == "survey"]
    assert len(waiting) == 1
    assert not [i for i in inbox.items_for(people[Role.CLIENT_PM]) if i.kind == "survey"]
    assert [i.kind for i in inbox.items_for(people[Role.PROJECT_MANAGER]) if i.kind == "pulse_follow_up"] == [
        "pulse_follow_up"
    ]
