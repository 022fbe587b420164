"""Status report pages: the project's reports, generating one, the report (team and client view),
editing its narrative, the approval workflow, sending, and the PDF and Markdown downloads.

Reads go through ``tandem.reports.queries`` with the scope's viewer: a client (or a team member
previewing the client view) sees sent reports only, and a sent report shows its stored snapshot.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tandem.meetings import queries as meeting_queries
from tandem.meetings.choices import CommunicationKind
from tandem.meetings.models import CommunicationItem
from tandem.reports import permissions, queries, rendering, services
from tandem.reports.choices import ReportStatus
from tandem.reports.models import StatusReport
from tandem.web.reports_forms import GenerateForm, ReportEditForm, SettingsForm
from tandem.web.views.base import (
    ProjectScope,
    apply_errors,
    back_to_inbox,
    project_view,
    render_page,
    run_action,
    submit_form,
)

PAGE_SIZE = 20


def _can_write(scope: ProjectScope) -> bool:
    return not scope.preview and permissions.can_write(scope.user, scope.project)


def _can_approve(scope: ProjectScope) -> bool:
    return not scope.preview and permissions.can_approve(scope.user, scope.project)


def _context(scope: ProjectScope, **extra: Any) -> dict[str, Any]:
    return {
        "scope": scope,
        "project": scope.project,
        "can_write": _can_write(scope),
        "can_approve": _can_approve(scope),
        **extra,
    }


def _plan_items(scope: ProjectScope) -> list[CommunicationItem]:
    """The project's active status-report entries of the communication plan the user sees."""
    return list(
        meeting_queries.items_of(scope.viewer, scope.project, active=True).filter(
            kind=CommunicationKind.STATUS_REPORT
        )
    )


def _generate_form(scope: ProjectScope, data: Any = None) -> GenerateForm:
    items = _plan_items(scope)
    initial = GenerateForm.last_week(timezone.localdate()) | {
        "language": scope.project.language or "en",
        "item": items[0].pk if len(items) == 1 else None,
    }
    return GenerateForm(data, initial=initial, items=[(i.pk, i.title) for i in items])


