"""The expense and budget API, called as every kind of viewer, and what each side reads back."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.core.choices import Visibility
from tandem.costs import services
from tandem.costs.models import CostSettings
from tandem.planning import scheduling
from tandem.testing.api import MEMBERS_READ, TEAM_READS, Caller, Case, matrix_test, only_pm, world_fixture
from tandem.testing.personas import World

from .conftest import SECRET_NOTE, make_costs

P = "/projects/ERP"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
#: The cost of the member's 8 hours on Design: an entry's cost, which no answer may carry.
ENTRY_COST = '"800.00"'
#: Filing: the team's PMs, leads and members; deciding: PMs and leads; an internal expense is unknown
#: to the client.
FILERS = "401 404 404 403 403 403 201 201"
INTERNAL_FILERS = "401 404 404 404 404 404 {ok} {ok}"
INTERNAL_DECIDERS = "401 404 404 404 404 404 403 {ok}"

CASES = [
    Case("expenses.list", "GET", f"{P}/expenses", MEMBERS_READ),
    Case(
        "expenses.list-filtered",
        "GET",
        f"{P}/expenses?status=approved&category=material&from=2026-01-01&to=2026-12-31",
        MEMBERS_READ,
    ),
    Case("expenses.export-csv", "GET", f"{P}/expenses/export?format=csv", MEMBERS_READ),
    Case("expenses.export-xlsx", "GET", f"{P}/expenses/export?format=xlsx&status=approved", MEMBERS_READ),
    Case(
        "expenses.create",
        "POST",
        f"{P}/expenses",
        FILERS,
        {"category": "travel", "day": "2026-03-02", "amount": "42.00", "description": "Taxi"},
    ),
    Case("expenses.detail-shared", "GET", "/expenses/{shared_draft}", MEMBERS_READ),
    Case("expenses.detail-internal", "GET", "/expenses/{travel}", TEAM_READS),
    Case(
        "expenses.update",
        "PATCH",
        "/expenses/{draft}",
        INTERNAL_FILERS.format(ok=200),
        {"version": 1, "amount": "43.00"},
    ),
    Case(
        "expenses.update-shared",
        "PATCH",
        "/expenses/{shared_draft}",
        "401 404 404 403 403 403 200 200",
        {"version": 2, "description": "Cables and adapters"},
    ),
    Case("expenses.delete", "DELETE", "/expenses/{draft}?version=1", INTERNAL_FILERS.format(ok=204)),
    Case(
        "expenses.submit", "POST", "/expenses/{draft}/submit", INTERNAL_FILERS.format(ok=200), {"version": 1}
    ),
    Case(
        "expenses.approve",
        "POST",
        "/expenses/{submitted}/approve",
        INTERNAL_DECIDERS.format(ok=200),
        {"version": 2},
    ),
    Case(
        "expenses.reject",
        "POST",
        "/expenses/{submitted}/reject",
        INTERNAL_DECIDERS.format(ok=200),
        {"version": 2, "reason": "Not ours"},
    ),
    Case(
        "expenses.receipt-upload",
        "POST",
        "/expenses/{draft}/receipt",
        INTERNAL_FILERS.format(ok=200),
        upload=("receipt.pdf", PDF, "application/pdf"),
    ),
    Case("expenses.receipt-download-shared", "GET", "/expenses/{shared_draft}/receipt", MEMBERS_READ),
    Case("expenses.receipt-download-internal", "GET", "/expenses/{travel_receipt}/receipt", TEAM_READS),
    Case("budget.detail", "GET", f"{P}/budget", MEMBERS_READ),
    Case(
        "budget.lines-create",
        "POST",
        f"{P}/budget/lines",
        only_pm("201"),
        {"category": "other", "amount": "250.00", "note": "Contingency"},
    ),
    Case(
        "budget.lines-update",
        "PATCH",
        "/budget-lines/{whole_travel}",
        only_pm("200"),
        {"version": 1, "amount": "1100"},
    ),
    Case("budget.lines-delete", "DELETE", "/budget-lines/{whole_travel}?version=1", only_pm("204")),
    Case(
        "budget.thresholds", "PATCH", f"{P}/budget/thresholds", only_pm("200"), {"thresholds": [50, 90, 100]}
    ),
]


def seed(world: World) -> dict[str, Any]:
    """The hand-computed project, a draft (internal) and a shared draft with a receipt, a submitted one."""
    costs = make_costs(world)
    member = world.member

    def add(**data: Any) -> Any:
        values = {
            "category": "material",
            "day": dt.date(2026, 3, 3),
            "amount": "12.00",
            "description": "Cables",
        }
        return services.do_add_expense(world.project, actor=member, **{**values, **data})

    draft = add()
    shared = add(visibility=Visibility.SHARED, internal_note=SECRET_NOTE)
    shared = services.do_attach_receipt(
        shared, actor=member, upload=SimpleUploadedFile("r.pdf", PDF, "application/pdf")
    )
    travel_receipt = add(internal_note=SECRET_NOTE)
    services.do_attach_receipt(
        travel_receipt, actor=member, upload=SimpleUploadedFile("t.pdf", PDF, "application/pdf")
    )
    return {
        "draft": draft.pk,
        "shared_draft": shared.pk,
        "travel_receipt": travel_receipt.pk,
        "travel": costs.travel.pk,
        "material": costs.material.pk,
        "submitted": costs.submitted.pk,
        "whole_travel": costs.whole_travel.pk,
        "phase_labour": costs.phase_labour.pk,
        "design": costs.plan.design.pk,
    }


api_world = world_fixture(seed)

test_it_answers_each_viewer_as_the_matrix_says = matrix_test(CASES)


def test_a_client_never_reads_an_internal_expense_a_note_a_rate_or_an_entry_cost(
    api_world: tuple[World, dict[str, Any]], db: None
) -> None:
    world, ids = api_world
    reads = [c for c in CASES if c.method == "GET"]
    for viewer in ("client_viewer", "client_pm", "sponsor"):
        caller = Caller(world, viewer)
        for case in reads:
            response = caller.get(case.path.format(**ids))
            text = response.content.decode("utf-8", errors="replace")
            for secret in (SECRET_NOTE, ENTRY_COST, "Train to the client", "cost_cents", "rate"):
                assert secret not in text, f"{case.name} as {viewer}: {secret}"
        listed = caller.get(f"{P}/expenses").json["items"]
        assert {e["description"] for e in listed} == {"Test devices", "Cables"}
        assert all(e["internal_note"] is None for e in listed)
    team = Caller(world, "member")
    assert SECRET_NOTE in team.get(f"/expenses/{ids['shared_draft']}").text
    assert "Train to the client" in team.get(f"{P}/expenses/export?format=csv").text


def test_it_reports_the_hand_computed_budget(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    body = Caller(world, "client_viewer").get(f"{P}/budget").json
    line = next(x for x in body["lines"] if x["line"]["id"] == ids["phase_labour"])
    assert (line["budget"], line["planned"], line["actual"], line["percent"]) == (
        "1500.00",
        "1600.00",
        "1200.00",
        "80.0",
    )
    assert line["remaining"] == "300.00" and line["forecast_over"] is True
    assert body["totals"]["actual"] == "2100.00" and body["project_budget"] == "1200000.00"
    assert body["thresholds"] == [80, 100]
    assert [p["actual"] for p in body["burn"]] == ["1800.00", "2100.00"]


def test_it_refuses_bad_input_naming_the_field(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    pm = Caller(world, "pm")
    base = {"category": "travel", "day": "2026-03-02", "amount": "42.00", "description": "Taxi"}
    CostSettings.objects.update_or_create(
        project=world.project, defaults={"locked_until": dt.date(2026, 1, 31)}
    )
    for change, field in [
        ({"amount": "-1"}, "amount"),
        ({"day": "2026-01-10"}, "day"),
        ({"task_id": 999_999}, "task_id"),
        ({"category": "labour"}, "category"),
        ({"day": "yesterday"}, "day"),
    ]:
        response = pm.call("POST", f"{P}/expenses", {**base, **change})
        assert response.status == 422 and field in response.text, (change, response.text)
    for body in ({"thresholds": [0]}, {"thresholds": [80, 80]}, {"thresholds": "80"}):
        response = pm.call("PATCH", f"{P}/budget/thresholds", body)
        assert response.status == 422 and "thresholds" in response.text, (body, response.text)
    response = pm.call("POST", f"{P}/budget/lines", {"phase_id": ids["design"], "amount": "5"})
    assert response.status == 422 and "phase_id" in response.text
    response = pm.call("POST", f"{P}/budget/lines", {"category": "travel", "amount": "5"})
    assert response.status == 422 and "category" in response.text
    response = pm.call("POST", f"/expenses/{ids['submitted']}/reject", {"version": 2, "reason": ""})
    assert response.status == 422 and "reason" in response.text


def test_it_refuses_a_receipt_of_the_wrong_type(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    member = Caller(world, "member")
    response = member.upload(f"/expenses/{ids['draft']}/receipt", "r.pdf", b"<script>", "application/pdf")
    assert response.status == 422 and "file" in response.text
    response = member.call("POST", f"/expenses/{ids['draft']}/receipt", files={})
    assert response.status == 422 and "file" in response.text
    got = member.get(f"/expenses/{ids['shared_draft']}/receipt")
    assert got.status == 200 and got.content == PDF
    assert member.get(f"/expenses/{ids['draft']}/receipt").status == 404


def test_it_lists_in_a_constant_number_of_queries(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, ids = api_world
    pm = Caller(world, "pm")

    def counted(path: str) -> int:
        # Counted without what an earlier read of the same plan left in the process (the budget
        # reads the plan's tree once per plan revision, and the rows added below change it).
        scheduling.forget_derived_from_plan()
        with CaptureQueriesContext(connection) as queries:
            assert pm.get(path).status == 200
        return len(queries)

    paths = [f"{P}/expenses", f"{P}/budget", f"{P}/expenses/export?format=csv"]
    before = [counted(path) for path in paths]
    for n in range(8):
        services.do_add_expense(
            world.project,
            actor=world.member,
            task_id=ids["design"],
            category="travel",
            day=dt.date(2026, 3, 4),
            amount="3",
            description=f"Bus {n}",
        )
        services.do_add_budget_line(
            world.project,
            actor=world.pm,
            category="other" if n == 0 else "labour",
            phase_id=None if n == 0 else _phase(world, n),
            amount="1",
        )
    assert [counted(path) for path in paths] == before


def _phase(world: World, n: int) -> int:
    from tandem.planning import services as planning_services

    phase = planning_services.do_add_task(world.project, actor=world.pm, name=f"Phase {n}", kind="phase")
    planning_services.do_add_task(
        world.project, actor=world.pm, name=f"Work {n}", parent_id=phase.pk, duration_minutes=480
    )
    return int(phase.pk)


def test_it_filters_by_status_category_and_dates(api_world: tuple[World, dict[str, Any]], db: None) -> None:
    world, _ids = api_world
    pm = Caller(world, "pm")

    def described(query: str) -> set[str]:
        return {e["description"] for e in pm.get(f"{P}/expenses?{query}").json["items"]}

    assert described("status=approved") == {"Test devices", "Train to the client"}
    assert described("category=travel&status=approved") == {"Train to the client"}
    assert described("from=2026-01-10&to=2026-01-31") == {"Train to the client"}
    assert described("to=2026-01-06") == {"Test devices"}
