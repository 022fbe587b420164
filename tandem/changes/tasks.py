"""Background jobs of change control: the daily reminders to approvers whose decision is due.

The clock calls the job every minute; it does its work once a day (a ``PeriodicRun`` row claimed in
the same transaction as the ``Reminder`` rows), so two clocks or a restart never remind twice. The
mails are queued after commit and written in each approver's language.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from tandem.changes import services
from tandem.changes.models import Reminder
from tandem.core import clock

REMINDERS_JOB = "changes.send_reminders"
#: Reminders go out from this hour of the day (settings.TIME_ZONE), like the other daily mails.
REMINDER_HOUR = 8


@clock.periodic(REMINDERS_JOB)
def send_reminders(now: dt.datetime, *, today: dt.date | None = None) -> int:
    """Queue a reminder to each pending approver of each request due within a day or overdue, once a
    day (from 08:00 unless ``today`` names the day); returns how many were queued."""
    local = timezone.localtime(now)
    if today is None and local.hour < REMINDER_HOUR:
        return 0
    day = today or local.date()
    queued = 0
    with transaction.atomic():
        if not clock.claim_day(REMINDERS_JOB, day):
            return 0
        for request in services.due_requests(day):
            for person in services.pending_approvers(request):
                if not person.email:
                    continue
                try:
                    with transaction.atomic():
                        Reminder.objects.create(request=request, recipient=person, day=day)
                except IntegrityError:
                    continue  # already reminded that day
                transaction.on_commit(
                    functools.partial(email_reminder.enqueue, request.pk, person.pk, day.isoformat())
                )
                queued += 1
    return queued


@task()
def email_reminder(request_id: int, user_id: int, day: str) -> bool:
    """Mail one approver the reminder of one change request for ``day`` (ISO date)."""
    return services.send_reminder_email(request_id, user_id, dt.date.fromisoformat(day))