@project_view
def report_list(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The project's reports, newest first (a client sees sent ones), and generating a new one."""
    search = request.GET.get("q", "").strip()[:100]
    rows = queries.reports_of(scope.viewer, scope.project, search=search)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    settings = queries.settings_for(scope.project)
    return render_page(
        request,
        "web/reports/list.html",
        _context(
            scope,
            page=page,
            search=search,
            form=_generate_form(scope) if _can_write(scope) else None,
            settings=settings,
            settings_form=SettingsForm(
                initial={"version": settings.version, "require_approval": settings.require_approval}
            ),
            can_configure=not scope.preview and permissions.can_configure(scope.user, scope.project),
        ),
    )


@project_view
@require_POST
def report_generate(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Generate a draft from live data and open it."""
    if not _can_write(scope):
        raise PermissionDenied(_("Your role in this project does not allow this."))
    form = _generate_form(scope, request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        chosen = data.pop("item")
        item = next((i for i in _plan_items(scope) if i.pk == chosen), None)
        try:
            report = services.generate_report(scope.project, actor=scope.user, item=item, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("The report was generated from the current data. Review it before sending.")
            )
            return redirect("web:report_detail", code=scope.project.code, pk=report.pk)
    settings = queries.settings_for(scope.project)
    return render_page(
        request,
        "web/reports/list.html",
        _context(
            scope,
            page=Paginator(queries.reports_of(scope.viewer, scope.project), PAGE_SIZE).get_page(1),
            search="",
            form=form,
            settings=settings,
            settings_form=SettingsForm(
                initial={"version": settings.version, "require_approval": settings.require_approval}
            ),
            can_configure=permissions.can_configure(scope.user, scope.project),
        ),
        status=400,
    )


@project_view
@require_POST
def report_settings(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Say whether reports need approval before they are sent."""
    form = SettingsForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            lambda: services.do_update_report_settings(
                scope.project,
                actor=scope.user,
                version=form.cleaned_data["version"],
                require_approval=form.cleaned_data["require_approval"],
            ),
            _("The report settings were saved."),
        )
    return redirect("web:reports", code=scope.project.code)


@project_view
def report_detail(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """The report as its reader may see it: the stored snapshot once sent."""
    report = queries.access_report(scope.viewer, scope.project, pk)
    required = queries.settings_for(scope.project).require_approval
    can_write = _can_write(scope) and not report.is_sent
    return render_page(
        request,
        "web/reports/detail.html",
        _context(
            scope,
            report=report,
            body=rendering.render_body(report),
            can_edit=can_write and report.status == ReportStatus.DRAFT,
            can_submit=can_write and report.status == ReportStatus.DRAFT,
            can_send=can_write
            and (
                report.status == ReportStatus.APPROVED
                or (report.status == ReportStatus.DRAFT and not required)
            ),
            can_decide=_can_approve(scope) and report.status == ReportStatus.AWAITING_APPROVAL,
            require_approval=required,
        ),
    )


@project_view
def report_edit(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Edit the narrative of a draft."""
    report = queries.access_report(scope.viewer, scope.project, pk)
    if not _can_write(scope):
        raise PermissionDenied(_("Your role in this project does not allow this."))
    if report.is_sent:
        messages.error(request, _("This report was sent and can no longer change."))
        return redirect("web:report_detail", code=scope.project.code, pk=report.pk)
    form = ReportEditForm(request.POST or None, initial=_report_values(report))
    status = 200
    if request.method == "POST":
        saved, status = submit_form(
            form,
            lambda: services.do_edit_report(
                report, actor=scope.user, version=form.cleaned_data["version"], **form.data_for_service()
            ),
            saved=lambda: _report_values(queries.access_report(scope.viewer, scope.project, pk)),
        )
        if saved is not None:
            messages.success(request, _("The report was saved."))
            return redirect("web:report_detail", code=scope.project.code, pk=report.pk)
    return render_page(
        request, "web/reports/edit.html", _context(scope, report=report, form=form), status=status
    )


def _report_values(report: StatusReport) -> dict[str, Any]:
    """The edit form's values of a report as saved."""
    return {name: getattr(report, name) for name in ReportEditForm.base_fields}


ACTIONS = {
    "submit": (services.do_submit_report, gettext_lazy("The report was submitted for approval.")),
    "approve": (services.do_approve_report, gettext_lazy("The report was approved.")),
    "return": (services.do_return_report, gettext_lazy("The report was returned to its author.")),
    "send": (services.do_send_report, gettext_lazy("The report was sent.")),
}


@project_view
@require_POST
def report_action(request: HttpRequest, scope: ProjectScope, pk: int, action: str) -> HttpResponse:
    """Submit, approve, return or send a report (with the version the page showed)."""
    report = queries.access_report(scope.viewer, scope.project, pk)
    if scope.preview or action not in ACTIONS:
        raise PermissionDenied(_("Your role in this project does not allow this."))
    service, done = ACTIONS[action]
    version: int | None
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    extra: dict[str, Any] = {"reason": request.POST.get("reason", "")[:2000]} if action == "return" else {}
    _done, status = run_action(
        request, lambda: service(report, actor=scope.user, version=version, **extra), str(done)
    )
    back = back_to_inbox(request) if status == 200 else None
    return back or redirect("web:report_detail", code=scope.project.code, pk=report.pk)


def _download(report: StatusReport, content: bytes | str, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{rendering.filename(report, extension)}"'
    return response


@project_view
def report_pdf(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """The report as a PDF."""
    report = queries.access_report(scope.viewer, scope.project, pk)
    return _download(report, rendering.render_pdf(report), "application/pdf", "pdf")


@project_view
def report_markdown(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """The report as Markdown."""
    report = queries.access_report(scope.viewer, scope.project, pk)
    return _download(report, rendering.render_markdown_text(report), "text/markdown; charset=utf-8", "md")
