"""Every endpoint family, called as every kind of viewer: one expected status each.

Columns follow ``VIEWERS``: anonymous, outsider, other_client, client_viewer, client_pm, sponsor,
member, pm. The world is built once for the module; each call runs in its own savepoint.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from typing import Any

import pytest

from tandem.accounts import services as account_services
from tandem.api.api import api
from tandem.core.choices import Visibility
from tandem.projects import kpis, queries, services
from tandem.projects.choices import Role
from tandem.testing.api import ANY_USER, MEMBERS_READ, TEAM_READS, Case, fill, only_pm
from tandem.testing.personas import VIEWERS, World, make_user

from .conftest import Caller

# Rows used again and again (in VIEWERS order).


def client_managers(ok: str) -> str:
    """Managing the client's people: the client PM, the sponsor and the PM."""
    return f"401 404 404 403 {ok} {ok} 403 {ok}"


ITEM_BODIES: dict[str, dict[str, Any]] = {
    "goals": {"statement": "Cut stock-outs by 30%"},
    "kpis": {"name": "Availability", "target": "99.5"},
    "stakeholders": {"name": "Store manager"},
    "deliverables": {"name": "Data migration"},
}
ITEM_CHANGES: dict[str, dict[str, Any]] = {
    "goals": {"statement": "Cut stock-outs by 40%"},
    "kpis": {"unit": "%"},
    "stakeholders": {"contact": "store@northwind.test"},
    "deliverables": {"description": "All master data"},
}


def charter_item_cases() -> list[Case]:
    """The five endpoints of each kind of charter item, for a shared and an internal record."""
    cases = []
    singular = {"goals": "goal", "kpis": "kpi", "stakeholders": "stakeholder", "deliverables": "deliverable"}
    for kind, one in singular.items():
        base = f"/projects/ERP/charter/{kind}"
        cases += [
            Case(f"{kind}.list", "GET", base, MEMBERS_READ),
            Case(f"{kind}.detail-shared", "GET", f"{base}/{{{one}_shared}}", MEMBERS_READ),
            Case(f"{kind}.detail-internal", "GET", f"{base}/{{{one}_internal}}", TEAM_READS),
            Case(f"{kind}.create", "POST", base, only_pm("201"), ITEM_BODIES[kind]),
            Case(
                f"{kind}.update-shared",
                "PATCH",
                f"{base}/{{{one}_shared}}",
                only_pm("200"),
                {"version": 1, **ITEM_CHANGES[kind]},
            ),
            Case(
                f"{kind}.update-internal",
                "PATCH",
                f"{base}/{{{one}_internal}}",
                "401 404 404 404 404 404 403 200",
                {"version": 1, **ITEM_CHANGES[kind]},
            ),
            Case(f"{kind}.delete-shared", "DELETE", f"{base}/{{{one}_shared}}?version=1", only_pm("204")),
        ]
    return cases


