"""The write side of planning: each change is one transaction, audited, and reschedules the project."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import EllipsisType
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.core import audit, versioning
from tandem.core.bulk import bulk_write
from tandem.core.choices import Visibility
from tandem.planning import scheduling, writing
from tandem.planning.choices import (
    DATED_CONSTRAINTS,
    CalendarBase,
    ConstraintType,
    DependencyType,
    TaskKind,
    TaskStatus,
)
from tandem.planning.models import (
    Baseline,
    BaselineTask,
    Calendar,
    CalendarException,
    CalendarFeed,
    Dependency,
    Task,
)
from tandem.projects import permissions
from tandem.projects.choices import DecisionKind
from tandem.projects.models import Deliverable, Project
from tandem.projects.permissions import Action

#: Fields a plan editor may set on a task (``*_id`` fields name related rows).
TASK_FIELDS = (
    "name",
    "description",
    "kind",
    "parent_id",
    "position",
    "owner_id",
    "duration_minutes",
    "optimistic_minutes",
    "most_likely_minutes",
    "pessimistic_minutes",
    "start",
    "finish",
    "deadline",
    "status",
    "percent_complete",
    "actual_start",
    "actual_finish",
    "manual",
    "constraint_type",
    "constraint_date",
    "calendar_id",
    "deliverable_id",
    "visibility",
)
#: Fields a task's owner may report without the right to edit the plan.
PROGRESS_FIELDS = ("status", "percent_complete", "actual_start", "actual_finish")
AUDITED_FIELDS = tuple(f for f in TASK_FIELDS if f not in ("position",))
DEPENDENCY_FIELDS = ("type", "lag_minutes", "elapsed")
#: The longest lag or lead a link may have (about 57 working years), as the API allows.
MAX_LAG_MINUTES = 10_000_000


# ---------------------------------------------------------------- helpers


def _check_version(current: Any, version: int | None) -> None:
    versioning.check_version(
        current,
        version,
        _(
            "Someone else changed this task in the meantime (you edited version %(yours)s, it is now at "
            "version %(theirs)s). Reload to see their change, then apply yours again."
        ),
    )


def _locked_task(task: Task) -> Task:
    return Task.objects.select_for_update().get(pk=task.pk)


def _is_client_side(actor: User, project: Project) -> bool:
    return not permissions.is_team(actor, project)


class TaskRef(NamedTuple):
    """What a plan edit needs to know of a task it names."""

    pk: int
    kind: str
    visibility: str
    name: str


class PlanLookups:
    """The rows a plan edit names, checked against what the actor may see.

    A single edit asks one question per field it sets (one small query each). A bulk request calls
    ``preload()`` first: the plan's visible tasks, tree, links, members, calendars and deliverables are
    read once, every question after that is answered from memory, and the rows the request adds are
    registered as it goes (``added_task``, ``added_link``), so a bulk request costs a fixed number of
    queries whatever its size.
    """

    def __init__(self, project: Project, actor: User) -> None:
        self.project = project
        self.actor = actor
        self.loaded = False
        self._tasks: dict[int, TaskRef] = {}
        self._parents: dict[int, int | None] = {}
        self._links: set[tuple[int, int]] = set()
        self._members: set[int] = set()
        self._calendars: set[int] = set()
        self._deliverables: set[int] = set()
        self._positions: dict[int | None, int] = {}

    def preload(self) -> PlanLookups:
        """Read everything once (for a bulk request)."""
        project, actor = self.project, self.actor
        visible = Task.objects.visible_to(actor).filter(project=project)
        self._tasks = {
            row[0]: TaskRef(*row) for row in visible.values_list("id", "kind", "visibility", "name")
        }
        tree = Task.objects.filter(project=project).values_list("id", "parent_id", "position")
        for pk, parent_id, position in tree:
            self._parents[pk] = parent_id
            self._positions[parent_id] = max(self._positions.get(parent_id, -1), position)
        self._links = set(
            Dependency.objects.filter(project=project).values_list("predecessor_id", "successor_id")
        )
        self._members = set(project.memberships.values_list("user_id", flat=True))
        self._calendars = set(Calendar.objects.filter(project=project).values_list("id", flat=True))
        self._deliverables = set(
            Deliverable.objects.visible_to(actor).filter(project=project).values_list("id", flat=True)
        )
        self.loaded = True
        return self

    def task(self, pk: Any, field: str) -> TaskRef:
        """A task of the project the actor may see, or a ValidationError on ``field``."""
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            raise ValidationError({field: [_("Choose a task of this project.")]}) from None
        if self.loaded:
            found = self._tasks.get(pk)
        else:
            row = (
                Task.objects.visible_to(self.actor)
                .filter(project=self.project, pk=pk)
                .values_list("id", "kind", "visibility", "name")
                .first()
            )
            found = TaskRef(*row) if row else None
        if found is None:
            raise ValidationError({field: [_("Choose a task of this project.")]})
        return found

    def sees(self, pk: int) -> bool:
        """Whether the actor sees task ``pk`` (after ``preload``)."""
        return pk in self._tasks

    def ancestors(self, *task_ids: int) -> dict[int, list[int]]:
        """For each of ``task_ids``: the task and the tasks above it, read with one query that climbs
        from them alone (after ``preload``, from the tree in memory) rather than the whole tree."""
        if self.loaded:
            return {pk: _ancestor_ids(pk, self._parents) for pk in task_ids}
        connection = connections[router.db_for_read(Task)]
        table = connection.ops.quote_name(Task._meta.db_table)
        marks = ", ".join(["%s"] * len(task_ids))
        anchor = f"SELECT id, id, parent_id FROM {table} WHERE id IN ({marks}) AND project_id = %s"  # noqa: S608
        step = f"SELECT up.origin, t.id, t.parent_id FROM {table} t JOIN up ON t.id = up.parent_id"  # noqa: S608
        # UNION, not UNION ALL: a parent loop in a damaged tree ends the climb instead of running on.
        climb = f"{anchor} UNION {step}"
        sql = f"WITH RECURSIVE up(origin, id, parent_id) AS ({climb}) SELECT origin, id FROM up"  # noqa: S608
        found: dict[int, list[int]] = {pk: [] for pk in task_ids}
        with connection.cursor() as cursor:
            cursor.execute(sql, [*task_ids, self.project.pk])
            for origin, pk in cursor.fetchall():
                found[origin].append(pk)
        return found

    def is_member(self, user_id: Any) -> bool:
        if self.loaded:
            return user_id in self._members
        return self.project.memberships.filter(user_id=user_id).exists()

    def has_calendar(self, calendar_id: Any) -> bool:
        if self.loaded:
            return calendar_id in self._calendars
        return Calendar.objects.filter(project=self.project, pk=calendar_id).exists()

    def has_deliverable(self, deliverable_id: Any) -> bool:
        if self.loaded:
            return deliverable_id in self._deliverables
        visible = Deliverable.objects.visible_to(self.actor).filter(project=self.project, pk=deliverable_id)
        return visible.exists()

    def is_linked(self, predecessor_id: int, successor_id: int) -> bool:
        if self.loaded:
            return (predecessor_id, successor_id) in self._links
        return Dependency.objects.filter(predecessor_id=predecessor_id, successor_id=successor_id).exists()

    def next_position(self, parent_id: int | None) -> int:
        """The position after the last child of ``parent_id`` (taken: the next call gives the one after)."""
        if not self.loaded:
            last = Task.objects.filter(project=self.project, parent_id=parent_id).aggregate(
                m=models.Max("position")
            )["m"]
            return 0 if last is None else last + 1
        position = self._positions.get(parent_id, -1) + 1
        self._positions[parent_id] = position
        return position

    def added_task(self, task: Task) -> None:
        """Register a task the request inserted."""
        if self.loaded:
            self._tasks[task.pk] = TaskRef(task.pk, task.kind, task.visibility, task.name)
            self._parents[task.pk] = task.parent_id

    def added_link(self, link: Dependency) -> None:
        """Register a link the request inserted."""
        if self.loaded:
            self._links.add((link.predecessor_id, link.successor_id))


def _clean_lag(value: Any) -> int:
    """A link's lag in minutes within the engine's range, or a ValidationError on ``lag_minutes``."""
    try:
        lag = int(value or 0)
    except (TypeError, ValueError):
        raise ValidationError({"lag_minutes": [_("Enter a whole number of minutes.")]}) from None
    if abs(lag) > MAX_LAG_MINUTES:
        raise ValidationError({"lag_minutes": [_("A lag can be at most 10,000,000 minutes either way.")]})
    return lag


def _record_visibility(*tasks: Task | TaskRef) -> str:
    return Visibility.SHARED if all(t.visibility == Visibility.SHARED for t in tasks) else Visibility.INTERNAL


def _ancestor_ids(task_id: int | None, parents: Mapping[int, int | None]) -> list[int]:
    out: list[int] = []
    while task_id is not None and task_id not in out:
        out.append(task_id)
        task_id = parents.get(task_id)
    return out


def _resolve_links(task: Task, data: Mapping[str, Any], lookups: PlanLookups) -> None:
    """Check and set the related rows named by ``*_id`` fields."""
    if "parent_id" in data:
        parent_id = data["parent_id"]
        if parent_id is None:
            task.parent = None
        else:
            parent = lookups.task(parent_id, "parent_id")
            if parent.kind == TaskKind.MILESTONE:
                raise ValidationError({"parent_id": [_("A milestone cannot contain other tasks.")]})
            if task.pk is not None and task.pk in lookups.ancestors(parent.pk)[parent.pk]:
                raise ValidationError(
                    {"parent_id": [_("A task cannot be moved under itself or its own subtasks.")]}
                )
            task.parent_id = parent.pk
    if "owner_id" in data:
        owner_id = data["owner_id"]
        if owner_id is not None and not lookups.is_member(owner_id):
            raise ValidationError({"owner_id": [_("Choose a member of this project.")]})
        task.owner_id = owner_id
    if "calendar_id" in data:
        calendar_id = data["calendar_id"]
        if calendar_id is not None and not lookups.has_calendar(calendar_id):
            raise ValidationError({"calendar_id": [_("Choose a calendar of this project.")]})
        task.calendar_id = calendar_id
    if "deliverable_id" in data:
        deliverable_id = data["deliverable_id"]
        if deliverable_id is not None and not lookups.has_deliverable(deliverable_id):
            raise ValidationError({"deliverable_id": [_("Choose a deliverable of this project.")]})
        task.deliverable_id = deliverable_id


def _assign(
    task: Task,
    data: Mapping[str, Any],
    allowed: Sequence[str],
    actor: User,
    lookups: PlanLookups | None = None,
) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
    _resolve_links(task, data, lookups or PlanLookups(task.project, actor))
    zone = scheduling.zone_of(task.project)
    for name, value in data.items():
        if name.endswith("_id"):
            continue
        if isinstance(value, dt.datetime) and timezone.is_naive(value):
            value = scheduling.to_aware(value, zone)  # a naive time is the project's local time
        if value is None and name in ("description",):
            value = ""
        setattr(task, name, value)


def _validate(task: Task, actor: User) -> None:
    """The task's invariants, each error naming its field."""
    errors: dict[str, list[str]] = {}
    if task.kind == TaskKind.MILESTONE:
        task.duration_minutes = 0
    if task.constraint_type in DATED_CONSTRAINTS and task.constraint_date is None:
        errors["constraint_date"] = [_("This constraint needs a date.")]
    if task.constraint_type not in DATED_CONSTRAINTS:
        task.constraint_date = None
    if task.manual and task.start is None:
        errors["start"] = [_("A manually scheduled task needs a start.")]
    if task.manual and task.start and task.finish and task.finish < task.start:
        errors["finish"] = [_("The finish cannot be before the start.")]
    if task.actual_start and task.actual_finish and task.actual_finish < task.actual_start:
        errors["actual_finish"] = [_("The actual finish cannot be before the actual start.")]
    if task.actual_finish and not task.actual_start:
        task.actual_start = (
            task.start if task.start and task.start <= task.actual_finish else task.actual_finish
        )
    o, m, p = task.optimistic_minutes, task.most_likely_minutes, task.pessimistic_minutes
    if o is not None and m is not None and o > m:
        errors["optimistic_minutes"] = [_("The optimistic estimate cannot exceed the most likely one.")]
    if m is not None and p is not None and m > p:
        errors["pessimistic_minutes"] = [_("The pessimistic estimate cannot be below the most likely one.")]
    if task.percent_complete is not None and not 0 <= task.percent_complete <= 100:
        errors["percent_complete"] = [_("Enter a percentage from 0 to 100.")]
    if errors:
        raise ValidationError(errors)
    # Progress and status agree with each other.
    if task.status == TaskStatus.DONE:
        task.percent_complete = 100
    elif task.percent_complete == 100:
        task.status = TaskStatus.DONE
    elif task.percent_complete and task.status == TaskStatus.NOT_STARTED:
        task.status = TaskStatus.IN_PROGRESS
    if task.status == TaskStatus.DONE and task.actual_finish is None and task.finish is not None:
        task.actual_start = task.actual_start or task.start
        task.actual_finish = task.finish
    if task.status in (TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED) and task.actual_start is None:
        task.actual_start = task.start
    if _is_client_side(actor, task.project) and task.visibility != Visibility.SHARED:
        raise ValidationError({"visibility": [_("Tasks written by the client are always shared.")]})
    # The related rows were checked against what the actor may see (``_resolve_links``).
    task.full_clean(
        exclude=["wbs", "shared_wbs", "outline_key", "project", "parent", "owner", "calendar", "deliverable"],
        validate_constraints=False,
    )


