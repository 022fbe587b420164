"""Helpers of the pulses tests: a project's pulse sent to its sponsor and client PM, links from the mail."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tandem.pulses import links, services
from tandem.pulses.choices import Trigger
from tandem.pulses.models import Invitation, Pulse
from tandem.testing.personas import World


def send(world: World, key: str = "t1", **extra: object) -> Pulse:
    """A pulse of ERP's default (CSAT) survey, sent by hand by its PM."""
    pulse = services.do_send_pulse(
        world.project, trigger=Trigger.MANUAL, event_key=key, actor=world.pm, **extra
    )  # type: ignore[arg-type]
    assert pulse is not None
    return pulse


def invitation_of(pulse: Pulse, user: object) -> Invitation:
    return Invitation.objects.select_related("pulse__project", "pulse__survey", "user").get(
        pulse=pulse, user=user
    )


def path_of(invitation: Invitation, score: int | None = None) -> str:
    """The site-relative path of an answer link."""
    return urlsplit(links.url_for(invitation, score)).path


def links_in(text: str) -> list[str]:
    """The answer links in a mail's text (site-relative paths)."""
    return [urlsplit(u).path for u in re.findall(r"https?://\S+/pulse/[^\s\"<]+/", text)]
