"""Expenses (filed, approved like time, with their receipts) and the budget by phase and category."""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from tandem.api.auth import AUTH, actor
from tandem.api.budget_schemas import (
    AlertOut,
    BudgetLineIn,
    BudgetLineOut,
    BudgetLinePatchIn,
    BudgetOut,
    ExpenseFilters,
    ExpenseIn,
    ExpenseOut,
    ExpensePatchIn,
    ExpenseRejectIn,
    FiguresOut,
    LineSummaryOut,
    ThresholdsIn,
    money,
)
from tandem.api.pagination import paged
from tandem.api.routers.common import caller_and_project, payload_data
from tandem.api.schemas import VersionIn
from tandem.costs import budget, exports, permissions, queries, receipts, services
from tandem.costs.models import BudgetLine, Expense

router = Router(tags=["budget"], auth=AUTH)

#: The multipart body of a receipt upload, for the OpenAPI document.
RECEIPT_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "version": {"type": "integer", "description": "The version the caller read."},
                },
                "required": ["file"],
            }
        }
    },
}


@router.get("/projects/{code}/expenses", response=list[ExpenseOut], summary="A project's expenses")
@paged
def list_expenses(request: HttpRequest, code: str, filters: Query[ExpenseFilters]) -> QuerySet[Expense]:
    """The expenses the caller may read (a client: the shared ones), newest day first."""
    user, project = caller_and_project(request, code)
    return queries.expenses_of(user, project, **filters.model_dump(exclude_none=True))


@router.post("/projects/{code}/expenses", response={201: ExpenseOut}, summary="File an expense")
def add_expense(request: HttpRequest, code: str, payload: ExpenseIn) -> Status[Expense]:
    """File an expense as a draft (the team's PMs, leads and members)."""
    user, project = caller_and_project(request, code)
    expense = services.do_add_expense(project, actor=user, **payload_data(payload))
    return Status(201, queries.access_expense(user, expense.pk))


@router.get("/projects/{code}/expenses/export", summary="Export the expenses")
def export_expenses(
    request: HttpRequest, code: str, filters: Query[ExpenseFilters], format: Literal["csv", "xlsx"] = "csv"
) -> HttpResponse:
    """The expenses the caller may read, filtered, as CSV or Excel (headers in the project's language)."""
    user, project = caller_and_project(request, code)
    rows = queries.expenses_of(user, project, **filters.model_dump(exclude_none=True))
    return exports.expenses_response(user, project, rows, format)


@router.get("/expenses/{expense_id}", response=ExpenseOut, summary="An expense")
def get_expense(request: HttpRequest, expense_id: int) -> Expense:
    """One expense the caller may read."""
    return queries.access_expense(actor(request), expense_id)


@router.patch("/expenses/{expense_id}", response=ExpenseOut, summary="Change an expense")
def update_expense(request: HttpRequest, expense_id: int, payload: ExpensePatchIn) -> Expense:
    """Change a draft or rejected expense based on the version read (its filer, a PM or a lead)."""
    user = actor(request)
    expense = queries.access_expense(user, expense_id)
    services.do_update_expense(
        expense, version=payload.version, actor=user, **payload_data(payload, "version")
    )
    return queries.access_expense(user, expense_id)


@router.delete("/expenses/{expense_id}", response={204: None}, summary="Remove an expense")
def delete_expense(request: HttpRequest, expense_id: int, version: int | None = None) -> Status[None]:
    """Remove a draft or rejected expense (``?version=`` the caller read)."""
    user = actor(request)
    services.do_delete_expense(queries.access_expense(user, expense_id), version=version, actor=user)
    return Status(204, None)


@router.post("/expenses/{expense_id}/submit", response=ExpenseOut, summary="Submit an expense")
def submit_expense(request: HttpRequest, expense_id: int, payload: VersionIn) -> Expense:
    """Submit a draft or rejected expense for approval."""
    user = actor(request)
    services.do_submit_expense(queries.access_expense(user, expense_id), version=payload.version, actor=user)
    return queries.access_expense(user, expense_id)


@router.post("/expenses/{expense_id}/approve", response=ExpenseOut, summary="Approve an expense")
def approve_expense(request: HttpRequest, expense_id: int, payload: VersionIn) -> Expense:
    """Approve a submitted expense (the team's PMs and leads): it counts as actual cost."""
    user = actor(request)
    services.do_approve_expense(queries.access_expense(user, expense_id), version=payload.version, actor=user)
    return queries.access_expense(user, expense_id)


