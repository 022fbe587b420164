"""The write side of requirements: each change is one transaction, checked, validated and audited."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.accounts.models import User
from tandem.core import audit, updates, versioning
from tandem.core.bulk import bulk_write
from tandem.core.choices import Visibility
from tandem.core.errors import ConflictError
from tandem.core.updates import Cleaner
from tandem.core.validation import full_clean
from tandem.planning.models import Task
from tandem.projects import permissions
from tandem.projects.charter import clean_criteria as clean_criteria  # still importable from here
from tandem.projects.choices import DecisionKind
from tandem.projects.models import Project
from tandem.projects.permissions import Action
from tandem.requirements.choices import (
    CONFIRMABLE,
    LOCKED,
    TRANSITIONS,
    Priority,
    RequirementStatus,
    Source,
)
from tandem.requirements.models import (
    VERSIONED_FIELDS,
    Requirement,
    RequirementConfirmation,
    RequirementVersion,
    TraceLink,
)

#: Fields a requirement editor may set.
REQUIREMENT_FIELDS = (
    "title",
    "background",
    "description",
    "priority",
    "acceptance_criteria",
    "source",
    "source_note",
    "requester_id",
    "requester_name",
    "owner_id",
    "visibility",
)
#: Fields a client member may set when submitting a request.
SUBMISSION_FIELDS = ("title", "background", "description", "priority", "acceptance_criteria", "source_note")
#: Once confirmed, these change only through an approved change request.
CHANGE_CONTROLLED_FIELDS = ("description", "priority", "acceptance_criteria")
AUDITED_FIELDS = (*REQUIREMENT_FIELDS, "status")
CODE_PATTERN = re.compile(r"^REQ-(\d+)$")


# ---------------------------------------------------------------- helpers


#: How a requirement names itself in a version conflict.
CONFLICT_MESSAGE = gettext_lazy(
    "Someone else changed this requirement in the meantime (you edited version %(yours)s, it is "
    "now at version %(theirs)s). Reload to see their change, then apply yours again."
)
#: Every edit of a requirement: named in a conflict, and nothing written when nothing changes.
EDITS: dict[str, Any] = {"conflict_message": CONFLICT_MESSAGE, "skip_unchanged": True}


def _member(project: Project, user_id: Any, field: str) -> User | None:
    """A member of ``project`` named by id, or a ValidationError on ``field``."""
    if user_id in (None, ""):
        return None
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        raise ValidationError({field: [_("Choose a member of this project.")]}) from None
    user = User.objects.filter(pk=user_id, memberships__project=project).first()
    if user is None:
        raise ValidationError({field: [_("Choose a member of this project.")]})
    return user


def _member_id(project: Project, user_id: Any, field: str) -> int | None:
    """The id of a member of ``project``, or a ValidationError on ``field``."""
    user = _member(project, user_id, field)
    return None if user is None else user.pk


def _text(name: str) -> Callable[[Any], str]:
    """A cleaner for a text field: "" for None, trimmed for the one-line fields, refused when not a text."""

    def clean(value: Any) -> str:
        """The text to store, or a ValidationError naming ``name``."""
        if not (isinstance(value, str) or value is None):
            raise ValidationError({name: [_("Enter a text.")]})
        return (value or "").strip() if name in ("title", "requester_name", "source_note") else value or ""

    return clean


def _rules(project: Project) -> dict[str, Cleaner]:
    """How each field a requirement editor sets is cleaned."""
    return {
        **{name: _text(name) for name in REQUIREMENT_FIELDS},
        "acceptance_criteria": clean_criteria,
        "requester_id": lambda value: _member_id(project, value, "requester_id"),
        "owner_id": lambda value: _member_id(project, value, "owner_id"),
    }


def _assign(requirement: Requirement, data: Mapping[str, Any], allowed: Sequence[str]) -> None:
    """Set the allow-listed fields of ``data`` on ``requirement``, each cleaned as its field needs."""
    updates.assign(requirement, data, fields=allowed, clean=_rules(requirement.project))


def _snapshot(
    requirement: Requirement, *, actor: User, reason: str = "", change_ref: str = ""
) -> RequirementVersion:
    version = RequirementVersion(
        requirement=requirement,
        number=requirement.current_version,
        status=requirement.status,
        reason=(reason or "").strip()[:500],
        change_ref=(change_ref or "").strip(),
        created_by=actor if actor.is_authenticated else None,
        **{name: getattr(requirement, name) for name in VERSIONED_FIELDS},
    )
    full_clean(version, exclude=["requirement"])
    version.save()
    return version


def _next_code(project: Project) -> str:
    numbers = [
        int(m.group(1))
        for code in Requirement.objects.filter(project=project).values_list("code", flat=True)
        if (m := CODE_PATTERN.match(code))
    ]
    return f"REQ-{max(numbers, default=0) + 1:03d}"


def _next_rank(project: Project) -> int:
    last = Requirement.objects.filter(project=project).aggregate(m=models.Max("rank"))["m"]
    return 0 if last is None else last + 1


def may_edit(actor: User, requirement: Requirement) -> bool:
    """Editors may revise any requirement; a submitter may still revise their own draft."""
    project = requirement.project
    if permissions.can(actor, project, Action.EDIT_REQUIREMENTS):
        return True
    return (
        requirement.created_by_id == actor.pk
        and requirement.status == RequirementStatus.DRAFT
        and permissions.can(actor, project, Action.SUBMIT_REQUIREMENT)
    )


# ---------------------------------------------------------------- create and revise


def _build(
    project: Project, *, actor: User, data: Mapping[str, Any], rank: int | None = None, code: str = ""
) -> Requirement:
    """A new requirement (validated, not yet saved) from ``data`` as the actor may give it."""
    data = dict(data)
    team_editor = permissions.can(actor, project, Action.EDIT_REQUIREMENTS)
    requirement = Requirement(project=project, status=RequirementStatus.DRAFT, created_by=actor)
    if not team_editor or not permissions.is_team(actor, project):
        # A client submission (or one from someone who may only submit) is always shared, and its
        # requester is the one who sent it.
        if not team_editor:
            data.setdefault("source", Source.CLIENT_REQUEST)
            allowed: Sequence[str] = (*SUBMISSION_FIELDS, "source")
        else:
            allowed = REQUIREMENT_FIELDS
        data["visibility"] = Visibility.SHARED
        if not team_editor or "requester_id" not in data:
            data.pop("requester_id", None)
            requirement.requester = actor
        if "visibility" not in allowed:
            data.pop("visibility")
    else:
        allowed = REQUIREMENT_FIELDS
    _assign(requirement, data, allowed)
    requirement.code = code or _next_code(project)
    requirement.rank = _next_rank(project) if rank is None else rank
    full_clean(requirement)
    return requirement


@transaction.atomic
def do_create_requirement(project: Project, *, actor: User, **data: Any) -> Requirement:
    """Write a new requirement as a draft (version 1); a client member's is always shared."""
    permissions.require(actor, project, Action.SUBMIT_REQUIREMENT)
    Project.objects.select_for_update().filter(pk=project.pk).first()  # serialise code numbering
    requirement = _build(project, actor=actor, data=data)
    requirement.save()
    _snapshot(requirement, actor=actor, reason=_("Created"))
    audit.record(
        actor=actor,
        verb="added",
        target=requirement,
        project=project,
        visibility=requirement.visibility,
        changes={
            k: [None, v] for k, v in audit.field_values(requirement, ("title", "priority", "source")).items()
        },
    )
    return requirement


