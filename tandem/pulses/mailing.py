"""A pulse by e-mail: one message per recipient, in their language, text and HTML, with one-click links.

The task takes the pulse's id only; it signs each recipient's links from the invitation row, so no
link travels through the job queue. An invitation is mailed once (``emailed_at``), so a retried
task never mails anyone twice.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from tandem.pulses import links
from tandem.pulses.models import Invitation, Pulse, Question


def language_of(invitation: Invitation) -> str:
    """The recipient's language, else the project's."""
    return str(invitation.user.language or invitation.pulse.project.language or settings.LANGUAGE_CODE)


def context_for(invitation: Invitation, first: Question | None, language: str) -> dict[str, Any]:
    """What the mail shows: the question, a button per score (each a signed link), the full form's link."""
    pulse = invitation.pulse
    scores: list[tuple[int, str]] = []
    if first is not None and first.bounds is not None:
        low, high = first.bounds
        scores = [(value, links.url_for(invitation, value)) for value in range(low, high + 1)]
    return {
        "pulse": pulse,
        "project": pulse.project,
        "user": invitation.user,
        "survey_name": pulse.survey.name_in(language),
        "question": first.text_in(language) if first is not None else "",
        "kind": first.kind if first is not None else "",
        "scores": scores,
        "low_label": first.bounds[0] if first is not None and first.bounds else None,
        "form_url": links.url_for(invitation),
        "app_url": settings.SITE_URL + reverse("web:pulse_answer", args=[invitation.pk]),
        "expires": invitation.expires_at,
    }


def message_for(invitation: Invitation, first: Question | None) -> EmailMultiAlternatives:
    """The invitation's e-mail in its recipient's language."""
    language = language_of(invitation)
    with translation.override(language), timezone.override(invitation.pulse.project.time_zone):
        context = context_for(invitation, first, language)
        subject = " ".join(render_to_string("pulses/email/invitation_subject.txt", context).split())
        text = render_to_string("pulses/email/invitation.txt", context)
        html = render_to_string("pulses/email/invitation.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [invitation.user.email])
    message.attach_alternative(html, "text/html")
    return message


def send_invitations(pulse: Pulse) -> int:
    """Mail every recipient not mailed yet; returns how many were mailed."""
    first = pulse.survey.questions.order_by("position", "id").first()
    sent = 0
    waiting = pulse.invitations.filter(emailed_at__isnull=True, answered_at__isnull=True).values_list(
        "pk", flat=True
    )
    for invitation_id in list(waiting):
        with transaction.atomic():
            invitation = (
                Invitation.objects.select_for_update()
                .select_related("user", "pulse__project", "pulse__survey")
                .filter(pk=invitation_id, emailed_at__isnull=True)
                .first()
            )
            if invitation is None or not invitation.user.is_active:
                continue
            message_for(invitation, first).send()
            Invitation.objects.filter(pk=invitation.pk).update(emailed_at=timezone.now())
            sent += 1
    return sent


@task()
def send_pulse(pulse_id: int) -> int:
    """Mail the pulse's invitations (primitive argument only)."""
    pulse = Pulse.objects.select_related("project", "survey").filter(pk=pulse_id).first()
    return 0 if pulse is None else send_invitations(pulse)
