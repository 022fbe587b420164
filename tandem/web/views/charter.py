"""Editing the charter: text sections, goals, KPIs, stakeholders, deliverables and their RACI rows."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from tandem.projects import queries, services
from tandem.projects.choices import CharterSectionKey
from tandem.projects.models import Deliverable
from tandem.projects.services import CHARTER_ITEMS
from tandem.web.forms import ITEM_FORMS, RaciForm, SectionForm
from tandem.web.views.base import ProjectScope, attempt, project_view, render_page, submit_form

#: Display names of the listed parts of a charter, singular.
ITEM_NOUNS: dict[str, Any] = {kind: model._meta.verbose_name for kind, model in CHARTER_ITEMS.items()}


def _require_editor(scope: ProjectScope) -> None:
    if not scope.can_edit_charter:
        raise PermissionDenied(_("Your role in this project does not allow this."))


def _charter(scope: ProjectScope, anchor: str = "") -> str:
    return reverse("web:charter", args=[scope.project.code]) + (f"#{anchor}" if anchor else "")


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
    }
    if request.method == "GET" and request.GET.get("cancel") and getattr(request, "htmx", False):
        return render_page(
            request, "web/charter/section_form.html", context, fragment="web/charter/_section.html"
        )
    _require_editor(scope)
    form = SectionForm(request.POST or None, initial={"body": section.body, "version": section.version})
    status = 200
    if request.method == "POST":
        saved, status = submit_form(
            form,
            lambda: services.do_update_section(
                project,
                key=key,
                body=form.cleaned_data["body"],
                version=form.cleaned_data["version"],
                actor=scope.user,
            ),
            saved=lambda: _section_values(scope, key),
        )
        if saved is not None:
            if getattr(request, "htmx", False):
                context["section"] = saved
                return render_page(
                    request,
                    "web/charter/section_form.html",
                    context,
                    fragment="web/charter/_section.html",
                )
            messages.success(request, _("“%(section)s” was saved.") % {"section": context["label"]})
            return redirect(_charter(scope, f"section-{key}"))
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
        _saved, status = submit_form(
            form,
            lambda: services.do_add_charter_item(
                scope.project, kind=kind, data=form.item_data(), actor=scope.user
            ),
        )
        if status == 200:
            messages.success(request, _("The %(thing)s was added.") % {"thing": ITEM_NOUNS[kind]})
            return redirect(_charter(scope, kind))
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
    status = 200
    if request.method == "POST":
        _saved, status = submit_form(
            form,
            lambda: services.do_update_charter_item(
                item, data=form.item_data(), version=form.cleaned_data["version"], actor=scope.user
            ),
            saved=lambda: _item_values(form, queries.access_item(scope.viewer, scope.project, model, pk)),
        )
        if status == 200:
            messages.success(request, _("The %(thing)s was saved.") % {"thing": ITEM_NOUNS[kind]})
            return redirect(_charter(scope, kind))
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
        },
        status=status,
    )


def _item_values(form: Any, item: Any) -> dict[str, Any]:
    """The edit form's values of a charter item as saved."""
    return {**model_to_dict(item, fields=list(form.fields)), "version": item.version}


def _section_values(scope: ProjectScope, key: str) -> dict[str, Any]:
    """The edit form's values of a charter section as saved, read through the reader's scope."""
    section = next(s for s in queries.sections_of(scope.viewer, scope.project) if s.key == key)
    return {"body": section.body, "version": section.version}


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
        _done, error, status = attempt(
            lambda: services.do_delete_charter_item(item, version=version, actor=scope.user)
        )
        if status == 200:
            messages.success(request, _("The %(thing)s was removed.") % {"thing": ITEM_NOUNS[kind]})
            return redirect(_charter(scope, kind))
        if status == 409:
            item = queries.access_item(scope.viewer, scope.project, model, pk)
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
        },
        status=status,
    )


def _raci_values(deliverable: Deliverable) -> dict[str, Any]:
    """The RACI form's values of a deliverable as saved: one letter per stakeholder."""
    values: dict[str, Any] = {f"s{c.stakeholder_id}": c.letter for c in deliverable.raci.all()}
    return {**values, "version": deliverable.version}


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
        _saved, status = submit_form(
            form,
            lambda: services.do_set_raci(
                deliverable, cells=form.cells(), version=form.cleaned_data["version"], actor=scope.user
            ),
            saved=lambda: _raci_values(queries.access_item(scope.viewer, scope.project, Deliverable, pk)),
        )
        if status == 200:
            messages.success(request, _("The RACI row of “%(name)s” was saved.") % {"name": deliverable.name})
            return redirect(_charter(scope, "deliverables"))
    return render_page(
        request,
        "web/charter/raci_form.html",
        {
            "scope": scope,
            "project": scope.project,
            "deliverable": deliverable,
            "form": form,
        },
        status=status,
    )
