"""The budget and expense pages: what each side reads, the forms, the receipt, the query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.costs import services
from tandem.costs.choices import ExpenseStatus
from tandem.costs.models import BudgetLine, CostSettings, Expense
from tandem.costs.tests.conftest import SECRET_NOTE, Costs, make_costs
from tandem.planning import scheduling
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BUDGET = reverse("web:budget", args=["ERP"])
EXPENSES = reverse("web:expenses", args=["ERP"])
#: The cost of the member's 8 hours on Design, an internal figure no client page may show.
ENTRY_COST = "800.00"


@pytest.fixture
def costs(world: World, settings: Any, tmp_path: Any) -> Costs:
    settings.MEDIA_ROOT = tmp_path  # receipts
    return make_costs(world)


def as_(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.people[persona])
    return client


def test_the_budget_page_shows_the_hand_computed_figures(costs: Costs, world: World) -> None:
    body = as_(world, "client_viewer").get(BUDGET).content.decode()
    for figure in ("1500.00", "1600.00", "1200.00", "80.0 %", "125.0 %", "2100.00", "1200000.00"):
        assert figure in body, figure
    assert "<svg" in body and "polyline" in body
    assert 'class="over-threshold"' in body
    # The client reads no form, no rate, no entry's cost.
    assert "Add a budget line" not in body and ENTRY_COST not in body.replace("1800.00", "")


def test_the_pm_adds_changes_and_removes_a_line_and_sets_thresholds(costs: Costs, world: World) -> None:
    pm = as_(world, "pm")
    response = pm.post(
        BUDGET, {"action": "add_line", "phase": "", "category": "other", "amount": "250", "note": ""}
    )
    assert response.status_code == 302
    line = BudgetLine.objects.get(category="other")
    response = pm.post(
        BUDGET,
        {
            "action": "edit_line",
            "line_id": line.pk,
            f"line-{line.pk}-amount": "300",
            f"line-{line.pk}-note": "",
            f"line-{line.pk}-version": line.version,
        },
    )
    assert response.status_code == 302 and BudgetLine.objects.get(pk=line.pk).amount == 300
    # A second line of the same phase and category is a form error, not a 500.
    response = pm.post(BUDGET, {"action": "add_line", "phase": "", "category": "other", "amount": "1"})
    assert response.status_code == 400 and "already has a budget line" in response.content.decode()
    response = pm.post(BUDGET, {"action": "thresholds", "thresholds": "50, 100, 100"})
    assert response.status_code == 400
    response = pm.post(BUDGET, {"action": "thresholds", "thresholds": "100, 50"})
    assert response.status_code == 302
    assert CostSettings.objects.get(project=world.project).budget_thresholds == [50, 100]
    line.refresh_from_db()
    response = pm.post(BUDGET, {"action": "remove_line", "line_id": line.pk, "version": line.version})
    assert response.status_code == 302 and not BudgetLine.objects.filter(pk=line.pk).exists()
    assert as_(world, "member").post(BUDGET, {"action": "thresholds", "thresholds": "5"}).status_code == 403


def test_a_client_sees_shared_expenses_without_notes(costs: Costs, world: World) -> None:
    body = as_(world, "client_pm").get(EXPENSES).content.decode()
    assert "Test devices" in body and "Train to the client" not in body
    assert SECRET_NOTE not in body and "New expense" not in body
    detail = reverse("web:expense_detail", args=["ERP", costs.material.pk])
    assert SECRET_NOTE not in as_(world, "client_pm").get(detail).content.decode()
    assert SECRET_NOTE in as_(world, "member").get(detail).content.decode()
    assert (
        as_(world, "client_pm").get(reverse("web:expense_detail", args=["ERP", costs.travel.pk])).status_code
        == 404
    )
    export = (
        as_(world, "client_pm")
        .get(reverse("web:expense_export", args=["ERP"]) + "?format=csv")
        .content.decode()
    )
    assert "Test devices" in export and "Train to the client" not in export and SECRET_NOTE not in export
    preview = as_(world, "pm").get(EXPENSES + "?view=client").content.decode()
    assert "Train to the client" not in preview and SECRET_NOTE not in preview


def test_a_member_files_an_expense_with_its_receipt(costs: Costs, world: World) -> None:
    member = as_(world, "member")
    data: dict[str, Any] = {
        "description": "Adapters",
        "category": "material",
        "day": "2026-03-02",
        "amount": "19.90",
        "task": str(costs.plan.build.pk),
        "billable": "on",
        "visibility": "internal",
        "internal_note": "",
        "version": "0",
    }
    response = member.post(EXPENSES, {**data, "receipt": SimpleUploadedFile("r.txt", b"hello", "text/plain")})
    assert response.status_code == 400 and not Expense.objects.filter(description="Adapters").exists()
    response = member.post(EXPENSES, {**data, "amount": "-1"})
    assert response.status_code == 400
    CostSettings.objects.create(project=world.project, locked_until=dt.date(2026, 3, 31))
    response = member.post(EXPENSES, {**data, "receipt": SimpleUploadedFile("r.pdf", PDF, "application/pdf")})
    assert response.status_code == 400 and "locked" in response.content.decode()
    CostSettings.objects.filter(project=world.project).update(locked_until=None)
    response = member.post(EXPENSES, {**data, "receipt": SimpleUploadedFile("r.pdf", PDF, "application/pdf")})
    assert response.status_code == 302
    expense = Expense.objects.get(description="Adapters")
    got = member.get(reverse("web:expense_receipt", args=["ERP", expense.pk]))
    assert got.status_code == 200 and got.content == PDF and got["Content-Type"] == "application/pdf"
    action = reverse("web:expense_action", args=["ERP", expense.pk])
    assert member.post(action, {"action": "submit", "version": expense.version}).status_code == 302
    expense.refresh_from_db()
    assert expense.status == ExpenseStatus.SUBMITTED
    assert (
        as_(world, "pm")
        .post(action, {"action": "reject", "version": expense.version, "reason": ""})
        .status_code
        == 302
    )
    expense.refresh_from_db()
    assert expense.status == ExpenseStatus.SUBMITTED  # a rejection needs its reason
    as_(world, "pm").post(action, {"action": "approve", "version": expense.version})
    expense.refresh_from_db()
    assert expense.status == ExpenseStatus.APPROVED


def test_the_pages_read_in_a_constant_number_of_queries(costs: Costs, world: World) -> None:
    pm = as_(world, "pm")

    def counted(path: str) -> int:
        scheduling.forget_derived_from_plan()  # the budget reads the plan's tree once per revision
        with CaptureQueriesContext(connection) as queries:
            assert pm.get(path).status_code == 200
        return len(queries)

    paths = [BUDGET, EXPENSES]
    before = [counted(path) for path in paths]
    for n in range(6):
        services.do_add_expense(
            world.project,
            actor=world.member,
            category="travel",
            day=dt.date(2026, 3, 4),
            amount="3",
            description=f"Bus {n}",
        )
    services.do_add_budget_line(world.project, actor=world.pm, category="other", amount="10")
    services.do_add_budget_line(world.project, actor=world.pm, category="subcontracting", amount="10")
    assert [counted(path) for path in paths] == before
