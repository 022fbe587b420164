"""A project's assignments as the engine's ``ResourcePlan`` (registered with the plan's scheduler).

A work resource works on the project calendar unless it has a calendar of its own: a base of its
own (standard week, or Mainland China with its holidays and make-up days) or leave
(``ResourceException``), which is then its base — the project's calendar by default — with the
leave days off. A task works only when its calendar and its resources' calendars both work (the
engine's ``apply_assignments``). Units are percentages here and fractions in the engine; rates are
per hour, with their history as rate entries from their effective dates. A material's units are
its quantity, priced at its standard rate.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.utils import timezone

import tandem_engine as engine
from tandem.planning import scheduling
from tandem.planning.choices import CalendarBase
from tandem.planning.models import DEFAULT_HOURS, Calendar
from tandem.projects.models import Project
from tandem.resources.choices import WORK_KINDS, ResourceKind
from tandem.resources.models import Assignment, Rate, Resource, ResourceException

_TYPES = {
    ResourceKind.PERSON: engine.ResourceType.WORK,
    ResourceKind.EQUIPMENT: engine.ResourceType.WORK,
    ResourceKind.MATERIAL: engine.ResourceType.MATERIAL,
    ResourceKind.COST: engine.ResourceType.COST,
}


def plan_for(project: Project) -> engine.ResourcePlan | None:
    """The project's resources, rates and assignments for the engine; None without assignments.

    Four queries whatever the plan's size: assignments, their resources, their rates, their leave (and
    two more, the project calendar and its exceptions, when a resource has a calendar of its own).
    """
    return plan_with(project)


#: An assignment that is not saved yet: (task id, resource id, units in percent or quantity).
Proposed = tuple[int, int, int]


def plan_with(project: Project, proposed: Sequence[Proposed] = ()) -> engine.ResourcePlan | None:
    """The project's resource plan with ``proposed`` assignments added (a change request's sandbox).

    Tasks are the engine's activity ids, so a sandbox may name the tasks it adds with ids of its own.
    None when there is no assignment at all; as many queries as ``plan_for``.
    """
    rows = [
        *Assignment.objects.filter(project=project)
        .order_by("id")
        .values_list("task_id", "resource_id", "units"),
        *proposed,
    ]
    if not rows:
        return None
    used = {resource_id for _task, resource_id, _units in rows}
    resources = list(
        Resource.objects.filter(pk__in=used).values_list(
            "pk", "name", "kind", "max_units", "cost_per_use", "calendar_base"
        )
    )
    history: dict[int, list[tuple[dt.date, float, float]]] = defaultdict(list)
    for resource_id, starts, standard, overtime in (
        Rate.objects.filter(resource_id__in=used)
        .order_by("resource_id", "effective_from")
        .values_list("resource_id", "effective_from", "standard_rate", "overtime_rate")
    ):
        history[resource_id].append((starts, float(standard), float(overtime)))
    kinds = {pk: kind for pk, _name, kind, _max, _per_use, _base in resources}
    calendars = _resource_calendars(
        project, {pk: base for pk, _name, kind, _max, _per_use, base in resources if kind in WORK_KINDS}
    )
    out_resources: dict[engine.ResourceId, engine.Resource] = {
        pk: engine.Resource(
            id=pk,
            name=name,
            type=_TYPES[ResourceKind(kind)],
            calendar_id=_calendar_key(pk) if _calendar_key(pk) in calendars else None,
            max_units=max_units / 100,
            rates=(_rate_table(history.get(pk, []), float(per_use), _unit_of(ResourceKind(kind))),),
        )
        for pk, name, kind, max_units, per_use, _base in resources
    }
    assignments = tuple(
        engine.Assignment(
            task_id=task_id,
            resource_id=resource_id,
            units=units / 100 if kinds[resource_id] in WORK_KINDS else float(units),
        )
        for task_id, resource_id, units in rows
    )
    return engine.ResourcePlan(
        resources=out_resources, assignments=assignments, currency=project.currency, calendars=calendars
    )


def _calendar_key(resource_id: int) -> str:
    """The engine id of a resource's own calendar (never an id of the project's calendars)."""
    return f"resource {resource_id}"


def _resource_calendars(project: Project, bases: dict[int, str]) -> dict[engine.CalendarId, engine.Calendar]:
    """The own calendars of the work resources that have one: a base of their own, or leave.

    One query (the leave) when no resource has a calendar of its own; two more (the project
    calendar, its exceptions) when one has. Reads never write: a project never scheduled works on
    its default base.
    """
    if not bases:
        return {}
    leave: dict[int, list[engine.CalendarException]] = defaultdict(list)
    for resource_id, start, end, note in (
        ResourceException.objects.filter(resource_id__in=bases)
        .order_by("resource_id", "start", "id")
        .values_list("resource_id", "start", "end", "note")
    ):
        leave[resource_id].append(engine.CalendarException(start, end, (), note or "Leave"))
    own = sorted(pk for pk, base in bases.items() if base or pk in leave)
    if not own:
        return {}
    row = (
        Calendar.objects.filter(project=project, is_project_calendar=True)
        .prefetch_related("exceptions")
        .first()
    )
    years = list(range(*_years_of(project)))
    if row is None:
        row = Calendar(
            project=project,
            base=scheduling.default_calendar_base(project),
            working_weekdays=list(scheduling.WEEKDAYS),
            hours=DEFAULT_HOURS,
            is_project_calendar=True,
        )
        project_calendar = scheduling.build_calendar(row, (), years, [])
    else:
        project_calendar = scheduling.build_calendar(row, row.exceptions.all(), years, [])
    based: dict[str, engine.Calendar] = {}
    out: dict[engine.CalendarId, engine.Calendar] = {}
    for pk in own:
        base = bases[pk]
        if not base:
            calendar = project_calendar
        else:
            if base not in based:
                standard = Calendar(
                    base=base,
                    working_weekdays=list(scheduling.WEEKDAYS),
                    hours=DEFAULT_HOURS,
                    name=str(CalendarBase(base).label),
                )
                based[base] = scheduling.build_calendar(standard, (), years, [])
            calendar = based[base]
        key = _calendar_key(pk)
        out[key] = dataclasses.replace(calendar, id=key, exceptions=(*calendar.exceptions, *leave[pk]))
    return out


def _years_of(project: Project) -> tuple[int, int]:
    """The years a resource calendar covers: the project's, and two beyond (China's holidays)."""
    first = project.start_date.year if project.start_date else timezone.localdate().year
    last = max(first, project.target_date.year if project.target_date else first)
    return first - 1, min(last, first + 8) + 3


def _unit_of(kind: ResourceKind) -> engine.RateUnit:
    """A work resource's rates are per hour; a material's standard rate is its price per unit."""
    return engine.RateUnit.UNIT if kind == ResourceKind.MATERIAL else engine.RateUnit.HOUR


def _rate_table(
    entries: list[tuple[dt.date, float, float]], per_use: float, unit: engine.RateUnit = engine.RateUnit.HOUR
) -> tuple[engine.RateEntry, ...]:
    """A resource's rate history as one cost rate table: the first rate applies from the start."""
    if not entries:
        return (engine.RateEntry(cost_per_use=per_use),)
    table = []
    for k, (starts, standard, overtime) in enumerate(entries):
        table.append(
            engine.RateEntry(
                effective_from=None if k == 0 else dt.datetime.combine(starts, dt.time(0, 0)),
                standard=engine.Rate(standard, unit),
                overtime=engine.Rate(overtime, unit),
                cost_per_use=per_use,
            )
        )
    return tuple(table)


def is_priced(plan: engine.ResourcePlan | None) -> bool:
    """Whether any resource of ``plan`` costs something (a rate, a cost per use)."""
    if plan is None:
        return False
    return any(
        entry.standard.amount > 0 or entry.overtime.amount > 0 or entry.cost_per_use > 0
        for resource in plan.resources.values()
        for table in resource.rates
        for entry in table
    )
