"""A project's assignments as the engine's ``ResourcePlan`` (registered with the plan's scheduler).

Every work resource works on the project calendar for now (its leave and its own base calendar are
kept with the resource but not yet scheduled); units are percentages here and fractions in the
engine; rates are per hour, with their history as rate entries from their effective dates. A
material's units are its quantity, priced at its standard rate.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

import tandem_engine as engine
from tandem.projects.models import Project
from tandem.resources.choices import WORK_KINDS, ResourceKind
from tandem.resources.models import Assignment, Rate, Resource

_TYPES = {
    ResourceKind.PERSON: engine.ResourceType.WORK,
    ResourceKind.EQUIPMENT: engine.ResourceType.WORK,
    ResourceKind.MATERIAL: engine.ResourceType.MATERIAL,
    ResourceKind.COST: engine.ResourceType.COST,
}


def plan_for(project: Project) -> engine.ResourcePlan | None:
    """The project's resources, rates and assignments for the engine; None without assignments.

    Three queries whatever the plan's size: assignments, their resources, their rates.
    """
    return plan_with(project)


#: An assignment that is not saved yet: (task id, resource id, units in percent or quantity).
Proposed = tuple[int, int, int]


def plan_with(project: Project, proposed: Sequence[Proposed] = ()) -> engine.ResourcePlan | None:
    """The project's resource plan with ``proposed`` assignments added (a change request's sandbox).

    Tasks are the engine's activity ids, so a sandbox may name the tasks it adds with ids of its own.
    None when there is no assignment at all; three queries whatever the plan's size.
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
        Resource.objects.filter(pk__in=used).values_list("pk", "name", "kind", "max_units", "cost_per_use")
    )
    history: dict[int, list[tuple[dt.date, float, float]]] = defaultdict(list)
    for resource_id, starts, standard, overtime in (
        Rate.objects.filter(resource_id__in=used)
        .order_by("resource_id", "effective_from")
        .values_list("resource_id", "effective_from", "standard_rate", "overtime_rate")
    ):
        history[resource_id].append((starts, float(standard), float(overtime)))
    kinds = {pk: kind for pk, _name, kind, _max, _per_use in resources}
    out_resources: dict[engine.ResourceId, engine.Resource] = {
        pk: engine.Resource(
            id=pk,
            name=name,
            type=_TYPES[ResourceKind(kind)],
            max_units=max_units / 100,
            rates=(_rate_table(history.get(pk, []), float(per_use), _unit_of(ResourceKind(kind))),),
        )
        for pk, name, kind, max_units, per_use in resources
    }
    assignments = tuple(
        engine.Assignment(
            task_id=task_id,
            resource_id=resource_id,
            units=units / 100 if kinds[resource_id] in WORK_KINDS else float(units),
        )
        for task_id, resource_id, units in rows
    )
    return engine.ResourcePlan(resources=out_resources, assignments=assignments, currency=project.currency)


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
