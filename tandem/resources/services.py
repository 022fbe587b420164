"""The write side of the resource pool: ``do_*`` functions, each one transaction with its audit record.

A resource and its rates belong to an organization, not a project: their audit records carry no
project and are internal, so no project feed (and so no client) reads a rate or a cost. An
assignment belongs to its task's project and is recorded with the task's visibility.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from tandem.accounts.models import Organization, User
from tandem.core import audit, updates
from tandem.core.choices import Visibility
from tandem.core.validation import full_clean
from tandem.planning import writing
from tandem.planning.models import Task
from tandem.projects.models import Project
from tandem.resources import permissions
from tandem.resources.models import Assignment, Rate, Resource, ResourceException, clean_skills

if TYPE_CHECKING:
    from tandem.core.scoping import Viewer

#: What a caller may set on a resource (``user_id``: the person's account).
RESOURCE_FIELDS = (
    "kind",
    "name",
    "user_id",
    "role",
    "skills",
    "max_units",
    "material_label",
    "calendar_base",
    "cost_per_use",
    "active",
)
#: What a caller may set on an assignment after it is made.
ASSIGNMENT_FIELDS = ("units", "work_minutes")


def _person_cleaner(organization: Organization) -> updates.Cleaner:
    """``user_id`` → the id of an active account of the organization, or a ValidationError on it."""

    def clean(value: Any) -> int | None:
        if value is None:
            return None
        found = User.objects.filter(pk=value, organization=organization, is_active=True).exists()
        if not found:
            raise ValidationError({"user_id": [_("No such person in this organization.")]})
        return int(value)

    return clean


def _resource_rules(organization: Organization) -> dict[str, Any]:
    """The cleaners every write of a resource shares."""
    return {
        "clean": {"user_id": _person_cleaner(organization), "skills": clean_skills},
        "text_fields": ("name", "role", "material_label", "calendar_base"),
    }


def _refuse_costs(actor: Viewer, organization: Organization, data: Mapping[str, Any]) -> None:
    """The cost per use is internal: only the team's keepers set it."""
    if "cost_per_use" in data and not permissions.can_edit_costs(actor, organization):
        raise PermissionDenied(_("Only the delivery team's project managers and leads set rates and costs."))


def _name_is_free(resource: Resource) -> None:
    """A name is used once in an organization's pool (a 422 on ``name``, not an integrity error)."""
    others = Resource.objects.filter(organization_id=resource.organization_id, name__iexact=resource.name)
    if others.exclude(pk=resource.pk).exists():
        raise ValidationError({"name": [_("The pool already has a resource of this name.")]})


@transaction.atomic
def do_add_resource(organization: Organization, *, actor: User, **data: Any) -> Resource:
    """Add a resource to an organization's pool."""
    permissions.require_edit_pool(actor, organization)
    _refuse_costs(actor, organization, data)
    return updates.create_audited(
        Resource,
        data,
        fields=RESOURCE_FIELDS,
        actor=actor,
        initial={"organization": organization},
        prepare=lambda row, _values: _name_is_free(row),
        visibility=Visibility.INTERNAL,
        audited=("name", "kind", "role"),
        **_resource_rules(organization),
    )


@transaction.atomic
def do_update_resource(resource: Resource, *, version: int | None, actor: User, **data: Any) -> Resource:
    """Change a resource based on the version read."""
    organization = resource.organization
    permissions.require_edit_pool(actor, organization)
    _refuse_costs(actor, organization, data)
    before = (resource.calendar_base, resource.kind)
    updated = updates.update_versioned(
        resource,
        data,
        fields=RESOURCE_FIELDS,
        version=version,
        actor=actor,
        prepare=lambda row, _before: _name_is_free(row),
        visibility=Visibility.INTERNAL,
        **_resource_rules(organization),
    ).instance
    if (updated.calendar_base, updated.kind) != before:
        _plans_changed(updated)  # its tasks now work on another calendar
    return updated


@transaction.atomic
def do_add_leave(
    resource: Resource, *, actor: User, start: dt.date, end: dt.date, note: str = ""
) -> ResourceException:
    """Record days the resource does not work (leave, a holiday of its own)."""
    permissions.require_edit_pool(actor, resource.organization)
    leave = ResourceException(resource=resource, start=start, end=end, note=note or "")
    full_clean(leave)
    leave.save()
    audit.record(
        actor=actor,
        verb="added",
        target=leave,
        changes={"start": [None, start.isoformat()], "end": [None, end.isoformat()]},
        visibility=Visibility.INTERNAL,
    )
    _plans_changed(resource)  # the resource's tasks do not work on its days off
    return leave


