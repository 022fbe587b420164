"""Impact analysis: a request's plan edits applied to an in-memory copy of the plan, scheduled by the engine.

Nothing here writes to the plan. ``compute_impact`` copies the project's task and link rows, applies
the sandbox edits in order, schedules the copy with ``tandem_engine`` (through the planning adapter's
``build_network``) and compares the result with the current plan and with the agreed baseline. The
result is plain JSON, stored (and, on submission, frozen) with the request; ``client_view`` removes
what a client may not read.

Tasks the sandbox adds are keyed ``new-<edit id>`` until the approval creates them for real.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import MISSING, dataclass
from dataclasses import fields as dataclass_fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple, cast

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

import tandem_engine as engine
from tandem.changes.choices import EditKind
from tandem.changes.models import ChangeSettings, SandboxEdit
from tandem.core.choices import Visibility
from tandem.planning import queries as planning_queries
from tandem.planning import scheduling
from tandem.planning.choices import ConstraintType, DependencyType, TaskKind
from tandem.planning.models import BaselineTask, Calendar, CalendarException, Dependency, Task
from tandem.projects import permissions
from tandem.projects.models import Project
from tandem.requirements import queries as requirement_queries
from tandem.requirements import services as requirement_services
from tandem.requirements.choices import Priority
from tandem.resources import engine_plan
from tandem.resources import services as resource_services
from tandem.resources.models import Assignment, Rate

NEW_PREFIX = "new-"
MAX_MINUTES = 10_000_000
#: The working day the day rate prices (minutes).
DAY_MINUTES = 480
CENT = Decimal("0.01")
#: The most tasks an impact lists under "cost_changes" (the totals always count every task).
MAX_COST_CHANGES = 200
# ---------------------------------------------------------------- fingerprints


def plan_fingerprint(project: Project) -> str:
    """A hash of what the schedule is computed from: tasks (ids, versions), links, calendars, start date."""
    digest = hashlib.sha256()
    digest.update(f"project:{project.pk}:{project.start_date}".encode())
    tasks = Task.objects.filter(project=project).order_by("id")
    for task_row in tasks.values_list("id", "version", "parent_id"):
        digest.update(f"t{task_row}".encode())
    links = Dependency.objects.filter(project=project).order_by("id")
    for link_row in links.values_list(
        "id", "predecessor_id", "successor_id", "type", "lag_minutes", "elapsed"
    ):
        digest.update(f"d{link_row}".encode())
    for calendar_row in (
        Calendar.objects.filter(project=project).order_by("id").values_list("id", "updated_at")
    ):
        digest.update(f"c{calendar_row}".encode())
    exceptions = CalendarException.objects.filter(calendar__project=project).order_by("id")
    for row in exceptions.values_list("id", "start", "end", "working", "hours"):
        digest.update(f"e{row}".encode())
    # The planned cost follows the assignments and the rates of the resources they name.
    assignments = Assignment.objects.filter(project=project).order_by("id")
    for assignment_row in assignments.values_list("id", "version", "resource_id", "resource__cost_per_use"):
        digest.update(f"a{assignment_row}".encode())
    rates = Rate.objects.filter(resource__assignments__project=project).distinct().order_by("id")
    for rate_row in rates.values_list("id", "effective_from", "standard_rate", "overtime_rate"):
        digest.update(f"r{rate_row}".encode())
    return digest.hexdigest()


def edits_fingerprint(edits: Iterable[SandboxEdit]) -> str:
    """A hash of the sandbox edits (kind, details, effort, cost, order)."""
    digest = hashlib.sha256()
    for edit in edits:
        row = [edit.pk, edit.position, edit.kind, edit.payload, edit.effort_minutes, str(edit.cost)]
        digest.update(json.dumps(row, sort_keys=True, default=str).encode())
    return digest.hexdigest()


# ---------------------------------------------------------------- payloads


def new_ref(edit_id: int) -> str:
    """How later edits name the task that edit ``edit_id`` adds."""
    return f"{NEW_PREFIX}{edit_id}"


def _int(value: Any, field: str, *, low: int = 0, high: int = MAX_MINUTES) -> int:
    if isinstance(value, bool):
        raise ValidationError({field: [_("Enter a whole number.")]})
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: [_("Enter a whole number.")]}) from None
    if isinstance(value, float) and value != number:
        raise ValidationError({field: [_("Enter a whole number.")]})
    if not low <= number <= high:
        raise ValidationError(
            {field: [_("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}]}
        )
    return number


def _existing_task(actor: Any, project: Project, value: Any, field: str) -> Task:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: [_("Choose a task of this project.")]}) from None
    task = Task.objects.visible_to(actor).filter(project=project, pk=pk).first()
    if task is None:
        raise ValidationError({field: [_("Choose a task of this project.")]})
    return task


def _task_ref(
    actor: Any, project: Project, value: Any, field: str, added: Mapping[str, Mapping[str, Any]]
) -> tuple[str | int, bool]:
    """A reference to an existing task (its id) or to one an earlier edit adds; and whether it is shared."""
    if isinstance(value, str) and value.startswith(NEW_PREFIX):
        if value not in added:
            raise ValidationError({field: [_("Choose a task of this project or one this change adds.")]})
        return value, added[value].get("visibility", Visibility.SHARED) == Visibility.SHARED
    task = _existing_task(actor, project, value, field)
    return task.pk, task.visibility == Visibility.SHARED


def clean_payload(
    project: Project, kind: str, payload: Mapping[str, Any], *, actor: Any, earlier: Sequence[SandboxEdit]
) -> tuple[dict[str, Any], str]:
    """The edit's details, checked for its kind (errors name the field), and the edit's visibility."""
    if kind not in EditKind.values:
        raise ValidationError(
            {"kind": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(EditKind.values)}]}
        )
    if not isinstance(payload, Mapping):
        raise ValidationError({"payload": [_("Give the edit's details as an object.")]})
    added = {new_ref(e.pk): e.payload for e in earlier if e.kind == EditKind.ADD_TASK}
    allowed = {
        EditKind.ADD_TASK: {"name", "duration_minutes", "kind", "visibility", "parent_id", "assignments"},
        EditKind.REMOVE_TASK: {"task_id"},
        EditKind.CHANGE_TASK: {"task_id", "duration_minutes", "start"},
        EditKind.ADD_LINK: {"predecessor", "successor", "type", "lag_minutes"},
        EditKind.REMOVE_LINK: {"dependency_id"},
        EditKind.REVISE_REQUIREMENT: {
            "requirement_id",
            "title",
            "description",
            "priority",
            "acceptance_criteria",
        },
    }[EditKind(kind)]
    unknown = sorted(set(payload) - allowed)
    if unknown:
        raise ValidationError(
            {name: [_("This field cannot be set for this kind of edit.")] for name in unknown}
        )
    client_side = not permissions.is_team(actor, project)
    shared = True
    out: dict[str, Any] = {}
    if kind == EditKind.ADD_TASK:
        name = str(payload.get("name") or "").strip()
        if not name:
            raise ValidationError({"name": [_("This field is required.")]})
        if len(name) > 200:
            raise ValidationError({"name": [_("Use at most %(n)s characters.") % {"n": 200}]})
        task_kind = payload.get("kind") or TaskKind.TASK
        if task_kind not in (TaskKind.TASK, TaskKind.MILESTONE):
            raise ValidationError({"kind": [_("Choose a task or a milestone.")]})
        visibility = payload.get("visibility") or Visibility.SHARED
        if visibility not in Visibility.values:
            raise ValidationError({"visibility": [_("Choose shared or internal.")]})
        if client_side and visibility != Visibility.SHARED:
            raise ValidationError({"visibility": [_("Tasks written by the client are always shared.")]})
        duration = (
            0
            if task_kind == TaskKind.MILESTONE
            else _int(payload.get("duration_minutes", 0), "duration_minutes")
        )
        out = {"name": name, "kind": task_kind, "duration_minutes": duration, "visibility": visibility}
        if payload.get("parent_id") not in (None, ""):
            parent = _existing_task(actor, project, payload["parent_id"], "parent_id")
            if parent.kind == TaskKind.MILESTONE:
                raise ValidationError({"parent_id": [_("A milestone cannot contain other tasks.")]})
            out["parent_id"] = parent.pk
            shared = parent.visibility == Visibility.SHARED
        proposed = resource_services.clean_proposed_assignments(
            project, payload.get("assignments"), actor=actor
        )
        if proposed:
            out["assignments"] = proposed
        shared = shared and visibility == Visibility.SHARED
    elif kind in (EditKind.REMOVE_TASK, EditKind.CHANGE_TASK):
        task = _existing_task(actor, project, payload.get("task_id"), "task_id")
        out = {"task_id": task.pk}
        shared = task.visibility == Visibility.SHARED
        if kind == EditKind.CHANGE_TASK:
            if payload.get("duration_minutes") not in (None, ""):
                if task.kind == TaskKind.MILESTONE:
                    raise ValidationError({"duration_minutes": [_("A milestone has no duration.")]})
                out["duration_minutes"] = _int(payload["duration_minutes"], "duration_minutes")
            if payload.get("start") not in (None, ""):
                try:
                    out["start"] = dt.date.fromisoformat(str(payload["start"])).isoformat()
                except ValueError:
                    raise ValidationError({"start": [_("Enter a valid date (YYYY-MM-DD).")]}) from None
            if len(out) == 1:
                raise ValidationError({"duration_minutes": [_("Give a new duration, a new start, or both.")]})
    elif kind == EditKind.ADD_LINK:
        pred, pred_shared = _task_ref(actor, project, payload.get("predecessor"), "predecessor", added)
        succ, succ_shared = _task_ref(actor, project, payload.get("successor"), "successor", added)
        if pred == succ:
            raise ValidationError({"successor": [_("A task cannot depend on itself.")]})
        link_type = payload.get("type") or DependencyType.FS
        if link_type not in DependencyType.values:
            raise ValidationError(
                {"type": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(DependencyType.values)}]}
            )
        lag = _int(payload.get("lag_minutes", 0) or 0, "lag_minutes", low=-MAX_MINUTES)
        out = {"predecessor": pred, "successor": succ, "type": link_type, "lag_minutes": lag}
        shared = pred_shared and succ_shared
    elif kind == EditKind.REVISE_REQUIREMENT:
        out, shared = _clean_revision(project, payload, actor)
    else:
        raw = str(payload.get("dependency_id", ""))
        link = (
            Dependency.objects.visible_to(actor)
            .filter(project=project, pk=int(raw))
            .select_related("predecessor", "successor")
            .first()
            if raw.isdigit()
            else None
        )
        if link is None:
            raise ValidationError({"dependency_id": [_("Choose a link of this project.")]})
        out = {"dependency_id": link.pk}
        shared = (
            link.predecessor.visibility == Visibility.SHARED
            and link.successor.visibility == Visibility.SHARED
        )
    return out, Visibility.SHARED if shared else Visibility.INTERNAL


def _clean_revision(project: Project, payload: Mapping[str, Any], actor: Any) -> tuple[dict[str, Any], bool]:
    """A requirement's new text, priority or acceptance criteria, applied with the change's code."""
    try:
        requirement = requirement_queries.access_requirement(actor, project, payload.get("requirement_id"))
    except Http404:
        raise ValidationError({"requirement_id": [_("Choose a requirement of this project.")]}) from None
    out: dict[str, Any] = {"requirement_id": requirement.pk}
    if payload.get("title") not in (None, ""):
        title = str(payload["title"]).strip()
        if len(title) > 200:
            raise ValidationError({"title": [_("Use at most %(n)s characters.") % {"n": 200}]})
        out["title"] = title
    if payload.get("description") is not None:
        out["description"] = str(payload["description"])
    if payload.get("priority") not in (None, ""):
        if payload["priority"] not in Priority.values:
            raise ValidationError(
                {"priority": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(Priority.values)}]}
            )
        out["priority"] = payload["priority"]
    if payload.get("acceptance_criteria") is not None:
        out["acceptance_criteria"] = requirement_services.clean_criteria(payload["acceptance_criteria"])
    if len(out) == 1:
        raise ValidationError({"description": [_("Give the requirement's new text, priority or criteria.")]})
    return out, requirement.visibility == Visibility.SHARED


# ---------------------------------------------------------------- the sandbox


@dataclass(slots=True)
class _Row:
    """A task in the sandbox: the values the scheduler and the comparison read, not a model instance.

    Reading a large plan as values costs a fraction of building ``Task`` instances. The planning
    adapter's helpers (``number_outline``, ``leaves_of``, ``build_network``) read and set these
    attributes by name, as on a task.
    """

    pk: int
    parent_id: int | None
    position: int
    visibility: str
    kind: str
    name: str
    duration_minutes: int
    percent_complete: int
    constraint_type: str
    constraint_date: dt.datetime | None
    deadline: dt.datetime | None
    actual_start: dt.datetime | None
    actual_finish: dt.datetime | None
    manual: bool
    calendar_id: int | None
    held_until: dt.datetime | None
    start: dt.datetime | None
    finish: dt.datetime | None
    critical: bool
    outline_key: str
    cost_cents: int
    # Set by ``scheduling.number_outline``.
    wbs: str = ""
    shared_wbs: str = ""
    is_summary: bool = False


#: The task columns a ``_Row`` holds, in its order.
ROW_COLUMNS = tuple(
    "id" if f.name == "pk" else f.name for f in dataclass_fields(_Row) if f.default is MISSING
)


class _Link(NamedTuple):
    """A link in the sandbox, with the attributes the scheduler reads."""

    pk: int
    predecessor_id: int
    successor_id: int
    type: str
    lag_minutes: int
    elapsed: bool


LINK_COLUMNS = ("id", *_Link._fields[1:])


class _Sandbox:
    """The plan's rows loaded once, with the edits applied to them in order (the plan is never saved).

    The tree (children by parent) and the links by task are indexed once, so an edit costs what it
    touches, not the plan's size. What the current plan says (each row's finish, the critical leaf
    tasks) is kept apart before any edit changes a row.
    """

    def __init__(self, project: Project) -> None:
        self.project = project
        self.zone = scheduling.zone_of(project)
        # Rows read for this sandbox alone: the edits change them in place, nothing saves them.
        tasks = Task.objects.filter(project=project).order_by("id").values_list(*ROW_COLUMNS)
        self.tasks: dict[int, _Row] = {values[0]: _Row(*values) for values in tasks}
        links = Dependency.objects.filter(project=project).order_by("id").values_list(*LINK_COLUMNS)
        self.links: dict[int, _Link] = {values[0]: _Link(*values) for values in links}
        self.children: dict[int | None, set[int]] = {}
        for task in self.tasks.values():
            self.children.setdefault(task.parent_id, set()).add(task.pk)
        self.links_of: dict[int, set[int]] = {}
        self.pairs: set[tuple[int, int]] = set()
        for link in self.links.values():
            self._index_link(link)
        #: Each row's finish in the current plan.
        self.current_finish: dict[int, dt.datetime | None] = {pk: t.finish for pk, t in self.tasks.items()}
        #: The current plan's critical leaf tasks (a summary row's flag only rolls up from its leaves).
        self.was_critical = {pk for pk, t in self.tasks.items() if t.critical and not self.children.get(pk)}
        #: The current plan's planned cost (hundredths): its leaf tasks' costs as the plan stored them.
        self.current_cost = {pk: t.cost_cents for pk, t in self.tasks.items() if not self.children.get(pk)}
        #: The assignments the edits propose: (sandbox task id, resource id, units).
        self.proposed: list[engine_plan.Proposed] = []
        #: The plan's rows the edits remove, as they were loaded.
        self.removed: dict[int, _Row] = {}
        #: ``new-<edit id>`` → the negative id the sandbox gives the added task.
        self.new_ids: dict[str, int] = {}
        self._next_link = -1

    def rows(self) -> list[Task]:
        """The sandbox's tasks, for the planning adapter's helpers (which read a task's attributes only)."""
        return cast(list[Task], list(self.tasks.values()))

    def link_rows(self) -> list[Dependency]:
        """The sandbox's links, for ``scheduling.build_network`` (which reads a link's attributes only)."""
        return cast(list[Dependency], list(self.links.values()))

    def _index_link(self, link: _Link) -> None:
        self.links_of.setdefault(link.predecessor_id, set()).add(link.pk)
        self.links_of.setdefault(link.successor_id, set()).add(link.pk)
        self.pairs.add((link.predecessor_id, link.successor_id))

    def _drop_link(self, link_id: int) -> None:
        link = self.links.pop(link_id)
        self.links_of[link.predecessor_id].discard(link_id)
        self.links_of[link.successor_id].discard(link_id)
        self.pairs.discard((link.predecessor_id, link.successor_id))

    def _subtree(self, pk: int) -> list[int]:
        """``pk`` and every row below it."""
        out: list[int] = []
        seen: set[int] = set()
        stack = [pk]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            out.append(current)
            stack.extend(self.children.get(current, ()))
        return out

    def _resolve(self, ref: Any, position: int) -> int:
        if isinstance(ref, str) and ref.startswith(NEW_PREFIX):
            if ref not in self.new_ids:
                raise _stale(position)
            return self.new_ids[ref]
        pk = int(ref)
        if pk not in self.tasks:
            raise _stale(position)
        return pk

    def apply(self, edit: SandboxEdit, position: int, calendar: engine.Calendar) -> int:
        """Apply one edit to the sandbox; the effort (working minutes) it adds by default."""
        data = edit.payload
        if edit.kind == EditKind.ADD_TASK:
            pk = -edit.pk
            parent_id = data.get("parent_id")
            if parent_id is not None and parent_id not in self.tasks:
                raise _stale(position)
            task = _Row(
                pk=pk,
                parent_id=parent_id,
                position=10_000 + position,
                visibility=data.get("visibility", Visibility.SHARED),
                kind=data.get("kind", TaskKind.TASK),
                name=data["name"],
                duration_minutes=int(data.get("duration_minutes", 0)),
                percent_complete=0,
                constraint_type=ConstraintType.ASAP,
                constraint_date=None,
                deadline=None,
                actual_start=None,
                actual_finish=None,
                manual=False,
                calendar_id=None,
                held_until=None,
                start=None,
                finish=None,
                critical=False,
                outline_key="",
                cost_cents=0,
            )
            self.tasks[pk] = task
            self.proposed.extend((pk, row["resource"], row["units"]) for row in data.get("assignments", ()))
            self.children.setdefault(parent_id, set()).add(pk)
            self.new_ids[new_ref(edit.pk)] = pk
            return 0 if task.kind == TaskKind.MILESTONE else task.duration_minutes
        if edit.kind == EditKind.REMOVE_TASK:
            pk = self._resolve(data["task_id"], position)
            doomed = self._subtree(pk)
            effort = -sum(
                self.tasks[d].duration_minutes
                for d in doomed
                if not self.children.get(d) and self.tasks[d].kind != TaskKind.MILESTONE
            )
            self.children[self.tasks[pk].parent_id].discard(pk)
            for gone in doomed:
                for link_id in list(self.links_of.get(gone, ())):
                    self._drop_link(link_id)
                self.links_of.pop(gone, None)
                self.children.pop(gone, None)
                row = self.tasks.pop(gone)
                if gone > 0:
                    self.removed[gone] = row
            return effort
        if edit.kind == EditKind.CHANGE_TASK:
            pk = self._resolve(data["task_id"], position)
            task = self.tasks[pk]
            effort = 0
            if "duration_minutes" in data:
                effort = int(data["duration_minutes"]) - task.duration_minutes
                task.duration_minutes = int(data["duration_minutes"])
            if "start" in data:
                start = scheduling.to_aware(
                    dt.datetime.combine(dt.date.fromisoformat(data["start"]), dt.time(0, 0)), self.zone
                )
                if task.manual:
                    task.start = start
                    local = scheduling.to_local(start, self.zone)
                    assert local is not None
                    task.finish = scheduling.to_aware(
                        engine.add_working_minutes(calendar, local, task.duration_minutes), self.zone
                    )
                else:
                    task.constraint_type = "SNET"
                    task.constraint_date = start
            return effort
        if edit.kind == EditKind.ADD_LINK:
            pred = self._resolve(data["predecessor"], position)
            succ = self._resolve(data["successor"], position)
            if (pred, succ) in self.pairs:
                raise ValidationError(
                    {"edits": [_("Edit %(n)s: these two tasks are already linked.") % {"n": position}]}
                )
            link = _Link(
                pk=self._next_link,
                predecessor_id=pred,
                successor_id=succ,
                type=data.get("type", DependencyType.FS),
                lag_minutes=int(data.get("lag_minutes", 0)),
                elapsed=False,
            )
            self.links[self._next_link] = link
            self._index_link(link)
            self._next_link -= 1
            return 0
        if edit.kind == EditKind.REVISE_REQUIREMENT:
            return 0  # the plan does not change; the requirement gets a new version on approval
        link_id = int(data["dependency_id"])
        if link_id not in self.links:
            raise _stale(position)
        self._drop_link(link_id)
        return 0


def _stale(position: int) -> ValidationError:
    return ValidationError(
        {"edits": [_("Edit %(n)s refers to a task or link that is no longer in the plan.") % {"n": position}]}
    )


def _iso(value: dt.datetime | None, zone: Any = None) -> str | None:
    """An aware datetime as ISO text in the project's time zone."""
    if value is None:
        return None
    return (value.astimezone(zone) if zone is not None else value).isoformat()


def _cost_of(edit: SandboxEdit, effort: int, day_rate: Decimal | None) -> Decimal | None:
    if edit.cost is not None:
        return Decimal(edit.cost)
    if effort == 0:
        return Decimal(0)
    if day_rate is None:
        return None
    return (Decimal(effort) / DAY_MINUTES * Decimal(day_rate)).quantize(CENT, rounding=ROUND_HALF_UP)


def compute_impact(project: Project, edits: Sequence[SandboxEdit], *, actor: Any) -> dict[str, Any]:
    """Schedule the plan with ``edits`` applied (in memory) and compare it with the plan and the baseline."""
    sandbox = _Sandbox(project)
    calendars = scheduling.engine_calendars(project, sandbox.rows())  # before any edit
    project_cal = calendars[scheduling.PROJECT_CALENDAR_ID]
    settings_row = ChangeSettings.objects.filter(project=project).first()
    day_rate = settings_row.day_rate if settings_row else None
    edit_rows: list[dict[str, Any]] = []
    total_effort = 0
    total_cost = Decimal(0)
    cost_complete = True
    default_efforts = [sandbox.apply(edit, position, project_cal) for position, edit in enumerate(edits, 1)]
    # The plan's resources, rates and assignments (the edits' proposals included), in three queries.
    resourcing = engine_plan.plan_with(project, [p for p in sandbox.proposed if p[0] in sandbox.tasks])
    # With rates the engine prices the edited plan (below); the day rate only estimates a plan without.
    priced = engine_plan.is_priced(resourcing)
    for edit, default_effort in zip(edits, default_efforts, strict=True):
        effort = edit.effort_minutes if edit.effort_minutes is not None else default_effort
        if priced:
            cost = None if edit.cost is None else Decimal(edit.cost)
        else:
            cost = _cost_of(edit, effort, day_rate)
        total_effort += effort
        if cost is not None:
            total_cost += cost
        elif not priced:
            cost_complete = False
        edit_rows.append(
            {
                "id": edit.pk,
                "kind": edit.kind,
                "shared": edit.visibility == Visibility.SHARED,
                "effort_minutes": effort,
                "cost": None if cost is None else str(cost),
            }
        )
    tasks = sandbox.rows()
    scheduling.number_outline(tasks)
    leaves = scheduling.leaves_of(tasks)
    new_finish: dict[int, dt.datetime | None] = {}
    new_critical: dict[int, bool] = {}
    project_finish: dt.datetime | None = None
    conflicts: list[str] = []
    new_cost: dict[int, int] = {}
    if tasks:
        network = scheduling.build_network(project, tasks, sandbox.link_rows(), calendars)
        names = {t.pk: t.name for t in tasks}
        try:
            # As the plan's own reschedule does: assignments shape the network it schedules.
            result = engine.schedule(
                network if resourcing is None else engine.apply_assignments(network, resourcing)
            )
        except engine.NetworkCycleError as exc:
            raise ValidationError({"edits": [scheduling.cycle_message(exc.cycle, names)]}) from None
        except (engine.NetworkError, engine.CalendarError) as exc:
            raise ValidationError(
                {"edits": [_("The plan cannot be scheduled: %(error)s") % {"error": exc}]}
            ) from None
        project_finish = scheduling.to_aware(result.project_finish, sandbox.zone)
        for pk in sandbox.tasks:
            if pk in result:
                row = result[pk]
                new_finish[pk] = scheduling.to_aware(row.finish, sandbox.zone)
                new_critical[pk] = bool(row.critical)
        for summary_id, leaf_ids in leaves.items():
            finishes = [new_finish[i] for i in leaf_ids if new_finish.get(i) is not None]
            new_finish[summary_id] = max(f for f in finishes if f is not None) if finishes else None
        if priced:
            assert resourcing is not None
            costs = engine.cost_schedule(network, resourcing, result)
            # Rounded per task as the plan stores each task's cost, so the totals compare exactly.
            new_cost = {int(pk): round(total.cost * 100) for pk, total in costs.items()}
        conflicts = [
            _("“%(task)s”: %(constraint)s cannot be met.")
            % {"task": names.get(int(c.activity_id), c.activity_id), "constraint": c.constraint.value}
            for c in result.conflicts
        ]
    current_finishes = [f for f in sandbox.current_finish.values() if f is not None]
    current_finish = max(current_finishes) if current_finishes else None

    baseline = planning_queries.agreed_baseline(actor, project)
    baseline_rows: dict[int, dt.datetime | None] = {}
    if baseline is not None:
        # Only milestones are compared; an edit never turns a task into one or back.
        milestone_rows = BaselineTask.objects.filter(baseline=baseline, task__kind=TaskKind.MILESTONE)
        baseline_rows = dict(milestone_rows.values_list("task_id", "finish"))

    def minutes(a: dt.datetime | None, b: dt.datetime | None) -> int | None:
        if a is None or b is None:
            return None
        return scheduling.working_minutes(project_cal, project, a, b)

    def days(a: dt.datetime | None, b: dt.datetime | None) -> int | None:
        if a is None or b is None:
            return None
        la, lb = scheduling.to_local(a, sandbox.zone), scheduling.to_local(b, sandbox.zone)
        assert la is not None and lb is not None
        return (lb.date() - la.date()).days

    milestones: list[dict[str, Any]] = []
    every_milestone = {pk: t for pk, t in sandbox.tasks.items() if t.kind == TaskKind.MILESTONE}
    every_milestone.update({pk: t for pk, t in sandbox.removed.items() if t.kind == TaskKind.MILESTONE})
    for pk, task in sorted(every_milestone.items(), key=lambda item: (item[1].outline_key or "~", item[0])):
        baseline_finish = baseline_rows.get(pk) if pk > 0 else None
        now = sandbox.current_finish[pk] if pk > 0 else None
        after = new_finish.get(pk)
        reference = baseline_finish or now
        slip = minutes(reference, after)
        milestones.append(
            {
                "task_id": pk if pk > 0 else None,
                "name": task.name,
                "shared": task.visibility == Visibility.SHARED,
                "added": pk < 0,
                "removed": pk in sandbox.removed,
                "baseline_finish": _iso(baseline_finish, sandbox.zone),
                "current_finish": _iso(now, sandbox.zone),
                "new_finish": _iso(after, sandbox.zone),
                "slip_minutes": slip,
                "slip_days": days(reference, after),
                "change_minutes": minutes(now, after),
                "slipped": bool(slip and slip > 0),
            }
        )

    def entry(task: _Row) -> dict[str, Any]:
        return {
            "task_id": task.pk if task.pk > 0 else None,
            "name": task.name,
            "shared": task.visibility == Visibility.SHARED,
        }

    was_critical = sandbox.was_critical
    now_critical = {pk for pk, flag in new_critical.items() if flag}
    joins = [entry(sandbox.tasks[pk]) for pk in sorted(now_critical - was_critical, key=abs)]
    leaves_cp = [
        entry(sandbox.tasks.get(pk) or sandbox.removed[pk]) | {"removed": pk in sandbox.removed}
        for pk in sorted(was_critical - now_critical)
    ]
    rollup = _cost_rollup(sandbox, new_cost) if priced else {}
    if rollup:
        # Priced by the rates: the plan's cost change, plus the costs the analyst gave outside the plan.
        total_cost += Decimal(rollup["cost_delta"])
    return {
        "currency": project.currency,
        "baseline": None
        if baseline is None
        else {
            "id": baseline.pk,
            "name": baseline.name,
            "finish": _iso(baseline.project_finish, sandbox.zone),
        },
        "current_finish": _iso(current_finish, sandbox.zone),
        "new_finish": _iso(project_finish, sandbox.zone),
        "finish_change_days": days(current_finish, project_finish),
        "finish_change_minutes": minutes(current_finish, project_finish),
        "baseline_slip_days": days(baseline.project_finish if baseline else None, project_finish),
        "baseline_slip_minutes": minutes(baseline.project_finish if baseline else None, project_finish),
        "milestones": milestones,
        "critical_joins": joins,
        "critical_leaves": leaves_cp,
        "added_effort_minutes": total_effort,
        "added_cost": str(total_cost.quantize(CENT)),
        "cost_complete": cost_complete,
        "edits": edit_rows,
        "conflicts": conflicts,
    } | rollup


def _amount(hundredths: int) -> str:
    """An amount in hundredths as the impact's JSON writes money ("1234.50")."""
    return str((Decimal(hundredths) / 100).quantize(CENT))


def _cost_rollup(sandbox: _Sandbox, new_cost: Mapping[int, int]) -> dict[str, Any]:
    """The plan's planned cost before and after the edits, and the tasks whose cost changes (team only).

    Before: the leaf tasks' costs as the plan stored them at its last reschedule; after: the
    engine's ``cost_schedule`` of the edited plan (work x the rate in force + cost per use + material).
    A project without rates has none of these keys (its impact is priced by the day rate).
    """
    before = sum(sandbox.current_cost.values())
    after = sum(new_cost.values())
    changes: list[dict[str, Any]] = []
    for pk in sorted(set(sandbox.current_cost) | set(new_cost), key=lambda pk: (pk < 0, abs(pk))):
        was, now = sandbox.current_cost.get(pk, 0), new_cost.get(pk, 0)
        if was == now:
            continue
        task = sandbox.tasks.get(pk) or sandbox.removed[pk]
        changes.append(
            {
                "task_id": pk if pk > 0 else None,
                "name": task.name,
                "shared": task.visibility == Visibility.SHARED,
                "added": pk < 0,
                "removed": pk in sandbox.removed,
                "cost_before": _amount(was),
                "cost_after": _amount(now),
            }
        )
    return {
        "cost_source": "rates",
        "cost_before": _amount(before),
        "cost_after": _amount(after),
        "cost_delta": _amount(after - before),
        "cost_changes": changes[:MAX_COST_CHANGES],
    }


def client_view(data: Mapping[str, Any]) -> dict[str, Any]:
    """What a client may read of an impact: shared tasks only, no per-edit prices (they reveal rates)."""
    out = dict(data)
    for key in ("milestones", "critical_joins", "critical_leaves"):
        out[key] = [row for row in data.get(key, []) if row.get("shared")]
    out["edits"] = [
        {k: v for k, v in row.items() if k not in ("cost", "effort_minutes")}
        for row in data.get("edits", [])
        if row.get("shared")
    ]
    out["conflicts"] = []
    # The client decides on the change's cost, never on the plan's internal totals or a task's price.
    for key in ("cost_before", "cost_after", "cost_changes"):
        out.pop(key, None)
    return out
