"""Status reports: list, read, generate, edit, submit, approve, return, send; PDF and Markdown."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from tandem.api.auth import AUTH
from tandem.api.pagination import paged
from tandem.api.reports_schemas import (
    GenerateIn,
    ReportListOut,
    ReportOut,
    ReportPatchIn,
    ReportSettingsIn,
    ReportSettingsOut,
    ReturnIn,
)
from tandem.api.routers.common import caller_and_project
from tandem.api.schemas import VersionIn
from tandem.meetings.models import CommunicationItem
from tandem.reports import queries, rendering, services
from tandem.reports.models import ReportSettings, StatusReport

router = Router(tags=["reports"], auth=AUTH)


class ReportFilters(Schema):
    """Filters of the report list."""

    status: str = ""
    search: str = ""


@router.get("/projects/{code}/reports", response=list[ReportListOut], summary="The project's status reports")
@paged
def list_reports(request: HttpRequest, code: str, filters: Query[ReportFilters]) -> QuerySet[StatusReport]:
    """Newest period first; a client sees sent reports only."""
    user, project = caller_and_project(request, code)
    return queries.reports_of(user, project, **filters.model_dump())


@router.post("/projects/{code}/reports", response={201: ReportOut}, summary="Generate a report")
def generate_report(request: HttpRequest, code: str, payload: GenerateIn) -> Status[StatusReport]:
    """A new draft for the period, generated from live data (shared records only)."""
    user, project = caller_and_project(request, code)
    item = None
    if payload.item_id is not None:
        item = CommunicationItem.objects.visible_to(user).filter(project=project, pk=payload.item_id).first()
        if item is None:
            raise ValidationError(
                {"item_id": [_("Choose a status-report entry of this project's communication plan.")]}
            )
    report = services.generate_report(
        project,
        period_start=payload.period_start,
        period_end=payload.period_end,
        language=payload.language,
        actor=user,
        item=item,
    )
    return Status(201, report)


@router.get("/projects/{code}/report-settings", response=ReportSettingsOut, summary="Report settings")
def get_report_settings(request: HttpRequest, code: str) -> ReportSettings:
    """Whether reports need approval before they are sent."""
    _user, project = caller_and_project(request, code)
    return queries.settings_for(project)


@router.put(
    "/projects/{code}/report-settings", response=ReportSettingsOut, summary="Change the report settings"
)
def update_report_settings(request: HttpRequest, code: str, payload: ReportSettingsIn) -> ReportSettings:
    """Say whether reports need approval (version 0 for the first change)."""
    user, project = caller_and_project(request, code)
    return services.do_update_report_settings(
        project, actor=user, version=payload.version, require_approval=payload.require_approval
    )


@router.get("/projects/{code}/reports/{report_id}", response=ReportOut, summary="A status report")
def get_report(request: HttpRequest, code: str, report_id: int) -> StatusReport:
    """One report the caller may see."""
    user, project = caller_and_project(request, code)
    return queries.access_report(user, project, report_id)


@router.patch("/projects/{code}/reports/{report_id}", response=ReportOut, summary="Edit a draft")
def edit_report(request: HttpRequest, code: str, report_id: int, payload: ReportPatchIn) -> StatusReport:
    """Change the title, narrative or (only worse) overall rating of a draft."""
    user, project = caller_and_project(request, code)
    report = queries.access_report(user, project, report_id)
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    return services.do_edit_report(report, actor=user, version=payload.version, **data)


@router.post("/projects/{code}/reports/{report_id}/submit", response=ReportOut, summary="Submit for approval")
def submit_report(request: HttpRequest, code: str, report_id: int, payload: VersionIn) -> StatusReport:
    """Ask the holders of "approve status report" to approve the draft."""
    user, project = caller_and_project(request, code)
    report = queries.access_report(user, project, report_id)
    return services.do_submit_report(report, actor=user, version=payload.version)


@router.post("/projects/{code}/reports/{report_id}/approve", response=ReportOut, summary="Approve")
def approve_report(request: HttpRequest, code: str, report_id: int, payload: VersionIn) -> StatusReport:
    """Approve a report awaiting approval."""
    user, project = caller_and_project(request, code)
    report = queries.access_report(user, project, report_id)
    return services.do_approve_report(report, actor=user, version=payload.version)


@router.post(
    "/projects/{code}/reports/{report_id}/return", response=ReportOut, summary="Return to the author"
)
def return_report(request: HttpRequest, code: str, report_id: int, payload: ReturnIn) -> StatusReport:
    """Send a report awaiting approval back to draft, with a reason."""
    user, project = caller_and_project(request, code)
    report = queries.access_report(user, project, report_id)
    return services.do_return_report(report, actor=user, version=payload.version, reason=payload.reason)


@router.post("/projects/{code}/reports/{report_id}/send", response=ReportOut, summary="Send")
def send_report(request: HttpRequest, code: str, report_id: int, payload: VersionIn) -> StatusReport:
    """Send the report: shared from now on, emailed to its recipients, immutable."""
    user, project = caller_and_project(request, code)
    report = queries.access_report(user, project, report_id)
    return services.do_send_report(report, actor=user, version=payload.version)


@router.get("/projects/{code}/reports/{report_id}/pdf", summary="The report as PDF")
def report_pdf(request: HttpRequest, code: str, report_id: int) -> HttpResponse:
    """The report as a PDF in its language."""
    user, project = caller_and_project(request, code)
    report = queries.access_report(user, project, report_id)
    response = HttpResponse(rendering.render_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{rendering.filename(report, "pdf")}"'
    return response


@router.get("/projects/{code}/reports/{report_id}/markdown", summary="The report as Markdown")
def report_markdown(request: HttpRequest, code: str, report_id: int) -> HttpResponse:
    """The report as Markdown in its language."""
    user, project = caller_and_project(request, code)
    report = queries.access_report(user, project, report_id)
    response = HttpResponse(
        rendering.render_markdown_text(report), content_type="text/markdown; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{rendering.filename(report, "md")}"'
    return response
