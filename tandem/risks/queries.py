"""The read side of the registers: lists, heat maps, what is due, what waits for the client, delay impact.

Every read goes through ``visible_to(user)``: a client member never reads an internal risk, issue,
conflict or decision, a count that includes one, or an internal task linked to a shared record.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, Count, F, Prefetch, Q, QuerySet, Sum, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

import tandem_engine as engine
from tandem.core.choices import Visibility
from tandem.planning import scheduling
from tandem.planning.choices import TaskKind
from tandem.planning.models import Dependency, Task
from tandem.projects.inbox import seats_of
from tandem.projects.models import Project
from tandem.projects.permissions import is_team
from tandem.risks.choices import ACTIVE_RISK_STATUSES, PLAN_RISK_STATUSES, DecisionStatus, RiskLevel
from tandem.risks.models import ClientDecision, Conflict, Issue, Risk, RiskAction, RiskScore, RiskSettings
from tandem.risks.services import hold_start, next_working_day, settings_for
from tandem_engine.calendar import working_days

Viewer = Any  # a User, AnonymousUser or ClientLens


def _int(pk: Any) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404(_("No such record.")) from None


def level_expression(thresholds: RiskSettings) -> Case:
    """The level of a risk's score under ``thresholds``, as a database expression."""
    return Case(
        When(score__lte=thresholds.low_max, then=Value(RiskLevel.LOW.value)),
        When(score__lte=thresholds.medium_max, then=Value(RiskLevel.MEDIUM.value)),
        When(score__lte=thresholds.high_max, then=Value(RiskLevel.HIGH.value)),
        default=Value(RiskLevel.CRITICAL.value),
        output_field=CharField(),
    )


# ---------------------------------------------------------------- risks


def risks_of(
    user: Viewer,
    project: Project,
    *,
    status: str = "",
    category: str = "",
    level: str = "",
    owner_id: int | None = None,
    search: str = "",
) -> QuerySet[Risk]:
    """The risks the user may see, highest score first, each annotated with its ``level``."""
    qs = (
        Risk.objects.visible_to(user)
        .filter(project=project)
        .select_related("owner")
        .annotate(level=level_expression(settings_for(project)))
    )
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if level:
        qs = qs.filter(level=level)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(description__icontains=search))
    return qs.order_by("-score", "id")


def with_tasks(user: Viewer, risks: QuerySet[Risk]) -> QuerySet[Risk]:
    """``risks`` with ``shown_tasks``: the linked tasks the user may see (never an internal one)."""
    return risks.prefetch_related(Prefetch("tasks", queryset=_visible_tasks(user), to_attr="shown_tasks"))


def access_risk(user: Viewer, project: Project, pk: Any) -> Risk:
    """A risk of ``project`` the user may see, with ``shown_tasks``; otherwise ``Http404``."""
    risk = with_tasks(user, risks_of(user, project)).filter(pk=_int(pk)).first()
    if risk is None:
        raise Http404(_("No such risk."))
    risk.project = project
    return risk


def _shown(field: str, team: bool) -> Any:
    """A linked row's id, or None when the reader (the client) may not see that row."""
    if team:
        return F(f"{field}_id")
    return Case(
        When(**{f"{field}__visibility": Visibility.SHARED}, then=F(f"{field}_id")), default=Value(None)
    )


def _team_view(user: Viewer, project: Project) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and is_team(user, project)


def actions_of(user: Viewer, project: Project, *, risk: Risk | None = None) -> QuerySet[RiskAction]:
    """Response actions of the risks the user may see, with ``shown_task_id`` hiding internal tasks."""
    qs = (
        RiskAction.objects.visible_to(user)
        .filter(risk__project=project)
        .select_related("owner", "risk")
        .annotate(shown_task_id=_shown("task", _team_view(user, project)))
    )
    if risk is not None:
        qs = qs.filter(risk=risk)
    return qs.order_by("due_date", "id")


def access_action(user: Viewer, project: Project, pk: Any) -> RiskAction:
    """A response action the user may see; otherwise ``Http404``."""
    action = actions_of(user, project).filter(pk=_int(pk)).first()
    if action is None:
        raise Http404(_("No such action."))
    action.risk.project = project
    return action


def history_of(user: Viewer, risk: Risk) -> QuerySet[RiskScore]:
    """A risk's scores over time, oldest first."""
    return RiskScore.objects.visible_to(user).filter(risk=risk).select_related("changed_by")


