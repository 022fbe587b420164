"""The budget page (lines by phase and category against plan and actuals, the burn chart, thresholds)
and the expense pages (the list with its filters and the new expense form, one expense, its receipt)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.costs import budget, exports, permissions, queries, receipts, services
from tandem.costs.budget import Figures
from tandem.costs.choices import ExpenseStatus
from tandem.costs.models import Expense
from tandem.planning.choices import TaskKind
from tandem.planning.models import Task
from tandem.web.budget_forms import (
    BudgetLineEditForm,
    BudgetLineForm,
    ExpenseFilterForm,
    ExpenseForm,
    RejectForm,
    ThresholdsForm,
)
from tandem.web.views.base import (
    ProjectScope,
    project_view,
    render_page,
    require_allowed,
    run_action,
    submit_form,
)

PAGE_SIZE = 50
WIDTH, HEIGHT, PAD = 640, 200, 28


def money(hundredths: int | None) -> Decimal | None:
    """Hundredths as an amount with two decimals."""
    return None if hundredths is None else (Decimal(hundredths) / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class BurnChart:
    """Cumulative actual cost per week against the budget, drawn on the server as SVG."""

    width: int
    height: int
    points: str
    dots: list[tuple[float, float, str]]
    budget_y: float | None
    budget_label: str
    first: str
    last: str
    high: str


def burn_chart(summary: budget.Summary) -> BurnChart | None:
    """The burn as a polyline with the whole budget as a horizontal line; None before any cost."""
    burn = summary.burn
    if not burn:
        return None
    top = max([p.actual_cents for p in burn] + [summary.whole_cents, 1])
    span = max(len(burn) - 1, 1)

    def x(index: int) -> float:
        return round(PAD + (WIDTH - 2 * PAD) * (index / span if len(burn) > 1 else 0.5), 1)

    def y(cents: int) -> float:
        return round(HEIGHT - PAD - cents / top * (HEIGHT - 2 * PAD), 1)

    dots = [
        (x(i), y(p.actual_cents), f"{p.week:%Y-%m-%d}: {money(p.actual_cents)}") for i, p in enumerate(burn)
    ]
    return BurnChart(
        width=WIDTH,
        height=HEIGHT,
        points=" ".join(f"{px},{py}" for px, py, _t in dots),
        dots=dots,
        budget_y=y(summary.whole_cents) if summary.whole_cents else None,
        budget_label=_("Budget %(amount)s") % {"amount": money(summary.whole_cents)},
        first=f"{burn[0].week:%Y-%m-%d}",
        last=f"{burn[-1].week:%Y-%m-%d}",
        high=str(money(top)),
    )


@dataclass(frozen=True)
class Amounts:
    """Budget, planned, actual and remaining amounts of a line or of the total, as the page shows them."""

    budget: Decimal | None
    planned: Decimal | None
    actual: Decimal | None
    remaining: Decimal | None

    @classmethod
    def of(cls, figures: Figures) -> Amounts:
        return cls(
            money(figures.budget_cents),
            money(figures.planned_cents),
            money(figures.actual_cents),
            money(figures.remaining_cents),
        )


@dataclass(frozen=True)
class LineRow:
    """A line of the budget table as the page shows it."""

    figures: budget.LineFigures
    amounts: Amounts
    phase: str
    form: forms.Form | None


def _phases(scope: ProjectScope) -> list[Task]:
    return list(
        Task.objects.visible_to(scope.viewer)
        .filter(project=scope.project)
        .filter(Q(is_summary=True) | Q(kind=TaskKind.PHASE))
        .order_by("outline_key", "id")
    )


@project_view
def budget_page(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The budget; POST ``action`` = ``add_line``, ``edit_line``, ``remove_line`` or ``thresholds``
    (the team's PMs and leads)."""
    project, user = scope.project, scope.user
    editing = scope.team and permissions.can_edit_budget(user, project)
    phases = _phases(scope) if editing else []
    line_form: forms.Form = BudgetLineForm(phases=phases)
    failed: dict[int, forms.Form] = {}
    thresholds_form: forms.Form | None = None
    status = 200
    if request.method == "POST":
        require_allowed(editing)
        action = request.POST.get("action")
        done: Any = None
        if action == "add_line":
            line_form = form = BudgetLineForm(request.POST, phases=phases)
            done, status = submit_form(
                form,
                lambda: services.do_add_budget_line(project, actor=user, **form.data_for_service()),
                {"phase_id": "phase"},
            )
            saved = _("The budget line was added.")
        elif action == "edit_line":
            line = _line_of(request, scope)
            edit = BudgetLineEditForm(request.POST, prefix=f"line-{line.pk}")
            done, status = submit_form(
                edit,
                lambda: services.do_update_budget_line(
                    line,
                    version=edit.cleaned_data["version"],
                    actor=user,
                    amount=edit.cleaned_data["amount"],
                    note=edit.cleaned_data["note"],
                ),
            )
            failed[line.pk] = edit
            saved = _("The budget line was saved.")
        elif action == "remove_line":
            line = _line_of(request, scope)
            run_action(
                request,
                lambda: services.do_delete_budget_line(line, version=_version(request), actor=user),
                _("The budget line was removed."),
            )
            return redirect("web:budget", project.code)
        elif action == "thresholds":
            thresholds_form = chosen = ThresholdsForm(request.POST)
            done, status = submit_form(
                chosen,
                lambda: services.do_set_thresholds(
                    project, actor=user, thresholds=chosen.cleaned_data["thresholds"]
                ),
            )
            saved = _("The thresholds were saved.")
        else:
            raise Http404(_("Unknown action."))
        if done is not None:
            messages.success(request, saved)
            return redirect("web:budget", project.code)
    summary = budget.summarize(project)
    team = scope.team
    rows = [
        LineRow(
            figures=f,
            amounts=Amounts.of(f),
            phase=budget.phase_name(f.line, team=team) or _("Whole project"),
            form=failed.get(f.line.pk)
            or (
                BudgetLineEditForm(
                    prefix=f"line-{f.line.pk}",
                    initial={"amount": f.line.amount, "note": f.line.note, "version": f.line.version},
                )
                if editing
                else None
            ),
        )
        for f in summary.lines
    ]
    alerts = [(a, budget.alert_label(a, team=team)) for a in queries.alerts_of(project)[:20]]
    context = {
        "scope": scope,
        "project": project,
        "summary": summary,
        "rows": rows,
        "totals": summary.totals,
        "total_amounts": Amounts.of(summary.totals),
        "chart": burn_chart(summary),
        "alerts": alerts,
        "editing": editing,
        "line_form": line_form,
        "thresholds_form": thresholds_form
        or ThresholdsForm(initial={"thresholds": ", ".join(str(t) for t in summary.thresholds)}),
        "money": {
            "project_budget": money(summary.project_budget_cents),
            "whole": money(summary.whole_cents),
        },
    }
    return render_page(request, "web/costs/budget.html", context, status=status)


