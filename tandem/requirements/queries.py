"""The read side of requirements: lists, versions and their diff, the traceability matrix.

Every query goes through ``visible_to(user)``: a client never reads an internal requirement, its
versions, nor a trace link to an internal task — nor a count that includes one.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.utils.translation import gettext as _

from tandem.core.choices import Visibility
from tandem.core.scoping import Viewer
from tandem.planning.choices import TaskKind
from tandem.planning.models import Task
from tandem.projects.models import Project
from tandem.projects.permissions import is_team
from tandem.requirements.choices import LOCKED, Priority, RequirementStatus
from tandem.requirements.models import Requirement, RequirementConfirmation, RequirementVersion, TraceLink

CODE = re.compile(r"^REQ-\d+$", re.IGNORECASE)

#: Sort orders a list accepts.
ORDERINGS = {
    "rank": ("rank", "id"),
    "code": ("code", "id"),
    "-updated": ("-updated_at", "-id"),
    "priority": ("priority_order", "rank", "id"),
    "status": ("status", "rank", "id"),
}


#: Statuses in which an unconfirmed current version waits for confirmation: sent for review, or revised
#: after a confirmation (a draft is still being written, so it waits for nobody yet).
AWAITING_STATUSES = (
    RequirementStatus.IN_REVIEW,
    RequirementStatus.CONFIRMED,
    RequirementStatus.IN_PROGRESS,
    RequirementStatus.DELIVERED,
)


def awaiting_confirmation_q(prefix: str = "") -> Q:
    """The requirements whose current version waits for confirmation (reached through ``prefix``)."""
    confirmed = RequirementConfirmation.objects.filter(
        requirement=OuterRef(f"{prefix}pk"), version_number=OuterRef(f"{prefix}current_version")
    )
    return Q(**{f"{prefix}status__in": AWAITING_STATUSES}) & ~Q(Exists(confirmed))


def _team_view(user: Viewer, project: Project) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and is_team(user, project)


def _links_filter(user: Viewer, project: Project) -> Q:
    """The trace links a viewer may count: a client counts links to shared tasks only."""
    if _team_view(user, project):
        return Q()
    return Q(trace_links__task__visibility=Visibility.SHARED)


def requirements_of(
    user: Viewer,
    project: Project,
    *,
    search: str = "",
    status: str = "",
    priority: str = "",
    source: str = "",
    ordering: str = "rank",
    awaiting: bool = False,
) -> QuerySet[Requirement]:
    """The requirements of the project the user may see, with what a list needs, in one query.

    Each row carries ``task_count``: the linked tasks the user may see, and ``awaiting``: whether its
    current version waits for confirmation (``awaiting=True`` keeps only those).
    """
    qs: QuerySet[Any] = (
        Requirement.objects.visible_to(user)
        .filter(project=project)
        .select_related("owner", "requester")
        .annotate(task_count=Count("trace_links", filter=_links_filter(user, project), distinct=True))
        .annotate(
            awaiting=Case(
                When(awaiting_confirmation_q(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )
    if awaiting:
        qs = qs.filter(awaiting=True)
    if search:
        search = search.strip()
        qs = qs.filter(
            Q(code__icontains=search) | Q(title__icontains=search) | Q(description__icontains=search)
        )
    if status:
        qs = qs.filter(status=status)
    if priority:
        qs = qs.filter(priority=priority)
    if source:
        qs = qs.filter(source=source)
    order = ORDERINGS.get(ordering, ORDERINGS["rank"])
    if "priority_order" in order:
        qs = qs.annotate(
            priority_order=Case(
                *(When(priority=p, then=Value(i)) for i, p in enumerate(Priority.values)),
                default=Value(len(Priority.values)),
                output_field=IntegerField(),
            )
        )
    return qs.order_by(*order)


def access_requirement(user: Viewer, project: Project, pk_or_code: Any) -> Requirement:
    """A requirement of ``project`` the user may see, by id or code ("REQ-001"); otherwise ``Http404``."""
    qs: QuerySet[Any] = (
        Requirement.objects.visible_to(user)
        .filter(project=project)
        .select_related("owner", "requester", "project")
    )
    text = str(pk_or_code).strip()
    requirement: Requirement | None
    if CODE.match(text):
        requirement = qs.filter(code=text.upper()).first()
    else:
        try:
            pk = int(text)
        except (TypeError, ValueError):
            raise Http404(_("No such requirement.")) from None
        requirement = qs.filter(pk=pk).first()
    if requirement is None:
        raise Http404(_("No such requirement."))
    requirement.project = project
    return cast(Requirement, requirement)


def versions_of(user: Viewer, requirement: Requirement) -> QuerySet[RequirementVersion]:
    """The versions of a requirement, oldest first, with their authors."""
    return (
        RequirementVersion.objects.visible_to(user)
        .filter(requirement=requirement)
        .select_related("created_by")
        .order_by("number")
    )


def confirmations_of(user: Viewer, requirement: Requirement) -> QuerySet[RequirementConfirmation]:
    """Who confirmed which version of a requirement, and when, oldest first."""
    return (
        RequirementConfirmation.objects.visible_to(user)
        .filter(requirement=requirement)
        .select_related("confirmed_by")
        .order_by("confirmed_at", "id")
    )


def linked_tasks(user: Viewer, requirement: Requirement) -> QuerySet[Task]:
    """The tasks of the plan a requirement is traced to, that the user may see, in outline order."""
    return (
        Task.objects.visible_to(user)
        .filter(trace_links__requirement=requirement)
        .select_related("owner")
        .order_by("outline_key", "id")
    )


def linkable_tasks(user: Viewer, requirement: Requirement) -> QuerySet[Task]:
    """The tasks of the plan the user may link a requirement to (not linked yet)."""
    return (
        Task.objects.visible_to(user)
        .filter(project_id=requirement.project_id)
        .exclude(trace_links__requirement=requirement)
        .order_by("outline_key", "id")
    )


def confirmed_version(user: Viewer, requirement: Requirement) -> int | None:
    """The latest version of the requirement that was confirmed, if any."""
    last = confirmations_of(user, requirement).order_by("-version_number").first()
    return last.version_number if last else None


# ---------------------------------------------------------------- diff


@dataclass
class FieldDiff:
    """How one field differs between two versions: the old and new text and a line diff."""

    name: str
    label: str
    old: str
    new: str
    #: (op, text): op is " " (same), "-" (removed) or "+" (added).
    lines: list[tuple[str, str]]


def _as_text(name: str, value: Any) -> str:
    if name == "acceptance_criteria":
        return "\n".join(f"{i}. {c}" for i, c in enumerate(value or [], start=1))
    if name == "priority":
        return str(Priority(value).label) if value in Priority.values else str(value)
    if name == "status":
        return str(RequirementStatus(value).label) if value in RequirementStatus.values else str(value)
    return str(value or "")


DIFF_FIELDS = ("title", "background", "description", "priority", "acceptance_criteria", "status")


def diff_versions(user: Viewer, requirement: Requirement, old: Any, new: Any) -> list[FieldDiff]:
    """The fields that differ between two versions of a requirement, each with a readable line diff.

    Raises ``Http404`` when either version does not exist (or is not visible to the user).
    """
    try:
        numbers = (int(old), int(new))
    except (TypeError, ValueError):
        raise Http404(_("No such version.")) from None
    found = {v.number: v for v in versions_of(user, requirement).filter(number__in=numbers)}
    if numbers[0] not in found or numbers[1] not in found:
        raise Http404(_("No such version."))
    a, b = found[numbers[0]], found[numbers[1]]
    out: list[FieldDiff] = []
    for name in DIFF_FIELDS:
        old_text, new_text = _as_text(name, getattr(a, name)), _as_text(name, getattr(b, name))
        if old_text == new_text:
            continue
        lines = [
            (line[0], line[2:])
            for line in difflib.ndiff(old_text.splitlines(), new_text.splitlines())
            if line[:1] in (" ", "-", "+")
        ]
        label = str(getattr(RequirementVersion._meta.get_field(name), "verbose_name", name))
        out.append(FieldDiff(name=name, label=label, old=old_text, new=new_text, lines=lines))
    return out


# ---------------------------------------------------------------- traceability


@dataclass
class TraceRow:
    """A requirement with the tasks it is traced to."""

    requirement: Requirement
    tasks: list[Task]

    @property
    def gap(self) -> bool:
        """A confirmed (or later) requirement that no task realises."""
        return self.requirement.status in LOCKED and not self.tasks


@dataclass
class TraceMatrix:
    """Requirements against tasks (one window of each side), with the coverage gaps and the totals."""

    rows: list[TraceRow]
    untraced_tasks: list[Task]
    gaps: list[Requirement] = field(default_factory=list)
    #: How many confirmed (or later) requirements there are, and how many of them have a task.
    confirmed: int = 0
    covered: int = 0
    #: How many rows and untraced tasks the whole matrix has (``rows`` and ``untraced_tasks`` may be a page).
    count: int = 0
    untraced_count: int = 0


def traceability(
    user: Viewer,
    project: Project,
    *,
    offset: int = 0,
    limit: int | None = None,
    untraced_offset: int = 0,
    untraced_limit: int | None = None,
) -> TraceMatrix:
    """The traceability matrix: live requirements with their tasks, and the gaps.

    Gaps are confirmed (or later) requirements without tasks, and work tasks (neither phases, work
    packages, summaries nor milestones) traced to no requirement. ``offset``/``limit`` window the
    requirements, ``untraced_offset``/``untraced_limit`` the untraced tasks; the counts are always of
    the whole matrix. A client's matrix counts shared records only, so it never hints at internal ones.
    Seven queries, whatever the size.
    """
    tasks_qs = Task.objects.visible_to(user).filter(project=project).order_by("outline_key", "id")
    dead = (RequirementStatus.REJECTED, RequirementStatus.WITHDRAWN)
    live = (
        Requirement.objects.visible_to(user)
        .filter(project=project)
        .exclude(status__in=dead)
        .annotate(
            traced=Exists(
                TraceLink.objects.filter(requirement=OuterRef("pk"), task__in=tasks_qs.values("pk"))
            )
        )
    )
    totals = live.aggregate(
        count=Count("pk"),
        confirmed=Count("pk", filter=Q(status__in=LOCKED)),
        covered=Count("pk", filter=Q(status__in=LOCKED, traced=True)),
    )
    window = requirements_of(user, project).exclude(status__in=dead)
    window = window.prefetch_related(Prefetch("tasks", queryset=tasks_qs, to_attr="visible_tasks"))
    stop = None if limit is None else offset + limit
    requirements = list(window[offset:stop])
    untraced = tasks_qs.filter(kind=TaskKind.TASK, is_summary=False).exclude(
        pk__in=TraceLink.objects.visible_to(user).filter(requirement__in=live.values("pk")).values("task_id")
    )
    untraced_stop = None if untraced_limit is None else untraced_offset + untraced_limit
    return TraceMatrix(
        rows=[TraceRow(requirement=r, tasks=list(r.visible_tasks)) for r in requirements],
        untraced_tasks=list(untraced[untraced_offset:untraced_stop]),
        gaps=list(live.filter(status__in=LOCKED, traced=False).order_by("rank", "id")),
        confirmed=totals["confirmed"],
        covered=totals["covered"],
        count=totals["count"],
        untraced_count=untraced.count(),
    )