@transaction.atomic
def do_revise_requirement(
    requirement: Requirement,
    *,
    actor: User,
    version: int | None,
    reason: str = "",
    change_ref: str = "",
    **fields: Any,
) -> Requirement:
    """Change a requirement's content, making a new version.

    Once it is confirmed, its description, priority and acceptance criteria change only through a
    change request: the change-control app passes ``change_ref`` (e.g. "CR-004") when it applies an
    approved request, having checked the approval itself; without it such a change is refused.
    """
    project = requirement.project
    change_ref = (change_ref or "").strip()
    if not change_ref and not may_edit(actor, requirement):
        raise PermissionDenied(_("Your role in this project does not allow this."))

    def client_shares(current: Requirement) -> None:
        """A client member's requirement stays shared."""
        if (
            not permissions.is_team(actor, project)
            and fields.get("visibility", Visibility.SHARED) != Visibility.SHARED
        ):
            raise ValidationError({"visibility": [_("Requests from the client are always shared.")]})

    def new_version(current: Requirement, changes: dict[str, list[Any]]) -> None:
        """Refuse a change-controlled edit of a confirmed requirement; a content change is a new version."""
        if current.status in LOCKED and not change_ref:
            locked = [name for name in CHANGE_CONTROLLED_FIELDS if name in changes]
            if locked:
                message = _(
                    "This requirement is confirmed: raise a change request to change its description, "
                    "priority or acceptance criteria."
                )
                raise ValidationError({name: [message] for name in locked})
        if any(name in changes for name in VERSIONED_FIELDS):
            current.current_version += 1
        if change_ref:
            changes["change_ref"] = [None, change_ref]

    editor = change_ref or permissions.can(actor, project, Action.EDIT_REQUIREMENTS)
    how: dict[str, Any] = {"check": client_shares, "before_save": new_version, "verb": "revised", **EDITS}
    how.update(clean=_rules(project), audited=AUDITED_FIELDS)
    allowed = REQUIREMENT_FIELDS if editor else SUBMISSION_FIELDS
    done = updates.update_versioned(requirement, fields, fields=allowed, version=version, actor=actor, **how)
    current = done.instance
    if any(name in done.changes for name in VERSIONED_FIELDS):
        _snapshot(current, actor=actor, reason=reason, change_ref=change_ref)
    return current


