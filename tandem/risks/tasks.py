"""Background jobs of the registers: the daily move of tasks held by open client decisions, and the
daily reminder e-mails (risk reviews, response actions and decisions due).

The clock calls both jobs every minute; each does its work once per project and project-local day
(a ``PeriodicRun`` row claimed in the same transaction), so two clocks or a restart never move a hold
or remind anybody twice. ``tandem remind_registers`` calls the same functions for a given day.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django_tasks import task

from tandem.accounts.models import User
from tandem.core import clock
from tandem.planning import scheduling
from tandem.projects.choices import ProjectStatus
from tandem.projects.models import Project
from tandem.risks import reminders
from tandem.risks.choices import DecisionStatus
from tandem.risks.models import ReminderLog
from tandem.risks.services import refresh_decision_holds

logger = logging.getLogger(__name__)

HOLDS_JOB = "risks.move_held_tasks"
REMINDERS_JOB = "risks.send_reminders"
#: Reminders go out from this hour of the project's day, like the digests (nobody is mailed at night).
REMINDER_HOUR = 8


def _days(
    job: str, projects: QuerySet[Project], now: dt.datetime, today: dt.date | None, from_hour: int
) -> list[tuple[Project, dt.date]]:
    """Each project with the (project-local) day its work is due for, leaving out what was done already.

    ``today`` names the day for every project (the command's ``--date``) and ignores the hour.
    """
    due: list[tuple[Project, dt.date]] = []
    for project in projects.order_by("id"):
        if today is not None:
            due.append((project, today))
            continue
        local = now.astimezone(scheduling.zone_of(project))
        if local.hour >= from_hour:
            due.append((project, local.date()))
    done = clock.done_keys(job, [(project.pk, day) for project, day in due])
    return [(project, day) for project, day in due if (str(project.pk), day) not in done]


@clock.periodic(HOLDS_JOB)
def move_held_tasks(now: dt.datetime, *, today: dt.date | None = None) -> int:
    """Move on the holds of open client decisions in every active project, once per project and day.

    A hold lasts until the next working day at the earliest, so an overdue decision pushes its tasks
    on with the calendar. Returns how many tasks moved.
    """
    projects = (
        Project.objects.exclude(status=ProjectStatus.CLOSED)
        .filter(client_decisions__status=DecisionStatus.OPEN)
        .distinct()
    )
    moved = 0
    for project, day in _days(HOLDS_JOB, projects, now, today, 0):
        try:
            with transaction.atomic():
                if clock.claim_day(HOLDS_JOB, day, project.pk):
                    moved += len(refresh_decision_holds(project, today=day))
        except Exception:  # one project's failure never stops the others; the next tick retries it
            logger.exception("Moving the held tasks of project %s failed", project.pk)
    return moved


def _queue_reminders(project: Project, day: dt.date) -> int:
    """Log and queue (after commit) the reminder of each member with something due; how many."""
    queued = 0
    for user in User.objects.filter(memberships__project=project, is_active=True).order_by("id"):
        count = len(reminders.lines_for(user, project, day))
        if not count:
            continue
        try:
            with transaction.atomic():
                ReminderLog.objects.create(project=project, user=user, day=day, items=count)
        except IntegrityError:
            continue  # already reminded that day
        transaction.on_commit(functools.partial(email_reminder.enqueue, project.pk, user.pk, day.isoformat()))
        queued += 1
    return queued


@clock.periodic(REMINDERS_JOB)
def send_reminders(now: dt.datetime, *, today: dt.date | None = None) -> int:
    """Queue each person's reminder e-mail of each active project, once per project and day (from
    08:00 project time); returns how many were queued."""
    projects = Project.objects.exclude(status=ProjectStatus.CLOSED)
    queued = 0
    for project, day in _days(REMINDERS_JOB, projects, now, today, REMINDER_HOUR):
        try:
            with transaction.atomic():
                if clock.claim_day(REMINDERS_JOB, day, project.pk):
                    queued += _queue_reminders(project, day)
        except Exception:  # one project's failure never stops the others; the next tick retries it
            logger.exception("The reminders of project %s failed", project.pk)
    return queued


@task()
def email_reminder(project_id: int, user_id: int, day: str) -> bool:
    """Mail one person's reminders for one project and day (ISO date), in their language."""
    return reminders.send_reminder_email(project_id, user_id, dt.date.fromisoformat(day))