def _line_of(request: HttpRequest, scope: ProjectScope) -> Any:
    line = queries.access_budget_line(scope.user, request.POST.get("line_id"))
    if line.project_id != scope.project.pk:
        raise Http404(_("No such budget line."))
    return line


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


# ---------------------------------------------------------------- expenses


def _expense_tasks(scope: ProjectScope) -> Any:
    return Task.objects.visible_to(scope.viewer).filter(project=scope.project).order_by("outline_key", "id")


def _filters(form: ExpenseFilterForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}


@project_view
def expense_list(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The expenses the reader may read, filtered, 50 a page; the team's filers add one here (POST)."""
    project, user = scope.project, scope.user
    filing = scope.team and permissions.can_file_expenses(user, project)
    new_form: ExpenseForm | None = (
        ExpenseForm(tasks=_expense_tasks(scope), initial={"version": 0}) if filing else None
    )
    status = 200
    if request.method == "POST":
        require_allowed(filing)
        new_form = form = ExpenseForm(request.POST, request.FILES, tasks=_expense_tasks(scope))
        expense, status = submit_form(
            form,
            lambda: services.do_add_expense(
                project, actor=user, receipt=form.cleaned_data.get("receipt"), **form.data_for_service()
            ),
            {"task_id": "task", "file": "receipt"},
        )
        if expense is not None:
            messages.success(
                request, _("The expense was saved as a draft. Submit it for approval when ready.")
            )
            return redirect("web:expenses", project.code)
    filter_form = ExpenseFilterForm(request.GET)
    page = None
    if filter_form.is_valid():
        rows = queries.expenses_of(scope.viewer, project, **_filters(filter_form))
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    elif request.method == "GET":
        status = 400
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "scope": scope,
        "project": project,
        "filter_form": filter_form,
        "page": page,
        "query": query.urlencode(),
        "new_form": new_form,
        "approving": scope.team and permissions.can_approve_expenses(user, project),
        "user_id": user.pk,
        "reject_form": RejectForm(),
        "team": scope.team,
        "editable": permissions.EDITABLE_STATES,
        "submitted": ExpenseStatus.SUBMITTED,
    }
    return render_page(
        request, "web/costs/expenses.html", context, fragment="web/costs/_expenses.html", status=status
    )


