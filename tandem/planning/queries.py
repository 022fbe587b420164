"""The read side of planning: the plan a user may see, baselines and their comparison, progress flags.

Every query goes through ``visible_to(user)``: a client member never reads an internal task, a link
touching one, or a count that includes one. Client views number the WBS among shared rows only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import (
    BigIntegerField,
    Case,
    DateTimeField,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core.choices import Visibility
from tandem.core.database import the_one
from tandem.planning import scheduling
from tandem.planning.choices import TaskKind, TaskStatus
from tandem.planning.models import Baseline, BaselineTask, Calendar, Dependency, Task
from tandem.projects.models import Project
from tandem.projects.permissions import is_team

if TYPE_CHECKING:
    pass

Viewer = Any  # a User, AnonymousUser or ClientLens


def _team_view(user: Viewer, project: Project) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and is_team(user, project)


def _int(pk: Any) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404(_("No such record.")) from None


def plan_of(
    user: Viewer,
    project: Project,
    *,
    kind: str = "",
    status: str = "",
    search: str = "",
    owner_id: int | None = None,
    critical: bool | None = None,
    parent_id: int | None = None,
) -> QuerySet[Task]:
    """The rows of the plan the user may see, in outline order, with ``shown_parent_id`` and ``shown_wbs``.

    ``shown_work_minutes`` and ``shown_cost_cents`` carry the task's work and planned cost for the
    team, None for a client.

    For a client, a shared row whose parent is internal shows as a top-level row.
    """
    base = Task.objects.visible_to(user).filter(project=project).select_related("owner")
    qs: QuerySet[Any]
    if _team_view(user, project):
        qs = base.annotate(
            shown_parent_id=F("parent_id"),
            shown_wbs=F("wbs"),
            shown_work_minutes=F("work_minutes"),
            shown_cost_cents=F("cost_cents"),
        )
    else:
        # A task's work and planned cost are internal: a client (or the client preview) reads None.
        qs = base.annotate(
            shown_parent_id=Case(
                When(parent__visibility=Visibility.SHARED, then=F("parent_id")), default=Value(None)
            ),
            shown_wbs=F("shared_wbs"),
            shown_work_minutes=Value(None, output_field=IntegerField()),
            shown_cost_cents=Value(None, output_field=BigIntegerField()),
        )
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(description__icontains=search))
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if critical is not None:
        qs = qs.filter(critical=critical)
    if parent_id is not None:
        qs = qs.filter(shown_parent_id=parent_id)
    return qs.order_by("outline_key", "id")


def shown_wbs(task: Task) -> str:
    """The outline number of a row as its reader sees it (annotated by ``plan_of``)."""
    return str(getattr(task, "shown_wbs", task.wbs))


def shown_parent_id(task: Task) -> int | None:
    """The parent of a row as its reader sees it (None when a client cannot see the parent)."""
    value = getattr(task, "shown_parent_id", task.parent_id)
    return None if value is None else int(value)


def access_task(user: Viewer, project: Project, pk: Any) -> Task:
    """A task of ``project`` the user may see (annotated like ``plan_of``); otherwise ``Http404``."""
    task = the_one(plan_of(user, project).filter(pk=_int(pk)))
    if task is None:
        raise Http404(_("No such task."))
    task.project = project
    return task


def dependencies_of(user: Viewer, project: Project) -> QuerySet[Dependency]:
    """The links the user may see: for a client, only links between two shared tasks."""
    return (
        Dependency.objects.visible_to(user)
        .filter(project=project)
        .select_related("predecessor", "successor")
        .order_by("id")
    )


def access_dependency(user: Viewer, project: Project, pk: Any) -> Dependency:
    """A link of ``project`` the user may see; otherwise ``Http404``."""
    link = dependencies_of(user, project).filter(pk=_int(pk)).first()
    if link is None:
        raise Http404(_("No such dependency."))
    link.project = project
    return link


def calendars_of(user: Viewer, project: Project) -> QuerySet[Calendar]:
    """The project's calendars with their exceptions."""
    return Calendar.objects.visible_to(user).filter(project=project).prefetch_related("exceptions")


def project_calendar(user: Viewer, project: Project) -> Calendar:
    """The project's calendar (a default one when the plan has none yet)."""
    calendar = calendars_of(user, project).filter(is_project_calendar=True).first()
    if calendar is None:
        # Not saved: reading must not write; the first change to the plan creates it.
        calendar = Calendar(
            project=project,
            name=str(_("Standard")),
            base=scheduling.default_calendar_base(project),
            working_weekdays=list(scheduling.WEEKDAYS),
            is_project_calendar=True,
        )
    return calendar


def access_calendar(user: Viewer, project: Project, pk: Any) -> Calendar:
    """A calendar of ``project``; otherwise ``Http404``."""
    calendar = calendars_of(user, project).filter(pk=_int(pk)).first()
    if calendar is None:
        raise Http404(_("No such calendar."))
    return calendar