@transaction.atomic
def do_change_status(
    requirement: Requirement, *, actor: User, status: str, version: int | None, comment: str = ""
) -> Requirement:
    """Move a requirement along its life (confirming is a decision: ``do_confirm_requirement``)."""
    project = requirement.project
    permissions.require(actor, project, Action.EDIT_REQUIREMENTS)

    def allowed(current: Requirement) -> None:
        """A known status that the requirement's life allows next (confirming has its own service)."""
        if status not in RequirementStatus.values:
            raise ValidationError({"status": [_("Choose a valid status.")]})
        if status == current.status or status in TRANSITIONS[current.status]:
            return
        if status == RequirementStatus.CONFIRMED and current.status in CONFIRMABLE:
            message = _("A requirement is confirmed by a holder of the decision right, version by version.")
        else:
            message = _("A requirement cannot go from “%(old)s” to “%(new)s”.") % {
                "old": RequirementStatus(current.status).label,
                "new": RequirementStatus(status).label,
            }
        raise ValidationError({"status": [message]})

    def with_comment(current: Requirement, changes: dict[str, Any]) -> None:
        """The reason given, kept with the change."""
        if comment.strip():
            changes["comment"] = comment.strip()[:1000]

    how: dict[str, Any] = {"check": allowed, "before_save": with_comment, "verb": "status_changed", **EDITS}
    return updates.move(requirement, status, version=version, actor=actor, **how)


