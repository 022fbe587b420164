"""Every list endpoint answers in the same number of queries for 3 rows as for 30."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.accounts import services as account_services
from tandem.accounts.choices import OrganizationKind
from tandem.accounts.models import Organization
from tandem.core.choices import Visibility
from tandem.projects import queries, services
from tandem.projects.choices import Role
from tandem.testing.personas import World, make_user

from .conftest import Caller


def _goals(world: World, n: int) -> None:
    for i in range(n):
        services.do_add_charter_item(world.project, kind="goals", actor=world.pm, data={"statement": f"G{i}"})


def _kpis(world: World, n: int) -> None:
    for i in range(n):
        services.do_add_charter_item(world.project, kind="kpis", actor=world.pm, data={"name": f"K{i}"})


def _stakeholders(world: World, n: int) -> None:
    for i in range(n):
        services.do_add_charter_item(
            world.project, kind="stakeholders", actor=world.pm, data={"name": f"S{i}"}
        )


def _deliverables(world: World, n: int) -> None:
    """Deliverables, each with a RACI row naming a shared and an internal stakeholder."""
    shared = world.records["stakeholder_shared"]
    internal = world.records["stakeholder_internal"]
    for i in range(n):
        item = services.do_add_charter_item(
            world.project, kind="deliverables", actor=world.pm, data={"name": f"D{i}"}
        )
        services.do_set_raci(
            item, cells={shared.pk: "A", internal.pk: "R"}, version=item.version, actor=world.pm
        )


def _notes(world: World, n: int) -> None:
    for i in range(n):
        vis = Visibility.SHARED if i % 2 else Visibility.INTERNAL
        services.do_add_note(world.project, actor=world.pm, title=f"N{i}", visibility=vis)


def _members(world: World, n: int) -> None:
    start = world.project.memberships.count()
    for i in range(start, start + n):
        person = make_user(f"guest{i}@northwind.test", f"Guest {i}", world.client)
        services.do_add_member(world.project, user=person, role=Role.CLIENT_VIEWER, actor=world.pm)


def _invitations(world: World, n: int) -> None:
    start = world.project.invitations.count()
    for i in range(start, start + n):
        services.do_invite(
            world.project, email=f"invitee{i}@northwind.test", role=Role.REVIEWER, actor=world.pm
        )


def _projects(world: World, n: int) -> None:
    start = world.client_viewer.memberships.count()
    for i in range(start, start + n):
        project = services.do_create_project(
            code=f"P{i}", name=f"Project {i}", client=world.client, vendor=world.vendor, actor=world.pm
        )
        services.do_add_member(project, user=world.client_viewer, role=Role.CLIENT_VIEWER, actor=world.pm)


def _organizations(world: World, n: int) -> None:
    """New client organizations, each with a project the client viewer belongs to."""
    start = Organization.objects.count()
    for i in range(start, start + n):
        client = services.do_create_organization(
            name=f"Client {i}", kind=OrganizationKind.CLIENT, actor=world.pm
        )
        project = services.do_create_project(
            code=f"C{i}", name=f"Project {i}", client=client, vendor=world.vendor, actor=world.pm
        )
        services.do_add_member(project, user=world.client_viewer, role=Role.CLIENT_VIEWER, actor=world.pm)


def _revisions_and_confirmations(world: World, n: int) -> None:
    for i in range(n):
        section = queries.sections_of(world.pm, world.project)[1]
        services.do_update_section(
            world.project, key=section.key, body=f"text {i}", version=section.version, actor=world.pm
        )
        services.do_confirm_charter(
            world.project, revision=queries.charter_of(world.project).revision, actor=world.sponsor
        )


def _tokens(world: World, n: int) -> None:
    for i in range(n):
        account_services.do_create_api_token(world.client_viewer, name=f"t{i}", actor=world.client_viewer)


GROW: dict[str, tuple[str, Callable[[World, int], None]]] = {
    "goals": ("/projects/ERP/charter/goals", _goals),
    "kpis": ("/projects/ERP/charter/kpis", _kpis),
    "stakeholders": ("/projects/ERP/charter/stakeholders", _stakeholders),
    "deliverables": ("/projects/ERP/charter/deliverables", _deliverables),
    "notes": ("/projects/ERP/notes", _notes),
    "members": ("/projects/ERP/members", _members),
    "invitations": ("/projects/ERP/invitations", _invitations),
    "projects": ("/projects", _projects),
    "organizations": ("/organizations", _organizations),
    "activity.project": ("/projects/ERP/activity", _notes),
    "activity.mine": ("/activity", _notes),
    "revisions": ("/projects/ERP/charter/revisions", _revisions_and_confirmations),
    "confirmations": ("/projects/ERP/charter/confirmations", _revisions_and_confirmations),
    "tokens": ("/me/tokens", _tokens),
    # Fixed-length lists: the guard still proves they don't grow with the rest of the project.
    "decision-rights": ("/projects/ERP/decision-rights", _notes),
    "sections": ("/projects/ERP/charter/sections", _revisions_and_confirmations),
}


def _count(caller: Caller, path: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        response = caller.get(path + ("&" if "?" in path else "?") + "limit=100")
    assert response.status == 200, response.text[:300]
    return len(ctx.captured_queries), response.json


@pytest.mark.parametrize("viewer", ["client_viewer", "pm"])
@pytest.mark.parametrize("name", list(GROW))
def test_a_list_costs_the_same_queries_for_3_and_30_rows(name: str, viewer: str, world: World) -> None:
    path, grow = GROW[name]
    caller = Caller(world, viewer)
    grow(world, 3)
    few, first = _count(caller, path)
    grow(world, 27)
    many, second = _count(caller, path)
    assert many == few, f"{path}: {few} queries for the first page, {many} with 27 more rows"
    if name not in {"decision-rights", "sections"} and not (name == "tokens" and viewer == "pm"):
        assert second["count"] > first["count"], "the guard must measure a list that grew"
