"""Defects, the coverage matrix and the acceptance requests as CSV or Excel, in the reader's language.

The triage note is a column for the delivery team only: a client's file has no such column.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from tandem.core import tabular
from tandem.quality.coverage import Coverage
from tandem.quality.defect_queries import seen_link
from tandem.quality.models import AcceptanceRequest, Defect
from tandem.quality.permissions import reads_internal

if TYPE_CHECKING:
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _language(user: Viewer) -> str:
    return getattr(user, "language", "") or translation.get_language() or "en"


def _response(
    user: Viewer, project: Project, name: str, columns: list[str], lines: Iterable[Sequence[Any]], fmt: str
) -> HttpResponse:
    if fmt == "xlsx":
        data = tabular.write_xlsx(columns, lines, title=project.code, widths=(10, 40, 12, 12, 12))
        response = HttpResponse(data, content_type=XLSX_TYPE)
    else:
        text = tabular.write_csv(columns, lines)
        response = HttpResponse(("\ufeff" + text).encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{project.code}-{name}.{fmt}"'
    return response


def defect_headers(*, internal: bool) -> list[str]:
    """The columns of the defect export, in the active language."""
    names = [
        _("Code"),
        _("Title"),
        _("Status"),
        _("Severity"),
        _("Priority"),
        _("Visibility"),
        _("Reported by"),
        _("Assignee"),
        _("Linked test case"),
        _("Requirement"),
        _("Deliverable"),
        _("Times reopened"),
        _("Resolution"),
        _("Filed"),
    ]
    if internal:
        names.append(_("Triage note (internal)"))
    return [str(n) for n in names]


def defect_lines(rows: QuerySet[Defect], *, internal: bool) -> Iterator[Sequence[Any]]:
    """One line per defect (read in chunks), the links only where the reader sees them."""
    for defect in rows.select_related("test_case", "requirement", "deliverable").iterator(chunk_size=2000):
        case, requirement, deliverable = (
            seen_link(defect, "test_case"),
            seen_link(defect, "requirement"),
            seen_link(defect, "deliverable"),
        )
        line: list[Any] = [
            defect.code,
            defect.title,
            str(defect.get_status_display()),
            str(defect.get_severity_display()),
            str(defect.get_priority_display()),
            str(defect.get_visibility_display()),
            defect.reported_by.full_name if defect.reported_by is not None else "",
            defect.assignee.full_name if defect.assignee is not None else "",
            case.code if case is not None else "",
            requirement.code if requirement is not None else "",
            deliverable.name if deliverable is not None else "",
            defect.reopen_count,
            defect.resolution,
            defect.created_at.date(),
        ]
        if internal:
            line.append(defect.internal_note)
        yield line


def defects_response(user: Viewer, project: Project, rows: QuerySet[Defect], fmt: str) -> HttpResponse:
    """The defects the reader may read as CSV (``fmt="csv"``) or Excel, in the reader's language."""
    internal = reads_internal(user, project)
    with translation.override(_language(user)):
        columns = defect_headers(internal=internal)
        lines = list(defect_lines(rows, internal=internal))
    return _response(user, project, "defects", columns, lines, fmt)


def coverage_response(user: Viewer, project: Project, coverage: Coverage, fmt: str) -> HttpResponse:
    """The coverage matrix as CSV or Excel, one line per requirement, in the reader's language."""
    with translation.override(_language(user)):
        columns = [
            str(n)
            for n in (
                _("Requirement"),
                _("Title"),
                _("Cases"),
                _("Cases passed"),
                _("Cases failed"),
                _("Cases blocked"),
                _("Cases not run"),
                _("Open critical defects"),
                _("Open major defects"),
                _("Open minor defects"),
                _("Open trivial defects"),
                _("Acceptance status"),
                _("Gaps"),
            )
        ]
        lines = [
            [
                row.requirement.code,
                row.requirement.title,
                len(row.cases),
                row.results.get("passed", 0),
                row.results.get("failed", 0),
                row.results.get("blocked", 0),
                row.results.get("not_run", 0),
                row.open_defects.get("critical", 0),
                row.open_defects.get("major", 0),
                row.open_defects.get("minor", 0),
                row.open_defects.get("trivial", 0),
                str(row.acceptance_label),
                "; ".join(str(label) for label in row.gap_labels),
            ]
            for row in coverage.all_rows
        ]
    return _response(user, project, "coverage", columns, lines, fmt)


def acceptance_response(
    user: Viewer, project: Project, rows: QuerySet[AcceptanceRequest], fmt: str
) -> HttpResponse:
    """The acceptance requests the reader may read (``acceptance_queries.requests_of``, with their
    criteria counts) as CSV or Excel in the reader's language: decision, signer, time and the SHA-256
    of what was signed, so a list of accepted deliverables can go to the client's finance."""
    zone = project.zone
    with translation.override(_language(user)):
        columns = [
            str(n)
            for n in (
                _("Code"),
                _("Title"),
                _("Deliverable"),
                _("Milestone"),
                _("Status"),
                _("Decision due"),
                _("Criteria"),
                _("Accepted"),
                _("Not accepted"),
                _("Not reviewed"),
                _("Signed by"),
                _("Signed"),
                _("SHA-256"),
            )
        ]
        lines: list[Sequence[Any]] = [
            [
                row.code,
                row.title,
                row.deliverable.name if row.deliverable is not None else "",
                row.milestone.name if row.milestone is not None else "",
                str(row.get_status_display()),
                row.due_date.isoformat() if row.due_date else "",
                row.criteria_total,  # type: ignore[attr-defined]
                row.criteria_accepted,  # type: ignore[attr-defined]
                row.criteria_not_accepted,  # type: ignore[attr-defined]
                row.criteria_pending,  # type: ignore[attr-defined]
                row.signed_by.full_name if row.signed_by is not None else "",
                row.signed_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if row.signed_at else "",
                row.content_sha256,
            ]
            for row in rows
        ]
    return _response(user, project, "acceptances", columns, lines, fmt)
