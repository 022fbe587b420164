"""Telling people about a report: the e-mails of a sent report (HTML, text and the PDF, in the
report's language) and in-app notifications. Both are background tasks with primitive arguments,
enqueued by the services after commit; this module imports no service, so the dependency runs one
way (``services`` and ``tasks`` over ``mailing``).
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from tandem.accounts.models import User
from tandem.communication.models import Notification, NotificationVerb
from tandem.projects.choices import DecisionKind
from tandem.projects.models import Membership
from tandem.reports import rendering
from tandem.reports.choices import ReportStatus
from tandem.reports.models import StatusReport

#: Why someone is told about a report (stored as the notification's verb).
VERB_SENT = NotificationVerb.REPORT_SENT
VERB_AWAITING = NotificationVerb.REPORT_AWAITING
VERB_READY = NotificationVerb.REPORT_READY


def _subject(report: StatusReport) -> str:
    """The mail's subject in the report's language: project code, title and the rating shown."""
    with override(report.language):
        return _("[%(code)s] %(title)s — %(rag)s") % {
            "code": report.project.code,
            "title": report.title,
            "rag": rendering.rag_label(report.shown_rag),
        }


@task()
def send_report_emails(report_id: int) -> int:
    """Email a sent report to each of its recipients (HTML, plain text and the PDF); returns how many."""
    report = (
        StatusReport.objects.select_related("project").filter(pk=report_id, status=ReportStatus.SENT).first()
    )
    if report is None:
        return 0
    pdf = rendering.render_pdf(report)
    subject = _subject(report)
    text = rendering.render_plain_text(report)
    with override(report.language):
        html = render_to_string(
            "reports/email/sent.html",
            {"report": report, "body": rendering.render_body(report), "url": rendering.page_url(report)},
        )
    sent = 0
    for address in report.recipients:
        message = EmailMultiAlternatives(subject, text, to=[address])
        message.attach_alternative(html, "text/html")
        message.attach(rendering.filename(report, "pdf"), pdf, "application/pdf")
        message.send()
        sent += 1
    return sent


def _recipients_for(report: StatusReport, why: str) -> list[User]:
    """Whom to tell: the members among a sent report's recipients, the approvers, or the owner."""
    project = report.project
    if why == "sent":
        emails = set(report.recipients)
        return [
            m.user
            for m in Membership.objects.filter(project=project).select_related("user")
            if m.user.email in emails
        ]
    if why == "awaiting_approval":
        roles = [
            right.roles for right in project.decision_rights.filter(kind=DecisionKind.APPROVE_STATUS_REPORT)
        ]
        wanted = {role for group in roles for role in group}
        return [
            m.user for m in Membership.objects.filter(project=project, role__in=wanted).select_related("user")
        ]
    owner = report.item.owner if report.item is not None else None
    return [owner] if owner is not None else []


@task()
def notify_report(report_id: int, why: str) -> int:
    """Tell people in the app: recipients of a sent report, approvers of a submitted one, the owner of a
    scheduled draft. Returns how many were told."""
    report = (
        StatusReport.objects.select_related("project", "item__owner", "sent_by").filter(pk=report_id).first()
    )
    if report is None:
        return 0
    verb = {"sent": VERB_SENT, "awaiting_approval": VERB_AWAITING}.get(why, VERB_READY)
    actor = report.sent_by if why == "sent" else None
    content_type = ContentType.objects.get_for_model(StatusReport)
    told = 0
    for person in _recipients_for(report, why):
        if actor is not None and person.pk == actor.pk:
            continue
        if Notification.objects.filter(
            recipient=person, verb=verb, target_type=content_type, target_id=report.pk
        ).exists():
            continue
        Notification.objects.create(
            recipient=person,
            project=report.project,
            verb=verb,
            actor=actor,
            target_type=content_type,
            target_id=report.pk,
        )
        told += 1
    return told
