"""The read side of test cases: each helper fetches *and* authorises (404 for what the reader may not see).

Everything starts from ``scope.cases_of`` and ``scope.runs_of``, so a client tester reads only the
cases of the runs assigned to them; the requirements a case names are read through the reader's own
scope, so a client never learns an internal requirement's code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from tandem.core.validation import ILLEGAL_TEXT
from tandem.quality.choices import TestPriority
from tandem.quality.models import Defect, TestCase, TestCaseRevision, TestRun
from tandem.quality.scope import cases_of, runs_of
from tandem.requirements.models import Requirement

if TYPE_CHECKING:
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project

#: Cases on a page of the list.
PAGE_SIZE = 50
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


@dataclass(frozen=True)
class CaseFilters:
    """The list's search and filters, checked: text, a priority, a requirement id, active or not."""

    q: str = ""
    priority: str = ""
    requirement: int | None = None
    active: bool | None = None

    @property
    def any(self) -> bool:
        """Whether any filter is set."""
        return bool(self.q or self.priority or self.requirement or self.active is not None)


@dataclass(frozen=True)
class CasePage:
    """One page of the case list: its cases, how many match, the page number and the number of pages."""

    items: list[TestCase]
    count: int
    page: int
    pages: int


def check_filters(
    *, q: str = "", priority: str = "", requirement: Any = None, active: Any = None
) -> CaseFilters:
    """The filters as given, checked (a ``ValidationError`` names the one at fault)."""
    # Characters no text may hold (a NUL breaks a PostgreSQL query) cannot be searched for.
    q = ILLEGAL_TEXT.sub("", q or "").strip()[:200]
    if priority and priority not in TestPriority.values:
        raise ValidationError({"priority": [_("Unknown priority.")]})
    requirement_id: int | None = None
    if requirement not in (None, ""):
        try:
            requirement_id = int(requirement)
        except (TypeError, ValueError):
            raise ValidationError({"requirement": [_("Give a requirement's id.")]}) from None
        if not 1 <= requirement_id <= 2**63 - 1:
            raise ValidationError({"requirement": [_("Give a requirement's id.")]})
    shown: bool | None = None
    if isinstance(active, bool):
        shown = active
    elif active not in (None, ""):
        word = str(active).strip().lower()
        if word in _TRUE:
            shown = True
        elif word in _FALSE:
            shown = False
        else:
            raise ValidationError({"active": [_("Say true or false.")]})
    return CaseFilters(q=q, priority=priority or "", requirement=requirement_id, active=shown)


def visible_requirements(user: Viewer, project: Project) -> QuerySet[Requirement]:
    """The requirements of ``project`` the user reads (what a case's links are read through)."""
    return Requirement.objects.visible_to(user).filter(project=project)


def _with_reads(user: Viewer, project: Project, cases: QuerySet[TestCase]) -> QuerySet[TestCase]:
    """``cases`` with their visible requirements and the latest executed run's result the user reads."""
    last = runs_of(user, project).filter(case=OuterRef("pk"), executed_at__isnull=False)
    last = last.order_by("-executed_at", "-id")
    requirements = visible_requirements(user, project).only("id", "code", "title", "project_id")
    return cases.prefetch_related(
        Prefetch("requirements", queryset=requirements.order_by("code"), to_attr="shown_requirements")
    ).annotate(
        last_result=Subquery(last.values("result")[:1]),
        last_run_at=Subquery(last.values("executed_at")[:1]),
    )


def cases_of_filtered(user: Viewer, project: Project, filters: CaseFilters) -> QuerySet[TestCase]:
    """The cases the user reads that match ``filters``, by code, with what the list shows of each."""
    cases = cases_of(user, project)
    if filters.q:
        cases = cases.filter(Q(code__icontains=filters.q) | Q(title__icontains=filters.q))
    if filters.priority:
        cases = cases.filter(priority=filters.priority)
    if filters.requirement is not None:
        linked = visible_requirements(user, project).filter(pk=filters.requirement)
        cases = cases.filter(requirements__in=linked)
    if filters.active is not None:
        cases = cases.filter(is_active=filters.active)
    return _with_reads(user, project, cases.order_by("code", "id").distinct())


def cases_list(
    user: Viewer,
    project: Project,
    *,
    q: str = "",
    priority: str = "",
    requirement: Any = None,
    active: Any = None,
    page: Any = 1,
    page_size: int = PAGE_SIZE,
) -> CasePage:
    """One page of the cases the user reads, searched by code or title and filtered (constant queries)."""
    filters = check_filters(q=q, priority=priority, requirement=requirement, active=active)
    paginator = Paginator(cases_of_filtered(user, project, filters), page_size)
    current = paginator.get_page(page)
    return CasePage(
        items=list(current.object_list),
        count=paginator.count,
        page=current.number,
        pages=paginator.num_pages,
    )


def access_case(user: Viewer, project: Project, pk: Any) -> TestCase:
    """A case of ``project`` the user reads, with its visible requirements and last result; else 404."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise Http404(_("No such test case.")) from None
    if not 1 <= number <= 2**63 - 1:
        raise Http404(_("No such test case."))
    found = _with_reads(user, project, cases_of(user, project).filter(pk=number)).first()
    if found is None:
        raise Http404(_("No such test case."))
    return found


def revisions_of(case: TestCase) -> QuerySet[TestCaseRevision]:
    """The revisions of a case already read through ``access_case``, the newest first."""
    return TestCaseRevision.objects.filter(case=case).select_related("created_by").order_by("-number")


def results_of(user: Viewer, case: TestCase, limit: int = 20) -> QuerySet[TestRun]:
    """The latest executed runs of ``case`` the user reads, newest first."""
    return (
        runs_of(user, case.project)
        .filter(case=case, executed_at__isnull=False)
        .select_related("cycle", "executed_by")
        .order_by("-executed_at", "-id")[:limit]
    )


def defects_of_case(user: Viewer, case: TestCase) -> QuerySet[Defect]:
    """The defects linked to ``case`` the user reads."""
    return (
        Defect.objects.visible_to(user)
        .filter(project=case.project, test_case=case)
        .order_by("-created_at", "-id")
    )
