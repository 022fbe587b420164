"""Background jobs of the web layer: the password-reset e-mail, written with the web's own templates."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from tandem.accounts.models import User

RESET_SUBJECT = "web/email/password_reset_subject.txt"
RESET_TEXT = "web/email/password_reset.txt"
RESET_HTML = "web/email/password_reset.html"


@task()
def email_password_reset(user_id: int, uid: str, token: str, domain: str, protocol: str) -> bool:
    """Mail a password-reset link to an active account, in its holder's language."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    with translation.override(user.language):
        context = {
            "email": user.email,
            "user": user,
            "uid": uid,
            "token": token,
            "domain": domain,
            "site_name": domain,
            "protocol": protocol,
            "product": _("Tandem"),
        }
        # A subject must be one line, whatever the template holds.
        subject = "".join(render_to_string(RESET_SUBJECT, context).splitlines())
        text = render_to_string(RESET_TEXT, context)
        html = render_to_string(RESET_HTML, context)
    message = EmailMultiAlternatives(subject, text, None, [user.email])
    message.attach_alternative(html, "text/html")
    message.send()
    return True
