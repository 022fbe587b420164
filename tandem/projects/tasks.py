"""Background jobs of projects: the invitation e-mail (primitive arguments only) and the daily
measurement of KPIs bound to a live source."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django_tasks import task

from tandem.core import clock
from tandem.projects import mail
from tandem.projects.choices import ProjectStatus
from tandem.projects.models import Project

logger = logging.getLogger(__name__)


@task()
def email_invitation(invitation_id: int, raw: str) -> bool:
    """Mail an invitation's link to the invitee, in their language."""
    return mail.send_invitation_email(invitation_id, raw)


MEASURE_JOB = "projects.measure_kpis"
#: Live KPIs are measured from this hour of the project's day (after the night's jobs).
MEASURE_HOUR = 6


@clock.periodic(MEASURE_JOB)
def measure_kpis(now: dt.datetime, *, today: dt.date | None = None) -> int:
    """Record the day's value of every KPI bound to a live source, once per project and project-local
    day (from 06:00 project time); returns how many values were recorded."""
    from tandem.projects import kpis
    from tandem.projects.models import Kpi

    projects = Project.objects.exclude(status=ProjectStatus.CLOSED).filter(
        pk__in=Kpi.objects.exclude(source=kpis.MANUAL).values("project_id")
    )
    recorded = 0
    for project in projects.order_by("id"):
        if today is not None:
            day = today
        else:
            local = now.astimezone(project.zone)
            if local.hour < MEASURE_HOUR:
                continue
            day = local.date()
        try:
            with transaction.atomic():
                if clock.claim_day(MEASURE_JOB, day, project.pk):
                    recorded += kpis.measure_live(project, day)
        except Exception:  # one project's failure never stops the others; the next tick retries it
            logger.exception("Measuring the KPIs of project %s failed", project.pk)
    return recorded
