"""The charter: sections, goals, KPIs, stakeholders, deliverables with RACI, revisions and confirmation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from tandem.accounts.models import User
from tandem.api.auth import AUTH, actor
from tandem.api.pagination import paged
from tandem.api.schemas import (
    MAX_INT,
    ChangesSinceConfirmedOut,
    CharterChangeOut,
    CharterConfirmationOut,
    CharterConfirmIn,
    CharterDiffOut,
    CharterOut,
    DeliverableIn,
    DeliverableOut,
    DeliverablePatchIn,
    GoalIn,
    GoalOut,
    GoalPatchIn,
    KpiIn,
    KpiOut,
    KpiPatchIn,
    QueryVersion,
    RaciIn,
    RevisionOut,
    RevisionSummaryOut,
    SectionIn,
    SectionOut,
    StakeholderIn,
    StakeholderOut,
    StakeholderPatchIn,
)
from tandem.projects import queries, services
from tandem.projects.charter import diff_content
from tandem.projects.choices import CharterSectionKey
from tandem.projects.models import CharterRevision, CharterSection, Deliverable, Project

router = Router(tags=["charter"], auth=AUTH)


def _section_out(section: CharterSection) -> SectionOut:
    return SectionOut(
        key=section.key,
        label=str(CharterSectionKey(section.key).label),
        body=section.body,
        version=section.version,
    )


# ---------------------------------------------------------------- the charter and its sections


@router.get("/projects/{code}/charter", response=CharterOut, summary="The charter")
def get_charter(request: HttpRequest, code: str) -> CharterOut:
    """The charter's revision, its sections and its latest confirmation."""
    user = actor(request)
    project = queries.access_project(user, code)
    confirmation = queries.latest_confirmation(project)
    return CharterOut(
        revision=queries.charter_of(project).revision,
        sections=[_section_out(s) for s in queries.sections_of(user, project)],
        latest_confirmation=CharterConfirmationOut.model_validate(confirmation) if confirmation else None,
    )


@router.get("/projects/{code}/charter/sections", response=list[SectionOut], summary="Charter sections")
@paged
def list_sections(request: HttpRequest, code: str) -> list[SectionOut]:
    """The charter's text sections in their fixed order (never-written ones at version 0)."""
    user = actor(request)
    return [_section_out(s) for s in queries.sections_of(user, queries.access_project(user, code))]


@router.put("/projects/{code}/charter/sections/{key}", response=SectionOut, summary="Edit a charter section")
def update_section(request: HttpRequest, code: str, key: CharterSectionKey, payload: SectionIn) -> SectionOut:
    """Replace a section's text, based on the version the caller read (0 for a new section)."""
    user = actor(request)
    project = queries.access_project(user, code)
    section = services.do_update_section(
        project, key=key, body=payload.body, version=payload.version, actor=user
    )
    return _section_out(section)


# ---------------------------------------------------------------- listed items, one set of endpoints per kind


class VersionQuery(Schema):
    """The version a deletion is based on."""

    version: QueryVersion


ItemList = Callable[[User, Project], QuerySet[Any]]
#: kind → (list query, output, creation input, change input, noun for the docs)
ITEM_KINDS: dict[str, tuple[ItemList, type[Schema], type[Schema], type[Schema], str]] = {
    "goals": (queries.goals_of, GoalOut, GoalIn, GoalPatchIn, "goal"),
    "kpis": (queries.kpis_of, KpiOut, KpiIn, KpiPatchIn, "KPI"),
    "stakeholders": (
        queries.stakeholders_of,
        StakeholderOut,
        StakeholderIn,
        StakeholderPatchIn,
        "stakeholder",
    ),
    "deliverables": (
        queries.deliverables_of,
        DeliverableOut,
        DeliverableIn,
        DeliverablePatchIn,
        "deliverable",
    ),
}


def _register_item_endpoints(kind: str) -> None:
    """List, create, read, update and delete endpoints for one kind of charter item."""
    of, out, create_in, patch_in, noun = ITEM_KINDS[kind]
    model = services.CHARTER_ITEMS[kind]
    base = f"/projects/{{code}}/charter/{kind}"

    def fetch(user: User, code: str, item_id: int) -> Any:
        """The item as the caller may see it (with its visible RACI for a deliverable), or 404."""
        project = queries.access_project(user, code)
        item = queries.access_item(user, project, model, item_id)
        return of(user, project).get(pk=item.pk) if kind == "deliverables" else item

    def list_items(request: HttpRequest, code: str) -> QuerySet[Any]:
        user = actor(request)
        return of(user, queries.access_project(user, code))

    def create_item(request: HttpRequest, code: str, payload: Any) -> Status[Any]:
        user = actor(request)
        project = queries.access_project(user, code)
        item = services.do_add_charter_item(
            project, kind=kind, data=payload.model_dump(exclude_none=True), actor=user
        )
        return Status(201, fetch(user, code, item.pk))

    def get_item(request: HttpRequest, code: str, item_id: int) -> Any:
        return fetch(actor(request), code, item_id)

    def update_item(request: HttpRequest, code: str, item_id: int, payload: Any) -> Any:
        user = actor(request)
        item = fetch(user, code, item_id)
        data = payload.model_dump(exclude_unset=True, exclude={"version"})
        services.do_update_charter_item(item, data=data, version=payload.version, actor=user)
        return fetch(user, code, item_id)

    def delete_item(request: HttpRequest, code: str, item_id: int, params: Any) -> Status[None]:
        user = actor(request)
        services.do_delete_charter_item(fetch(user, code, item_id), version=params.version, actor=user)
        return Status(204, None)

    # Concrete types for ninja, which reads the signatures to parse and document each endpoint.
    req: dict[str, Any] = {"request": HttpRequest, "code": str}
    list_items.__annotations__ = {**req}
    create_item.__annotations__ = {**req, "payload": create_in}
    get_item.__annotations__ = {**req, "item_id": int}
    update_item.__annotations__ = {**req, "item_id": int, "payload": patch_in}
    delete_item.__annotations__ = {**req, "item_id": int, "params": Query[VersionQuery]}

    paged_list = paged(list_items)
    tags = ["charter"]
    router.add_api_operation(
        base,
        ["GET"],
        paged_list,
        response=list[out],  # type: ignore[valid-type]
        operation_id=f"list_{kind}",
        summary=f"List {noun}s",
        description=f"The charter's {noun}s the caller may see.",
        tags=tags,
    )
    router.add_api_operation(
        base,
        ["POST"],
        create_item,
        response={201: out},
        operation_id=f"create_{kind}",
        summary=f"Add a {noun}",
        description=f"Add a {noun} to the charter.",
        tags=tags,
    )
    item_path = f"{base}/{{item_id}}"
    router.add_api_operation(
        item_path,
        ["GET"],
        get_item,
        response=out,
        operation_id=f"get_{kind}",
        summary=f"A {noun}",
        description=f"One {noun} of the charter.",
        tags=tags,
    )
    router.add_api_operation(
        item_path,
        ["PATCH"],
        update_item,
        response=out,
        operation_id=f"update_{kind}",
        summary=f"Change a {noun}",
        description="Change fields, based on the version the caller read.",
        tags=tags,
    )
    router.add_api_operation(
        item_path,
        ["DELETE"],
        delete_item,
        response={204: None},
        operation_id=f"delete_{kind}",
        summary=f"Remove a {noun}",
        description="Remove it, based on the version the caller read.",
        tags=tags,
    )


