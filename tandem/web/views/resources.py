"""The resource pool pages of an organization: the list, a resource's form, its leave and its rates."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from tandem.accounts.models import Organization, User
from tandem.resources import permissions, queries, services
from tandem.resources.models import Resource, ResourceException
from tandem.web.resources_forms import LeaveForm, RateForm, ResourceFilterForm, ResourceForm
from tandem.web.views.base import render_page, require_allowed, submit_form

PAGE_SIZE = 50


def _actor(request: HttpRequest) -> User:
    """The signed-in user (the views are behind ``login_required``)."""
    return cast(User, request.user)


def _context(request: HttpRequest, organization: Organization, **extra: Any) -> dict[str, Any]:
    user = request.user
    return {
        "organization": organization,
        "can_edit": permissions.can_edit_pool(user, organization),
        "team": permissions.is_team_for(user, organization),
        "can_edit_costs": permissions.can_edit_costs(user, organization),
        **extra,
    }


def _values(resource: Resource) -> dict[str, Any]:
    return {
        "name": resource.name,
        "kind": resource.kind,
        "user": str(resource.user_id or ""),
        "role": resource.role,
        "skills": ", ".join(resource.skills),
        "max_units": resource.max_units,
        "material_label": resource.material_label,
        "calendar_base": resource.calendar_base,
        "cost_per_use": resource.cost_per_use,
        "active": resource.active,
        "version": resource.version,
    }


@login_required
def resource_list(request: HttpRequest, org_id: int) -> HttpResponse:
    """An organization's pool: search, role filter, pages of 50."""
    organization = queries.access_organization(request.user, org_id)
    form = ResourceFilterForm(request.GET, roles=queries.roles_of(organization))
    page, status = None, 200
    if form.is_valid():
        rows = queries.resources_of(request.user, organization, **form.cleaned_data)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        status = 400
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "web/resources/list.html",
        _context(request, organization, form=form, page=page, query=query.urlencode()),
        fragment="web/resources/_results.html",
        status=status,
    )


@login_required
def resource_create(request: HttpRequest, org_id: int) -> HttpResponse:
    """Add a resource to the pool."""
    organization = queries.access_organization(request.user, org_id)
    require_allowed(permissions.can_edit_pool(request.user, organization))
    costs = permissions.can_edit_costs(request.user, organization)
    form = ResourceForm(request.POST or None, organization=organization, costs=costs, initial={"version": 0})
    status = 200
    if request.method == "POST":
        resource, status = submit_form(
            form,
            lambda: services.do_add_resource(organization, actor=_actor(request), **form.data_for_service()),
            {"user": "user_id"},
        )
        if resource is not None:
            messages.success(request, _("The resource was added."))
            return redirect("web:resource_edit", pk=resource.pk)
    return render_page(
        request,
        "web/resources/form.html",
        _context(request, organization, form=form, creating=True),
        status=status,
    )


@login_required
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A resource: its fields, its leave and (for the delivery team) its rate history."""
    user = request.user
    resource = queries.access_resource(user, pk)
    organization = resource.organization
    editing = permissions.can_edit_pool(user, organization)
    costs = permissions.can_edit_costs(user, organization)
    form = ResourceForm(
        request.POST if request.method == "POST" else None,
        organization=organization,
        costs=costs,
        initial=_values(resource),
    )
    status = 200
    if request.method == "POST":
        require_allowed(editing)

        def save() -> Resource:
            data = form.data_for_service()
            return services.do_update_resource(
                resource, version=form.cleaned_data["version"], actor=_actor(request), **data
            )

        saved, status = submit_form(
            form, save, {"user": "user_id"}, saved=lambda: _values(queries.access_resource(user, pk))
        )
        if saved is not None:
            messages.success(request, _("The resource was saved."))
            return redirect("web:resource_edit", pk=resource.pk)
    team = permissions.is_team_for(user, organization)
    rates = list(queries.rates_of(user, resource)) if team else []
    return render_page(
        request,
        "web/resources/form.html",
        _context(
            request,
            organization,
            form=form,
            resource=resource,
            editing=editing,
            leave=list(resource.exceptions.all()),
            leave_form=LeaveForm(),
            rates=rates,
            rate_form=RateForm() if costs else None,
        ),
        status=status,
    )


@login_required
def resource_leave_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record leave for a resource."""
    resource = queries.access_resource(request.user, pk)
    require_allowed(permissions.can_edit_pool(request.user, resource.organization))
    return _add_to(
        request,
        resource,
        LeaveForm(request.POST),
        services.do_add_leave,
        _("The leave was recorded."),
        _("The leave was not recorded: %(errors)s"),
    )


@login_required
def resource_leave_remove(request: HttpRequest, pk: int, leave_pk: int) -> HttpResponse:
    """Remove recorded leave."""
    resource = queries.access_resource(request.user, pk)
    require_allowed(
        request.method == "POST" and permissions.can_edit_pool(request.user, resource.organization)
    )
    leave = ResourceException.objects.filter(resource=resource, pk=leave_pk).first()
    if leave is None:
        raise Http404(_("No such leave."))
    services.do_remove_leave(leave, actor=_actor(request))
    messages.success(request, _("The leave was removed."))
    return redirect("web:resource_edit", pk=resource.pk)


@login_required
def resource_rate_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an internal rate (the delivery team's PMs and leads)."""
    resource = queries.access_resource(request.user, pk)
    queries.rates_of(request.user, resource)  # 404 for whoever may not know rates exist
    require_allowed(permissions.can_edit_costs(request.user, resource.organization))
    return _add_to(
        request,
        resource,
        RateForm(request.POST),
        services.do_add_rate,
        _("The rate was added."),
        _("The rate was not added: %(errors)s"),
    )


def _add_to(
    request: HttpRequest, resource: Resource, form: Any, service: Any, saved: str, refused: str
) -> HttpResponse:
    """Add leave or a rate to the resource through ``service``; say how it went on its page."""
    done, _status = submit_form(form, lambda: service(resource, actor=_actor(request), **form.cleaned_data))
    if done is not None:
        messages.success(request, saved)
    else:
        messages.error(request, refused % {"errors": _errors(form)})
    return redirect("web:resource_edit", pk=resource.pk)


def _errors(form: Any) -> str:
    return "; ".join(
        f"{form.fields[k].label if k in form.fields else k}: {' '.join(v)}" for k, v in form.errors.items()
    )
