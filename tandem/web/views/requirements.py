"""Requirements pages: the backlog, a requirement with its versions and confirmations, intake, the matrix."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.projects.choices import DecisionKind
from tandem.projects.permissions import Action, can, holds
from tandem.requirements import exports, imports, queries, services
from tandem.requirements.choices import LOCKED, TRANSITIONS, Priority, RequirementStatus
from tandem.requirements.models import Requirement
from tandem.web.requirements_forms import (
    ConfirmForm,
    LinkForm,
    NotesForm,
    RequestForm,
    RequirementFilterForm,
    RequirementForm,
    StatusForm,
    UploadForm,
)
from tandem.web.views.base import (
    ProjectScope,
    apply_errors,
    back_to_inbox,
    labels_of,
    project_view,
    render_page,
    row_href,
    run_action,
    submit_edit,
)

PAGE_SIZE = 25
#: Rows of the traceability matrix (and of its untraced tasks) a page shows.
TRACE_PAGE_SIZE = 50


def _rights(scope: ProjectScope) -> dict[str, bool]:
    """What the viewer may do here (nothing while previewing the client view)."""
    user, project = scope.user, scope.project

    def allowed(action: str) -> bool:
        return not scope.preview and can(user, project, action)

    return {
        "can_edit": allowed(Action.EDIT_REQUIREMENTS),
        "can_submit": allowed(Action.SUBMIT_REQUIREMENT),
        "can_link": allowed(Action.EDIT_REQUIREMENTS) or allowed(Action.EDIT_PLAN),
        "can_confirm": not scope.preview and holds(user, project, DecisionKind.CONFIRM_REQUIREMENT),
        "can_prioritise": not scope.preview and holds(user, project, DecisionKind.PRIORITISE_BACKLOG),
    }


def _context(scope: ProjectScope, **extra: Any) -> dict[str, Any]:
    return {"scope": scope, "project": scope.project, **_rights(scope), **extra}


def _members(scope: ProjectScope) -> list[tuple[int, str]]:
    return [
        (m.user.pk, m.user.full_name or m.user.email)
        for m in scope.project.memberships.select_related("user").order_by("user__full_name")
    ]


def _detail(scope: ProjectScope, requirement: Requirement) -> HttpResponse:
    return redirect("web:requirement_detail", code=scope.project.code, ref=requirement.code)


# ---------------------------------------------------------------- the backlog


@project_view
def requirement_list(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The backlog: search, filter, sort, 25 to a page; holders of "prioritise backlog" reorder it."""
    form = RequirementFilterForm(request.GET)
    page = None
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        qs = queries.requirements_of(
            scope.viewer,
            scope.project,
            search=data["q"],
            status=data["status"],
            priority=data["priority"],
            source=data["source"],
            ordering=data["sort"] or "rank",
            awaiting=data["awaiting"],
        )
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        # Labels and addresses made once for the page, not once per row.
        priorities, statuses = labels_of(Priority), labels_of(RequirementStatus)
        detail_href = row_href("web:requirement_detail", scope.project.code)
        move_href = row_href("web:requirement_move", scope.project.code)
        for r in page.object_list:  # what the row shows, kept on the instance for the template
            r.__dict__.update(
                priority_label=priorities.get(r.priority, r.priority),
                status_label=statuses.get(r.status, r.status),
                detail_href=detail_href(r.code),
                move_href=move_href(r.code),
            )
        filtered = any(data[k] for k in ("q", "status", "priority", "source", "awaiting"))
        ranked = (data["sort"] or "rank") == "rank" and not filtered
    else:
        status, filtered, ranked = 400, True, False
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "web/requirements/list.html",
        _context(scope, form=form, page=page, query=query.urlencode(), filtered=filtered, ranked=ranked),
        fragment="web/requirements/_list_results.html",
        status=status,
    )


