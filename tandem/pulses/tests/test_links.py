"""Answer links: one click without signing in, single use, expiry, tampering, two answers racing."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from tandem.pulses import links, services
from tandem.pulses.models import Answer, Invitation, Response
from tandem.testing.personas import World, build_world

from .support import invitation_of, path_of, send


def test_a_click_records_the_score_without_signing_in(world: World) -> None:
    invitation = invitation_of(send(world), world.sponsor)
    browser = Client()
    page = browser.get(path_of(invitation, 5))
    assert page.status_code == 200
    assert Response.objects.count() == 0  # fetching the link (a mail scanner) records nothing
    assert browser.post(path_of(invitation, 5)).status_code == 302
    assert Answer.objects.get().score == 5
    invitation.refresh_from_db()
    assert invitation.answered_at is not None


def test_a_reused_link_says_already_answered_and_records_nothing(world: World) -> None:
    invitation = invitation_of(send(world), world.sponsor)
    browser = Client()
    browser.post(path_of(invitation, 5))
    for method, score in (("get", 1), ("post", 1), ("post", 5)):
        again = getattr(browser, method)(path_of(invitation, score))
        assert again.status_code == 409
        assert "Already answered" in again.content.decode()
    assert Answer.objects.get().score == 5


def test_an_expired_link_says_so_and_records_nothing(world: World) -> None:
    invitation = invitation_of(send(world), world.sponsor)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    browser = Client()
    for path in (path_of(invitation, 4), path_of(invitation)):
        answer = browser.post(path)
        assert answer.status_code == 410
        assert "expired" in answer.content.decode()
    assert Response.objects.count() == 0


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # the signature
        lambda token: token.replace(token.split(":")[0], token.split(":")[0][:-3] + "MTB"),  # the payload
        lambda token: "not-a-token",
        lambda token: token.split(":")[0],
        lambda token: "%00" + token,
    ],
)
def test_a_tampered_link_gets_a_clear_400_page(world: World, tamper: Any) -> None:
    invitation = invitation_of(send(world), world.sponsor)
    path = path_of(invitation, 4)
    token = path.strip("/").split("/")[-1]
    response = Client().post(f"/pulse/{tamper(token)}/")
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert Response.objects.count() == 0


def test_a_score_off_the_scale_cannot_be_signed_in_by_hand(world: World) -> None:
    invitation = invitation_of(send(world), world.sponsor)
    # A link signed by Tandem for a score the question does not take (CSAT is 1–5): refused, not a 500.
    assert Client().post(path_of(invitation, 9)).status_code == 400
    assert Response.objects.count() == 0


def test_another_invitations_nonce_does_not_open_this_one(world: World) -> None:
    pulse = send(world)
    sponsor, client_pm = invitation_of(pulse, world.sponsor), invitation_of(pulse, world.client_pm)
    forged = links.token_for(Invitation(pk=sponsor.pk, nonce=client_pm.nonce), 5)
    assert Client().post(f"/pulse/{forged}/").status_code == 400


def test_the_rest_of_the_survey_is_bound_to_the_invitation_and_completes_once(world: World) -> None:
    invitation = invitation_of(send(world), world.sponsor)
    browser = Client()
    rest = browser.post(path_of(invitation, 2))["Location"]
    assert rest == path_of(invitation)
    text = invitation.pulse.survey.questions.order_by("position")[1]
    assert browser.post(rest, {f"q{text.pk}": "Faster answers", "comment": "Thanks"}).status_code == 200
    response = Response.objects.get()
    assert response.completed_at is not None and response.comment == "Thanks"
    assert sorted(Answer.objects.values_list("text", flat=True)) == ["", "Faster answers"]
    assert browser.post(rest, {"comment": "Again"}).status_code == 409
    assert Response.objects.get().comment == "Thanks"


def test_the_whole_form_refuses_a_score_off_the_scale_naming_the_question(world: World) -> None:
    invitation = invitation_of(send(world), world.sponsor)
    first = invitation.pulse.survey.questions.order_by("position")[0]
    page = Client().post(path_of(invitation), {f"q{first.pk}": "7"})
    assert page.status_code == 400
    assert Response.objects.count() == 0


def test_a_stale_second_answer_finds_the_first_and_records_nothing(world: World) -> None:
    invitation = invitation_of(send(world), world.sponsor)
    stale = Invitation.objects.get(pk=invitation.pk)  # read before the first answer, as a racing request
    services.do_record_score(invitation, score=4)
    with pytest.raises(services.AlreadyAnswered):
        services.do_record_score(stale, score=1)
    with pytest.raises(services.AlreadyAnswered):
        services.do_answer(stale, values={}, comment="x")  # completes the first; a third then fails
        services.do_answer(stale, values={}, comment="y")
    assert list(Answer.objects.values_list("score", flat=True)) == [4]


def test_the_database_refuses_a_second_response_of_one_invitation(world: World) -> None:
    invitation = invitation_of(send(world), world.sponsor)
    Response.objects.create(invitation=invitation, pulse=invitation.pulse)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(invitation=invitation, pulse=invitation.pulse)


@pytest.mark.database_file
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_clicks_record_one_answer() -> None:
    """Two connections post at once (SQLite: a database file, so each thread has its own connection)."""
    world = build_world(with_records=False)
    invitation = invitation_of(send(world), world.sponsor)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def click(score: int) -> None:
        try:
            browser = Client()
            barrier.wait()
            statuses.append(browser.post(path_of(invitation, score)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(s,)) for s in (2, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 409]
    assert Answer.objects.count() == 1
