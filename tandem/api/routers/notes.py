"""Project notes and the activity feeds."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status

from tandem.api.auth import AUTH, actor
from tandem.api.pagination import paged
from tandem.api.schemas import ActivityFilter, ActivityOut, NoteIn, NoteOut, NotePatchIn
from tandem.core.models import Activity
from tandem.projects import queries, services
from tandem.projects.models import Note

router = Router(tags=["notes"], auth=AUTH)


@router.get("/projects/{code}/notes", response=list[NoteOut], summary="Project notes")
@paged
def list_notes(request: HttpRequest, code: str) -> QuerySet[Note]:
    """The notes the caller may see, newest first."""
    user = actor(request)
    return queries.notes_of(user, queries.access_project(user, code))


@router.post("/projects/{code}/notes", response={201: NoteOut}, summary="Write a note")
def add_note(request: HttpRequest, code: str, payload: NoteIn) -> Status[Note]:
    """Write a note (internal by default for the team; always shared for the client)."""
    user = actor(request)
    project = queries.access_project(user, code)
    note = services.do_add_note(
        project, actor=user, title=payload.title, body=payload.body, visibility=payload.visibility
    )
    return Status(201, note)


@router.get("/projects/{code}/notes/{note_id}", response=NoteOut, summary="A note")
def get_note(request: HttpRequest, code: str, note_id: int) -> Note:
    """One note the caller may see."""
    user = actor(request)
    project = queries.access_project(user, code)
    return queries.notes_of(user, project).get(pk=queries.access_item(user, project, Note, note_id).pk)


@router.patch("/projects/{code}/notes/{note_id}", response=NoteOut, summary="Change a note")
def update_note(request: HttpRequest, code: str, note_id: int, payload: NotePatchIn) -> Note:
    """Change a note (its author or the project manager), based on the version the caller read."""
    user = actor(request)
    project = queries.access_project(user, code)
    note = queries.access_item(user, project, Note, note_id)
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    return services.do_update_note(note, actor=user, version=payload.version, **data)


@router.delete("/projects/{code}/notes/{note_id}", response={204: None}, summary="Delete a note")
def delete_note(request: HttpRequest, code: str, note_id: int) -> Status[None]:
    """Delete a note (its author or the project manager)."""
    user = actor(request)
    project = queries.access_project(user, code)
    services.do_delete_note(queries.access_item(user, project, Note, note_id), actor=user)
    return Status(204, None)


# ---------------------------------------------------------------- activity


@router.get(
    "/projects/{code}/activity", response=list[ActivityOut], tags=["activity"], summary="A project's activity"
)
@paged
def project_activity(request: HttpRequest, code: str, filters: Query[ActivityFilter]) -> QuerySet[Activity]:
    """What happened in the project that the caller may see, newest first."""
    user = actor(request)
    return queries.activity_of(user, queries.access_project(user, code), **filters.as_filters())


@router.get("/activity", response=list[ActivityOut], tags=["activity"], summary="My activity feed")
@paged
def my_activity(request: HttpRequest, filters: Query[ActivityFilter]) -> QuerySet[Activity]:
    """What happened across the caller's projects, newest first."""
    return queries.activity_of(actor(request), **filters.as_filters())
