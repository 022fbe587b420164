"""Background jobs of costs: the daily check of every open project's budget thresholds."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tandem.core import clock
from tandem.costs import budget
from tandem.projects.choices import ProjectStatus
from tandem.projects.models import Project

logger = logging.getLogger(__name__)

CHECK_JOB = "costs.check_budgets"


@clock.periodic(CHECK_JOB)
def check_budgets(now: dt.datetime, *, today: dt.date | None = None) -> int:
    """Check the budget thresholds of every open project with a budget, once per project and day (in
    the instance's time zone); returns how many alerts were created.

    Approvals check their project at once; this catches what changed otherwise (a rate, a line, a
    threshold, a project's budget) within a day.
    """
    day = today if today is not None else timezone.localdate(now)
    projects = (
        Project.objects.exclude(status=ProjectStatus.CLOSED)
        .filter(Q(budget_lines__isnull=False) | Q(budget__gt=0))
        .distinct()
        .order_by("id")
    )
    rows = list(projects)
    done = clock.done_keys(CHECK_JOB, [(project.pk, day) for project in rows])
    created = 0
    for project in rows:
        if (str(project.pk), day) in done:
            continue
        try:
            with transaction.atomic():
                if clock.claim_day(CHECK_JOB, day, project.pk):
                    created += len(budget.check_thresholds(project))
        except Exception:  # one project's failure never stops the others; the next tick retries it
            logger.exception("Checking the budget of project %s failed", project.pk)
    return created
