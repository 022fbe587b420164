"""The defect pages (the list with its filters and export, filing, one defect with its moves, editing)
and the coverage matrix page with its export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.planning.models import Task
from tandem.projects.models import Deliverable
from tandem.quality import coverage, defect_queries, defect_services, exports
from tandem.quality.choices import DefectStatus
from tandem.quality.defects import FILED_FIELDS, TRIAGE_FIELDS, do_file_defect
from tandem.quality.models import Defect
from tandem.quality.permissions import can_file_defect, can_triage
from tandem.quality.scope import cases_of, cycles_of
from tandem.requirements.models import Requirement
from tandem.web.defect_forms import DefectFilterForm, DefectForm, MoveForm, link_options
from tandem.web.views.base import ProjectScope, project_view, render_page, require_allowed, submit_form

PAGE_SIZE = 50


def _context(scope: ProjectScope, **extra: Any) -> dict[str, Any]:
    return {"scope": scope, "project": scope.project, **extra}


def _links(scope: ProjectScope, *, with_cycles: bool = False) -> dict[str, Any]:
    project, viewer = scope.project, scope.viewer
    rows: dict[str, Any] = {
        "test_case": cases_of(viewer, project).order_by("code"),
        "requirement": Requirement.objects.visible_to(viewer).filter(project=project).order_by("code"),
        "task": Task.objects.visible_to(viewer).filter(project=project).order_by("outline_key", "id"),
        "deliverable": Deliverable.objects.visible_to(viewer).filter(project=project).order_by("name"),
        "assignee": User.objects.filter(memberships__project=project, is_active=True).order_by("full_name"),
    }
    if with_cycles:
        rows["cycle"] = cycles_of(viewer, project).order_by("name")
        del rows["test_case"], rows["task"]
    return link_options(rows)


def _filters(form: DefectFilterForm) -> defect_queries.DefectFilters:
    data = form.cleaned_data
    return defect_queries.DefectFilters(
        search=data.get("q") or "",
        status=data.get("status") or "",
        open_only=bool(data.get("open")),
        severity=data.get("severity") or "",
        priority=data.get("priority") or "",
        assignee_id=data.get("assignee"),
        requirement_id=data.get("requirement"),
        deliverable_id=data.get("deliverable"),
        cycle_id=data.get("cycle"),
        mine=bool(data.get("mine")),
    )


@project_view
def defect_list(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The defects the reader may read, searched and filtered, 50 a page."""
    form = DefectFilterForm(request.GET, options=_links(scope, with_cycles=True))
    page, status = None, 200
    if form.is_valid():
        rows = defect_queries.defects_of(scope.viewer, scope.project, _filters(form))
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        status = 400
    query = request.GET.copy()
    query.pop("page", None)
    context = _context(
        scope,
        filter_form=form,
        page=page,
        query=query.urlencode(),
        filing=not scope.preview and can_file_defect(scope.user, scope.project),
    )
    return render_page(
        request, "web/quality/defects.html", context, fragment="web/quality/_defects.html", status=status
    )