def _values(expense: Expense) -> dict[str, Any]:
    return {
        "description": expense.description,
        "category": expense.category,
        "day": expense.day,
        "amount": expense.amount,
        "task": str(expense.task_id or ""),
        "billable": expense.billable,
        "visibility": expense.visibility,
        "internal_note": expense.internal_note,
        "version": expense.version,
    }


@project_view
def expense_detail(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """One expense; its filer, a PM or a lead change a draft or rejected one here (POST)."""
    expense = queries.access_project_expense(scope.viewer, scope.project, pk)
    changing = (
        scope.team
        and expense.status in permissions.EDITABLE_STATES
        and permissions.can_change_expense(scope.user, expense)
    )
    form: ExpenseForm | None = (
        ExpenseForm(tasks=_expense_tasks(scope), initial=_values(expense)) if changing else None
    )
    status = 200
    if request.method == "POST":
        require_allowed(changing)
        form = bound = ExpenseForm(request.POST, request.FILES, tasks=_expense_tasks(scope))

        def save() -> Expense:
            saved = services.do_update_expense(
                expense, version=bound.cleaned_data["version"], actor=scope.user, **bound.data_for_service()
            )
            upload = bound.cleaned_data.get("receipt")
            if upload:
                saved = services.do_attach_receipt(saved, actor=scope.user, upload=upload)
            return saved

        done, status = submit_form(bound, lambda: _atomic(save), {"task_id": "task", "file": "receipt"})
        if done is not None:
            messages.success(request, _("The expense was saved."))
            return redirect("web:expense_detail", scope.project.code, expense.pk)
    context = {
        "scope": scope,
        "project": scope.project,
        "expense": expense,
        "form": form,
        "team": scope.team,
    }
    return render_page(request, "web/costs/expense.html", context, status=status)


def _atomic(call: Any) -> Any:
    with transaction.atomic():
        return call()


@require_POST
@project_view
def expense_action(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """POST ``action`` = ``submit``, ``approve``, ``reject`` (with ``reason``) or ``remove``, with the
    ``version`` read; back to the list with what happened."""
    expense = queries.access_project_expense(scope.viewer, scope.project, pk)
    require_allowed(scope.team)
    user, version = scope.user, _version(request)
    action = request.POST.get("action")
    calls: dict[str, tuple[Any, str]] = {
        "submit": (
            lambda: services.do_submit_expense(expense, version=version, actor=user),
            _("The expense was submitted for approval."),
        ),
        "approve": (
            lambda: services.do_approve_expense(expense, version=version, actor=user),
            _("The expense was approved."),
        ),
        "reject": (
            lambda: services.do_reject_expense(
                expense, version=version, actor=user, reason=request.POST.get("reason", "")
            ),
            _("The expense was sent back."),
        ),
        "remove": (
            lambda: services.do_delete_expense(expense, version=version, actor=user),
            _("The expense was removed."),
        ),
    }
    if action not in calls:
        raise Http404(_("Unknown action."))
    call, done = calls[action]
    run_action(request, call, done)
    if request.POST.get("next") == "detail" and action != "remove":
        return redirect("web:expense_detail", scope.project.code, expense.pk)
    return redirect("web:expenses", scope.project.code)


@project_view
def expense_receipt(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """The receipt of an expense the reader may read, as a download."""
    return receipts.receipt_response(queries.access_project_expense(scope.viewer, scope.project, pk))


@project_view
def expense_export(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The filtered expenses as CSV (``?format=csv``) or Excel (``?format=xlsx``)."""
    form = ExpenseFilterForm(request.GET)
    if not form.is_valid():
        raise Http404(_("Unknown filter."))
    kind = request.GET.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        raise Http404(_("Unknown format."))
    rows = queries.expenses_of(scope.viewer, scope.project, **_filters(form))
    return exports.expenses_response(scope.viewer, scope.project, rows, kind)
