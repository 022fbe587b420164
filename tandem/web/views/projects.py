"""The project list, starting a project, the project home, the charter page, and confirming the charter."""

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
from tandem.planning import scheduling
from tandem.projects import kpis, queries, services
from tandem.projects.choices import ProjectStatus
from tandem.projects.models import Project
from tandem.projects.permissions import can_create_projects
from tandem.web.forms import ConfirmCharterForm, ProjectCreateForm, ProjectEditForm, ProjectFilterForm
from tandem.web.inbox import items_of
from tandem.web.views import home
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
#: The RACI letters in the order a deliverable's card lists them.
RACI_ORDER = ("R", "A", "C", "I")


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
    names = {s.pk: s.name for s in stakeholders}
    matrix, cards = [], []
    for deliverable in deliverables:
        # ``visible_raci`` is the prefetch of the cells whose stakeholder the viewer may see.
        cells = deliverable.visible_raci  # type: ignore[attr-defined]
        letters = {cell.stakeholder_id: cell.letter for cell in cells}
        matrix.append((deliverable, [letters.get(s.pk, "") for s in stakeholders]))
        # On a phone each deliverable is a card naming its R, A, C and I people (no matrix to scroll).
        people = [(letter, [names[pk] for pk in names if letters.get(pk) == letter]) for letter in RACI_ORDER]
        cards.append((deliverable, letters, people))
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
        "raci_cards": cards,
        "goal_comments": counts[0],
        "kpi_comments": counts[1],
        "stakeholder_comments": counts[2],
        "deliverable_comments": counts[3],
    }


def banner_context(scope: ProjectScope, *, confirm_form: ConfirmCharterForm | None = None) -> dict[str, Any]:
    """What the charter confirmation banner needs (the home and the charter page both show it)."""
    charter = queries.charter_of(scope.project)
    confirmation, changes = queries.changes_since_confirmation(scope.project, charter)
    return {
        "scope": scope,
        "project": scope.project,
        "charter": charter,
        "confirmation": confirmation,
        "changes": changes,
        "confirm_form": confirm_form or ConfirmCharterForm(initial={"revision": charter.revision}),
    }


def home_context(scope: ProjectScope, *, confirm_form: ConfirmCharterForm | None = None) -> dict[str, Any]:
    """The project home's context: where the project stands and what waits, for both sides; the
    team's internal panels besides (a fixed number of queries, whatever the number of rows)."""
    context: dict[str, Any] = {
        **banner_context(scope, confirm_form=confirm_form),
        **home.overview(scope),
        **risk_views.home_panel(scope),
    }
    if scope.team:
        members = list(queries.members_of(scope.viewer, scope.project))
        context.update(
            team_members=[m for m in members if m.side == "team"],
            client_members=[m for m in members if m.side == "client"],
            **meeting_views.home_panel(scope),
        )
    return context


@project_view
def project_home(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The project at a glance: status and its reasons, next milestones, what waits, budget, report."""
    if not scope.preview:
        # The home's panel lists what waits on the reader: read it before the header counts it, so
        # the count is the list's length rather than a query of its own.
        items_of(request)
    # The milestones, the decision delays, the budget and the meetings need the project calendar or
    # the plan's revision: read them once.
    with scheduling.plan_read_once():
        return render_page(request, "web/project/home.html", home_context(scope))


def charter_context(scope: ProjectScope, *, confirm_form: ConfirmCharterForm | None = None) -> dict[str, Any]:
    """The charter page's context: the banner and the whole charter as the reader may see it."""
    return {**banner_context(scope, confirm_form=confirm_form), **_charter_context(scope)}


@project_view
def charter_page(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The charter: goals, scope, KPIs, stakeholders, deliverables and their RACI (edit links for editors)."""
    return render_page(request, "web/project/charter.html", charter_context(scope))


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
    on_charter = request.POST.get("next") == "charter"
    if confirmation is not None:
        if getattr(request, "htmx", False):
            # The banner swaps itself: the confirmed banner, in place, on the page it was shown on.
            return render_page(
                request, "web/project/_banner.html", {**banner_context(scope), "on_charter": on_charter}
            )
        messages.success(request, _("You confirmed charter revision %(n)s.") % {"n": confirmation.revision})
        return back_to_inbox(request) or redirect(
            "web:charter" if on_charter else "web:project_home", code=scope.project.code
        )
    if on_charter:
        page, context = "web/project/charter.html", charter_context(scope, confirm_form=form)
    else:
        page, context = "web/project/home.html", home_context(scope, confirm_form=form)
    return render_page(
        request,
        page,
        {**context, "on_charter": on_charter},
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
        {"scope": scope, "project": project, "form": form},
        status=status,
    )


def _project_values(project: Project) -> dict[str, Any]:
    """The details form's values of a project as saved (its manager's form: internal notes included)."""
    return {name: getattr(project, name) for name in ProjectEditForm.base_fields}
