"""The project list, starting a project, the project home with its charter, and confirming the charter."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.accounts.choices import OrganizationKind
from tandem.accounts.models import User
from tandem.communication.queries import comment_counts_of
from tandem.projects import kpis, queries, services
from tandem.projects.choices import DecisionKind, ProjectStatus, Role
from tandem.projects.models import Project
from tandem.projects.permissions import can_create_projects
from tandem.web.forms import ConfirmCharterForm, ProjectCreateForm, ProjectEditForm, ProjectFilterForm
from tandem.web.views import meetings as meeting_views
from tandem.web.views import risks as risk_views
from tandem.web.views.base import (
    ProjectScope,
    apply_errors,
    back_to_inbox,
    project_view,
    render_page,
    submit_edit,
    submit_form,
)

PAGE_SIZE = 20


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    """The signed-in user's projects, searchable and filterable, 20 to a page."""
    user: User = request.user  # type: ignore[assignment]
    filters = ProjectFilterForm(request.GET or None)
    search = status = ""
    if filters.is_valid():
        search, status = filters.cleaned_data["q"].strip(), filters.cleaned_data["status"]
    page = Paginator(queries.projects_for(user, search=search, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": filters,
        "page": page,
        "projects": page.object_list,
        "filtered": bool(search or status),
        "can_create": can_create_projects(user),
        "query": query.urlencode(),
    }
    return render_page(request, "web/projects/list.html", context, fragment="web/projects/_results.html")


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    """Start a project (the vendor's people and operators)."""
    user: User = request.user  # type: ignore[assignment]
    if not can_create_projects(user):
        raise PermissionDenied(_("Only the vendor's people and operators may start projects."))
    form = ProjectCreateForm(request.POST or None, initial={"status": ProjectStatus.PROPOSED})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            client, new_client = data.pop("client"), data.pop("new_client").strip()
            code, name, preset = data.pop("code"), data.pop("name"), data.pop("preset")
            vendor = user.organization if user.organization and user.organization.kind == "vendor" else None
            try:
                # One transaction: a refused project takes the new client organization with it.
                with transaction.atomic():
                    if client is None:
                        client = services.do_create_organization(
                            name=new_client, kind=OrganizationKind.CLIENT, actor=user
                        )
                    project = services.do_create_project(
                        code=code, name=name, client=client, vendor=vendor, actor=user, preset=preset, **data
                    )
            except ValidationError as exc:
                apply_errors(form, exc)
            except IntegrityError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The project %(code)s was created.") % {"code": project.code})
                return redirect("web:project_home", code=project.code)
        status = 400
    return render_page(request, "web/projects/new.html", {"form": form}, status=status)


def _charter_context(scope: ProjectScope) -> dict[str, Any]:
    """Everything the charter display needs, read through the viewer's scope (a fixed number of queries)."""
    viewer, project = scope.viewer, scope.project
    stakeholders = list(queries.stakeholders_of(viewer, project))
    deliverables = list(queries.deliverables_of(viewer, project))
    matrix = []
    for deliverable in deliverables:
        # ``visible_raci`` is the prefetch of the cells whose stakeholder the viewer may see.
        cells = deliverable.visible_raci  # type: ignore[attr-defined]
        letters = {cell.stakeholder_id: cell.letter for cell in cells}
        matrix.append((deliverable, [letters.get(s.pk, "") for s in stakeholders]))
    goals, kpi_rows = list(queries.goals_of(viewer, project)), list(queries.kpis_of(viewer, project))
    # The comment links of the four lists, counted with one query.
    counts = comment_counts_of(viewer, goals, kpi_rows, stakeholders, deliverables)
    found = kpis.readings(kpi_rows)
    for kpi in kpi_rows:
        kpi.reading = found[kpi.pk]  # type: ignore[attr-defined]
    return {
        "sections": queries.sections_of(viewer, project),
        "goals": goals,
        "kpis": kpi_rows,
        "stakeholders": stakeholders,
        "deliverables": deliverables,
        "raci_matrix": matrix,
        "goal_comments": counts[0],
        "kpi_comments": counts[1],
        "stakeholder_comments": counts[2],
        "deliverable_comments": counts[3],
    }


def _rights_rows(scope: ProjectScope) -> list[dict[str, Any]]:
    rows = []
    for right in queries.decision_rights_of(scope.viewer, scope.project):
        roles = [Role(r) for r in right.roles if r in Role.values]
        rows.append(
            {
                "kind": right.kind,
                "label": DecisionKind(right.kind).label,
                "roles": roles,
                "role_values": list(right.roles),
            }
        )
    return rows


def home_context(scope: ProjectScope, *, confirm_form: ConfirmCharterForm | None = None) -> dict[str, Any]:
    """The project home's context (also used to re-render it after a refused confirmation)."""
    project, viewer = scope.project, scope.viewer
    charter = queries.charter_of(project)
    confirmation, changes = queries.changes_since_confirmation(project)
    members = list(queries.members_of(viewer, project))
    return {
        "scope": scope,
        "project": project,
        "charter": charter,
        "confirmation": confirmation,
        "changes": changes,
        "tab": "home",
        "confirm_form": confirm_form or ConfirmCharterForm(initial={"revision": charter.revision}),
        "team_members": [m for m in members if m.side == "team"],
        "client_members": [m for m in members if m.side == "client"],
        "rights": _rights_rows(scope),
        "notes": list(queries.notes_of(viewer, project)[:5]),
        "activities": list(queries.activity_of(viewer, project)[:8]),
        **_charter_context(scope),
        **risk_views.home_panel(scope),
        **meeting_views.home_panel(scope),
    }


@project_view
def project_home(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The project at a glance: header, confirmation banner, charter, people, decisions, notes, activity."""
    return render_page(request, "web/project/home.html", home_context(scope))


@project_view
@require_POST
def confirm_charter(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Confirm the charter revision the reader saw; a stale revision is refused with 409."""
    form = ConfirmCharterForm(request.POST)
    if not form.is_valid() and not scope.can_confirm:
        raise PermissionDenied(_("You do not hold the right to confirm the charter."))
    # After a conflict the form carries the current revision, so confirming again confirms what is now shown.
    confirmation, status = submit_form(
        form,
        lambda: services.do_confirm_charter(
            scope.project,
            revision=form.cleaned_data["revision"],
            actor=scope.user,
            comment=form.cleaned_data["comment"],
        ),
        version_field="revision",
    )
    if confirmation is not None:
        messages.success(request, _("You confirmed charter revision %(n)s.") % {"n": confirmation.revision})
        return back_to_inbox(request) or redirect("web:project_home", code=scope.project.code)
    return render_page(
        request,
        "web/project/home.html",
        home_context(scope, confirm_form=form),
        fragment="web/project/_banner.html",
        status=status,
    )


@project_view
def project_edit(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Edit the project's details (its manager)."""
    project = scope.project
    if not scope.can_edit_project:
        raise PermissionDenied(_("Your role in this project does not allow this."))
    form = ProjectEditForm(request.POST or None, initial=_project_values(project))
    status = 200
    if request.method == "POST":
        _saved, status = submit_edit(
            form,
            services.do_update_project,
            project,
            scope.user,
            saved=lambda: _project_values(queries.access_project(scope.viewer, project.code)),
        )
        if status == 200:
            messages.success(request, _("The project details were saved."))
            return redirect("web:project_home", code=project.code)
    return render_page(
        request,
        "web/project/edit.html",
        {"scope": scope, "project": project, "form": form, "tab": "settings"},
        status=status,
    )


def _project_values(project: Project) -> dict[str, Any]:
    """The details form's values of a project as saved (its manager's form: internal notes included)."""
    return {name: getattr(project, name) for name in ProjectEditForm.base_fields}
