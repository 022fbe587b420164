"""Project notes and the activity feed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from tandem.projects import queries, services
from tandem.projects.models import Note
from tandem.projects.permissions import Action, can
from tandem.web.forms import NoteForm
from tandem.web.views.base import (
    ProjectScope,
    apply_errors,
    project_view,
    render_page,
    submit_edit,
)

ACTIVITY_PAGE_SIZE = 30


@project_view
def notes(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The notes the viewer may see; write one (POST)."""
    form = NoteForm(request.POST or None, team=scope.team)
    status = 200
    if request.method == "POST":
        if not scope.can_write_notes:
            raise PermissionDenied(_("Your role in this project does not allow this."))
        status = 400
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                services.do_add_note(scope.project, actor=scope.user, **data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The note was added."))
                return redirect("web:notes", code=scope.project.code)
    items = list(queries.notes_of(scope.viewer, scope.project))
    rows = [
        (
            note,
            not scope.preview
            and (note.author_id == scope.user.pk or can(scope.user, scope.project, Action.EDIT_PROJECT)),
        )
        for note in items
    ]
    return render_page(
        request,
        "web/project/notes.html",
        {
            "scope": scope,
            "project": scope.project,
            "rows": rows,
            "form": form,
        },
        status=status,
    )


def _may_change(scope: ProjectScope, note: Note) -> None:
    if scope.preview or (note.author_id != scope.user.pk and not scope.can_edit_project):
        raise PermissionDenied(_("Only the author or the project manager may edit this note."))


def _note_values(note: Note) -> dict[str, Any]:
    """The edit form's values of a note as saved."""
    return {"title": note.title, "body": note.body, "visibility": note.visibility, "version": note.version}


@project_view
def note_edit(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Edit a note (its author or the project manager)."""
    note: Note = queries.access_item(scope.viewer, scope.project, Note, pk)
    _may_change(scope, note)
    form = NoteForm(request.POST or None, initial=_note_values(note), team=scope.team)
    status = 200
    if request.method == "POST":
        _saved, status = submit_edit(
            form,
            services.do_update_note,
            note,
            scope.user,
            saved=lambda: _note_values(queries.access_item(scope.viewer, scope.project, Note, pk)),
        )
        if status == 200:
            messages.success(request, _("The note was saved."))
            return redirect("web:notes", code=scope.project.code)
    return render_page(
        request,
        "web/project/note_form.html",
        {
            "scope": scope,
            "project": scope.project,
            "note": note,
            "form": form,
        },
        status=status,
    )


@project_view
def note_delete(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Delete a note after confirming."""
    note: Note = queries.access_item(scope.viewer, scope.project, Note, pk)
    _may_change(scope, note)
    if request.method == "POST":
        services.do_delete_note(note, actor=scope.user)
        messages.success(request, _("The note was deleted."))
        return redirect("web:notes", code=scope.project.code)
    return render_page(
        request,
        "web/project/note_delete.html",
        {
            "scope": scope,
            "project": scope.project,
            "note": note,
        },
    )


@project_view
def activity(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The project's audit trail as the viewer may see it, 30 to a page."""
    page = Paginator(queries.activity_of(scope.viewer, scope.project), ACTIVITY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render_page(
        request,
        "web/project/activity.html",
        {
            "scope": scope,
            "project": scope.project,
            "page": page,
            "activities": page.object_list,
        },
        fragment="web/project/_activity_page.html",
    )