def heat_map(
    user: Viewer, projects: QuerySet[Project] | None = None, *, inherent: bool = False
) -> dict[str, Any]:
    """Counts of active risks by probability × impact (a 5×5 grid, ``grid[impact-1][probability-1]``).

    ``projects`` limits it to some projects (default: all of the user's); ``inherent`` counts the
    scores before responses instead of the residual ones.
    """
    qs = Risk.objects.visible_to(user).filter(status__in=ACTIVE_RISK_STATUSES)
    if projects is not None:
        qs = qs.filter(project__in=projects)
    p, i = ("inherent_probability", "inherent_impact") if inherent else ("probability", "impact")
    grid = [[0] * 5 for _row in range(5)]
    total = 0
    for row in qs.values(p, i).annotate(n=Count("id")).order_by():
        grid[row[i] - 1][row[p] - 1] = row["n"]
        total += row["n"]
    return {"grid": grid, "total": total, "basis": "inherent" if inherent else "residual"}


@dataclass(frozen=True)
class RiskOverview:
    """What needs looking at in a project's risks today."""

    top: list[Risk]
    due_for_review: list[Risk]
    overdue_actions: list[RiskAction]
    by_level: dict[str, int]
    inherent_total: int
    residual_total: int


def risk_overview(
    user: Viewer, project: Project, *, today: dt.date | None = None, top: int = 5
) -> RiskOverview:
    """Top risks, risks due for review, overdue actions, counts by level, inherent versus residual."""
    today = today or timezone.localdate()
    active = risks_of(user, project).filter(status__in=ACTIVE_RISK_STATUSES)
    counts = {level.value: 0 for level in RiskLevel}
    for row in active.values("level").annotate(n=Count("id")).order_by():  # type: ignore[misc]
        counts[row["level"]] = row["n"]
    totals = active.aggregate(inherent=Sum("inherent_score"), residual=Sum("score"))
    return RiskOverview(
        top=list(with_tasks(user, active)[:top]),
        due_for_review=list(
            with_tasks(user, active.filter(next_review__lte=today)).order_by("next_review", "id")
        ),
        overdue_actions=list(
            actions_of(user, project).filter(
                done=False, due_date__lt=today, risk__status__in=ACTIVE_RISK_STATUSES
            )
        ),
        by_level=counts,
        inherent_total=totals["inherent"] or 0,
        residual_total=totals["residual"] or 0,
    )


# ---------------------------------------------------------------- issues and conflicts


def _visible_tasks(user: Viewer) -> QuerySet[Task]:
    return Task.objects.visible_to(user).only("id", "name", "visibility", "project_id").order_by("id")


def issues_of(user: Viewer, project: Project, *, status: str = "", severity: str = "") -> QuerySet[Issue]:
    """The issues the user may see, newest first, with the tasks the user may see."""
    qs = (
        Issue.objects.visible_to(user)
        .filter(project=project)
        .select_related("owner")
        .annotate(shown_risk_id=_shown("risk", _team_view(user, project)))
        .prefetch_related(Prefetch("tasks", queryset=_visible_tasks(user), to_attr="shown_tasks"))
    )
    if status:
        qs = qs.filter(status=status)
    if severity:
        qs = qs.filter(severity=severity)
    return qs


def access_issue(user: Viewer, project: Project, pk: Any) -> Issue:
    """An issue the user may see; otherwise ``Http404``."""
    issue = issues_of(user, project).filter(pk=_int(pk)).first()
    if issue is None:
        raise Http404(_("No such issue."))
    issue.project = project
    return issue


def conflicts_of(user: Viewer, project: Project, *, status: str = "") -> QuerySet[Conflict]:
    """The conflicts the user may see (the client: shared ones only), newest first."""
    qs = Conflict.objects.visible_to(user).filter(project=project).prefetch_related("people")
    if status:
        qs = qs.filter(status=status)
    return qs


def access_conflict(user: Viewer, project: Project, pk: Any) -> Conflict:
    """A conflict the user may see; otherwise ``Http404``."""
    conflict = conflicts_of(user, project).filter(pk=_int(pk)).first()
    if conflict is None:
        raise Http404(_("No such conflict."))
    conflict.project = project
    return conflict