@router.post("/expenses/{expense_id}/reject", response=ExpenseOut, summary="Reject an expense")
def reject_expense(request: HttpRequest, expense_id: int, payload: ExpenseRejectIn) -> Expense:
    """Send a submitted expense back with the reason (the team's PMs and leads)."""
    user = actor(request)
    expense = queries.access_expense(user, expense_id)
    services.do_reject_expense(expense, version=payload.version, actor=user, reason=payload.reason)
    return queries.access_expense(user, expense_id)


@router.post(
    "/expenses/{expense_id}/receipt",
    response=ExpenseOut,
    summary="Upload a receipt",
    # Read from request.FILES so that a caller without the right hears 403 before a missing file.
    openapi_extra={"requestBody": RECEIPT_BODY},
)
def upload_receipt(request: HttpRequest, expense_id: int) -> Expense:
    """Attach or replace the receipt (multipart field ``file``): a PDF or an image up to 10 MB."""
    user = actor(request)
    expense = queries.access_expense(user, expense_id)
    raw = request.POST.get("version")
    try:
        version = int(raw) if raw not in (None, "") else None
    except ValueError:
        raise ValidationError({"version": [_("The version is a whole number.")]}) from None
    services.do_attach_receipt(expense, actor=user, upload=request.FILES.get("file"), version=version)
    return queries.access_expense(user, expense_id)


@router.get("/expenses/{expense_id}/receipt", summary="Download the receipt")
def download_receipt(request: HttpRequest, expense_id: int) -> HttpResponse:
    """The expense's receipt, for whoever may read the expense (404 when it has none)."""
    return receipts.receipt_response(queries.access_expense(actor(request), expense_id))


# ---------------------------------------------------------------- the budget


def budget_body(user: Any, code: str) -> dict[str, Any]:
    """The budget summary as ``BudgetOut`` shapes it."""
    project = queries.access_project(user, code)
    summary = budget.summarize(project)
    team = permissions.reads_internal(user, project)
    return {
        "currency": project.currency,
        "lines": [LineSummaryOut.of_line(f, team=team) for f in summary.lines],
        "totals": FiguresOut.of(summary.totals),
        "project_budget": money(summary.project_budget_cents),
        "whole_budget": money(summary.whole_cents),
        "whole_percent": summary.whole_percent,
        "thresholds": summary.thresholds,
        "alerts": [AlertOut.of(a, team=team) for a in queries.alerts_of(project)[:50]],
        "burn": [{"week": p.week, "actual": money(p.actual_cents)} for p in summary.burn],
    }


@router.get("/projects/{code}/budget", response=BudgetOut, summary="The budget against plan and actuals")
def get_budget(request: HttpRequest, code: str) -> dict[str, Any]:
    """Per line and in total: budget, planned and actual cost, percent used, remaining, forecast; the
    thresholds and the alerts they raised; the weekly burn. Every member reads it (no rate in it)."""
    return budget_body(actor(request), code)


@router.post("/projects/{code}/budget/lines", response={201: BudgetLineOut}, summary="Add a budget line")
def add_budget_line(request: HttpRequest, code: str, payload: BudgetLineIn) -> Status[BudgetLine]:
    """Add a line for a phase (or the whole project) and a category (the team's PMs and leads)."""
    user, project = caller_and_project(request, code)
    line = services.do_add_budget_line(project, actor=user, **payload_data(payload))
    return Status(201, queries.access_budget_line(user, line.pk))


@router.patch("/budget-lines/{line_id}", response=BudgetLineOut, summary="Change a budget line")
def update_budget_line(request: HttpRequest, line_id: int, payload: BudgetLinePatchIn) -> BudgetLine:
    """Change a line's amount or note based on the version read."""
    user = actor(request)
    line = queries.access_budget_line(user, line_id)
    services.do_update_budget_line(
        line, version=payload.version, actor=user, **payload_data(payload, "version")
    )
    return queries.access_budget_line(user, line_id)


@router.delete("/budget-lines/{line_id}", response={204: None}, summary="Remove a budget line")
def delete_budget_line(request: HttpRequest, line_id: int, version: int | None = None) -> Status[None]:
    """Remove a budget line (``?version=`` the caller read)."""
    user = actor(request)
    services.do_delete_budget_line(queries.access_budget_line(user, line_id), version=version, actor=user)
    return Status(204, None)


@router.patch("/projects/{code}/budget/thresholds", response=BudgetOut, summary="Set the budget thresholds")
def set_thresholds(request: HttpRequest, code: str, payload: ThresholdsIn) -> dict[str, Any]:
    """Set the percents that notify when a line (or the whole budget) first crosses them."""
    user, project = caller_and_project(request, code)
    services.do_set_thresholds(project, actor=user, thresholds=payload.thresholds)
    return budget_body(user, code)
