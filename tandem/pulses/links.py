"""The answer links of a pulse e-mail: signed with Django's signing (a salt of their own), bound to one
invitation by its nonce, single-use (an invitation takes one response) and expiring with the invitation.

A link carries ``[invitation id, nonce]`` and, for a one-click answer, the score: the score is part
of what is signed, so editing it breaks the signature. Nothing secret travels through the job queue:
the mail task signs the links from the invitation row when it writes the mail.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from tandem.pulses.models import Invitation

SALT = "tandem.pulses.answer"


class LinkError(Exception):
    """The link is not one Tandem signed, or names no invitation (a tampered or truncated link)."""


@dataclass(frozen=True)
class Link:
    """What a verified link names."""

    invitation: Invitation
    score: int | None


def token_for(invitation: Invitation, score: int | None = None) -> str:
    """The signed token of ``invitation`` (with a one-click ``score``, or without for the whole form)."""
    payload: list[int | str] = [invitation.pk, invitation.nonce]
    if score is not None:
        payload.append(score)
    return signing.dumps(payload, salt=SALT, compress=False)


def url_for(invitation: Invitation, score: int | None = None) -> str:
    """The absolute answer link."""
    return settings.SITE_URL + reverse("web:pulse_answer_link", args=[token_for(invitation, score)])


def verify(token: str) -> Link:
    """The invitation (with its pulse, project and survey) and score a token names; ``LinkError`` otherwise.

    Expiry and single use are the caller's to check: they are states of the invitation, not of the link.
    """
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature as exc:
        raise LinkError(str(exc)) from exc
    if (
        not isinstance(payload, list)
        or len(payload) not in (2, 3)
        or not isinstance(payload[0], int)
        or not isinstance(payload[1], str)
        or (len(payload) == 3 and not isinstance(payload[2], int))
    ):
        raise LinkError("malformed")
    invitation = (
        Invitation.objects.select_related("pulse__project", "pulse__survey", "user")
        .filter(pk=payload[0])
        .first()
    )
    if invitation is None or not hmac.compare_digest(invitation.nonce, payload[1]):
        raise LinkError("unknown invitation")
    return Link(invitation, payload[2] if len(payload) == 3 else None)