# ---------------------------------------------------------------- client decisions


def _decisions(user: Viewer) -> QuerySet[ClientDecision]:
    return (
        ClientDecision.objects.visible_to(user)
        .select_related("decider", "decided_by", "project")
        .prefetch_related(Prefetch("blocked_tasks", queryset=_visible_tasks(user), to_attr="shown_tasks"))
    )


def decisions_of(
    user: Viewer, project: Project, *, status: str = "", today: dt.date | None = None
) -> QuerySet[ClientDecision]:
    """The decisions the user may see, soonest due first; ``status="overdue"`` selects open ones past due."""
    today = today or timezone.localdate()
    qs = _decisions(user).filter(project=project)
    if status == DecisionStatus.OVERDUE:
        qs = qs.filter(status=DecisionStatus.OPEN, due_date__lt=today)
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by(F("due_date").asc(nulls_last=True), "id")


def access_decision(user: Viewer, project: Project, pk: Any) -> ClientDecision:
    """A decision the user may see; otherwise ``Http404``."""
    decision = decisions_of(user, project).filter(pk=_int(pk)).first()
    if decision is None:
        raise Http404(_("No such decision."))
    decision.project = project
    return decision


def waiting_q(user_id: int, kinds: Mapping[int, Iterable[str]]) -> Q:
    """The decisions a user takes: named as the decider, or of a kind they hold in that project
    (``kinds``: the decision rights the user holds, by project id)."""
    mine = Q(decider_id=user_id)
    for project_id, held in kinds.items():
        mine |= Q(project_id=project_id, decision_kind__in=list(held))
    return mine


def decisions_waiting_for(user: Viewer) -> QuerySet[ClientDecision]:
    """Open decisions across the user's projects that the user may take, soonest due first."""
    if not getattr(user, "is_authenticated", False):
        return ClientDecision.objects.none()
    # The rights the user holds in each project, as the inbox reads them (remembered by the request).
    kinds = {pk: seat.kinds for pk, seat in seats_of(user).items() if seat.kinds}
    return (
        _decisions(user)
        .filter(waiting_q(user.pk, kinds), status=DecisionStatus.OPEN)
        .order_by(F("due_date").asc(nulls_last=True), "id")
    )


@dataclass(frozen=True)
class Slip:
    """How far one task or milestone moves per day the decision is late."""

    task: Task
    finish_now: dt.datetime
    finish_delayed: dt.datetime
    slip_minutes: int
    slip_days: float


@dataclass(frozen=True)
class DelayImpact:
    """What one more working day without the decision costs the plan."""

    decision: ClientDecision
    from_day: dt.date
    to_day: dt.date
    blocked: list[Slip]
    milestones: list[Slip]

    @property
    def milestone_slip_days(self) -> float:
        """The largest milestone slip, in working days."""
        return max((s.slip_days for s in self.milestones), default=0.0)


def _hold(network: engine.Network, ids: set[int], start: dt.datetime) -> engine.Network:
    """The network with activities ``ids`` held to start no earlier than ``start``."""
    held = []
    for activity in network.activities:
        if activity.id in ids and not activity.manual and activity.actual_start is None:
            current = activity.constraint_date if activity.constraint == engine.ConstraintType.SNET else None
            if activity.constraint in (engine.ConstraintType.ASAP, engine.ConstraintType.SNET):
                date = max(start, current) if current else start
                activity = dataclasses.replace(
                    activity, constraint=engine.ConstraintType.SNET, constraint_date=date
                )
        held.append(activity)
    return dataclasses.replace(network, activities=tuple(held))


def decision_delay_impact(
    user: Viewer, decision: ClientDecision, *, today: dt.date | None = None
) -> DelayImpact:
    """How far the blocked tasks and the milestones slip per working day the decision waits.

    The plan is scheduled in memory twice with the engine — blocked tasks held to today, then to
    the next working day — and never written. Slips are in working minutes and working days of the
    project calendar; only tasks the user may see are reported.
    """
    return decision_delay_impacts(user, [decision], today=today)[0]