for _kind in ITEM_KINDS:
    _register_item_endpoints(_kind)


@router.put(
    "/projects/{code}/charter/deliverables/{item_id}/raci",
    response=DeliverableOut,
    summary="Set a deliverable's RACI",
)
def set_raci(request: HttpRequest, code: str, item_id: int, payload: RaciIn) -> Deliverable:
    """Replace a deliverable's RACI row (exactly one Accountable), based on the version the caller read."""
    user = actor(request)
    project = queries.access_project(user, code)
    deliverable = queries.access_item(user, project, Deliverable, item_id)
    cells = {cell.stakeholder_id: cell.letter for cell in payload.cells}
    services.do_set_raci(deliverable, cells=cells, version=payload.version, actor=user)
    return queries.deliverables_of(user, project).get(pk=deliverable.pk)


# ---------------------------------------------------------------- revisions and confirmation


class DiffQuery(Schema):
    """The two revisions to compare."""

    from_revision: Annotated[int, Field(ge=1, le=MAX_INT)]
    to_revision: Annotated[int, Field(ge=1, le=MAX_INT)]


@router.get(
    "/projects/{code}/charter/revisions", response=list[RevisionSummaryOut], summary="Charter revisions"
)
@paged
def list_revisions(request: HttpRequest, code: str) -> QuerySet[CharterRevision]:
    """Every frozen revision of the shared charter, newest first."""
    user = actor(request)
    return queries.revisions_of(queries.access_project(user, code))


@router.get("/projects/{code}/charter/revisions/{number}", response=RevisionOut, summary="A charter revision")
def get_revision(request: HttpRequest, code: str, number: int) -> CharterRevision:
    """One frozen revision with its content (the shared charter at that time)."""
    user = actor(request)
    return queries.charter_revision(queries.access_project(user, code), number)


@router.get("/projects/{code}/charter/diff", response=CharterDiffOut, summary="Compare two revisions")
def diff_revisions(request: HttpRequest, code: str, params: Query[DiffQuery]) -> CharterDiffOut:
    """What changed from one revision to another."""
    user = actor(request)
    project = queries.access_project(user, code)
    old = queries.charter_revision(project, params.from_revision)
    new = queries.charter_revision(project, params.to_revision)
    changes = [CharterChangeOut(**c) for c in diff_content(old.content, new.content)]
    return CharterDiffOut(from_revision=old.number, to_revision=new.number, changes=changes)


@router.get(
    "/projects/{code}/charter/changes-since-confirmed",
    response=ChangesSinceConfirmedOut,
    summary="Changes since the last confirmation",
)
def changes_since_confirmed(request: HttpRequest, code: str) -> ChangesSinceConfirmedOut:
    """The latest confirmation and what changed in the shared charter since."""
    user = actor(request)
    project = queries.access_project(user, code)
    confirmation, changes = queries.changes_since_confirmation(project)
    return ChangesSinceConfirmedOut(
        revision=queries.charter_of(project).revision,
        confirmation=CharterConfirmationOut.model_validate(confirmation) if confirmation else None,
        changes=[CharterChangeOut(**c) for c in changes],
    )


@router.get(
    "/projects/{code}/charter/confirmations",
    response=list[CharterConfirmationOut],
    summary="Charter confirmations",
)
@paged
def list_confirmations(request: HttpRequest, code: str) -> QuerySet[Any]:
    """Every confirmation of the charter, newest first."""
    user = actor(request)
    return queries.confirmations_of(queries.access_project(user, code))


@router.post(
    "/projects/{code}/charter/confirm", response={201: CharterConfirmationOut}, summary="Confirm the charter"
)
def confirm_charter(request: HttpRequest, code: str, payload: CharterConfirmIn) -> Status[Any]:
    """Confirm the revision the caller read; a newer revision answers 409."""
    user = actor(request)
    project = queries.access_project(user, code)
    confirmation = services.do_confirm_charter(
        project, revision=payload.revision, actor=user, comment=payload.comment
    )
    return Status(201, confirmation)
