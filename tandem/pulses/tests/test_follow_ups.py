"""A low score opens a follow-up for the PM (page, inbox, notification); closing it records a note."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.communication.models import Notification, NotificationVerb
from tandem.core import inbox
from tandem.pulses import services
from tandem.pulses.choices import FollowUpStatus, SurveyKind
from tandem.pulses.models import FollowUp
from tandem.testing.personas import World

from .support import invitation_of, send


def test_a_csat_of_2_opens_a_follow_up_for_the_pm_with_a_notification(world: World) -> None:
    invitation = invitation_of(send(world), world.sponsor)
    recorded = services.do_record_score(invitation, score=2)
    follow_up = recorded.follow_up
    assert follow_up is not None
    assert (follow_up.owner, follow_up.reason, follow_up.status) == (world.pm, "CSAT 2", FollowUpStatus.OPEN)
    assert Notification.objects.filter(
        recipient=world.pm, verb=NotificationVerb.PULSE_FOLLOW_UP, target_id=follow_up.pk
    ).exists()
    kinds = [(i.kind, i.title) for i in inbox.items_for(world.pm)]
    assert ("pulse_follow_up", "CSAT 2") in kinds
    assert not any(i.kind == "pulse_follow_up" for i in inbox.items_for(world.client_pm))


def test_a_csat_of_3_opens_nothing(world: World) -> None:
    invitation = invitation_of(send(world), world.sponsor)
    assert services.do_record_score(invitation, score=3).follow_up is None
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize(("score", "opens"), [(6, True), (7, False), (0, True)])
def test_an_nps_of_6_or_less_opens_a_follow_up(world: World, score: int, opens: bool) -> None:
    nps = world.project.surveys.get(kind=SurveyKind.NPS) if world.project.surveys.exists() else None
    if nps is None:
        services.settings_of(world.project)
        nps = world.project.surveys.get(kind=SurveyKind.NPS)
    invitation = invitation_of(send(world, survey=nps), world.sponsor)
    assert (services.do_record_score(invitation, score=score).follow_up is not None) is opens


def test_closing_a_follow_up_takes_a_note_and_the_pm(world: World) -> None:
    invitation = invitation_of(send(world), world.sponsor)
    follow_up = services.do_record_score(invitation, score=1).follow_up
    assert follow_up is not None
    with pytest.raises(PermissionDenied):
        services.do_close_follow_up(follow_up, actor=world.client_pm, note="Fine")
    with pytest.raises(ValidationError) as error:
        services.do_close_follow_up(follow_up, actor=world.pm, note="  ")
    assert "note" in error.value.message_dict
    closed = services.do_close_follow_up(follow_up, actor=world.pm, note="Called Sam; weekly demo agreed.")
    assert (closed.status, closed.closed_by) == (FollowUpStatus.DONE, world.pm)
    assert not any(i.kind == "pulse_follow_up" for i in inbox.items_for(world.pm))


def test_a_waiting_survey_is_in_the_recipients_inbox_until_answered(world: World) -> None:
    invitation = invitation_of(send(world), world.sponsor)
    (item,) = [i for i in inbox.items_for(world.sponsor) if i.kind == "survey"]
    assert item.url == f"/pulses/answer/{invitation.pk}/" and str(item.action_label) == "Answer"
    assert not [i for i in inbox.items_for(world.pm) if i.kind == "survey"]
    services.do_record_score(invitation, score=5)
    assert not [i for i in inbox.items_for(world.sponsor) if i.kind == "survey"]