@dataclass
class _PlanInMemory:
    """A project's plan read once for the delay impacts of several of its decisions."""

    tasks: list[scheduling.PlanRow]
    by_id: dict[int, scheduling.PlanRow]
    leaves: dict[int, list[int]]
    calendars: Mapping[engine.CalendarId, engine.Calendar]
    network: engine.Network
    holds: dict[int, dt.datetime]
    position: dict[engine.ActivityId, int]
    #: The two schedules of a decision (decided on the first working day, or a day later) by what
    #: they depend on besides the plan: the rows held, the other decisions' holds and the two days.
    #: The plan is kept per revision and day (``derived_from_plan``), so are these.
    schedules: dict[Hashable, tuple[engine.ScheduleResult, engine.ScheduleResult]] = field(
        default_factory=dict
    )


def _plan_in_memory(project: Project) -> _PlanInMemory | None:
    # The plan as the scheduler reads it (plain rows, not model instances), read and built once.
    tasks = scheduling.load_rows(project)
    if not tasks:
        return None
    links = scheduling.load_links(project)
    calendars = scheduling.engine_calendars(project, tasks, [], until=scheduling.latest_finish(tasks))
    leaves = scheduling.leaves_of(tasks)
    network = scheduling.build_network(project, tasks, links, calendars, leaves=leaves)
    return _PlanInMemory(
        tasks,
        {t.pk: t for t in tasks},
        leaves,
        calendars,
        network,
        scheduling.holds_of(tasks, scheduling.zone_of(project)),
        {a.id: i for i, a in enumerate(network.activities)},
    )


def _without_own_hold(
    plan: _PlanInMemory, project: Project, blocked_ids: set[int], others: Mapping[int, dt.datetime]
) -> engine.Network:
    """The plan's network with the blocked rows held only by the other decisions (``others``): the
    activities of the leaves whose effective hold changes are made again, the rest are kept."""
    zone = scheduling.zone_of(project)
    # The plan is shared (``derived_from_plan``): the blocked rows are copied, never changed.
    tasks = [
        dataclasses.replace(task, held_until=others.get(task.pk)) if task.pk in blocked_ids else task
        for task in plan.tasks
    ]
    holds = scheduling.holds_of(tasks, zone)
    activities = list(plan.network.activities)
    for pk in set(holds) | set(plan.holds):
        at = plan.position.get(pk)
        if at is not None and holds.get(pk) != plan.holds.get(pk):
            activities[at] = scheduling.activity_of(plan.by_id[pk], zone, holds.get(pk))
    return dataclasses.replace(plan.network, activities=tuple(activities))


def decision_delay_impacts(
    user: Viewer, decisions: Iterable[ClientDecision], *, today: dt.date | None = None
) -> list[DelayImpact]:
    """``decision_delay_impact`` of each decision, the plan of each project read and built once
    (the project home shows up to three; on a plan of thousands of tasks the read and the network
    cost more than the two schedules of each decision)."""
    decisions = list(decisions)
    # Every blocked task of every decision, with one query; a project whose decisions block nothing
    # is not read at all.
    blocked: dict[int, set[int]] = {decision.pk: set() for decision in decisions}
    through = ClientDecision.blocked_tasks.through
    for decision_id, task_id in through.objects.filter(clientdecision_id__in=list(blocked)).values_list(
        "clientdecision_id", "task_id"
    ):
        blocked[decision_id].add(task_id)
    plans: dict[int, _PlanInMemory | None] = {}
    out: list[DelayImpact] = []
    day = today or timezone.localdate()
    for decision in decisions:
        project = decision.project
        if blocked[decision.pk] and project.pk not in plans:
            plans[project.pk] = scheduling.derived_from_plan(
                project, "decision delays", functools.partial(_plan_in_memory, project), whole_plan=True
            )
        out.append(_delay_impact(user, decision, blocked[decision.pk], plans.get(project.pk), day))
    return out