CASES: list[Case] = [
    # me and tokens
    Case("me.detail", "GET", "/me", ANY_USER),
    Case("me.update", "PATCH", "/me", ANY_USER, {"title": "Engineer"}),
    Case("me.inbox", "GET", "/me/inbox", ANY_USER),
    Case("tokens.list", "GET", "/me/tokens", ANY_USER),
    Case("tokens.create", "POST", "/me/tokens", "401 201 201 201 201 201 201 201", {"name": "ci"}),
    Case("tokens.revoke-pm's", "DELETE", "/me/tokens/{pm_token}", "401 404 404 404 404 404 404 200"),
    # organizations
    Case("organizations.list", "GET", "/organizations", ANY_USER),
    # projects
    Case("projects.list", "GET", "/projects", ANY_USER),
    Case("projects.list-filtered", "GET", "/projects?search=erp&status=proposed", ANY_USER),
    Case("projects.detail", "GET", "/projects/ERP", MEMBERS_READ),
    Case("projects.detail-other-client's", "GET", "/projects/OTHER", "401 404 200 404 404 404 404 404"),
    Case(
        "projects.create",
        "POST",
        "/projects",
        "401 403 403 403 403 403 201 201",
        lambda ids: {"code": "NEW", "name": "New store app", "client_id": ids["client"]},
    ),
    Case("projects.update", "PATCH", "/projects/ERP", only_pm("200"), {"version": 1, "name": "ERP 2"}),
    # members
    Case("members.list", "GET", "/projects/ERP/members", MEMBERS_READ),
    Case("members.detail", "GET", "/projects/ERP/members/{reviewer_membership}", MEMBERS_READ),
    Case(
        "members.add-client",
        "POST",
        "/projects/ERP/members",
        client_managers("201"),
        {"email": "nina@northwind.test", "role": "client_viewer"},
    ),
    Case(
        "members.add-team",
        "POST",
        "/projects/ERP/members",
        only_pm("201"),
        {"email": "nick@acme.test", "role": "member"},
    ),
    Case(
        "members.change-role",
        "PATCH",
        "/projects/ERP/members/{reviewer_membership}",
        client_managers("200"),
        {"role": "client_viewer"},
    ),
    Case("members.remove", "DELETE", "/projects/ERP/members/{reviewer_membership}", client_managers("204")),
    # invitations
    Case("invitations.list", "GET", "/projects/ERP/invitations", MEMBERS_READ),
    Case(
        "invitations.create",
        "POST",
        "/projects/ERP/invitations",
        client_managers("201"),
        {"email": "new@northwind.test", "role": "reviewer"},
    ),
    Case("invitations.revoke", "DELETE", "/projects/ERP/invitations/{invitation}", client_managers("204")),
    # Open to anyone; signed in as somebody else than the invitee, the invitation is not theirs.
    Case(
        "invitations.accept",
        "POST",
        "/invitations/accept",
        "201 422 422 422 422 422 422 422",
        lambda ids: {
            "token": ids["invitation_token"],
            "full_name": "Fay Fresh",
            "password": "a long enough passphrase",
        },
    ),
    # decision rights
    Case("decision-rights.list", "GET", "/projects/ERP/decision-rights", MEMBERS_READ),
    Case(
        "decision-rights.preset",
        "POST",
        "/projects/ERP/decision-rights/preset",
        "401 404 404 403 403 200 403 200",
        {"preset": "team_led"},
    ),
    Case(
        "decision-rights.set",
        "PUT",
        "/projects/ERP/decision-rights/close_risk",
        "401 404 404 403 403 200 403 200",
        {"roles": ["pm", "client_pm"]},
    ),
    # charter
    Case("charter.detail", "GET", "/projects/ERP/charter", MEMBERS_READ),
    Case("charter.sections", "GET", "/projects/ERP/charter/sections", MEMBERS_READ),
    Case(
        "charter.section-update",
        "PUT",
        "/projects/ERP/charter/sections/scope_in",
        only_pm("200"),
        {"body": "Stores only", "version": 1},
    ),
    *charter_item_cases(),
    Case(
        "charter.raci",
        "PUT",
        "/projects/ERP/charter/deliverables/{deliverable_shared}/raci",
        only_pm("200"),
        lambda ids: {"version": 1, "cells": [{"stakeholder_id": ids["stakeholder_shared"], "letter": "A"}]},
    ),
    Case("charter.revisions", "GET", "/projects/ERP/charter/revisions", MEMBERS_READ),
    Case("charter.revision", "GET", "/projects/ERP/charter/revisions/1", MEMBERS_READ),
    Case(
        "charter.diff",
        "GET",
        "/projects/ERP/charter/diff?from_revision=1&to_revision={revision}",
        MEMBERS_READ,
    ),
    Case(
        "charter.changes-since-confirmed",
        "GET",
        "/projects/ERP/charter/changes-since-confirmed",
        MEMBERS_READ,
    ),
    Case("charter.confirmations", "GET", "/projects/ERP/charter/confirmations", MEMBERS_READ),
    # Under the joint preset the sponsor and the client PM confirm the charter.
    Case(
        "charter.confirm",
        "POST",
        "/projects/ERP/charter/confirm",
        "401 404 404 403 201 201 403 403",
        lambda ids: {"revision": ids["revision"]},
    ),
    # notes
    Case("notes.list", "GET", "/projects/ERP/notes", MEMBERS_READ),
    Case("notes.detail-shared", "GET", "/projects/ERP/notes/{note_shared}", MEMBERS_READ),
    Case("notes.detail-internal", "GET", "/projects/ERP/notes/{note_internal}", TEAM_READS),
    Case("notes.create", "POST", "/projects/ERP/notes", "401 404 404 403 201 403 201 201", {"title": "Hi"}),
    # The PM's note: only its author (the PM) may change it.
    Case(
        "notes.update",
        "PATCH",
        "/projects/ERP/notes/{note_shared}",
        only_pm("200"),
        {"version": 1, "title": "Edited"},
    ),
    Case("notes.delete", "DELETE", "/projects/ERP/notes/{note_shared}", only_pm("204")),
    # KPI values
    Case("kpis.sources", "GET", "/kpi-sources", ANY_USER),
    Case("kpis.readings", "GET", "/projects/ERP/kpis", MEMBERS_READ),
    Case("kpis.values-shared", "GET", "/projects/ERP/charter/kpis/{kpi_shared}/measurements", MEMBERS_READ),
    Case("kpis.values-internal", "GET", "/projects/ERP/charter/kpis/{kpi_internal}/measurements", TEAM_READS),
    Case(
        "kpis.enter-shared",
        "POST",
        "/projects/ERP/charter/kpis/{kpi_shared}/measurements",
        only_pm("201"),
        {"measured_on": "2026-03-02", "value": "97.5", "note": "after the outage"},
    ),
    Case(
        "kpis.enter-internal",
        "POST",
        "/projects/ERP/charter/kpis/{kpi_internal}/measurements",
        "401 404 404 404 404 404 403 201",
        {"measured_on": "2026-03-02", "value": "12"},
    ),
    Case(
        "kpis.remove-value",
        "DELETE",
        "/projects/ERP/charter/kpis/{kpi_shared}/measurements/{kpi_measurement}",
        only_pm("204"),
    ),
    Case(
        "kpis.source",
        "PUT",
        "/projects/ERP/charter/kpis/{kpi_shared}/source",
        only_pm("200"),
        {"source": "schedule.percent_complete"},
    ),
    # activity
    Case("activity.project", "GET", "/projects/ERP/activity", MEMBERS_READ),
    Case("activity.mine", "GET", "/activity", ANY_USER),
]