def baselines_of(user: Viewer, project: Project) -> QuerySet[Baseline]:
    """The project's baselines, newest first (without counts: they would include internal rows)."""
    return (
        Baseline.objects.visible_to(user).filter(project=project).select_related("created_by", "approved_by")
    )


def access_baseline(user: Viewer, project: Project, pk: Any) -> Baseline:
    """A baseline of ``project``; otherwise ``Http404``."""
    baseline = baselines_of(user, project).filter(pk=_int(pk)).first()
    if baseline is None:
        raise Http404(_("No such baseline."))
    baseline.project = project
    return baseline


def agreed_baseline(user: Viewer, project: Project) -> Baseline | None:
    """ "The plan we agreed": the most recently approved baseline."""
    return (
        baselines_of(user, project).filter(approved_at__isnull=False).order_by("-approved_at", "-id").first()
    )


@dataclass(frozen=True)
class Variance:
    """One task compared with a baseline; variances in working minutes, positive when later."""

    task: Task
    baseline_start: dt.datetime | None
    baseline_finish: dt.datetime | None
    start_variance_minutes: int | None
    finish_variance_minutes: int | None

    @property
    def is_milestone(self) -> bool:
        """Whether the compared row is a milestone."""
        return self.task.kind == TaskKind.MILESTONE

    @property
    def slipped(self) -> bool:
        """Whether the task now finishes later than the baseline said."""
        return bool(self.finish_variance_minutes and self.finish_variance_minutes > 0)


#: What a milestone on the timeline shows (``milestone_forecast``): its row, name, state and dates.
MILESTONE_FIELDS = (
    *("id", "project_id", "name", "kind", "status", "is_summary"),
    *("start", "finish", "deadline", "wbs", "shared_wbs"),
)


def _milestone_rows(user: Viewer, project: Project) -> QuerySet[Task]:
    """The milestones the user may see, each with what the timeline shows, not its 45 columns and its
    owner (every project home reads them)."""
    return plan_of(user, project, kind=TaskKind.MILESTONE).select_related(None).only(*MILESTONE_FIELDS)


def compare_with_baseline(
    user: Viewer, project: Project, baseline: Baseline, *, milestones_only: bool = False
) -> list[Variance]:
    """Every visible task next to its baseline dates (None for tasks added since), in outline order."""
    tasks = list(_milestone_rows(user, project) if milestones_only else plan_of(user, project))
    found = BaselineTask.objects.visible_to(user).filter(baseline=baseline)
    if milestones_only:
        # The milestones' rows only (the project home's timeline), not the whole baseline's.
        found = found.filter(task_id__in=[t.pk for t in tasks])
    rows = {r.task_id: r for r in found.only("task_id", "start", "finish", "duration_minutes").order_by()}
    calendar = scheduling.kept_project_calendar(project)
    out: list[Variance] = []
    for task in tasks:
        row = rows.get(task.pk)
        bs, bf = (row.start, row.finish) if row else (None, None)
        sv = scheduling.working_minutes(calendar, project, bs, task.start) if bs and task.start else None
        fv = scheduling.working_minutes(calendar, project, bf, task.finish) if bf and task.finish else None
        out.append(Variance(task, bs, bf, sv, fv))
    return out


def removed_since_baseline(
    user: Viewer, project: Project, baseline: Baseline, *, milestones_only: bool = False
) -> list[BaselineTask]:
    """The baseline's rows whose task was deleted since, as the user may see them, with ``shown_wbs``.

    The rows keep the name, outline number and dates the task had when the baseline was saved.
    """
    qs = BaselineTask.objects.visible_to(user).filter(baseline=baseline, task__isnull=True)
    if milestones_only:
        qs = qs.filter(kind=TaskKind.MILESTONE)
    wbs = "wbs" if _team_view(user, project) else "shared_wbs"
    return list(qs.annotate(shown_wbs=F(wbs)).order_by("id"))


# Overdue: an unfinished leaf task whose finish (or deadline) has passed. Slipping: an unfinished task
# forecast to finish after its deadline or after its agreed baseline finish. ``_flagged`` selects the
# rows that are either (in the database, so only those come back) and the two functions below say
# which; the pages' flags and the API's progress answer both read them so.