def _delay_impact(
    user: Viewer, decision: ClientDecision, blocked_ids: set[int], plan: _PlanInMemory | None, today: dt.date
) -> DelayImpact:
    project = decision.project
    if plan is None or not blocked_ids:
        return DelayImpact(decision, today, today, [], [])
    # The decision's own hold on its tasks is what is being measured: drop it, keep other decisions'.
    others: dict[int, dt.datetime] = {}
    other_decisions = list(
        ClientDecision.objects.filter(
            project=project, status=DecisionStatus.OPEN, blocked_tasks__in=blocked_ids
        )
        .exclude(pk=decision.pk)
        .distinct()
        .prefetch_related("blocked_tasks")
    )
    if other_decisions:
        next_day = next_working_day(project, today)
        for other in other_decisions:
            until = hold_start(project, other, next_day)
            for held_task in other.blocked_tasks.all():
                if held_task.pk in blocked_ids:
                    others[held_task.pk] = max(others.get(held_task.pk, until), until)
    tasks, leaves, calendars = plan.tasks, plan.leaves, plan.calendars
    held: set[int] = set()
    for pk in blocked_ids:
        held.update(leaves.get(pk) or [pk])
    calendar = calendars[scheduling.PROJECT_CALENDAR_ID]
    # The decision could come on the first working day from today on (today itself on a working
    # day; Monday on a weekend), or one working day later: the slip is what that one day costs.
    days = working_days(calendar, today, today + dt.timedelta(days=60))
    first = days[0] if days else today
    second = days[1] if len(days) > 1 else first + dt.timedelta(days=1)
    start_now = dt.datetime.combine(first, dt.time(0, 0))
    start_later = dt.datetime.combine(second, dt.time(0, 0))
    key = (frozenset(held), frozenset(others.items()), start_now, start_later)
    found = plan.schedules.get(key)
    if found is None:
        network = _without_own_hold(plan, project, blocked_ids, others)
        found = (
            engine.schedule(_hold(network, held, start_now)),
            engine.schedule(_hold(network, held, start_later)),
        )
        plan.schedules[key] = found  # another thread may have put the same schedules: either is right
    now, later = found
    day_minutes = (
        engine.working_minutes_between(calendar, start_later, start_later + dt.timedelta(days=1)) or 480
    )
    milestone_ids = [t.pk for t in tasks if t.kind == TaskKind.MILESTONE]
    # Only the rows reported, and only those the user may see, as tasks.
    shown = {
        t.pk: t
        for t in Task.objects.visible_to(user).filter(project=project, pk__in=[*blocked_ids, *milestone_ids])
    }
    zone = scheduling.zone_of(project)

    def slip(task: Task, ids: list[int]) -> Slip | None:
        rows_now = [now[i] for i in ids if i in now]
        rows_later = [later[i] for i in ids if i in later]
        if not rows_now or not rows_later:
            return None
        a, b = max(r.finish for r in rows_now), max(r.finish for r in rows_later)
        minutes = engine.working_minutes_between(calendar, a, b)
        return Slip(
            task,
            scheduling.to_aware(a, zone),  # type: ignore[arg-type]
            scheduling.to_aware(b, zone),  # type: ignore[arg-type]
            minutes,
            round(minutes / day_minutes, 2),
        )

    blocked = [
        s
        for pk in sorted(blocked_ids)
        if pk in shown and (s := slip(shown[pk], leaves.get(pk) or [pk])) is not None
    ]
    milestones = [s for pk in milestone_ids if pk in shown and (s := slip(shown[pk], [pk])) is not None]
    return DelayImpact(decision, first, second, blocked, milestones)


# ---------------------------------------------------------------- risks on the plan


@dataclass(frozen=True)
class TaskRisk:
    """An open, monitored or occurred risk linked to a task, as the viewer may see it."""

    id: int
    title: str
    level: str
    score: int
    contingency_days: int


_LEVEL_RANK = {level.value: rank for rank, level in enumerate(RiskLevel)}


def _active_links(user: Viewer, project: Project) -> QuerySet[Any]:
    """Links from the open, monitored or occurred risks the user sees to the tasks the user sees."""
    through = Risk.tasks.through
    return (
        through.objects.filter(
            risk__in=Risk.objects.visible_to(user).filter(project=project, status__in=PLAN_RISK_STATUSES),
            task__in=Task.objects.visible_to(user).filter(project=project),
        )
        .values_list("task_id", "risk_id", "risk__title", "risk__score", "risk__contingency_days")
        .order_by("-risk__score", "risk_id")
    )


def risks_by_task(user: Viewer, project: Project) -> dict[int, list[TaskRisk]]:
    """For each task the user may see, the open, monitored or occurred risks linked to it
    that the user may see, worst first.

    Two queries whatever the plan's size: the thresholds and the links with their risks.
    """
    thresholds = settings_for(project)
    out: dict[int, list[TaskRisk]] = {}
    for task_id, risk_id, title, score, days in _active_links(user, project):
        out.setdefault(task_id, []).append(TaskRisk(risk_id, title, thresholds.level_of(score), score, days))
    return out