@pytest.fixture(scope="module")
def ids(shared_world: World) -> dict[str, Any]:
    """The ids the paths and bodies refer to, with a few more records for the matrix."""
    world = shared_world
    out: dict[str, Any] = {key: record.pk for key, record in world.records.items()}
    make_user("nina@northwind.test", "Nina Newcomer", world.client)
    make_user("nick@acme.test", "Nick New", world.vendor)
    token, _raw = account_services.do_create_api_token(world.pm, name="laptop", actor=world.pm)
    invitation, _raw = services.do_invite(
        world.project, email="open@northwind.test", role=Role.REVIEWER, actor=world.pm
    )
    _invitation, fresh = services.do_invite(
        world.project, email="fay@northwind.test", role=Role.CLIENT_VIEWER, actor=world.pm
    )
    out |= {
        "client": world.client.pk,
        "pm_token": token.pk,
        "invitation": invitation.pk,
        "invitation_token": fresh,
        "reviewer_membership": world.project.memberships.get(user=world.reviewer).pk,
        "revision": queries.charter_of(world.project).revision,
        "kpi_measurement": kpis.do_record_measurement(
            world.records["kpi_shared"], value="97", measured_on=dt.date(2026, 3, 1), actor=world.pm
        ).pk,
    }
    assert world.records["note_shared"].visibility == Visibility.SHARED
    return out


@pytest.fixture(scope="module")
def tokens(shared_world: World) -> dict[str, str]:
    """A personal API token for every persona."""
    return {
        viewer: account_services.do_create_api_token(person, name="matrix", actor=person)[1]
        for viewer in VIEWERS
        if (person := shared_world.viewer(viewer)) is not None
    }


@pytest.mark.parametrize("auth", ["session", "token"])
@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_it_answers_each_viewer_as_the_matrix_says(
    case: Case,
    viewer: str,
    auth: str,
    shared_world: World,
    ids: dict[str, Any],
    tokens: dict[str, str],
    db: None,
) -> None:
    """Signed in with a browser session (and its CSRF token) or with a bearer token: the same answer."""
    expected = int(case.expected.split()[VIEWERS.index(viewer)])
    body = fill(case.body, ids)
    caller = Caller(shared_world, viewer, token=tokens.get(viewer) if auth == "token" else None)
    response = caller.call(case.method, case.path.format(**ids), body)
    assert response.status == expected, f"{case.method} {case.path} as {viewer}: {response.text[:300]}"


WRITES = [case for case in CASES if case.method != "GET" and case.name != "invitations.accept"]


@pytest.mark.parametrize("case", WRITES, ids=lambda case: case.name)
def test_it_refuses_a_session_write_without_the_csrf_token(
    case: Case, shared_world: World, ids: dict[str, Any], db: None
) -> None:
    """A signed-in browser that does not send the CSRF token changes nothing (403)."""
    body = fill(case.body, ids)
    response = Caller(shared_world, "pm", csrf=False).call(case.method, case.path.format(**ids), body)
    assert response.status == 403, response.text[:300]
    assert "CSRF" in response.json["detail"]


#: Permission matrices of other domains' routers, each a module with a ``CASES`` list of the same shape.
OTHER_MATRICES = (
    "tandem.planning.tests.test_api",
    "tandem.changes.tests.test_api",
    "tandem.requirements.tests.test_api",
    "tandem.risks.tests.test_api",
    "tandem.resources.tests.test_api",
    "tandem.resources.tests.test_workload_api",
    "tandem.costs.tests.test_evm_api",
    "tandem.communication.tests.test_api",
    "tandem.communication.tests.test_api_integrations",
    "tandem.reports.tests.test_api",
    "tandem.meetings.tests.test_api",
    "tandem.api.tests.test_jobs",
    "tandem.costs.tests.test_api",
    "tandem.costs.tests.test_time_api",
    "tandem.quality.tests.test_certificates_api",
    "tandem.quality.tests.test_defects_api",
    "tandem.quality.tests.test_acceptance_api",
    "tandem.quality.tests.test_runs_api",
    "tandem.quality.tests.test_cases_api",
    "tandem.pulses.tests.test_api",
)


def _all_cases() -> list[Any]:
    cases: list[Any] = list(CASES)
    for module in OTHER_MATRICES:
        cases += importlib.import_module(module).CASES
    return cases


def test_it_has_a_row_for_every_operation() -> None:
    """A new endpoint without a row in this matrix (or its domain's own) fails here."""
    schema = api.get_openapi_schema()
    cases = _all_cases()
    missing = []
    for template, methods in schema["paths"].items():
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template.removeprefix("/api/v1")) + "$")
        for method in methods:
            if not any(c.method == method.upper() and pattern.match(c.path.split("?")[0]) for c in cases):
                missing.append(f"{method.upper()} {template}")
    assert not missing, missing