@project_view
def defect_export(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The filtered defects as CSV (``?format=csv``) or Excel (``?format=xlsx``) in the reader's language."""
    form = DefectFilterForm(request.GET, options=_links(scope, with_cycles=True))
    if not form.is_valid():
        raise Http404(_("Unknown filter."))
    kind = request.GET.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        raise Http404(_("Unknown format."))
    rows = defect_queries.defects_of(scope.viewer, scope.project, _filters(form))
    return exports.defects_response(scope.viewer, scope.project, rows, kind)


#: The service's id fields and the form fields they come from.
RENAMED = {
    "test_case_id": "test_case",
    "requirement_id": "requirement",
    "task_id": "task",
    "deliverable_id": "deliverable",
    "assignee_id": "assignee",
}

#: Set from a run's failed step, never on the defect form.
FROM_A_RUN = ("test_run_id", "step_number")


def _filing_fields(scope: ProjectScope) -> tuple[str, ...]:
    """What the user sets when filing: a client neither the visibility nor the triage."""
    if can_triage(scope.user, scope.project):
        fields: tuple[str, ...] = (*FILED_FIELDS, *TRIAGE_FIELDS)
    elif scope.team:
        fields = FILED_FIELDS
    else:
        fields = tuple(f for f in FILED_FIELDS if f != "visibility")
    return tuple(f for f in fields if f not in FROM_A_RUN)


@project_view
def defect_new(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """File a defect (anyone on the project but viewers; a client's form has no visibility or triage)."""
    require_allowed(not scope.preview and can_file_defect(scope.user, scope.project))
    fields = _filing_fields(scope)
    options = _links(scope)
    form = DefectForm(fields=fields, options=options)
    status = 200
    if request.method == "POST":
        form = bound = DefectForm(request.POST, fields=fields, options=options)
        defect, status = submit_form(
            bound,
            lambda: do_file_defect(scope.project, actor=scope.user, data=bound.data_for_service()),
            RENAMED,
        )
        if defect is not None:
            messages.success(request, _("The defect %(code)s was filed.") % {"code": defect.code})
            return redirect("web:defect_detail", scope.project.code, defect.pk)
    context = _context(scope, form=form)
    return render_page(request, "web/quality/defect_form.html", context, status=status)


def _initial(defect: Defect) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: getattr(defect, name)
        for name in ("title", "description", "steps_to_reproduce", "severity", "priority", "visibility")
    }
    for field, name in RENAMED.items():
        value = getattr(defect, field)
        values[name] = str(value) if value else ""
    values["internal_note"] = defect.internal_note
    values["version"] = defect.version
    return values


@project_view
def defect_edit(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Change a defect: its reporter while it is new, the team's writers always."""
    defect = defect_queries.access_defect(scope.viewer, scope.project, pk)
    fields = () if scope.preview else defect_services.editable_fields(scope.user, defect)
    require_allowed(bool(fields))
    fields = tuple(f for f in fields if f not in FROM_A_RUN)
    options = _links(scope)
    form = DefectForm(fields=fields, options=options, initial=_initial(defect))
    status = 200
    if request.method == "POST":
        form = bound = DefectForm(request.POST, fields=fields, options=options)
        done, status = submit_form(
            bound,
            lambda: defect_services.do_update_defect(
                defect, actor=scope.user, version=bound.cleaned_data["version"], **bound.data_for_service()
            ),
            RENAMED,
        )
        if done is not None:
            messages.success(request, _("The defect was saved."))
            return redirect("web:defect_detail", scope.project.code, defect.pk)
    context = _context(scope, form=form, defect=defect)
    return render_page(request, "web/quality/defect_form.html", context, status=status)


@project_view
def defect_detail(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """One defect: its facts, the links the reader sees, and the moves this user may make (POST)."""
    defect = defect_queries.access_defect(scope.viewer, scope.project, pk)
    moves = [] if scope.preview else defect_services.moves_for(scope.user, defect)
    move_form = MoveForm(initial={"version": defect.version})
    status = 200
    if request.method == "POST":
        require_allowed(bool(moves))
        move_form = bound = MoveForm(request.POST)
        done, status = submit_form(
            bound,
            lambda: defect_services.do_move_defect(
                defect,
                actor=scope.user,
                version=bound.cleaned_data["version"],
                to=bound.cleaned_data["to"],
                resolution=bound.cleaned_data.get("resolution") or None,
            ),
        )
        if done is not None:
            messages.success(
                request, _("The defect is now %(status)s.") % {"status": DefectStatus(done.status).label}
            )
            return redirect("web:defect_detail", scope.project.code, defect.pk)
    links = {name: defect_queries.seen_link(defect, name) for name in defect_queries.LINKS}
    context = _context(
        scope,
        defect=defect,
        links=links,
        moves=[(m, DefectStatus(m).label) for m in moves],
        move_form=move_form,
        needs_resolution=defect.status == DefectStatus.NEW and DefectStatus.CLOSED in moves,
        editable=not scope.preview and defect_services.can_edit_defect(scope.user, defect),
        comment_target=f"defect:{defect.pk}",
    )
    return render_page(request, "web/quality/defect.html", context, status=status)


# ---------------------------------------------------------------- coverage


@project_view
def coverage_page(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The coverage matrix: each requirement's tests, last results, open defects, acceptance and gaps."""
    gaps_only = request.GET.get("gaps") == "1"
    matrix = coverage.coverage_of(scope.viewer, scope.project, gaps_only=gaps_only)
    page = Paginator(matrix.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = _context(scope, matrix=matrix, page=page, gaps_only=gaps_only, query=query.urlencode())
    return render_page(request, "web/quality/coverage.html", context)


@project_view
def coverage_export(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The coverage matrix as CSV or Excel in the reader's language (``?gaps=1``: the rows with a gap)."""
    kind = request.GET.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        raise Http404(_("Unknown format."))
    matrix = coverage.coverage_of(scope.viewer, scope.project, gaps_only=request.GET.get("gaps") == "1")
    matrix.all_rows = matrix.rows
    return exports.coverage_response(scope.viewer, scope.project, matrix, kind)