def worst_level(risks: list[TaskRisk]) -> str:
    """The highest level among ``risks`` (``""`` when there are none)."""
    return max((r.level for r in risks), key=lambda level: _LEVEL_RANK.get(level, -1), default="")


@dataclass(frozen=True)
class Buffer:
    """A milestone's schedule buffer: the contingency of the risks upstream of it, in working days."""

    days: int
    risks: list[TaskRisk]

    def finish(
        self, project: Project, forecast: dt.datetime | None, calendar: engine.Calendar | None = None
    ) -> dt.datetime | None:
        """The forecast moved ``days`` working days later on the project calendar (same time of day).

        Pass ``calendar`` (``scheduling.project_engine_calendar``) when moving several forecasts.
        """
        if forecast is None or not self.days:
            return forecast
        calendar = calendar or scheduling.project_engine_calendar(project)
        zone = scheduling.zone_of(project)
        local = scheduling.to_local(forecast, zone)
        assert local is not None
        first = local.date() + dt.timedelta(days=1)
        days: list[dt.date] = []
        horizon = first
        while len(days) < self.days and (horizon - first).days < 3660:
            last = horizon + dt.timedelta(days=self.days * 2 + 14)
            days.extend(working_days(calendar, horizon, last))
            horizon = last + dt.timedelta(days=1)
        if len(days) < self.days:  # a calendar with no working time: count calendar days
            return forecast + dt.timedelta(days=self.days)
        return scheduling.to_aware(dt.datetime.combine(days[self.days - 1], local.time()), zone)


def predecessor_cone(
    tasks: list[tuple[int, int | None]], links: list[tuple[int, int]]
) -> dict[int, set[int]]:
    """For every task, the tasks whose finish can hold it up, itself included.

    ``tasks`` are ``(id, parent_id)`` pairs and ``links`` ``(predecessor_id, successor_id)`` pairs. As
    the scheduler reads them, a link into a summary row binds every task below it, and a link from a
    summary row waits for every task below it. So the cone of a task holds its own predecessors, its
    ancestors' predecessors, every task below a summary row met on the way, and, recursively, theirs.
    """
    parent = dict(tasks)
    children: dict[int, list[int]] = {}
    for task_id, parent_id in tasks:
        if parent_id is not None:
            children.setdefault(parent_id, []).append(task_id)
    preds: dict[int, list[int]] = {}
    for before, after in links:
        preds.setdefault(after, []).append(before)
    cones: dict[int, set[int]] = {}
    for start in parent:
        seen: set[int] = set()
        stack = [start]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(children.get(current, []))  # a summary waits for its tasks
            stack.extend(preds.get(current, []))
            up = parent.get(current)
            while up is not None:  # links into an ancestor bind this task too
                stack.extend(preds.get(up, []))
                up = parent.get(up)
        cones[start] = seen
    return cones


def milestone_buffers(user: Viewer, project: Project) -> dict[int, Buffer]:
    """For each milestone of ``project``, the contingency of the open risks upstream of it.

    The buffer is the sum of ``contingency_days`` of the open, monitored or occurred risks the
    user may see that are linked to the milestone or to any task in its predecessor cone (see
    :func:`predecessor_cone`), each risk counted once. The cone is walked over the whole plan, but
    only links to tasks the user may see count, so a client's buffer never includes an internal
    risk or a risk through an internal task. Four queries: tasks, dependencies, thresholds, links.
    """
    rows = list(Task.objects.filter(project=project).values_list("id", "parent_id", "kind"))
    milestones = [pk for pk, _parent, kind in rows if kind == TaskKind.MILESTONE]
    if not milestones:
        return {}
    links = list(Dependency.objects.filter(project=project).values_list("predecessor_id", "successor_id"))
    by_task = risks_by_task(user, project)
    cones = predecessor_cone([(pk, parent) for pk, parent, _kind in rows], links)
    out: dict[int, Buffer] = {}
    for pk in milestones:
        found: dict[int, TaskRisk] = {}
        for task_id in cones.get(pk, {pk}):
            for risk in by_task.get(task_id, []):
                found.setdefault(risk.id, risk)
        risks = sorted(found.values(), key=lambda r: (-r.score, r.id))
        out[pk] = Buffer(sum(r.contingency_days for r in risks), risks)
    return out