# ---------------------------------------------------------------- tasks


def _new_task(project: Project, actor: User, data: dict[str, Any], lookups: PlanLookups) -> Task:
    """A new row of the plan from the caller's fields, checked (not saved)."""
    task = Task(project=project)
    if _is_client_side(actor, project):
        data.setdefault("visibility", Visibility.SHARED)
    _assign(task, data, TASK_FIELDS, actor, lookups)
    if "position" not in data:
        task.position = lookups.next_position(task.parent_id)
    if task.manual and task.start and task.finish is None:
        task.finish = scheduling.finish_after(project, task.start, task.duration_minutes)
    _validate(task, actor)
    return task


@transaction.atomic
def do_add_task(project: Project, *, actor: User, **data: Any) -> Task:
    """Add a task (or phase, work package, milestone) to the plan and reschedule."""
    permissions.require(actor, project, Action.EDIT_PLAN)
    writing.lock_plan(project)
    task = _new_task(project, actor, data, PlanLookups(project, actor))
    task.save()
    writing.plan_changed(project)
    task.refresh_from_db()
    audit.record(
        actor=actor,
        verb="added",
        target=task,
        project=project,
        visibility=task.visibility,
        changes={
            k: [None, v] for k, v in audit.field_values(task, ("name", "kind", "duration_minutes")).items()
        },
    )
    return task