@transaction.atomic
def do_confirm_requirement(
    requirement: Requirement, *, actor: User, version_number: int | None, comment: str = ""
) -> RequirementConfirmation:
    """Confirm one version of a requirement; refused when it has a newer version than the one read."""
    project = requirement.project
    permissions.require_decision(actor, project, DecisionKind.CONFIRM_REQUIREMENT)
    if version_number is None:
        raise ValidationError({"version_number": [_("Name the version you confirm.")]})
    current = versioning.locked(requirement)
    current.project = project
    if int(version_number) != current.current_version:
        raise ConflictError(
            _(
                "The requirement changed after you opened it (you read version %(yours)s, it is now version "
                "%(theirs)s). Review the changes and confirm again."
            )
            % {"yours": version_number, "theirs": current.current_version},
            current_version=current.current_version,
        )
    if current.status not in CONFIRMABLE:
        raise ValidationError(
            {
                "status": [
                    _("A requirement that is %(status)s cannot be confirmed.")
                    % {"status": current.get_status_display()}
                ]
            }
        )
    if current.confirmations.filter(version_number=current.current_version).exists():
        raise ValidationError({"version_number": [_("This version is already confirmed.")]})
    confirmation = RequirementConfirmation(
        requirement=current,
        version_number=current.current_version,
        confirmed_by=actor,
        comment=(comment or "").strip(),
    )
    full_clean(confirmation, exclude=["requirement"])
    confirmation.save()
    changes: dict[str, Any] = {"version": [None, current.current_version]}
    if current.status in (RequirementStatus.DRAFT, RequirementStatus.IN_REVIEW):
        changes["status"] = [current.status, RequirementStatus.CONFIRMED]
        current.status = RequirementStatus.CONFIRMED
        current.version += 1
        current.save(update_fields=["status", "version", "updated_at"])
    audit.record(
        actor=actor,
        verb="confirmed",
        target=current,
        project=project,
        label=_("%(code)s version %(n)s") % {"code": current.code, "n": current.current_version},
        changes=changes,
        visibility=current.visibility,
    )
    return confirmation


# ---------------------------------------------------------------- prioritisation


@transaction.atomic
def do_reorder_requirements(project: Project, *, actor: User, order: Sequence[Any]) -> list[Requirement]:
    """Put the named requirements in this order, in the backlog slots they hold now.

    ``order`` lists requirement ids, most important first. Requirements not named (a client does not
    see internal ones) keep their places; the named ones share the ranks they held between them.
    """
    permissions.require_decision(actor, project, DecisionKind.PRIORITISE_BACKLOG)
    try:
        ids = [int(pk) for pk in order]
    except (TypeError, ValueError):
        raise ValidationError({"order": [_("List the requirements by their ids.")]}) from None
    if not ids:
        raise ValidationError({"order": [_("List at least one requirement.")]})
    if len(set(ids)) != len(ids):
        raise ValidationError({"order": [_("A requirement is listed twice.")]})
    rows = {
        r.pk: r
        for r in Requirement.objects.visible_to(actor).select_for_update().filter(project=project, pk__in=ids)
    }
    if len(rows) != len(ids):
        raise ValidationError({"order": [_("Every listed requirement must belong to this project.")]})
    before = sorted(rows.values(), key=lambda r: (r.rank, r.pk))
    slots = _distinct_slots(project, before)
    changed: list[Requirement] = []
    for rank, pk in zip(slots, ids, strict=True):
        row = rows[pk]
        if row.rank != rank:
            row.rank = rank
            changed.append(row)
    bulk_write(Requirement, changed, ["rank"])
    if changed:
        shared = all(r.visibility == Visibility.SHARED for r in rows.values())
        audit.record(
            actor=actor,
            verb="reordered",
            target_type="requirements.requirement",
            project=project,
            label=_("Requirement priorities"),
            changes={"order": [[r.code for r in before], [rows[pk].code for pk in ids]]},
            visibility=Visibility.SHARED if shared else Visibility.INTERNAL,
        )
    return [rows[pk] for pk in ids]


def _distinct_slots(project: Project, rows: Sequence[Requirement]) -> list[int]:
    """The ranks ``rows`` hold, made distinct first if two requirements of the project share one."""
    ranks = [r.rank for r in rows]
    if len(set(ranks)) == len(ranks):
        return ranks
    everyone = list(Requirement.objects.select_for_update().filter(project=project).order_by("rank", "id"))
    for i, row in enumerate(everyone):
        row.rank = i
    bulk_write(Requirement, everyone, ["rank"])
    new = {r.pk: r.rank for r in everyone}
    for row in rows:
        row.rank = new[row.pk]
    return sorted(new[r.pk] for r in rows)


