"""Daily reminder emails: risks due for review, response actions due, decisions due, one email per person.

Each recipient's items are read through ``visible_to(recipient)``, so a client member is never told
about an internal record. A person gets at most one reminder per project and day (``ReminderLog``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.projects.choices import ProjectStatus
from tandem.projects.models import Project
from tandem.risks import permissions
from tandem.risks.choices import ACTIVE_RISK_STATUSES, DecisionStatus
from tandem.risks.models import ClientDecision, ReminderLog, Risk, RiskAction

#: Decisions are announced this many days before they are due.
DECISION_NOTICE_DAYS = 2


def _lines_for(user: User, project: Project, today: dt.date) -> list[str]:
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


def send_reminders(today: dt.date) -> int:
    """Email every person with something due in an active project; return how many emails went out."""
    sent = 0
    for project in Project.objects.exclude(status=ProjectStatus.CLOSED).order_by("id"):
        users = User.objects.filter(memberships__project=project, is_active=True).order_by("id")
        language = "zh-hans" if project.language == "zh-hans" else "en"
        for user in users:
            with translation.override(language):
                lines = _lines_for(user, project, today)
                if not lines:
                    continue
                subject = _("%(project)s: reminders for %(date)s") % {"project": project.name, "date": today}
                body = (
                    "\n".join(f"• {line}" for line in lines)
                    + f"\n\n{settings.SITE_URL}/projects/{project.code}/\n"
                )
            try:
                with transaction.atomic():
                    ReminderLog.objects.create(project=project, user=user, day=today, items=len(lines))
                    EmailMessage(subject, body, to=[user.email]).send()
            except IntegrityError:
                continue  # already reminded today
            sent += 1
    return sent