@project_view
@require_POST
def requirement_move(request: HttpRequest, scope: ProjectScope, ref: str) -> HttpResponse:
    """Move a requirement one place up or down in the backlog."""
    requirement = queries.access_requirement(scope.viewer, scope.project, ref)
    if scope.preview:
        raise PermissionDenied(_("Your role in this project does not allow this."))
    try:
        services.do_move_requirement(
            requirement, actor=scope.user, direction=request.POST.get("direction", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("web:requirements", code=scope.project.code)


@project_view
@require_POST
def requirement_reorder(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Save the order of a dragged backlog (ids, most important first)."""
    if scope.preview:
        raise PermissionDenied(_("Your role in this project does not allow this."))
    try:
        services.do_reorder_requirements(scope.project, actor=scope.user, order=request.POST.getlist("order"))
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400)
    if getattr(request, "htmx", False):
        return HttpResponse(status=204)
    return redirect("web:requirements", code=scope.project.code)


# ---------------------------------------------------------------- write and submit


@project_view
def requirement_create(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Write a requirement (editors) or submit a request (anyone else on the project but viewers)."""
    rights = _rights(scope)
    if not rights["can_submit"]:
        raise PermissionDenied(_("Your role in this project does not allow this."))
    form: RequirementForm | RequestForm
    if rights["can_edit"]:
        form = RequirementForm(request.POST or None, members=_members(scope), team=scope.team)
    else:
        form = RequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "") or k == "title"}
            try:
                requirement = services.do_create_requirement(scope.project, actor=scope.user, **data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(code)s was saved as a draft.") % {"code": requirement.code}
                    if rights["can_edit"]
                    else _("Thank you: your request %(code)s was sent to the team.")
                    % {"code": requirement.code},
                )
                return _detail(scope, requirement)
    return render_page(
        request,
        "web/requirements/form.html",
        _context(scope, form=form, requirement=None, is_request=not rights["can_edit"]),
        status=status,
    )


@project_view
def requirement_edit(request: HttpRequest, scope: ProjectScope, ref: str) -> HttpResponse:
    """Revise a requirement: a new version, based on the version read (409-style conflict message)."""
    requirement = queries.access_requirement(scope.viewer, scope.project, ref)
    rights = _rights(scope)
    if scope.preview or not services.may_edit(scope.user, requirement):
        raise PermissionDenied(_("Your role in this project does not allow this."))
    form = RequirementForm(
        request.POST or None,
        initial=_initial(requirement),
        members=_members(scope),
        team=scope.team,
        editing=True,
    )
    if not rights["can_edit"]:
        for name in ("source", "requester_id", "requester_name", "owner_id", "visibility"):
            form.fields.pop(name, None)
    status = 200
    if request.method == "POST":
        _saved, status = submit_edit(
            form,
            services.do_revise_requirement,
            requirement,
            scope.user,
            saved=lambda: _initial(queries.access_requirement(scope.viewer, scope.project, requirement.pk)),
        )
        if status == 200:
            messages.success(request, _("The requirement was saved."))
            return _detail(scope, requirement)
    return render_page(
        request,
        "web/requirements/form.html",
        _context(scope, form=form, requirement=requirement, is_request=False),
        status=status,
    )


def _initial(requirement: Requirement) -> dict[str, Any]:
    """The edit form's values of a requirement as saved."""
    return {
        "title": requirement.title,
        "background": requirement.background,
        "description": requirement.description,
        "priority": requirement.priority,
        "acceptance_criteria": "\n".join(requirement.acceptance_criteria or []),
        "source": requirement.source,
        "source_note": requirement.source_note,
        "requester_id": requirement.requester_id,
        "requester_name": requirement.requester_name,
        "owner_id": requirement.owner_id,
        "visibility": requirement.visibility,
        "version": requirement.version,
    }


# ---------------------------------------------------------------- one requirement


@project_view
def requirement_detail(request: HttpRequest, scope: ProjectScope, ref: str) -> HttpResponse:
    """A requirement with its versions, a diff of any two, its confirmation record and trace links."""
    requirement = queries.access_requirement(scope.viewer, scope.project, ref)
    versions = list(queries.versions_of(scope.viewer, requirement))
    numbers = [v.number for v in versions]
    old = request.GET.get("old") or (numbers[-2] if len(numbers) > 1 else None)
    new = request.GET.get("new") or requirement.current_version
    diff = None
    if old is not None:
        try:
            diff = queries.diff_versions(scope.viewer, requirement, old, new)
        except Http404:
            diff = None  # an unknown version number shows no diff
    confirmations = list(queries.confirmations_of(scope.viewer, requirement))
    rights = _rights(scope)
    confirmed_now = any(c.version_number == requirement.current_version for c in confirmations)
    link_form = None
    if rights["can_link"]:
        link_form = LinkForm(
            tasks=[
                (t.pk, f"{t.wbs} {t.name}".strip()) for t in queries.linkable_tasks(scope.viewer, requirement)
            ]
        )
    allowed = sorted(TRANSITIONS[requirement.status])
    return render_page(
        request,
        "web/requirements/detail.html",
        _context(
            scope,
            requirement=requirement,
            versions=versions,
            diff=diff,
            old=str(old or ""),
            new=str(new),
            confirmations=confirmations,
            confirmed_now=confirmed_now,
            tasks=list(queries.linked_tasks(scope.viewer, requirement)),
            link_form=link_form,
            status_form=StatusForm(initial={"version": requirement.version}, allowed=allowed)
            if allowed
            else None,
            confirm_form=ConfirmForm(initial={"version_number": requirement.current_version}),
            may_edit=not scope.preview and services.may_edit(scope.user, requirement),
            locked=requirement.status in LOCKED,
        ),
    )


@project_view
@require_POST
def requirement_status(request: HttpRequest, scope: ProjectScope, ref: str) -> HttpResponse:
    """Move the requirement to another status."""
    requirement = queries.access_requirement(scope.viewer, scope.project, ref)
    if scope.preview:
        raise PermissionDenied(_("Your role in this project does not allow this."))
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
        return _detail(scope, requirement)
    run_action(
        request,
        lambda: services.do_change_status(
            requirement,
            actor=scope.user,
            status=form.cleaned_data["status"],
            version=form.cleaned_data["version"],
            comment=form.cleaned_data["comment"],
        ),
        _("The status was changed."),
    )
    return _detail(scope, requirement)


@project_view
@require_POST
def requirement_confirm(request: HttpRequest, scope: ProjectScope, ref: str) -> HttpResponse:
    """Confirm the version shown (holders of "confirm requirement")."""
    requirement = queries.access_requirement(scope.viewer, scope.project, ref)
    if scope.preview:
        raise PermissionDenied(_("Your role in this project does not allow this."))
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Name the version you confirm."))
        return _detail(scope, requirement)
    _confirmed, status = run_action(
        request,
        lambda: services.do_confirm_requirement(
            requirement,
            actor=scope.user,
            version_number=form.cleaned_data["version_number"],
            comment=form.cleaned_data["comment"],
        ),
        _("You confirmed version %(n)s.") % {"n": form.cleaned_data["version_number"]},
    )
    back = back_to_inbox(request) if status == 200 else None
    return back or _detail(scope, requirement)


@project_view
@require_POST
def requirement_link(request: HttpRequest, scope: ProjectScope, ref: str) -> HttpResponse:
    """Trace the requirement to a task."""
    requirement = queries.access_requirement(scope.viewer, scope.project, ref)
    if scope.preview:
        raise PermissionDenied(_("Your role in this project does not allow this."))
    try:
        services.do_link_task(requirement, actor=scope.user, task_id=request.POST.get("task_id"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The task was linked."))
    return _detail(scope, requirement)


@project_view
@require_POST
def requirement_unlink(request: HttpRequest, scope: ProjectScope, ref: str, task_id: int) -> HttpResponse:
    """Remove a trace link."""
    requirement = queries.access_requirement(scope.viewer, scope.project, ref)
    if scope.preview:
        raise PermissionDenied(_("Your role in this project does not allow this."))
    try:
        services.do_unlink_task(requirement, actor=scope.user, task_id=task_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The link was removed."))
    return _detail(scope, requirement)


# ---------------------------------------------------------------- intake


def _require_edit(scope: ProjectScope) -> None:
    if not _rights(scope)["can_edit"]:
        raise PermissionDenied(_("Your role in this project does not allow this."))


@project_view
def requirements_from_notes(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Paste interview or workshop notes; each bullet line becomes a draft requirement."""
    _require_edit(scope)
    form = NotesForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                made = services.do_requirements_from_notes(
                    scope.project, actor=scope.user, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("%(n)s draft requirements were created from the notes.") % {"n": len(made)}
                )
                return redirect("web:requirements", code=scope.project.code)
    return render_page(request, "web/requirements/notes.html", _context(scope, form=form), status=status)


@project_view
def requirements_import(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Upload survey answers, preview the candidates with their errors, and import the rows you tick."""
    _require_edit(scope)
    form = UploadForm(request.POST or None, request.FILES or None)
    candidates: list[imports.Candidate] = []
    import_errors: list[str] = []
    status = 200
    if request.method == "POST" and request.POST.get("step") == "import":
        try:
            rows = json.loads(request.POST.get("candidates", "[]"))
            if not isinstance(rows, list):
                raise ValueError
        except ValueError:
            rows = []
        chosen = {int(i) for i in request.POST.getlist("row") if i.isdigit()}
        selected = [row for i, row in enumerate(rows) if i in chosen]
        try:
            made = services.do_import_candidates(
                scope.project,
                actor=scope.user,
                rows=selected,
                visibility=request.POST.get("visibility", "shared"),
            )
        except ValidationError as exc:
            form = UploadForm()
            import_errors = exc.messages
            status = 400
        else:
            messages.success(request, _("%(n)s requirements were imported as drafts.") % {"n": len(made)})
            return redirect("web:requirements", code=scope.project.code)
    elif request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                candidates = imports.parse_survey(upload.read(imports.MAX_BYTES + 1), upload.name)
                status = 200
            except ValidationError as exc:
                apply_errors(form, exc)
    return render_page(
        request,
        "web/requirements/import.html",
        _context(
            scope,
            form=form,
            candidates=candidates,
            candidates_json=json.dumps([c.data for c in candidates], ensure_ascii=False),
            valid_count=sum(1 for c in candidates if c.ok),
            import_errors=import_errors,
            visibility=form.cleaned_data.get("visibility", "shared")
            if form.is_bound and form.is_valid()
            else "",
        ),
        status=status,
    )


# ---------------------------------------------------------------- traceability and exports


@project_view
def traceability(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Requirements against tasks, with the coverage gaps on both sides: a page of each side at a time."""
    rows_page = _page_number(request, "page")
    untraced_page = _page_number(request, "untraced")
    size = TRACE_PAGE_SIZE
    matrix = queries.traceability(
        scope.viewer,
        scope.project,
        offset=(rows_page - 1) * size,
        limit=size,
        untraced_offset=(untraced_page - 1) * size,
        untraced_limit=size,
    )
    pages = {
        "rows": _pager(request, "page", rows_page, matrix.count),
        "untraced": _pager(request, "untraced", untraced_page, matrix.untraced_count),
    }
    return render_page(
        request, "web/requirements/traceability.html", _context(scope, matrix=matrix, pages=pages)
    )


def _page_number(request: HttpRequest, name: str) -> int:
    """The page ``?name=`` asks for (the first when it is no page number)."""
    try:
        return min(max(int(request.GET.get(name, 1)), 1), 1_000_000)
    except ValueError:
        return 1


def _pager(request: HttpRequest, name: str, number: int, count: int) -> dict[str, Any]:
    """Links to the previous and next pages of ``count`` rows shown ``TRACE_PAGE_SIZE`` at a time."""

    def link(page: int) -> str:
        params = request.GET.copy()
        params[name] = str(page)
        return "?" + params.urlencode()

    last = max(1, -(-count // TRACE_PAGE_SIZE))
    return {
        "number": number,
        "last": last,
        "previous": link(number - 1) if number > 1 else None,
        "next": link(number + 1) if number < last else None,
    }


@project_view
def export_pdf(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The specification as PDF, in the project's language."""
    response = HttpResponse(exports.export_pdf(scope.viewer, scope.project), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{scope.project.code}-requirements.pdf"'
    return response


@project_view
def export_xlsx(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The specification as an Excel workbook, in the project's language."""
    response = HttpResponse(
        exports.export_xlsx(scope.viewer, scope.project),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{scope.project.code}-requirements.xlsx"'
    return response
