"""Background jobs of status reports: the scheduled generation that the clock runs every minute
(the e-mails and notifications of a report are tasks in ``mailing``, which the services enqueue).

Jobs take primitive arguments and are idempotent: the scheduled generation makes one report per
plan entry and slot (a unique constraint backs it), the emails of a report go out once.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction

from tandem.core.clock import periodic
from tandem.meetings import cadence
from tandem.meetings.choices import CommunicationKind
from tandem.meetings.models import CommunicationItem
from tandem.projects.choices import ProjectStatus
from tandem.reports import mailing, queries, services
from tandem.reports.models import StatusReport

logger = logging.getLogger(__name__)


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
                transaction.on_commit(lambda: mailing.notify_report.enqueue(report_id, "ready"))
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
