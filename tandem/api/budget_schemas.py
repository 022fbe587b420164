"""Request and response shapes of expenses and the budget. Money is a decimal string in the project's
currency, as the project's own budget is; a client never reads an internal note, a rate or an entry's cost."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema

from tandem.api.model_fields import model_field
from tandem.api.schemas import Id, IsoDate, PersonOut, StrictBool, StrictInt, Version
from tandem.core.choices import Visibility
from tandem.costs.budget import Figures, LineFigures, alert_label, phase_name
from tandem.costs.choices import CostCategory, ExpenseCategory, ExpenseStatus
from tandem.costs.models import BudgetAlert, BudgetLine, Expense

Amount = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
Threshold = Annotated[StrictInt, Field(ge=1, le=1000)]


def money(hundredths: int | None) -> Decimal | None:
    """Hundredths as an amount with two decimals."""
    return None if hundredths is None else (Decimal(hundredths) / 100).quantize(Decimal("0.01"))


class ExpenseTaskOut(Schema):
    """The task or phase an expense is booked on."""

    id: int
    name: str


class ExpenseOut(Schema):
    """An expense; ``internal_note`` is empty for anyone but the delivery team."""

    id: int
    project: str = Field(..., alias="project.code")
    task: ExpenseTaskOut | None
    category: ExpenseCategory
    day: dt.date
    amount: Decimal
    description: str
    billable: bool
    visibility: Visibility
    status: ExpenseStatus
    submitted_by: PersonOut | None
    approved_by: PersonOut | None
    approved_at: dt.datetime | None
    rejected_reason: str
    internal_note: str | None = Field(None, alias="shown_internal_note")
    has_receipt: bool
    version: int

    @staticmethod
    def resolve_has_receipt(obj: Expense) -> bool:
        return bool(obj.receipt)


class _ExpenseFields(Schema):
    task_id: Id | None = model_field(Expense, "task", None, description="A task or phase of the project.")
    category: ExpenseCategory | None = model_field(Expense, "category", None)
    day: IsoDate | None = model_field(Expense, "day", None)
    amount: Decimal | None = model_field(Expense, "amount", None)
    billable: StrictBool | None = model_field(Expense, "billable", None)
    visibility: Visibility | None = model_field(Expense, "visibility", None)
    internal_note: str | None = model_field(Expense, "internal_note", None)


class ExpenseIn(_ExpenseFields):
    """A new expense, filed as a draft (internal unless shared)."""

    day: IsoDate = model_field(Expense, "day")
    amount: Decimal = model_field(Expense, "amount")
    description: str = model_field(Expense, "description")


class ExpensePatchIn(_ExpenseFields):
    """Changes to a draft or rejected expense, based on the version the caller read."""

    description: str | None = model_field(Expense, "description", None)
    version: Version


class ExpenseRejectIn(Schema):
    """A rejection and why."""

    version: Version
    reason: str = Field("", max_length=2000, description="Why the expense is rejected (required).")


class ExpenseFilters(Schema):
    """Filters of the expense list."""

    status: ExpenseStatus | None = None
    category: ExpenseCategory | None = None
    date_from: IsoDate | None = Field(None, alias="from")
    date_to: IsoDate | None = Field(None, alias="to")


class BudgetLineOut(Schema):
    """A budget line: a phase (none: the whole project) and a category, with its amount."""

    id: int
    phase_id: int | None
    phase_name: str | None
    category: CostCategory
    amount: Decimal
    note: str
    version: int

    @staticmethod
    def resolve_phase_name(obj: BudgetLine | dict[str, Any]) -> str | None:
        if isinstance(obj, dict):  # a line of the summary, named as its reader may know it
            return obj["phase_name"]  # type: ignore[no-any-return]
        return obj.phase.name if obj.phase is not None else None


class BudgetLineIn(Schema):
    """A new budget line (one per phase and category)."""

    phase_id: Id | None = model_field(BudgetLine, "phase", None, description="Empty: the whole project.")
    category: CostCategory = model_field(BudgetLine, "category", CostCategory.LABOUR)
    amount: Decimal = model_field(BudgetLine, "amount")
    note: str = model_field(BudgetLine, "note", "")


class BudgetLinePatchIn(Schema):
    """Changes to a budget line's amount or note, based on the version the caller read."""

    amount: Decimal | None = model_field(BudgetLine, "amount", None)
    note: str | None = model_field(BudgetLine, "note", None)
    version: Version


class ThresholdsIn(Schema):
    """Percents of a line (or of the whole budget) that notify when first crossed."""

    thresholds: Annotated[list[Threshold], Field(max_length=10)] = Field(
        ..., description="Whole percents from 1 to 1000, each once (at most ten)."
    )


class FiguresOut(Schema):
    """Budget, planned and actual cost, the percent used, what remains, whether it is forecast to overrun."""

    budget: Decimal
    planned: Decimal
    actual: Decimal
    percent: Decimal | None
    remaining: Decimal
    forecast_over: bool

    @staticmethod
    def of(figures: Figures) -> dict[str, Any]:
        return {
            "budget": money(figures.budget_cents),
            "planned": money(figures.planned_cents),
            "actual": money(figures.actual_cents),
            "percent": figures.percent,
            "remaining": money(figures.remaining_cents),
            "forecast_over": figures.forecast_over,
        }


class LineSummaryOut(FiguresOut):
    """One line's figures and the highest threshold its actual cost reached (0 for none)."""

    line: BudgetLineOut
    reached: int

    @staticmethod
    def of_line(figures: LineFigures, *, team: bool) -> dict[str, Any]:
        line = figures.line
        return {
            **FiguresOut.of(figures),
            "line": {
                "id": line.pk,
                "phase_id": line.phase_id,
                "phase_name": phase_name(line, team=team),
                "category": line.category,
                "amount": line.amount,
                "note": line.note,
                "version": line.version,
            },
            "reached": figures.reached,
        }


class AlertOut(Schema):
    """A threshold a line (none: the whole budget) crossed, and the actual cost then."""

    id: int
    line_id: int | None
    label: str
    threshold: int
    spent: Decimal
    created_at: dt.datetime

    @staticmethod
    def of(alert: BudgetAlert, *, team: bool) -> dict[str, Any]:
        return {
            "id": alert.pk,
            "line_id": alert.line_id,
            "label": alert_label(alert, team=team),
            "threshold": alert.threshold,
            "spent": money(alert.spent_cents),
            "created_at": alert.created_at,
        }


class BurnPointOut(Schema):
    """The cumulative actual cost at the end of a week (named by its Monday)."""

    week: dt.date
    actual: Decimal


class BudgetOut(Schema):
    """The project's budget against its plan and its actual cost."""

    currency: str
    lines: list[LineSummaryOut]
    totals: FiguresOut
    project_budget: Decimal | None
    whole_budget: Decimal
    whole_percent: Decimal | None
    thresholds: list[int]
    alerts: list[AlertOut]
    burn: list[BurnPointOut]
