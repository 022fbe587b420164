"""The plan's live KPI sources: milestones on time against the agreed baseline, and percent complete.

Registered with ``tandem.projects.kpis`` when the planning app is ready; a charter KPI bound to one
of them is measured every day by the ``projects.measure_kpis`` job.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from tandem.core.choices import Visibility
from tandem.planning import scheduling
from tandem.planning.choices import TaskKind
from tandem.planning.models import Baseline, BaselineTask, Task
from tandem.projects.kpis import Source, register
from tandem.projects.models import Project

ONE_PLACE = Decimal("0.1")


def milestones_on_time(project: Project, day: dt.date, shared_only: bool) -> Decimal | None:
    """Of the milestones the agreed baseline had due by the end of ``day``, the percentage reached on
    or before their baseline date (a milestone not reached yet counts as late). None without an
    approved baseline or before any milestone is due."""
    baseline = (
        Baseline.objects.filter(project=project, approved_at__isnull=False)
        .order_by("-approved_at", "-id")
        .first()
    )
    if baseline is None:
        return None
    zone = scheduling.zone_of(project)
    end_of_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=zone)
    rows = BaselineTask.objects.filter(
        baseline=baseline, kind=TaskKind.MILESTONE, finish__lt=end_of_day, task__isnull=False
    )
    if shared_only:
        rows = rows.filter(visibility=Visibility.SHARED, task__visibility=Visibility.SHARED)
    due = list(rows.values_list("finish", "task__actual_finish", "task__finish", "task__percent_complete"))
    if not due:
        return None
    on_time = 0
    for planned, actual, finish, percent in due:
        reached = actual if actual is not None else (finish if percent >= 100 else None)
        if (
            reached is not None
            and planned is not None
            and reached.astimezone(zone) < _next_day(planned, zone)
        ):
            on_time += 1
    return (Decimal(100 * on_time) / len(due)).quantize(ONE_PLACE)


def _next_day(moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """Midnight after ``moment``'s day in ``zone`` (reaching a milestone that day is on time)."""
    local = moment.astimezone(zone)
    return dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0, 0), tzinfo=zone)


def percent_complete(project: Project, day: dt.date, shared_only: bool) -> Decimal | None:
    """The plan's progress: its leaf tasks' percent complete weighted by their durations (as the
    summaries roll up). None for an empty plan."""
    tasks = Task.objects.filter(project=project, is_summary=False)
    if shared_only:
        tasks = tasks.filter(visibility=Visibility.SHARED)
    rows = list(tasks.values_list("duration_minutes", "percent_complete"))
    if not rows:
        return None
    weights = [(duration or 1, percent) for duration, percent in rows]
    total = sum(w for w, _p in weights)
    return (Decimal(sum(w * p for w, p in weights)) / total).quantize(ONE_PLACE)


def register_sources() -> None:
    """Offer the plan's sources to charter KPIs."""
    register(Source("schedule.milestones_on_time", _("Milestones on time (%)"), "%", milestones_on_time))
    register(Source("schedule.percent_complete", _("Plan percent complete (%)"), "%", percent_complete))
