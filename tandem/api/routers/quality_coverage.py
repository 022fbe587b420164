"""The coverage matrix of requirements by tests, defects and acceptance, and the quality figures."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from tandem.api.auth import AUTH
from tandem.api.defects_schemas import CoverageFilters, CoverageOut, MetricsOut, coverage_row
from tandem.api.routers.common import caller_and_project
from tandem.quality import coverage, exports, metrics
from tandem.quality.permissions import reads_internal

router = Router(tags=["quality"], auth=AUTH)


@router.get("/projects/{code}/quality/coverage", response=CoverageOut, summary="The coverage matrix")
def get_coverage(request: HttpRequest, code: str, filters: Query[CoverageFilters]) -> dict[str, Any]:
    """One row per requirement the caller sees: its test cases and their last result, open defects by
    severity, acceptance and gaps; ``?gaps=true`` only the rows with a gap. The totals count every row."""
    user, project = caller_and_project(request, code)
    matrix = coverage.coverage_of(user, project, gaps_only=filters.gaps)
    rows = coverage.page_of(matrix.rows, filters.offset, filters.limit)
    return {
        "items": [coverage_row(r) for r in rows],
        "count": len(matrix.rows),
        "limit": filters.limit,
        "offset": filters.offset,
        "totals": matrix.totals,
    }


@router.get("/projects/{code}/quality/coverage/export", summary="Export the coverage matrix")
def export_coverage(
    request: HttpRequest, code: str, gaps: bool = False, format: Literal["csv", "xlsx"] = "csv"
) -> HttpResponse:
    """The coverage matrix as CSV or Excel in the caller's language."""
    user, project = caller_and_project(request, code)
    matrix = coverage.coverage_of(user, project, gaps_only=gaps)
    matrix.all_rows = matrix.rows
    return exports.coverage_response(user, project, matrix, format)


@router.get("/projects/{code}/quality/metrics", response=MetricsOut, summary="The quality figures")
def get_metrics(request: HttpRequest, code: str) -> dict[str, Any]:
    """Pass rate, open defects by severity, reopen rate and defect density (see docs/quality.md); a
    client reads the figures of shared records only."""
    user, project = caller_and_project(request, code)
    shared_only = not reads_internal(user, project)
    figures = metrics.figures(project, shared_only=shared_only)
    return {
        "shared_only": shared_only,
        "pass_rate": figures.pass_rate,
        "results": figures.results,
        "open_defects": figures.open_defects,
        "reopen_rate": figures.reopen_rate,
        "defect_density": figures.defect_density,
    }