def do_move_requirement(requirement: Requirement, *, actor: User, direction: str) -> list[Requirement]:
    """Move a requirement one place up or down among those the actor sees."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": [_("Move up or down.")]})
    project = requirement.project
    ids = list(
        Requirement.objects.visible_to(actor)
        .filter(project=project)
        .order_by("rank", "id")
        .values_list("pk", flat=True)
    )
    if requirement.pk not in ids:
        raise ValidationError({"order": [_("Every listed requirement must belong to this project.")]})
    i = ids.index(requirement.pk)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
        return do_reorder_requirements(project, actor=actor, order=[ids[min(i, j)], ids[max(i, j)]])
    permissions.require_decision(actor, project, DecisionKind.PRIORITISE_BACKLOG)
    return [requirement]


# ---------------------------------------------------------------- traceability


@transaction.atomic
def do_link_task(requirement: Requirement, *, actor: User, task_id: Any) -> TraceLink:
    """Trace a requirement to a task of the plan that realises it."""
    project = requirement.project
    if not (
        permissions.can(actor, project, Action.EDIT_REQUIREMENTS)
        or permissions.can(actor, project, Action.EDIT_PLAN)
    ):
        raise PermissionDenied(_("Your role in this project does not allow this."))
    try:
        pk = int(task_id)
    except (TypeError, ValueError):
        raise ValidationError({"task_id": [_("Choose a task of this project.")]}) from None
    task = Task.objects.visible_to(actor).filter(project=project, pk=pk).first()
    if task is None:
        raise ValidationError({"task_id": [_("Choose a task of this project.")]})
    if TraceLink.objects.filter(requirement=requirement, task=task).exists():
        raise ValidationError({"task_id": [_("This task is already linked.")]})
    link = TraceLink.objects.create(requirement=requirement, task=task, created_by=actor)
    audit.record(
        actor=actor,
        verb="linked",
        target=requirement,
        project=project,
        changes={"task": [None, task.name]},
        visibility=_link_visibility(requirement, task),
    )
    return link


@transaction.atomic
def do_unlink_task(requirement: Requirement, *, actor: User, task_id: Any) -> None:
    """Remove a trace link between a requirement and a task."""
    project = requirement.project
    if not (
        permissions.can(actor, project, Action.EDIT_REQUIREMENTS)
        or permissions.can(actor, project, Action.EDIT_PLAN)
    ):
        raise PermissionDenied(_("Your role in this project does not allow this."))
    try:
        pk = int(task_id)
    except (TypeError, ValueError):
        raise ValidationError({"task_id": [_("Choose a task of this project.")]}) from None
    link = (
        TraceLink.objects.visible_to(actor)
        .select_related("task")
        .filter(requirement=requirement, task_id=pk)
        .first()
    )
    if link is None:
        raise ValidationError({"task_id": [_("This task is not linked.")]})
    task = link.task
    link.delete()
    audit.record(
        actor=actor,
        verb="unlinked",
        target=requirement,
        project=project,
        changes={"task": [task.name, None]},
        visibility=_link_visibility(requirement, task),
    )


def _link_visibility(requirement: Requirement, task: Task) -> str:
    both = requirement.visibility == Visibility.SHARED and task.visibility == Visibility.SHARED
    return Visibility.SHARED if both else Visibility.INTERNAL


# ---------------------------------------------------------------- collection: notes and surveys

_BULLET = re.compile(r"^(\s*)(?:[-*•·]|\d+[.)、])\s+(.*\S)\s*$")
MAX_TITLE = 200


def parse_notes(text: str) -> list[dict[str, Any]]:
    """Candidate requirements from interview or workshop notes: one per bullet line.

    Top-level bullets ("- ", "* ", "• ", "1. ") become requirements; bullets indented under one
    become its acceptance criteria. Other lines (headings, prose) are context and are skipped.
    A bullet longer than a title keeps its full text as the description.
    """
    candidates: list[dict[str, Any]] = []
    base_indent: int | None = None
    for line in (text or "").splitlines():
        match = _BULLET.match(line.expandtabs(4))
        if not match:
            continue
        indent, body = len(match.group(1)), match.group(2).strip()
        if base_indent is None or indent <= base_indent:
            base_indent = indent
            title = body if len(body) <= MAX_TITLE else body[: MAX_TITLE - 1].rstrip() + "…"
            candidates.append(
                {
                    "title": title,
                    "description": body if len(body) > MAX_TITLE else "",
                    "acceptance_criteria": [],
                }
            )
        elif candidates:
            candidates[-1]["acceptance_criteria"].append(body)
    return candidates


@transaction.atomic
def do_requirements_from_notes(
    project: Project,
    *,
    actor: User,
    text: str,
    source: str = Source.INTERVIEW,
    source_note: str = "",
    visibility: str = Visibility.SHARED,
    priority: str = Priority.SHOULD,
) -> list[Requirement]:
    """Turn interview or workshop notes into draft requirements, one per bullet line."""
    permissions.require(actor, project, Action.EDIT_REQUIREMENTS)
    candidates = parse_notes(text)
    if not candidates:
        raise ValidationError({"text": [_("No bullet lines found: start each requirement with “- ”.")]})
    rows = [
        {**c, "source": source, "source_note": source_note, "visibility": visibility, "priority": priority}
        for c in candidates
    ]
    return _create_many(project, actor=actor, rows=rows, verb_reason=_("From notes"))


def _create_many(
    project: Project, *, actor: User, rows: Sequence[Mapping[str, Any]], verb_reason: str
) -> list[Requirement]:
    Project.objects.select_for_update().filter(pk=project.pk).first()
    created: list[Requirement] = []
    errors: dict[str, list[str]] = {}
    rank = _next_rank(project)
    first = int(_next_code(project)[4:])
    for i, row in enumerate(rows, start=1):
        try:
            # Codes and ranks are numbered in memory: the rows before this one are not saved yet.
            code = f"REQ-{first + len(created):03d}"
            requirement = _build(project, actor=actor, data=row, rank=rank, code=code)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(f"rows.{i}.{name}", []).extend(messages)
            continue
        created.append(requirement)
        rank += 1
    if errors:
        raise ValidationError(errors)
    for requirement in created:
        requirement.save()
        _snapshot(requirement, actor=actor, reason=verb_reason)
        audit.record(
            actor=actor,
            verb="added",
            target=requirement,
            project=project,
            visibility=requirement.visibility,
            changes={"title": [None, requirement.title], "source": [None, requirement.source]},
        )
    return created


@transaction.atomic
def do_import_candidates(
    project: Project,
    *,
    actor: User,
    rows: Sequence[Mapping[str, Any]],
    visibility: str = Visibility.SHARED,
) -> list[Requirement]:
    """Create the survey candidates the user confirmed, all or none (each row is checked again)."""
    permissions.require(actor, project, Action.EDIT_REQUIREMENTS)
    if not rows:
        raise ValidationError({"rows": [_("Choose at least one row to import.")]})
    allowed = (
        "title",
        "background",
        "description",
        "priority",
        "acceptance_criteria",
        "source_note",
        "requester_name",
    )
    clean_rows: list[dict[str, Any]] = []
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            raise ValidationError({f"rows.{i}": [_("Each row must be an object.")]})
        extra = sorted(set(row) - set(allowed))
        if extra:
            raise ValidationError(
                {f"rows.{i}.{name}": [_("This field cannot be set here.")] for name in extra}
            )
        clean_rows.append({**row, "source": Source.SURVEY, "visibility": visibility})
    return _create_many(project, actor=actor, rows=clean_rows, verb_reason=_("Imported from a survey"))


def require_import(actor: User, project: Project) -> None:
    """Raise ``PermissionDenied`` unless the actor may import survey candidates (before any parsing)."""
    permissions.require(actor, project, Action.EDIT_REQUIREMENTS)