@transaction.atomic
def do_remove_leave(leave: ResourceException, *, actor: User) -> None:
    """Remove recorded leave."""
    permissions.require_edit_pool(actor, leave.resource.organization)
    audit.record(actor=actor, verb="removed", target=leave, visibility=Visibility.INTERNAL)
    leave.delete()
    _plans_changed(leave.resource)


def default_currency(organization: Organization) -> str:
    """The currency of the organization's latest project, else the default (CNY)."""
    latest = (
        Project.objects.filter(Q(client=organization) | Q(vendor=organization))
        .order_by("-created_at", "-id")
        .values_list("currency", flat=True)
        .first()
    )
    return latest or Rate._meta.get_field("currency").get_default()


@transaction.atomic
def do_add_rate(
    resource: Resource,
    *,
    actor: User,
    effective_from: dt.date | None = None,
    standard_rate: Decimal | str | int,
    overtime_rate: Decimal | str | int = 0,
    currency: str = "",
) -> Rate:
    """Add a rate in force from a date on (internal: the team's PMs and leads only)."""
    organization = resource.organization
    permissions.require_edit_costs(actor, organization)
    if effective_from is None:
        raise ValidationError({"effective_from": [_("A rate needs the date it takes effect.")]})
    if Rate.objects.filter(resource=resource, effective_from=effective_from).exists():
        raise ValidationError({"effective_from": [_("The resource already has a rate from this date.")]})
    rate = Rate(
        resource=resource,
        effective_from=effective_from,
        standard_rate=standard_rate,
        overtime_rate=overtime_rate or 0,
        currency=(currency or default_currency(organization)).upper(),
    )
    full_clean(rate)
    rate.save()
    audit.record(
        actor=actor,
        verb="added",
        target=rate,
        changes=audit.field_values(rate, ("effective_from", "standard_rate", "overtime_rate", "currency")),
        visibility=Visibility.INTERNAL,
    )
    # The planned cost of every plan the resource works on follows from its rates.
    _plans_changed(resource)
    return rate


def _plans_changed(resource: Resource) -> None:
    """Reschedule every plan the resource works on (its rates, calendar or leave changed)."""
    for project in Project.objects.filter(assignments__resource=resource).distinct().order_by("id"):
        writing.lock_plan(project)
        writing.plan_changed(project)


def _assignment_rules(assignment: Assignment, _values: Mapping[str, Any]) -> None:
    """Units stay within ten times the resource's max units."""
    limit = assignment.resource.max_units * 10
    if assignment.units > limit:
        raise ValidationError(
            {
                "units": [
                    _("At most %(limit)s %% for this resource (ten times its max units).") % {"limit": limit}
                ]
            }
        )


def _task_of(actor: Viewer, project: Project, task_id: Any) -> Task:
    """A task of the project the actor sees (not a summary), or a ValidationError on ``task_id``."""
    try:
        task = Task.objects.visible_to(actor).filter(project=project, pk=int(task_id)).first()
    except (TypeError, ValueError):
        task = None
    if task is None:
        raise ValidationError({"task_id": [_("No such task in this project.")]})
    if task.is_summary:
        raise ValidationError({"task_id": [_("A summary task takes no assignment; assign its subtasks.")]})
    return task


def _resource_for(project: Project, resource_id: Any) -> Resource:
    """An active resource of the project's client or vendor, or a ValidationError on ``resource_id``."""
    try:
        resource = Resource.objects.filter(pk=int(resource_id)).first()
    except (TypeError, ValueError):
        resource = None
    if resource is None:
        raise ValidationError({"resource_id": [_("No such resource.")]})
    if resource.organization_id not in (project.client_id, project.vendor_id):
        raise ValidationError({"resource_id": [_("This resource's organization is not on the project.")]})
    if not resource.active:
        raise ValidationError({"resource_id": [_("This resource is no longer active.")]})
    return resource


#: The most assignments a change request's added task may propose.
MAX_PROPOSED = 20


