"""Editing the charter: text sections, goals, KPIs, stakeholders, deliverables and their RACI rows."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from tandem.core.errors import ConflictError
from tandem.projects import queries, services
from tandem.projects.choices import CharterSectionKey
from tandem.projects.models import CharterSection, Deliverable
from tandem.projects.services import CHARTER_ITEMS
from tandem.web.forms import ITEM_FORMS, RaciForm, SectionForm
from tandem.web.views.base import ProjectScope, apply_errors, project_view, render_page, set_bound_value

#: Display names of the listed parts of a charter, singular.
ITEM_NOUNS: dict[str, Any] = {kind: model._meta.verbose_name for kind, model in CHARTER_ITEMS.items()}


def _require_editor(scope: ProjectScope) -> None:
    if not scope.can_edit_charter:
        raise PermissionDenied(_("Your role in this project does not allow this."))


def _home(scope: ProjectScope, anchor: str = "") -> str:
    return reverse("web:project_home", args=[scope.project.code]) + (f"#{anchor}" if anchor else "")


@project_view
def section_edit(request: HttpRequest, scope: ProjectScope, key: str) -> HttpResponse:
    """Edit one text section of the charter; a stale version answers 409 with the current text."""
    if key not in CharterSectionKey.values:
        raise Http404(_("Unknown charter section."))
    project = scope.project
    section = next(s for s in queries.sections_of(scope.viewer, project) if s.key == key)
    context: dict[str, Any] = {
        "scope": scope,
        "project": project,
        "section": section,
        "label": CharterSectionKey(key).label,
        "tab": "home",
    }
    if request.method == "GET" and request.GET.get("cancel") and getattr(request, "htmx", False):
        return render_page(
            request, "web/charter/section_form.html", context, fragment="web/charter/_section.html"
        )
    _require_editor(scope)
    form = SectionForm(request.POST or None, initial={"body": section.body, "version": section.version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                section = services.do_update_section(
                    project,
                    key=key,
                    body=form.cleaned_data["body"],
                    version=form.cleaned_data["version"],
                    actor=scope.user,
                )
            except ConflictError as exc:
                current = CharterSection.objects.filter(project=project, key=key).first()
                form.add_error(None, exc.message)
                set_bound_value(form, "version", str(exc.current_version or 0))
                context["current"] = current
                status = 409
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if getattr(request, "htmx", False):
                    context["section"] = section
                    return render_page(
                        request,
                        "web/charter/section_form.html",
                        context,
                        fragment="web/charter/_section.html",
                    )
                messages.success(request, _("“%(section)s” was saved.") % {"section": context["label"]})
                return redirect(_home(scope, f"section-{key}"))
    context["form"] = form
    return render_page(
        request,
        "web/charter/section_form.html",
        context,
        fragment="web/charter/_section_form.html",
        status=status,
    )


def _kind(kind: str) -> type[Any]:
    if kind not in CHARTER_ITEMS:
        raise Http404(_("Unknown charter part."))
    return CHARTER_ITEMS[kind]


@project_view
def item_create(request: HttpRequest, scope: ProjectScope, kind: str) -> HttpResponse:
    """Add a goal, KPI, stakeholder or deliverable."""
    model = _kind(kind)
    _require_editor(scope)
    form_class = ITEM_FORMS[kind]
    form = form_class(request.POST or None, instance=model(project=scope.project))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.do_add_charter_item(
                    scope.project, kind=kind, data=form.item_data(), actor=scope.user
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except IntegrityError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The %(thing)s was added.") % {"thing": ITEM_NOUNS[kind]})
                return redirect(_home(scope, kind))
    return render_page(
        request,
        "web/charter/item_form.html",
        {
            "scope": scope,
            "project": scope.project,
            "form": form,
            "kind": kind,
            "noun": ITEM_NOUNS[kind],
            "creating": True,
            "tab": "home",
        },
        status=status,
    )


@project_view
def item_edit(request: HttpRequest, scope: ProjectScope, kind: str, pk: int) -> HttpResponse:
    """Edit a charter item; a stale version answers 409 showing the current values."""
    model = _kind(kind)
    item = queries.access_item(scope.viewer, scope.project, model, pk)
    _require_editor(scope)
    form_class = ITEM_FORMS[kind]
    if request.method == "POST":
        form = form_class(request.POST, instance=model(project=scope.project))
    else:
        form = form_class(instance=item, initial={"version": item.version})
    status, current = 200, None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.do_update_charter_item(
                    item, data=form.item_data(), version=form.cleaned_data["version"], actor=scope.user
                )
            except ConflictError as exc:
                form.add_error(None, exc.message)
                set_bound_value(form, "version", str(exc.current_version))
                current, status = model.objects.get(pk=item.pk), 409
            except ValidationError as exc:
                apply_errors(form, exc)
            except IntegrityError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The %(thing)s was saved.") % {"thing": ITEM_NOUNS[kind]})
                return redirect(_home(scope, kind))
    return render_page(
        request,
        "web/charter/item_form.html",
        {
            "scope": scope,
            "project": scope.project,
            "form": form,
            "kind": kind,
            "noun": ITEM_NOUNS[kind],
            "item": item,
            "current": current,
            "current_values": _values(form, current),
            "tab": "home",
        },
        status=status,
    )


def _values(form: Any, current: Any) -> list[tuple[str, Any]]:
    """The stored values of a record, labelled, to show beside a conflict message."""
    if current is None:
        return []
    rows = []
    for name, field in form.fields.items():
        if name == "version":
            continue
        display = getattr(current, f"get_{name}_display", None)
        value = display() if callable(display) else getattr(current, name, "")
        rows.append((field.label, value))
    return rows


@project_view
def item_delete(request: HttpRequest, scope: ProjectScope, kind: str, pk: int) -> HttpResponse:
    """Remove a charter item after confirming."""
    model = _kind(kind)
    item = queries.access_item(scope.viewer, scope.project, model, pk)
    _require_editor(scope)
    error, status = "", 200
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        try:
            services.do_delete_charter_item(item, version=version, actor=scope.user)
        except ConflictError as exc:
            error, status = exc.message, 409
            item = model.objects.get(pk=item.pk)
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 400
        else:
            messages.success(request, _("The %(thing)s was removed.") % {"thing": ITEM_NOUNS[kind]})
            return redirect(_home(scope, kind))
    return render_page(
        request,
        "web/charter/item_delete.html",
        {
            "scope": scope,
            "project": scope.project,
            "item": item,
            "kind": kind,
            "noun": ITEM_NOUNS[kind],
            "error": error,
            "tab": "home",
        },
        status=status,
    )


@project_view
def raci_edit(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Set a deliverable's RACI row: one letter per stakeholder, exactly one Accountable."""
    deliverable = queries.access_item(scope.viewer, scope.project, Deliverable, pk)
    _require_editor(scope)
    stakeholders = list(queries.stakeholders_of(scope.viewer, scope.project))
    cells = {c.stakeholder_id: c.letter for c in deliverable.raci.all()}
    initial: dict[str, Any] = {f"s{p.pk}": cells.get(p.pk, "") for p in stakeholders}
    initial["version"] = deliverable.version
    form = RaciForm(request.POST or None, initial=initial, stakeholders=stakeholders)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.do_set_raci(
                    deliverable, cells=form.cells(), version=form.cleaned_data["version"], actor=scope.user
                )
            except ConflictError as exc:
                form.add_error(None, exc.message)
                set_bound_value(form, "version", str(exc.current_version))
                status = 409
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("The RACI row of “%(name)s” was saved.") % {"name": deliverable.name}
                )
                return redirect(_home(scope, "deliverables"))
    return render_page(
        request,
        "web/charter/raci_form.html",
        {
            "scope": scope,
            "project": scope.project,
            "deliverable": deliverable,
            "form": form,
            "current_cells": cells if status == 409 else None,
            "tab": "home",
        },
        status=status,
    )
