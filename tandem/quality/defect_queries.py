"""The read side of defects: each helper fetches *and* authorises (404 for a defect the reader may not see).

Every defect read carries ``shown_internal_note`` (the triage note for the delivery team, None for anyone
else) and ``seen_<link>_id`` for each linked record: its id when the reader sees it, else None, so that
no page or answer names a record the reader may not know exists. A fixed number of queries whatever
the number of defects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import CharField, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.http import Http404
from django.utils.translation import gettext as _

from tandem.planning.models import Task
from tandem.projects.models import Deliverable
from tandem.quality.choices import OPEN_DEFECT_STATES
from tandem.quality.models import Defect
from tandem.quality.permissions import reads_internal
from tandem.quality.scope import cases_of, runs_of
from tandem.requirements.models import Requirement

if TYPE_CHECKING:
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project

#: The linked records a defect names, each with the rows the reader sees (a function of reader and project).
LINKS = ("test_case", "test_run", "requirement", "task", "deliverable")


@dataclass(frozen=True)
class DefectFilters:
    """The filters of the defect list (empty: no filter)."""

    search: str = ""
    status: str = ""
    open_only: bool = False
    severity: str = ""
    priority: str = ""
    assignee_id: int | None = None
    requirement_id: int | None = None
    deliverable_id: int | None = None
    cycle_id: int | None = None
    mine: bool = False


def _visible_links(user: Viewer, project: Project) -> dict[str, QuerySet[Any]]:
    return {
        "test_case": cases_of(user, project),
        "test_run": runs_of(user, project),
        "requirement": Requirement.objects.visible_to(user).filter(project=project),
        "task": Task.objects.visible_to(user).filter(project=project),
        "deliverable": Deliverable.objects.visible_to(user).filter(project=project),
    }


def _annotated(user: Viewer, project: Project, rows: QuerySet[Defect]) -> QuerySet[Defect]:
    """``rows`` with the triage note as the reader may read it and the links the reader sees."""
    note: Any = F("internal_note") if reads_internal(user, project) else Value(None, output_field=CharField())
    seen = {
        f"seen_{name}_id": Subquery(
            visible.filter(pk=OuterRef(f"{name}_id")).values("pk")[:1], output_field=IntegerField()
        )
        for name, visible in _visible_links(user, project).items()
    }
    return rows.annotate(shown_internal_note=note, **seen)


def defects_of(user: Viewer, project: Project, filters: DefectFilters | None = None) -> QuerySet[Defect]:
    """The project's defects the user may read (a client: the shared ones), newest first, filtered."""
    f = filters or DefectFilters()
    rows = Defect.objects.visible_to(user).filter(project=project)
    if f.search.strip():
        term = f.search.strip()
        rows = rows.filter(Q(code__icontains=term) | Q(title__icontains=term))
    if f.status:
        rows = rows.filter(status=f.status)
    if f.open_only:
        rows = rows.filter(status__in=OPEN_DEFECT_STATES)
    if f.severity:
        rows = rows.filter(severity=f.severity)
    if f.priority:
        rows = rows.filter(priority=f.priority)
    if f.assignee_id is not None:
        rows = rows.filter(assignee_id=f.assignee_id)
    if f.requirement_id is not None:
        rows = rows.filter(requirement_id=f.requirement_id)
    if f.deliverable_id is not None:
        rows = rows.filter(deliverable_id=f.deliverable_id)
    if f.cycle_id is not None:
        rows = rows.filter(test_run__cycle_id=f.cycle_id)
    if f.mine:
        rows = rows.filter(reported_by_id=user.pk)
    rows = rows.select_related("project", "reported_by", "assignee")
    return _annotated(user, project, rows).order_by("-created_at", "-id")


def _number(pk: Any) -> int:
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise Http404(_("No such defect.")) from None
    if not 1 <= number <= 2**63 - 1:
        raise Http404(_("No such defect."))
    return number


def access_defect(user: Viewer, project: Project, pk: Any) -> Defect:
    """A defect of ``project`` the user may read; otherwise ``Http404``."""
    found = (
        defects_of(user, project)
        .filter(pk=_number(pk))
        .select_related("test_case", "test_run", "test_run__cycle", "requirement", "task", "deliverable")
        .first()
    )
    if found is None:
        raise Http404(_("No such defect."))
    return found


def seen_link(defect: Defect, name: str) -> Any:
    """The linked record ``name`` of a defect from ``defects_of`` when the reader sees it, else None."""
    if getattr(defect, f"seen_{name}_id", None) is None:
        return None
    return getattr(defect, name)
