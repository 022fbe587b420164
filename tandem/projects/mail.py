"""The invitation e-mail: written in the invitee's language (their account's, else the project's)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.projects.choices import Role
from tandem.projects.models import Invitation


def invitation_url(raw: str) -> str:
    """The link an invitee follows."""
    return f"{settings.SITE_URL}/invitations/{raw}/"


def send_invitation_email(invitation_id: int, raw: str) -> bool:
    """Mail the link of an open invitation; False when it was accepted or revoked meanwhile."""
    invitation = (
        Invitation.objects.select_related("project", "invited_by")
        .filter(pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is None:
        return False
    existing = User.objects.filter(email__iexact=invitation.email).first()
    language = existing.language if existing else invitation.project.language
    with translation.override(language):
        context = {
            "invitation": invitation,
            "url": invitation_url(raw),
            "project": invitation.project,
            "role": Role(invitation.role).label,
            "inviter": invitation.invited_by,
        }
        subject = _("You are invited to %(project)s on Tandem") % {"project": invitation.project.name}
        text = render_to_string("projects/email/invitation.txt", context)
        html = render_to_string("projects/email/invitation.html", context)
    message = EmailMultiAlternatives(subject, text, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()
    return True
