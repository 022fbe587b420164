"""Daily reminder emails: risks due for review, response actions due, decisions due, one email per person.

Each recipient's items are read through ``visible_to(recipient)``, so a client member is never told
about an internal record. A person gets at most one reminder per project and day (``ReminderLog``):
the clock's job in ``risks.tasks`` decides who is due and queues the mails; this module writes and
sends one.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.projects.models import Project
from tandem.risks import permissions
from tandem.risks.choices import ACTIVE_RISK_STATUSES, DecisionStatus
from tandem.risks.models import ClientDecision, Risk, RiskAction

#: Decisions are announced this many days before they are due.
DECISION_NOTICE_DAYS = 2


def lines_for(user: User, project: Project, today: dt.date) -> list[str]:
    """What ``user`` is reminded of in ``project`` on ``today``, in the active language (may be empty)."""
    lines: list[str] = []
    for risk in Risk.objects.visible_to(user).filter(
        project=project, owner=user, status__in=ACTIVE_RISK_STATUSES, next_review__lte=today
    ):
        lines.append(
            _("Review the risk “%(title)s” (due %(date)s)") % {"title": risk.title, "date": risk.next_review}
        )
    for action in RiskAction.objects.visible_to(user).filter(
        risk__project=project,
        owner=user,
        done=False,
        due_date__lte=today,
        risk__status__in=ACTIVE_RISK_STATUSES,
    ):
        lines.append(
            _("Response action “%(action)s” is due %(date)s")
            % {"action": action.description, "date": action.due_date}
        )
    soon = today + dt.timedelta(days=DECISION_NOTICE_DAYS)
    for decision in ClientDecision.objects.visible_to(user).filter(
        project=project, status=DecisionStatus.OPEN, due_date__lte=soon
    ):
        decision.project = project
        if permissions.can_decide(user, decision):
            lines.append(
                _("Decision “%(question)s” is due %(date)s")
                % {"question": decision.question, "date": decision.due_date}
            )
    return lines


def send_reminder_email(project_id: int, user_id: int, today: dt.date) -> bool:
    """Mail one person their reminders for one project and day, in their language; False if nothing is due.

    The items are read again when the mail is written, so a record done or hidden since the reminder
    was queued is left out.
    """
    project = Project.objects.filter(pk=project_id).first()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if project is None or user is None or not user.email:
        return False
    with translation.override(user.language or settings.LANGUAGE_CODE):
        lines = lines_for(user, project, today)
        if not lines:
            return False
        subject = _("%(project)s: reminders for %(date)s") % {"project": project.name, "date": today}
        body = (
            "\n".join(f"• {line}" for line in lines) + f"\n\n{settings.SITE_URL}/projects/{project.code}/\n"
        )
    EmailMessage(subject, body, to=[user.email]).send()
    return True