@transaction.atomic
def do_update_task(
    task: Task, *, version: int | None, actor: User, lookups: PlanLookups | None = None, **data: Any
) -> Task:
    """Change a task, based on the version the caller read; its owner may report progress alone."""
    project = task.project
    if permissions.can(actor, project, Action.EDIT_PLAN):
        allowed: Sequence[str] = TASK_FIELDS
    elif task.owner_id == actor.pk and set(data) <= set(PROGRESS_FIELDS):
        allowed = PROGRESS_FIELDS
    else:
        raise PermissionDenied(_("Your role in this project does not allow this."))
    writing.lock_plan(project)
    current = _locked_task(task)
    current.project = project
    _check_version(current, version)
    before = audit.field_values(current, AUDITED_FIELDS)
    was_manual = current.manual
    _assign(current, data, allowed, actor, lookups)
    if (
        current.manual
        and current.start
        and ("duration_minutes" in data or not was_manual)
        and "finish" not in data
    ):
        current.finish = scheduling.finish_after(project, current.start, current.duration_minutes)
    _validate(current, actor)
    current.version += 1
    current.save()
    writing.plan_changed(project)
    current.refresh_from_db()
    changes = audit.changed(before, audit.field_values(current, AUDITED_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            verb="updated",
            target=current,
            project=project,
            changes=changes,
            visibility=Visibility.SHARED
            if before.get("visibility") == Visibility.SHARED and current.visibility == Visibility.SHARED
            else Visibility.INTERNAL,
        )
    return current


def _record_visibility_of(task: Task) -> str:
    return Visibility.SHARED if task.visibility == Visibility.SHARED else Visibility.INTERNAL


@transaction.atomic
def do_add_task_by_decision(project: Project, *, actor: User, decision: str, **data: Any) -> Task:
    """Add a task on the authority of a decision the actor holds (the rework a rejected acceptance
    asks for) rather than the right to edit the plan; audited like any added task."""
    permissions.require_decision(actor, project, decision)
    writing.lock_plan(project)
    task = _new_task(project, actor, data, PlanLookups(project, actor))
    task.save()
    writing.plan_changed(project)
    task.refresh_from_db()
    audit.record(
        actor=actor,
        verb="added",
        target=task,
        project=project,
        visibility=_record_visibility_of(task),
        changes={
            "decision": [None, decision],
            **{k: [None, v] for k, v in audit.field_values(task, ("name", "kind")).items()},
        },
    )
    return task


@transaction.atomic
def do_set_milestone_reached(
    task: Task, *, actor: User, decision: str, reached: bool, at: dt.datetime | None = None
) -> Task:
    """Complete a milestone (100 %, actual finish ``at``) or open it again (0 %) on the authority of a
    decision the actor holds (accepting a deliverable), not the plan edit right; audited."""
    project = task.project
    permissions.require_decision(actor, project, decision)
    if task.kind != TaskKind.MILESTONE:
        raise ValidationError({"milestone": [_("This task is not a milestone.")]})
    writing.lock_plan(project)
    current = _locked_task(task)
    current.project = project
    before = audit.field_values(current, PROGRESS_FIELDS)
    if reached:
        moment = at or timezone.now()
        current.status = TaskStatus.DONE
        current.percent_complete = 100
        current.actual_finish = moment
        if current.actual_start is None or current.actual_start > moment:
            current.actual_start = moment
    else:
        current.status = TaskStatus.NOT_STARTED
        current.percent_complete = 0
        current.actual_start = None
        current.actual_finish = None
    changes = audit.changed(before, audit.field_values(current, PROGRESS_FIELDS))
    if not changes:
        return current
    current.version += 1
    current.save(update_fields=[*PROGRESS_FIELDS, "version", "updated_at"])
    writing.plan_changed(project)
    current.refresh_from_db()
    audit.record(
        actor=actor,
        verb="reached" if reached else "reopened",
        target=current,
        project=project,
        visibility=_record_visibility_of(current),
        changes={"decision": [None, decision], **changes},
    )
    return current


@transaction.atomic
def do_move_task(
    task: Task,
    *,
    version: int | None,
    actor: User,
    start: dt.datetime | None = None,
    parent_id: int | EllipsisType | None = ...,
    position: int | None = None,
) -> Task:
    """Move a task in time (a Gantt drag: a start-no-earlier-than date, or new manual dates) or in the WBS."""
    permissions.require(actor, task.project, Action.EDIT_PLAN)
    project = task.project
    writing.lock_plan(project)
    current = _locked_task(task)
    current.project = project
    _check_version(current, version)
    before = audit.field_values(current, (*AUDITED_FIELDS, "position"))
    if start is not None:
        if timezone.is_naive(start):
            start = scheduling.to_aware(start, scheduling.zone_of(project))
        assert start is not None
        if current.manual:
            current.start = start
            current.finish = scheduling.finish_after(project, start, current.duration_minutes)
        else:
            current.constraint_type = ConstraintType.SNET
            current.constraint_date = start
    if parent_id is not ...:
        _resolve_links(current, {"parent_id": parent_id}, PlanLookups(project, actor))
    if parent_id is not ... or position is not None:
        siblings = list(
            Task.objects.select_for_update()
            .filter(project=project, parent_id=current.parent_id)
            .exclude(pk=current.pk)
            .order_by("position", "id")
        )
        index = len(siblings) if position is None else max(0, min(int(position), len(siblings)))
        siblings.insert(index, current)
        for rank, sibling in enumerate(siblings):
            sibling.position = rank
        bulk_write(Task, [s for s in siblings if s.pk != current.pk], ["position"])
    _validate(current, actor)
    current.version += 1
    current.save()
    writing.plan_changed(project)
    current.refresh_from_db()
    changes = audit.changed(before, audit.field_values(current, (*AUDITED_FIELDS, "position")))
    if changes:
        audit.record(
            actor=actor,
            verb="moved",
            target=current,
            project=project,
            changes=changes,
            visibility=current.visibility,
        )
    return current


@transaction.atomic
def do_delete_task(task: Task, *, version: int | None, actor: User) -> None:
    """Delete a task with its subtasks and links, and reschedule."""
    permissions.require(actor, task.project, Action.EDIT_PLAN)
    project = task.project
    writing.lock_plan(project)
    current = _locked_task(task)
    _check_version(current, version)
    parents = dict(Task.objects.filter(project=project).values_list("id", "parent_id"))
    below = [pk for pk in parents if current.pk in _ancestor_ids(pk, parents)]
    if (
        _is_client_side(actor, project)
        and Task.objects.filter(pk__in=below, visibility=Visibility.INTERNAL).exists()
    ):
        # The client may not remove what it cannot see.
        raise PermissionDenied(_("This task contains work only the team can change."))
    audit.record(
        actor=actor,
        verb="removed",
        target=current,
        project=project,
        visibility=current.visibility,
        changes={"name": [current.name, None], "subtasks": [len(below) - 1, None]},
    )
    current.delete()
    writing.plan_changed(project)


# ---------------------------------------------------------------- dependencies


def _new_link(
    project: Project,
    lookups: PlanLookups,
    *,
    predecessor_id: Any,
    successor_id: Any,
    type: str = DependencyType.FS,
    lag_minutes: Any = 0,
    elapsed: bool = False,
) -> tuple[Dependency, TaskRef, TaskRef]:
    """A new link between two tasks the actor sees, checked (not saved), and its two ends."""
    predecessor = lookups.task(predecessor_id, "predecessor_id")
    successor = lookups.task(successor_id, "successor_id")
    if predecessor.pk == successor.pk:
        raise ValidationError({"successor_id": [_("A task cannot depend on itself.")]})
    if type not in DependencyType.values:
        raise ValidationError({"type": [_("Choose one of FS, SS, FF, SF.")]})
    above = lookups.ancestors(predecessor.pk, successor.pk)
    if predecessor.pk in above[successor.pk] or successor.pk in above[predecessor.pk]:
        raise ValidationError(
            {"successor_id": [_("A task cannot be linked to its own summary task or subtasks.")]}
        )
    if lookups.is_linked(predecessor.pk, successor.pk):
        raise ValidationError({"successor_id": [_("These tasks are already linked.")]})
    link = Dependency(
        project=project,
        predecessor_id=predecessor.pk,
        successor_id=successor.pk,
        type=type,
        lag_minutes=_clean_lag(lag_minutes),
        elapsed=bool(elapsed),
    )
    link.full_clean(exclude=["project", "predecessor", "successor"], validate_constraints=False)
    return link, predecessor, successor


@transaction.atomic
def do_add_dependency(
    project: Project,
    *,
    predecessor_id: Any,
    successor_id: Any,
    actor: User,
    type: str = DependencyType.FS,
    lag_minutes: int = 0,
    elapsed: bool = False,
) -> Dependency:
    """Link two tasks; a link that would close a loop is refused, naming the tasks in the loop."""
    permissions.require(actor, project, Action.EDIT_PLAN)
    writing.lock_plan(project)
    lookups = PlanLookups(project, actor)
    link, predecessor, successor = _new_link(
        project,
        lookups,
        predecessor_id=predecessor_id,
        successor_id=successor_id,
        type=type,
        lag_minutes=lag_minutes,
        elapsed=elapsed,
    )
    link.save()
    writing.plan_changed(project)
    audit.record(
        actor=actor,
        verb="linked",
        target=link,
        project=project,
        label=f"{predecessor.name} → {successor.name}",
        visibility=_record_visibility(predecessor, successor),
        changes={"type": [None, type], "lag_minutes": [None, link.lag_minutes]},
    )
    return link


@transaction.atomic
def do_update_dependency(link: Dependency, *, actor: User, **data: Any) -> Dependency:
    """Change a link's type, lag or elapsed flag in place, checked as a new link is, and reschedule."""
    project = link.project
    permissions.require(actor, project, Action.EDIT_PLAN)
    writing.lock_plan(project)
    current = (
        Dependency.objects.select_for_update().select_related("predecessor", "successor").get(pk=link.pk)
    )
    if not Dependency.objects.visible_to(actor).filter(pk=current.pk).exists():
        # As when adding a link: the client may not change a link to work it cannot see.
        raise PermissionDenied(_("This link touches work only the team can change."))
    unknown = sorted(set(data) - set(DEPENDENCY_FIELDS))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
    if "type" in data and data["type"] not in DependencyType.values:
        raise ValidationError({"type": [_("Choose one of FS, SS, FF, SF.")]})
    if "lag_minutes" in data:
        data["lag_minutes"] = _clean_lag(data["lag_minutes"])
    if "elapsed" in data:
        data["elapsed"] = bool(data["elapsed"])
    before = audit.field_values(current, DEPENDENCY_FIELDS)
    for name, value in data.items():
        setattr(current, name, value)
    current.full_clean(validate_constraints=False)
    current.save()
    writing.plan_changed(project)
    changes = audit.changed(before, audit.field_values(current, DEPENDENCY_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            verb="changed link",
            target=current,
            project=project,
            changes=changes,
            label=f"{current.predecessor.name} → {current.successor.name}",
            visibility=_record_visibility(current.predecessor, current.successor),
        )
    return current


@transaction.atomic
def do_remove_dependency(link: Dependency, *, actor: User) -> None:
    """Remove a link and reschedule."""
    project = link.project
    permissions.require(actor, project, Action.EDIT_PLAN)
    writing.lock_plan(project)
    current = Dependency.objects.select_related("predecessor", "successor").get(pk=link.pk)
    audit.record(
        actor=actor,
        verb="unlinked",
        target=current,
        project=project,
        label=f"{current.predecessor.name} → {current.successor.name}",
        visibility=_record_visibility(current.predecessor, current.successor),
    )
    current.delete()
    writing.plan_changed(project)


# ---------------------------------------------------------------- many rows at once

#: The most rows one bulk request may create, change or link (each list).
BULK_LIMIT = 10_000


@dataclass
class BulkOutcome:
    """What a bulk request did: the tasks it added and changed, the links it added, and each ``ref``'s id."""

    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    links: list[int] = field(default_factory=list)
    refs: dict[str, int] = field(default_factory=dict)


def _prefixed(error: ValidationError, prefix: str) -> ValidationError:
    """The error with every field name under ``prefix`` (``create.3.name``)."""
    if hasattr(error, "error_dict"):
        return ValidationError(
            {f"{prefix}.{name}": messages for name, messages in error.message_dict.items()}
        )
    return ValidationError({prefix: error.messages})


def _ref_or_id(item: dict[str, Any], name: str, refs: Mapping[str, int], where: str) -> Any:
    """``{name}_id`` as given, or the id of the task ``{name}_ref`` names (added earlier in the request)."""
    ref = item.pop(f"{name}_ref", None)
    if ref is None:
        return item.pop(f"{name}_id", None)
    item.pop(f"{name}_id", None)
    if ref not in refs:
        raise ValidationError(
            {f"{where}.{name}_ref": [_("Name a task added earlier in this request (its “ref”).")]}
        )
    return refs[ref]


@transaction.atomic
def do_bulk_plan(
    project: Project,
    *,
    actor: User,
    create: Sequence[Mapping[str, Any]] = (),
    update: Sequence[Mapping[str, Any]] = (),
    links: Sequence[Mapping[str, Any]] = (),
) -> BulkOutcome:
    """Add tasks, change tasks and link tasks in one transaction with one reschedule: all or nothing.

    ``create`` items take the task fields plus an optional ``ref`` (a name later items use:
    ``parent_ref``, ``predecessor_ref``, ``successor_ref``); ``update`` items an ``id`` and the
    ``version`` read; ``links`` items the link fields. The rows an item names are checked as a single
    edit checks them, from lookups read once; an error names its item (``create.3.name``).
    """
    permissions.require(actor, project, Action.EDIT_PLAN)
    for name, items in (("create", create), ("update", update), ("links", links)):
        if len(items) > BULK_LIMIT:
            raise ValidationError({name: [_("Send at most %(n)s rows at once.") % {"n": f"{BULK_LIMIT:,}"}]})
    outcome = BulkOutcome()
    with writing.one_reschedule(project):
        lookups = PlanLookups(project, actor).preload()
        entries: list[Any] = []
        pending: list[tuple[Task, str | None]] = []
        pending_refs: set[str] = set()

        def flush() -> None:
            """Insert the tasks built so far (a later row names one of them as its parent)."""
            Task.objects.bulk_create([task for task, _ref in pending], batch_size=500)
            for task, ref in pending:
                lookups.added_task(task)
                outcome.created.append(task.pk)
                if ref is not None:
                    outcome.refs[ref] = task.pk
                entries.append(
                    audit.entry(
                        actor=actor,
                        verb="added",
                        target=task,
                        project=project,
                        visibility=task.visibility,
                        changes={
                            k: [None, v]
                            for k, v in audit.field_values(task, ("name", "kind", "duration_minutes")).items()
                        },
                    )
                )
            pending.clear()
            pending_refs.clear()

        for n, raw in enumerate(create):
            item = dict(raw)
            ref = item.pop("ref", None)
            if ref is not None and (ref in outcome.refs or ref in pending_refs):
                raise ValidationError({f"create.{n}.ref": [_("Each “ref” names one task of the request.")]})
            try:
                if "parent_ref" in item:
                    if item["parent_ref"] in pending_refs:
                        flush()
                    item["parent_id"] = _ref_or_id(item, "parent", outcome.refs, f"create.{n}")
                pending.append((_new_task(project, actor, item, lookups), ref))
                if ref is not None:
                    pending_refs.add(ref)
            except ValidationError as exc:
                raise _prefixed(exc, f"create.{n}") from None
        flush()
        new_links: list[Dependency] = []
        for n, raw in enumerate(links):
            item = dict(raw)
            try:
                predecessor_id = _ref_or_id(item, "predecessor", outcome.refs, f"links.{n}")
                successor_id = _ref_or_id(item, "successor", outcome.refs, f"links.{n}")
                link, predecessor, successor = _new_link(
                    project, lookups, predecessor_id=predecessor_id, successor_id=successor_id, **item
                )
            except ValidationError as exc:
                raise _prefixed(exc, f"links.{n}") from None
            except TypeError:
                raise ValidationError({f"links.{n}": [_("This field cannot be set here.")]}) from None
            lookups.added_link(link)
            new_links.append(link)
            entries.append(
                audit.entry(
                    actor=actor,
                    verb="linked",
                    target=link,
                    project=project,
                    label=f"{predecessor.name} → {successor.name}",
                    visibility=_record_visibility(predecessor, successor),
                    changes={"type": [None, link.type], "lag_minutes": [None, link.lag_minutes]},
                )
            )
        Dependency.objects.bulk_create(new_links, batch_size=500)
        for link, activity in zip(new_links, entries[len(outcome.created) :], strict=True):
            activity.target_id = str(link.pk)
        outcome.links = [link.pk for link in new_links]
        audit.record_many(entries)
        if update:
            tasks = (
                Task.objects.filter(project=project)
                .select_related("project")
                .in_bulk([item.get("id") for item in update if isinstance(item.get("id"), int)])
            )
            for n, raw in enumerate(update):
                item = dict(raw)
                found = tasks.get(item.pop("id", None))
                if found is None or not lookups.sees(found.pk):
                    raise ValidationError({f"update.{n}.id": [_("Choose a task of this project.")]})
                version = item.pop("version", None)
                try:
                    do_update_task(found, version=version, actor=actor, lookups=lookups, **item)
                except ValidationError as exc:
                    raise _prefixed(exc, f"update.{n}") from None
                outcome.updated.append(found.pk)
        if outcome.created or outcome.links or outcome.updated:
            writing.plan_changed(project)
    return outcome


# ---------------------------------------------------------------- calendars


def _parse_exceptions(items: Sequence[Mapping[str, Any]]) -> list[CalendarException]:
    out: list[CalendarException] = []
    for n, item in enumerate(items):
        start, end = item.get("start"), item.get("end") or item.get("start")
        if not isinstance(start, dt.date) or not isinstance(end, dt.date):
            raise ValidationError({f"exceptions.{n}.start": [_("Enter a valid date (YYYY-MM-DD).")]})
        if end < start:
            raise ValidationError({f"exceptions.{n}.end": [_("The last day cannot be before the first.")]})
        working = bool(item.get("working", False))
        hours = str(item.get("hours") or "")
        if hours:
            scheduling.parse_hours(hours, field_name=f"exceptions.{n}.hours")
        out.append(
            CalendarException(
                name=str(item.get("name") or "")[:100],
                start=start,
                end=end,
                working=working,
                hours=hours if working else "",
            )
        )
    return out


def _apply_calendar(calendar: Calendar, data: Mapping[str, Any]) -> list[CalendarException] | None:
    allowed = ("name", "base", "working_weekdays", "hours", "exceptions")
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
    if "base" in data:
        if data["base"] not in CalendarBase.values:
            raise ValidationError({"base": [_("Choose “standard” or “china”.")]})
        calendar.base = data["base"]
    if "working_weekdays" in data:
        days = data["working_weekdays"]
        if not isinstance(days, list | tuple) or any(not isinstance(d, int) or not 0 <= d <= 6 for d in days):
            raise ValidationError(
                {"working_weekdays": [_("List weekdays as numbers, Monday = 0 to Sunday = 6.")]}
            )
        if not days:
            raise ValidationError({"working_weekdays": [_("A calendar needs at least one working weekday.")]})
        calendar.working_weekdays = sorted(set(days))
    if "hours" in data:
        if not scheduling.parse_hours(data["hours"]):
            raise ValidationError({"hours": [_("A working day needs working hours.")]})
        calendar.hours = data["hours"]
    if "name" in data:
        calendar.name = (data["name"] or "").strip()
    calendar.full_clean(exclude=["project"], validate_constraints=False)
    if (
        calendar.project_id
        and Calendar.objects.filter(project_id=calendar.project_id, name=calendar.name)
        .exclude(pk=calendar.pk)
        .exists()
    ):
        raise ValidationError({"name": [_("Another calendar of this project has this name.")]})
    return _parse_exceptions(data["exceptions"]) if data.get("exceptions") is not None else None


@transaction.atomic
def do_set_calendar(
    project: Project, *, actor: User, calendar: Calendar | None = None, **data: Any
) -> Calendar:
    """Change a calendar of the project (the project calendar when none is named) and reschedule.

    ``exceptions``, when given, replaces the calendar's exceptions: dicts of ``start``, ``end``,
    ``working`` and ``hours`` (a holiday when not working; an extra working day otherwise).
    """
    permissions.require(actor, project, Action.EDIT_PLAN)
    writing.lock_plan(project)
    current = scheduling.ensure_project_calendar(project) if calendar is None else calendar
    current = Calendar.objects.select_for_update().get(pk=current.pk)
    before = audit.field_values(current, ("name", "base", "working_weekdays", "hours"))
    exceptions = _apply_calendar(current, data)
    current.save()
    changes: dict[str, Any] = audit.changed(
        before, audit.field_values(current, ("name", "base", "working_weekdays", "hours"))
    )
    if exceptions is not None:
        old = [f"{e.start}..{e.end}:{e.working}" for e in current.exceptions.all()]
        current.exceptions.all().delete()
        for exception in exceptions:
            exception.calendar = current
        CalendarException.objects.bulk_create(exceptions)
        new = [f"{e.start}..{e.end}:{e.working}" for e in exceptions]
        if old != new:
            changes["exceptions"] = [len(old), len(new)]
    writing.plan_changed(project)
    if changes:
        audit.record(actor=actor, verb="changed calendar", target=current, project=project, changes=changes)
    return current


@transaction.atomic
def do_add_calendar(project: Project, *, actor: User, **data: Any) -> Calendar:
    """Add a calendar that tasks may use instead of the project calendar."""
    permissions.require(actor, project, Action.EDIT_PLAN)
    scheduling.ensure_project_calendar(project)
    calendar = Calendar(
        project=project,
        base=scheduling.default_calendar_base(project),
        working_weekdays=list(scheduling.WEEKDAYS),
    )
    if not (data.get("name") or "").strip():
        raise ValidationError({"name": [_("This field is required.")]})
    exceptions = _apply_calendar(calendar, data)
    calendar.save()
    for exception in exceptions or []:
        exception.calendar = calendar
    CalendarException.objects.bulk_create(exceptions or [])
    audit.record(actor=actor, verb="added", target=calendar, project=project)
    return calendar


# ---------------------------------------------------------------- baselines


@transaction.atomic
def do_save_baseline(project: Project, *, name: str, actor: User, reason: str = "") -> Baseline:
    """Save the plan's current dates as a named baseline (who, when, why)."""
    permissions.require(actor, project, Action.EDIT_PLAN)
    writing.lock_plan(project)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("This field is required.")]})
    outcome = writing.reschedule_now(project)
    baseline = Baseline(
        project=project,
        name=name,
        reason=reason or "",
        created_by=actor,
        project_finish=outcome.project_finish,
    )
    baseline.full_clean(exclude=["project", "created_by", "approved_by"])
    baseline.save()
    # Each row keeps its own copy of what it shows, so deleting the task later leaves it intact.
    # Work and cost are copied too: earned value spreads the baseline's cost as its planned value.
    copied = (
        "wbs",
        "shared_wbs",
        "name",
        "kind",
        "visibility",
        "start",
        "finish",
        "duration_minutes",
        "work_minutes",
        "cost_cents",
    )
    rows = [
        BaselineTask(baseline=baseline, task_id=pk, task_uid=pk, **dict(zip(copied, values, strict=True)))
        for pk, *values in Task.objects.filter(project=project).values_list("id", *copied)
    ]
    BaselineTask.objects.bulk_create(rows, batch_size=500)
    audit.record(
        actor=actor,
        verb="saved baseline",
        target=baseline,
        project=project,
        changes={"reason": [None, baseline.reason]} if baseline.reason else {},
    )
    return baseline


