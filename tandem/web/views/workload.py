"""The workload heatmap pages: a pool's people (or roles) by week, a project's people from both sides,
and a resource's tasks in one week (the drill-down, a page of its own and an HTMX panel)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from tandem.accounts.models import Organization
from tandem.resources import queries
from tandem.resources.workload import Workload, WorkloadRow
from tandem.web.views.base import (
    PREVIEW_PARAM,
    PREVIEW_VALUE,
    ProjectScope,
    apply_errors,
    project_view,
    render_page,
)
from tandem.web.workload_forms import WorkloadFilterForm

PAGE_SIZE = 50


@dataclass(frozen=True)
class Cell:
    """One heatmap cell as the page shows it: the load, its colour band and where it leads."""

    percent: int | None
    css: str
    over: bool
    work_hours: str
    detail: str
    url: str


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f}".removesuffix(".0")


def _band(percent: int | None, over: bool, work: int) -> str:
    """The colour band of a load: the bands' text and background pairs meet WCAG AA (see workload.css)."""
    if over:
        return "load-over"
    if percent is None or work == 0:
        return "load-none"
    if percent <= 50:
        return "load-low"
    if percent <= 80:
        return "load-mid"
    return "load-high"


def _rows(
    found: Workload, page_rows: list[WorkloadRow], suffix: str = ""
) -> list[tuple[WorkloadRow, list[Cell]]]:
    out = []
    # Translated once, not per cell: a page holds up to 50 × 104 cells.
    detail = _("%(work)s h of %(capacity)s h")
    for row in page_rows:
        cells = []
        # One reverse per row: the week is the last part of the drill-down's path.
        pattern = (
            "" if row.resource_id is None else reverse("web:resource_week", args=[row.resource_id, "WEEK"])
        )
        for monday, (capacity, work, percent, over) in zip(found.weeks, row.cells, strict=True):
            link = pattern.replace("/WEEK/", f"/{monday.isoformat()}/") + suffix if pattern and work else ""
            hours = _hours(work)
            text = detail % {"work": hours, "capacity": _hours(capacity)}
            cells.append(Cell(percent, _band(percent, over, work), over, hours, text, link))
        out.append((row, cells))
    return out


def _pager(request: HttpRequest, found: Workload) -> dict[str, str]:
    """Query strings of the previous and next windows and of this week (the other filters kept)."""
    count = len(found.weeks)

    def moved(start: dt.date | None) -> str:
        query = request.GET.copy()
        query.pop("page", None)
        if start is None:
            query.pop("start", None)
        else:
            query["start"] = start.isoformat()
        return query.urlencode()

    return {
        "previous": moved(found.start - dt.timedelta(weeks=count)),
        "next": moved(found.start + dt.timedelta(weeks=count)),
        "today": moved(None),
    }


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page") or 1))
    except ValueError:
        return 1


def _computed(request: HttpRequest, compute: Callable[[slice], Workload]) -> tuple[Workload, Page[Any]]:
    """The heatmap of the requested page: per person, only that page's people are computed."""
    number = _page_number(request)
    found = compute(slice((number - 1) * PAGE_SIZE, number * PAGE_SIZE))
    if found.group != "person":
        return found, Paginator(found.rows, PAGE_SIZE).get_page(number)
    page = Paginator(range(found.total), PAGE_SIZE).get_page(number)
    if page.number != number:  # past the last page: show the last one
        found = compute(slice((page.number - 1) * PAGE_SIZE, page.number * PAGE_SIZE))
    return found, page


def _page_context(
    request: HttpRequest,
    found: Workload | None,
    page: Page[Any] | None,
    *,
    sliced: bool = False,
    suffix: str = "",
) -> dict[str, Any]:
    """The template's context; ``sliced``: ``found`` holds only the page's people already."""
    if found is None or page is None:
        return {"page": None, "rows": []}
    shown = found.rows if sliced and found.group == "person" else list(page.object_list)
    query: QueryDict = request.GET.copy()
    query.pop("page", None)
    return {
        "workload": found,
        "page": page,
        "rows": _rows(found, shown, suffix),
        "pager": _pager(request, found),
        "query": query.urlencode(),
    }


@login_required
def pool_workload(request: HttpRequest, org_id: int) -> HttpResponse:
    """An organization's pool by week: load per person or role, over-allocation marked, a drill-down."""
    user = request.user
    organization = queries.access_organization(user, org_id)
    form = WorkloadFilterForm(
        request.GET or None,
        projects=queries.projects_of_pool(user, organization),
        roles=queries.roles_of(organization),
    )
    found: Workload | None = None
    page: Page[Any] | None = None
    status = 200
    if not request.GET or form.is_valid():
        window = form.window() if request.GET else {}
        filters = {
            "project_code": form.cleaned_data.get("project", "") if request.GET else "",
            "role": form.cleaned_data.get("role", "") if request.GET else "",
        }
        try:
            found, page = _computed(
                request,
                lambda part: queries.pool_workload(
                    user, organization, people_slice=part, **filters, **window
                ),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            status = 400
    else:
        status = 400
    return render_page(
        request,
        "web/workload/pool.html",
        {"organization": organization, "form": form, **_page_context(request, found, page, sliced=True)},
        fragment="web/workload/_heatmap.html",
        status=status,
    )


@project_view
def project_workload(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The project's people from both sides (the pools the reader may read), by week."""
    form = WorkloadFilterForm(request.GET or None)
    found: Workload | None = None
    page: Page[Any] | None = None
    pools: list[Organization] = []
    status = 200
    if not request.GET or form.is_valid():
        window = form.window() if request.GET else {}
        try:
            found, pools = queries.project_workload(scope.viewer, scope.project, **window)
            page = Paginator(found.rows, PAGE_SIZE).get_page(_page_number(request))
        except ValidationError as exc:
            apply_errors(form, exc)
            status = 400
    else:
        status = 400
    return render_page(
        request,
        "web/workload/project.html",
        {
            "scope": scope,
            "project": scope.project,
            "form": form,
            "pools": pools,
            **_page_context(request, found, page, suffix=scope.query_suffix),
        },
        fragment="web/workload/_heatmap.html",
        status=status,
    )


@login_required
def resource_week(request: HttpRequest, pk: int, week: str) -> HttpResponse:
    """A resource's tasks in one week, as the reader may see them (the heatmap's drill-down)."""
    try:
        resource, monday, tasks = queries.resource_week(
            request.user, pk, week, preview=request.GET.get(PREVIEW_PARAM) == PREVIEW_VALUE
        )
    except ValidationError:
        raise Http404(_("No such week.")) from None
    return render_page(
        request,
        "web/workload/week.html",
        {
            "resource": resource,
            "organization": resource.organization,
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            "tasks": [(t, _hours(t.work_minutes)) for t in tasks],
            "total_hours": _hours(sum(t.work_minutes for t in tasks)),
        },
        fragment="web/workload/_week.html",
    )