def clean_proposed_assignments(project: Project, value: Any, *, actor: Viewer) -> list[dict[str, int]]:
    """Assignments a change request proposes for a task it adds, checked as ``do_assign`` checks one.

    ``value`` is a list of ``{"resource": id, "units": 100, "work_minutes": 0}``; errors name the
    ``assignments`` field and the row. Only someone who may assign (a plan editor) proposes them.
    """
    if value in (None, ""):
        return []
    if not permissions.can_assign(actor, project):
        raise ValidationError({"assignments": [_("Only the plan's editors assign resources.")]})
    if not isinstance(value, list) or len(value) > MAX_PROPOSED:
        raise ValidationError(
            {"assignments": [_("Give at most %(n)s assignments as a list.") % {"n": MAX_PROPOSED}]}
        )
    out: list[dict[str, int]] = []
    seen: set[int] = set()
    for number, row in enumerate(value, start=1):
        try:
            out.append(_proposed(project, row, seen))
        except ValidationError as exc:
            messages = "; ".join(exc.messages)
            raise ValidationError(
                {"assignments": [_("Assignment %(n)s: %(error)s") % {"n": number, "error": messages}]}
            ) from None
    return out


def _proposed(project: Project, row: Any, seen: set[int]) -> dict[str, int]:
    """One proposed assignment, validated like a saved one (its task does not exist yet)."""
    if not isinstance(row, Mapping):
        raise ValidationError(_("Give the resource, units and work as an object."))
    unknown = sorted(set(row) - {"resource", "units", "work_minutes"})
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s.") % {"names": ", ".join(unknown)})
    resource = _resource_for(project, row.get("resource"))
    if resource.pk in seen:
        raise ValidationError(_("This resource is already assigned to the task."))
    seen.add(resource.pk)
    numbers: dict[str, int] = {}
    for name, default in (("units", 100), ("work_minutes", 0)):
        raw = row.get(name, default)
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise ValidationError(_("Enter a whole number."))
        try:
            numbers[name] = int(raw)
        except ValueError:
            raise ValidationError(_("Enter a whole number.")) from None
    assignment = Assignment(project=project, resource=resource, **numbers)
    full_clean(assignment, exclude=["task"])
    _assignment_rules(assignment, numbers)
    return {"resource": resource.pk, **numbers}


@transaction.atomic
def do_assign(
    project: Project, *, actor: User, task_id: Any, resource_id: Any, units: int = 100, work_minutes: int = 0
) -> Assignment:
    """Assign a resource to a task of the project (whoever edits the plan)."""
    permissions.require_assign(actor, project)
    writing.lock_plan(project)
    task = _task_of(actor, project, task_id)
    resource = _resource_for(project, resource_id)
    if Assignment.objects.filter(task=task, resource=resource).exists():
        raise ValidationError({"resource_id": [_("This resource is already assigned to the task.")]})
    assignment = updates.create_audited(
        Assignment,
        {"units": units, "work_minutes": work_minutes},
        fields=ASSIGNMENT_FIELDS,
        actor=actor,
        initial={"project": project, "task": task, "resource": resource},
        prepare=_assignment_rules,
        visibility=task.visibility,
        audited=("units", "work_minutes"),
    )
    writing.plan_changed(project)  # the task's work and cost follow from its assignments
    return assignment


@transaction.atomic
def do_update_assignment(
    assignment: Assignment, *, version: int | None, actor: User, **data: Any
) -> Assignment:
    """Change an assignment's units or work based on the version read."""
    permissions.require_assign(actor, assignment.project)
    writing.lock_plan(assignment.project)
    done = updates.update_versioned(
        assignment,
        data,
        fields=ASSIGNMENT_FIELDS,
        version=version,
        actor=actor,
        prepare=_assignment_rules,
        visibility=lambda row: row.task.visibility,
    )
    if done.changes:
        writing.plan_changed(assignment.project)
    return done.instance


@transaction.atomic
def do_unassign(assignment: Assignment, *, version: int | None, actor: User) -> None:
    """Remove an assignment based on the version read."""
    project = assignment.project
    permissions.require_assign(actor, project)
    writing.lock_plan(project)
    updates.delete_versioned(
        assignment, version=version, actor=actor, visibility=lambda row: row.task.visibility
    )
    writing.plan_changed(project)
