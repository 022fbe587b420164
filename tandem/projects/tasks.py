"""Background jobs of projects: the invitation e-mail (primitive arguments only)."""

from __future__ import annotations

from django_tasks import task

from tandem.projects import mail


@task()
def email_invitation(invitation_id: int, raw: str) -> bool:
    """Mail an invitation's link to the invitee, in their language."""
    return mail.send_invitation_email(invitation_id, raw)