@transaction.atomic
def do_approve_baseline(baseline: Baseline, *, actor: User) -> Baseline:
    """Approve a baseline: it becomes "the plan we agreed" (needs the decision right "approve baseline")."""
    project = baseline.project
    permissions.require_decision(actor, project, DecisionKind.APPROVE_BASELINE)
    current = Baseline.objects.select_for_update().get(pk=baseline.pk)
    if current.approved_at is not None:
        raise ValidationError({"baseline": [_("This baseline is already approved.")]})
    current.approved_by = actor
    current.approved_at = timezone.now()
    current.save(update_fields=["approved_by", "approved_at", "updated_at"])
    audit.record(actor=actor, verb="approved baseline", target=current, project=project)
    return current


# ---------------------------------------------------------------- calendar feeds


def hash_feed_token(raw: str) -> str:
    """The stored form of a feed's secret."""
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def do_issue_calendar_feed(project: Project, *, actor: User) -> tuple[CalendarFeed, str]:
    """Give the actor a (new) secret iCalendar address for the project; an earlier one stops working."""
    if permissions.role_of(actor, project) is None:
        raise PermissionDenied(_("Your role in this project does not allow this."))
    raw = "tcal_" + secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.select_for_update().filter(project=project, user=actor).first()
    if feed is None:
        feed = CalendarFeed.objects.create(project=project, user=actor, token_hash=hash_feed_token(raw))
    else:
        feed.token_hash = hash_feed_token(raw)
        feed.version += 1
        feed.save(update_fields=["token_hash", "version", "updated_at"])
    audit.record(
        actor=actor,
        verb="issued calendar feed",
        target=project,
        project=project,
        visibility=Visibility.INTERNAL if permissions.is_team(actor, project) else Visibility.SHARED,
    )
    return feed, raw