def _flagged(rows: QuerySet[Any], baseline: Baseline | None, now: dt.datetime) -> QuerySet[Any]:
    """The unfinished ``rows`` that are overdue or slipping, each with ``baseline_finish`` (None
    without an agreed baseline)."""
    late = Q(deadline__isnull=False, finish__gt=F("deadline"))
    if baseline is None:
        rows = rows.annotate(baseline_finish=Value(None, output_field=DateTimeField()))
    else:
        # By ``task_uid`` (the task's id, kept when it is deleted): the unique (baseline, task_uid)
        # index answers each row's lookup, where ``task_id`` made PostgreSQL scan the baseline.
        agreed = BaselineTask.objects.filter(baseline=baseline, task_uid=OuterRef("pk")).values("finish")[:1]
        rows = rows.annotate(baseline_finish=Subquery(agreed))
        late |= Q(finish__gt=F("baseline_finish"))
    due = Q(is_summary=False) & (Q(finish__lt=now) | Q(deadline__lt=now))
    return rows.exclude(status=TaskStatus.DONE).filter(due | late)


def _is_overdue(
    is_summary: bool, finish: dt.datetime | None, deadline: dt.datetime | None, now: dt.datetime
) -> bool:
    return not is_summary and any(d is not None and d < now for d in (finish, deadline))


def _is_slipping(
    finish: dt.datetime | None, deadline: dt.datetime | None, baseline_finish: dt.datetime | None
) -> bool:
    return finish is not None and any(d is not None and finish > d for d in (deadline, baseline_finish))


def flagged_tasks(
    user: Viewer, project: Project, *, now: dt.datetime | None = None
) -> tuple[list[Task], list[Task]]:
    """The overdue and the slipping tasks the user may see, as ``plan_of`` reads them, in outline
    order, against the agreed baseline (two queries: the baseline, the flagged rows)."""
    now = now or timezone.now()
    rows = list(_flagged(plan_of(user, project), agreed_baseline(user, project), now))
    overdue = [t for t in rows if _is_overdue(t.is_summary, t.finish, t.deadline, now)]
    slipping = [t for t in rows if _is_slipping(t.finish, t.deadline, t.baseline_finish)]
    return overdue, slipping


def flags_of(
    user: Viewer,
    project: Project,
    baseline: Baseline | None,
    *,
    ids: list[int] | None = None,
    now: dt.datetime | None = None,
) -> tuple[set[int], set[int]]:
    """Ids of the overdue and of the slipping tasks the user may see (among ``ids`` when given),
    against ``baseline`` (the agreed one, read by the caller): one query returning only the flagged
    rows, five columns each."""
    now = now or timezone.now()
    rows: QuerySet[Any] = Task.objects.visible_to(user).filter(project=project)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    fields = ("pk", "is_summary", "finish", "deadline", "baseline_finish")
    overdue: set[int] = set()
    slipping: set[int] = set()
    for pk, is_summary, finish, deadline, baseline_finish in (
        _flagged(rows, baseline, now).order_by().values_list(*fields)
    ):
        if _is_overdue(is_summary, finish, deadline, now):
            overdue.add(pk)
        if _is_slipping(finish, deadline, baseline_finish):
            slipping.add(pk)
    return overdue, slipping


@dataclass(frozen=True)
class MilestoneForecast:
    """A milestone's forecast next to the agreed baseline and its deadline."""

    task: Task
    forecast: dt.datetime | None
    baseline_finish: dt.datetime | None
    variance_minutes: int | None
    deadline: dt.datetime | None

    @property
    def slipping(self) -> bool:
        """Later than agreed, or later than its deadline."""
        late_vs_baseline = self.variance_minutes is not None and self.variance_minutes > 0
        late_vs_deadline = (
            self.deadline is not None and self.forecast is not None and self.forecast > self.deadline
        )
        return self.task.status != TaskStatus.DONE and (late_vs_baseline or late_vs_deadline)


def milestone_forecast(user: Viewer, project: Project) -> tuple[Baseline | None, list[MilestoneForecast]]:
    """The milestones the user may see: forecast finish versus the agreed baseline (the client's timeline)."""
    baseline = agreed_baseline(user, project)
    if baseline is None:
        return None, [
            MilestoneForecast(t, t.finish, None, None, t.deadline) for t in _milestone_rows(user, project)
        ]
    rows = compare_with_baseline(user, project, baseline, milestones_only=True)
    return baseline, [
        MilestoneForecast(
            v.task, v.task.finish, v.baseline_finish, v.finish_variance_minutes, v.task.deadline
        )
        for v in rows
    ]


def plan_summary(user: Viewer, project: Project) -> dict[str, Any]:
    """Counts of what the user may see (never including internal rows for a client)."""
    qs = Task.objects.visible_to(user).filter(project=project, is_summary=False)
    now = timezone.now()
    return {
        "tasks": qs.count(),
        "done": qs.filter(status=TaskStatus.DONE).count(),
        "overdue": qs.exclude(status=TaskStatus.DONE).filter(Q(finish__lt=now) | Q(deadline__lt=now)).count(),
        "critical": qs.filter(critical=True).count(),
        "finish": qs.aggregate(f=Max("finish"))["f"],
    }
