"""The test case pages (the list with its filters, a case, the case form, import and export) and the
quality standards page (the checklist of deliverables and phases against the standards)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.quality import case_imports, case_queries, cases, permissions, standards
from tandem.quality.cases import steps_text
from tandem.quality.choices import CheckResult
from tandem.quality.models import TestCase
from tandem.web.quality_case_forms import CaseFilterForm, CaseForm, CaseImportForm, CheckForm, StandardForm
from tandem.web.views.base import (
    ProjectScope,
    apply_errors,
    flash_errors,
    project_view,
    render_page,
    require_allowed,
    run_action,
    submit_edit,
    submit_form,
)

PAGE_SIZE = case_queries.PAGE_SIZE


def _context(scope: ProjectScope, **extra: Any) -> dict[str, Any]:
    return {"scope": scope, "project": scope.project, **extra}


def _writing(scope: ProjectScope) -> bool:
    """Whether the reader writes test cases here (never while previewing the client's view)."""
    return not scope.preview and permissions.can_write_cases(scope.user, scope.project)


def _requirements(scope: ProjectScope) -> Any:
    return (
        case_queries.visible_requirements(scope.viewer, scope.project)
        .only("id", "code", "title")
        .order_by("code")
    )


def _filters(form: CaseFilterForm) -> case_queries.CaseFilters:
    data = form.cleaned_data if form.is_valid() else {}
    return case_queries.check_filters(
        q=data.get("q", ""),
        priority=data.get("priority", ""),
        requirement=data.get("requirement"),
        active=data.get("active"),
    )


@project_view
def test_case_list(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The cases the reader reads, searched and filtered, 50 a page, with import and export links."""
    form = CaseFilterForm(request.GET, requirements=_requirements(scope))
    status = 200 if form.is_valid() else 400
    filters = _filters(form)
    rows = case_queries.cases_of_filtered(scope.viewer, scope.project, filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = _context(
        scope,
        filter_form=form,
        page=page,
        query=query.urlencode(),
        filtered=filters.any,
        writing=_writing(scope),
    )
    return render_page(
        request, "web/quality/cases.html", context, fragment="web/quality/_cases.html", status=status
    )


@project_view
def test_case_new(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Write a test case (the team's writers; the client PM, shared)."""
    require_allowed(_writing(scope))
    project, team = scope.project, scope.team
    form = CaseForm(requirements=_requirements(scope), team=team, initial={"version": 0})
    status = 200
    if request.method == "POST":
        form = bound = CaseForm(request.POST, requirements=_requirements(scope), team=team)
        case, status = submit_form(
            bound, lambda: cases.do_create_case(project, actor=scope.user, **bound.data_for_service())
        )
        if case is not None:
            messages.success(request, _("Test case %(code)s was saved.") % {"code": case.code})
            return redirect("web:test_case_detail", project.code, case.pk)
    return render_page(
        request, "web/quality/case_form.html", _context(scope, form=form, case=None), status=status
    )


def _initial(case: TestCase) -> dict[str, Any]:
    return {
        "title": case.title,
        "preconditions": case.preconditions,
        "steps": steps_text(case.steps),
        "expected_result": case.expected_result,
        "priority": case.priority,
        "requirements": [str(r.pk) for r in getattr(case, "shown_requirements", [])],
        "visibility": case.visibility,
        "version": case.version,
    }


@project_view
def test_case_edit(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Change a test case; a new content makes a new revision."""
    case = case_queries.access_case(scope.viewer, scope.project, pk)
    require_allowed(_writing(scope))
    team = scope.team
    form = CaseForm(requirements=_requirements(scope), team=team, initial=_initial(case))
    status = 200
    if request.method == "POST":
        form = bound = CaseForm(request.POST, requirements=_requirements(scope), team=team)

        def saved() -> dict[str, Any]:
            return _initial(case_queries.access_case(scope.viewer, scope.project, pk))

        done, status = submit_edit(
            bound, cases.do_update_case, case, scope.user, saved=saved, values=bound.data_for_service
        )
        if done is not None:
            messages.success(request, _("Test case %(code)s was saved.") % {"code": case.code})
            return redirect("web:test_case_detail", scope.project.code, case.pk)
    return render_page(
        request, "web/quality/case_form.html", _context(scope, form=form, case=case), status=status
    )


@project_view
def test_case_detail(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """One case: its steps, the requirements the reader sees, its revisions, last results and defects."""
    case = case_queries.access_case(scope.viewer, scope.project, pk)
    context = _context(
        scope,
        case=case,
        revisions=list(case_queries.revisions_of(case)[:20]),
        results=list(case_queries.results_of(scope.viewer, case)),
        defects=list(case_queries.defects_of_case(scope.viewer, case)[:50]),
        writing=_writing(scope),
    )
    return render_page(request, "web/quality/case_detail.html", context)


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@require_POST
@project_view
def test_case_action(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """POST ``action`` = ``retire``, ``reactivate`` or ``remove`` with the ``version`` read."""
    case = case_queries.access_case(scope.viewer, scope.project, pk)
    require_allowed(_writing(scope))
    user, version = scope.user, _version(request)
    calls: dict[str, tuple[Any, str]] = {
        "retire": (
            lambda: cases.do_retire_case(case, actor=user, version=version),
            _("The test case was retired."),
        ),
        "reactivate": (
            lambda: cases.do_reactivate_case(case, actor=user, version=version),
            _("The test case is active again."),
        ),
        "remove": (
            lambda: cases.do_delete_case(case, actor=user, version=version),
            _("The test case was removed."),
        ),
    }
    action = request.POST.get("action", "")
    if action not in calls:
        raise Http404(_("Unknown action."))
    call, done = calls[action]
    _result, status = run_action(request, call, done)
    if action == "remove" and status == 200:
        return redirect("web:test_cases", scope.project.code)
    return redirect("web:test_case_detail", scope.project.code, case.pk)


def _named(exc: ValidationError) -> list[str]:
    """An import's errors, each after the row and column it names ("row 7, Priority: …")."""
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    return [
        message if key in ("file", NON_FIELD_ERRORS) else f"{key}: {message}"
        for key, messages in exc.message_dict.items()
        for message in messages
    ]


@project_view
def test_case_import(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Upload a file, preview its rows with their errors, then import them all (or none)."""
    require_allowed(_writing(scope))
    project, user = scope.project, scope.user
    form = CaseImportForm()
    rows: list[case_imports.ImportRow] = []
    encoded, filename, errors = "", "", []
    status = 200
    if request.method == "POST" and request.POST.get("step") == "import":
        filename = request.POST.get("filename", "")
        try:
            content = base64.b64decode(request.POST.get("content", ""), validate=True)
        except (binascii.Error, ValueError):
            content = b""
        try:
            made = case_imports.do_import_cases(project, actor=user, content=content, filename=filename)
        except ValidationError as exc:
            errors, status = _named(exc), 400
        else:
            messages.success(request, _("%(n)s test cases were imported.") % {"n": len(made)})
            return redirect("web:test_cases", project.code)
    elif request.method == "POST":
        form = CaseImportForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read(case_imports.MAX_BYTES + 1)
            try:
                rows = case_imports.check_import(project, actor=user, content=content, filename=upload.name)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                status, filename = 200, upload.name
                encoded = base64.b64encode(content).decode()
    context = _context(
        scope,
        form=form,
        rows=rows,
        ok_count=sum(1 for r in rows if r.ok),
        all_ok=bool(rows) and all(r.ok for r in rows),
        content=encoded,
        filename=filename,
        import_errors=errors,
    )
    return render_page(request, "web/quality/case_import.html", context, status=status)


@project_view
def test_case_export(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The cases the reader reads, filtered as the list is, as CSV or Excel (``?format=``)."""
    form = CaseFilterForm(request.GET, requirements=_requirements(scope))
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return case_imports.export_response(scope.viewer, scope.project, _filters(form), file_format)


# ---------------------------------------------------------------- quality standards


def _history(request: HttpRequest, scope: ProjectScope) -> dict[str, Any] | None:
    """The checks of one standard against one target (``?history=<standard>&target=<kind:id>``)."""
    if not request.GET.get("history"):
        return None
    standard = standards.access_standard(scope.viewer, scope.project, request.GET.get("history"))
    kind, _sep, pk = request.GET.get("target", "").partition(":")
    if kind not in ("deliverable", "phase") or not pk.isdigit() or len(pk) > 18:
        raise Http404(_("Choose a deliverable or a phase."))
    checks = standards.check_history(scope.viewer, standard, **{f"{kind}_id": int(pk)})
    return {"standard": standard, "checks": list(checks[:100])}


@project_view
def quality_standards(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The checklist: standards × deliverables and phases with each pair's latest check. POST ``action`` =
    ``add`` (a standard), ``from_charter``, ``remove`` (a standard) or ``check`` (a result in place)."""
    project, user = scope.project, scope.user
    editing = not scope.preview and permissions.can_edit_standards(user, project)
    checking = not scope.preview and permissions.can_check_quality(user, project)
    form = StandardForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add":
            require_allowed(editing)
            form = bound = StandardForm(request.POST)
            done, status = submit_form(
                bound, lambda: standards.do_add_standard(project, actor=user, **bound.cleaned_data)
            )
            if done is not None:
                messages.success(request, _("The quality standard was added."))
                return redirect("web:quality_standards", project.code)
        elif action == "from_charter":
            require_allowed(editing)
            run_action(
                request,
                lambda: standards.do_import_standards_from_charter(project, actor=user),
                _("The charter's quality standards were taken over."),
            )
            return redirect("web:quality_standards", project.code)
        elif action == "remove":
            require_allowed(editing)
            standard = standards.access_standard(scope.viewer, project, request.POST.get("standard"))
            run_action(
                request,
                lambda: standards.do_delete_standard(standard, actor=user, version=_version(request)),
                _("The quality standard was removed."),
            )
            return redirect("web:quality_standards", project.code)
        elif action == "check":
            require_allowed(checking)
            check = CheckForm(request.POST)
            if check.is_valid():
                standard = standards.access_standard(scope.viewer, project, check.cleaned_data["standard"])
                run_action(
                    request,
                    lambda: standards.do_record_check(
                        standard,
                        actor=user,
                        result=check.cleaned_data["result"],
                        note=check.cleaned_data["note"],
                        **check.cleaned_data["target"],
                    ),
                    _("The check was recorded."),
                )
            else:
                flash_errors(request, check, labelled=True)
            return redirect("web:quality_standards", project.code)
        else:
            raise Http404(_("Unknown action."))
    context = _context(
        scope,
        history=_history(request, scope),
        checklist=standards.checklist(scope.viewer, project),
        editing=editing,
        checking=checking,
        form=form,
        results=CheckResult.choices,
    )
    return render_page(request, "web/quality/standards.html", context, status=status)
