"""Background jobs of status reports: the emails of a sent report, in-app notifications, and the
scheduled generation that the clock runs every minute.

Jobs take primitive arguments and are idempotent: the scheduled generation makes one report per
plan entry and slot (a unique constraint backs it), the emails of a report go out once.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from tandem.accounts.models import User
from tandem.communication.models import Notification, NotificationVerb
from tandem.core.clock import periodic
from tandem.meetings import cadence
from tandem.meetings.choices import CommunicationKind
from tandem.meetings.models import CommunicationItem
from tandem.projects.choices import DecisionKind, ProjectStatus
from tandem.projects.models import Membership
from tandem.reports import queries, rendering, services
from tandem.reports.choices import ReportStatus
from tandem.reports.models import StatusReport

logger = logging.getLogger(__name__)

#: Why someone is told about a report (stored as the notification's verb).
VERB_SENT = NotificationVerb.REPORT_SENT
VERB_AWAITING = NotificationVerb.REPORT_AWAITING
VERB_READY = NotificationVerb.REPORT_READY


def _subject(report: StatusReport) -> str:
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


def period_for(item: CommunicationItem, slot: dt.datetime) -> tuple[dt.date, dt.date]:
    """The days a scheduled report covers: from the day after the previous slot to the slot's day."""
    zone = cadence.zone_of(item)
    end = slot.astimezone(zone).date()
    earlier = cadence.slots(item, slot - dt.timedelta(days=120), slot - dt.timedelta(seconds=1))
    start = (
        earlier[-1].astimezone(zone).date() + dt.timedelta(days=1) if earlier else end - dt.timedelta(days=6)
    )
    return start, end


def generate_for(item: CommunicationItem, now: dt.datetime) -> StatusReport | None:
    """The report of the item's latest slot, made once; sent at once when the item says so and the
    project needs no approval. None when nothing is due or it was made already."""
    slot = cadence.last_slot(item, now)
    if slot is None or StatusReport.objects.filter(item=item, slot=slot).exists():
        return None
    start, end = period_for(item, slot)
    try:
        with transaction.atomic():
            report = services.generate_report(
                item.project, period_start=start, period_end=end, actor=None, item=item, slot=slot, now=now
            )
            auto = item.auto_send and not queries.settings_for(item.project).require_approval
            if auto:
                report = services.do_send_report(report, actor=None, version=report.version, at=now)
            else:
                report_id = report.pk
                transaction.on_commit(lambda: notify_report.enqueue(report_id, "ready"))
    except IntegrityError:
        return None  # another tick made it first
    return report


@periodic("reports.generate_scheduled")
def generate_scheduled(now: dt.datetime) -> None:
    """For every active status-report entry whose latest slot has no report yet, generate it."""
    items = (
        CommunicationItem.objects.filter(kind=CommunicationKind.STATUS_REPORT, active=True)
        .exclude(project__status=ProjectStatus.CLOSED)
        .select_related("project", "owner")
        .order_by("id")
    )
    for item in items:
        try:
            generate_for(item, now)
        except Exception:  # one project's failure never stops the others
            logger.exception("Scheduled report of plan entry %s failed", item.pk)
