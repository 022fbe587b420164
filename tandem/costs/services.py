"""The write side of expenses and the budget: ``do_*`` functions, each one transaction with its audit record.

An expense is drafted by a team member, submitted, then approved or rejected (with the reason) by a
PM or lead; a rejected expense is changed and submitted again. Nothing dated in the locked period
(``CostSettings.locked_until``) is added, changed or removed. An approved expense counts as actual
cost, so its approval checks the budget's thresholds once the transaction commits.

The audit record of an expense has the expense's visibility (a client reads about shared ones only);
a change of the internal note is recorded apart, internal. The budget's records are shared: the
client agreed the budget and reads its amounts.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import audit, updates
from tandem.core.choices import Visibility
from tandem.costs import budget, permissions
from tandem.costs.choices import ExpenseStatus
from tandem.costs.models import BudgetLine, CostSettings, Expense
from tandem.costs.receipts import check_receipt, stored_name
from tandem.costs.settings import forget_settings, locked_until, settings_for_update
from tandem.planning.choices import TaskKind
from tandem.planning.models import Task
from tandem.projects.models import Project

if TYPE_CHECKING:
    from tandem.accounts.models import User
    from tandem.core.scoping import Viewer

#: What a caller may set on an expense.
EXPENSE_FIELDS = (
    "task_id",
    "category",
    "day",
    "amount",
    "description",
    "billable",
    "visibility",
    "internal_note",
)
#: What a caller may set on a budget line (its phase and category name it: they are set once).
BUDGET_LINE_FIELDS = ("amount", "note")
#: The most thresholds a project may have, and their range in percent.
MAX_THRESHOLDS = 10
THRESHOLD_RANGE = (1, 1000)


def _refuse_locked(project: Project, day: Any) -> None:
    """Refuse a day on or before the project's locked day, naming ``day``."""
    locked = locked_until(project)
    if locked is not None and day is not None and day <= locked:
        raise ValidationError({"day": [_("Costs up to %(day)s are locked.") % {"day": locked.isoformat()}]})


def _task_cleaner(actor: Viewer, project: Project) -> updates.Cleaner:
    """``task_id`` → the id of a task of the project the actor sees (or None), else an error on it."""

    def clean(value: Any) -> int | None:
        if value in (None, ""):
            return None
        try:
            found = Task.objects.visible_to(actor).filter(project=project, pk=int(value)).exists()
        except (TypeError, ValueError, OverflowError):
            found = False
        if not found:
            raise ValidationError({"task_id": [_("No such task in this project.")]})
        return int(value)

    return clean


def _expense_rules(actor: Viewer, project: Project) -> dict[str, Any]:
    return {
        "clean": {"task_id": _task_cleaner(actor, project)},
        "text_fields": ("description", "internal_note"),
    }


def _not_locked(row: Expense, _values: Mapping[str, Any]) -> None:
    _refuse_locked(row.project, row.day)


_editable = updates.in_state(
    permissions.EDITABLE_STATES, _("Only a draft or a rejected expense can be changed.")
)


def _refuse_locked_row(row: Expense) -> None:
    _refuse_locked(row.project, row.day)


@transaction.atomic
def do_add_expense(
    project: Project, *, actor: User, receipt: UploadedFile[Any] | None = None, **data: Any
) -> Expense:
    """File an expense as a draft (the team's PMs, leads and members), with its receipt if given:
    both or neither are saved."""
    permissions.require_file_expenses(actor, project)
    if receipt is not None:
        check_receipt(receipt)
    expense = updates.create_audited(
        Expense,
        data,
        fields=EXPENSE_FIELDS,
        actor=actor,
        initial={"project": project, "submitted_by": actor, "status": ExpenseStatus.DRAFT},
        prepare=_not_locked,
        audited=("description", "category", "day", "amount", "status"),
        **_expense_rules(actor, project),
    )
    if receipt is not None:
        expense = do_attach_receipt(expense, actor=actor, upload=receipt)
    return expense


@transaction.atomic
def do_update_expense(expense: Expense, *, version: int | None, actor: User, **data: Any) -> Expense:
    """Change a draft or rejected expense based on the version read."""
    permissions.require_change_expense(actor, expense)
    return updates.update_versioned(
        expense,
        data,
        fields=EXPENSE_FIELDS,
        version=version,
        actor=actor,
        refuse=_refuse_locked_row,
        check=_editable,
        prepare=_not_locked,
        internal_fields=("internal_note",),
        **_expense_rules(actor, expense.project),
    ).instance


@transaction.atomic
def do_delete_expense(expense: Expense, *, version: int | None, actor: User) -> None:
    """Remove a draft or rejected expense (and its receipt) based on the version read."""
    permissions.require_change_expense(actor, expense)
    _editable(expense)
    _refuse_locked_row(expense)
    receipt = expense.receipt.name if expense.receipt else ""
    removed = updates.delete_versioned(
        expense, version=version, actor=actor, audited=("description", "amount", "day")
    )
    if receipt:
        storage = removed.receipt.storage
        transaction.on_commit(lambda: storage.delete(receipt))


@transaction.atomic
def do_submit_expense(expense: Expense, *, version: int | None, actor: User) -> Expense:
    """Submit a draft or rejected expense for approval."""
    permissions.require_change_expense(actor, expense)

    def submitted(row: Expense, _before: Mapping[str, Any]) -> None:
        row.rejected_reason = ""

    return updates.move(
        expense,
        ExpenseStatus.SUBMITTED,
        version=version,
        actor=actor,
        verb="submitted",
        check=_editable,
        prepare=submitted,
    )


_submitted = updates.in_state({ExpenseStatus.SUBMITTED}, _("Only a submitted expense can be decided."))


@transaction.atomic
def do_approve_expense(expense: Expense, *, version: int | None, actor: User) -> Expense:
    """Approve a submitted expense (the team's PMs and leads): it counts as actual cost from now on."""
    permissions.require_approve_expenses(actor, expense.project)

    def approved(row: Expense, _before: Mapping[str, Any]) -> None:
        row.approved_by = actor
        row.approved_at = timezone.now()
        row.rejected_reason = ""

    done = updates.move(
        expense,
        ExpenseStatus.APPROVED,
        version=version,
        actor=actor,
        verb="approved",
        check=_submitted,
        prepare=approved,
    )
    project = expense.project
    transaction.on_commit(lambda: budget.check_thresholds(project))
    return done


@transaction.atomic
def do_reject_expense(expense: Expense, *, version: int | None, actor: User, reason: str = "") -> Expense:
    """Send a submitted expense back to its filer with the reason (the team's PMs and leads)."""
    permissions.require_approve_expenses(actor, expense.project)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the expense is rejected.")]})
    if len(reason) > 2000:
        raise ValidationError({"reason": [_("Keep the reason under 2000 characters.")]})

    def rejected(row: Expense, _before: Mapping[str, Any]) -> None:
        row.rejected_reason = reason
        row.approved_by = None
        row.approved_at = None

    return updates.move(
        expense,
        ExpenseStatus.REJECTED,
        version=version,
        actor=actor,
        verb="rejected",
        check=_submitted,
        prepare=rejected,
    )


@transaction.atomic
def do_attach_receipt(
    expense: Expense, *, actor: User, upload: UploadedFile[Any] | None, version: int | None = None
) -> Expense:
    """Attach (or replace) the receipt of a draft or rejected expense: a PDF or an image up to 10 MB.

    ``version``: the one the caller read (default: the expense's as passed in)."""
    permissions.require_change_expense(actor, expense)
    if upload is None:
        raise ValidationError({"file": [_("Choose the receipt's file.")]})
    extension = check_receipt(upload)
    updates.update_versioned(
        expense,
        {},
        fields=(),
        version=expense.version if version is None else version,
        actor=actor,
        refuse=_refuse_locked_row,
        check=_editable,
        validate=False,
        verb="receipt_attached",
        record_unchanged=True,
        before_save=lambda row, diff: _store_receipt(row, diff, upload, extension),
    )
    return Expense.objects.get(pk=expense.pk)


def _store_receipt(row: Expense, diff: dict[str, Any], upload: UploadedFile[Any], extension: str) -> None:
    old = (row.receipt.name or "") if row.receipt else ""
    upload.seek(0)
    row.receipt.save(stored_name(row, extension), upload, save=False)
    diff["receipt"] = [old.rsplit("/", 1)[-1] or None, (row.receipt.name or "").rsplit("/", 1)[-1]]
    if old and old != row.receipt.name:
        storage = row.receipt.storage
        transaction.on_commit(lambda: storage.delete(old))


# ---------------------------------------------------------------- the budget


def _phase_cleaner(project: Project) -> updates.Cleaner:
    """``phase_id`` → a summary task or phase of the project (None: the whole project), else an error."""

    def clean(value: Any) -> int | None:
        if value in (None, ""):
            return None
        try:
            task = Task.objects.filter(project=project, pk=int(value)).first()
        except (TypeError, ValueError, OverflowError):
            task = None
        if task is None:
            raise ValidationError({"phase_id": [_("No such phase in this project.")]})
        if not (task.is_summary or task.kind == TaskKind.PHASE):
            raise ValidationError({"phase_id": [_("Budget a phase or a summary task, not a single task.")]})
        return task.pk

    return clean


def _line_is_free(line: BudgetLine, _values: Mapping[str, Any]) -> None:
    others = BudgetLine.objects.filter(
        project_id=line.project_id, phase_id=line.phase_id, category=line.category
    )
    if others.exclude(pk=line.pk).exists():
        raise ValidationError({"category": [_("This phase already has a budget line of this category.")]})


def _check_soon(project: Project) -> None:
    transaction.on_commit(lambda: budget.check_thresholds(project))


@transaction.atomic
def do_add_budget_line(project: Project, *, actor: User, **data: Any) -> BudgetLine:
    """Add a budget line for a phase (or the whole project) and a category (the team's PMs and leads)."""
    permissions.require_edit_budget(actor, project)
    line = updates.create_audited(
        BudgetLine,
        data,
        fields=("phase_id", "category", *BUDGET_LINE_FIELDS),
        actor=actor,
        initial={"project": project},
        clean={"phase_id": _phase_cleaner(project)},
        text_fields=("note",),
        prepare=_line_is_free,
        visibility=Visibility.SHARED,
        audited=("category", "amount"),
    )
    _check_soon(project)
    return line


@transaction.atomic
def do_update_budget_line(line: BudgetLine, *, version: int | None, actor: User, **data: Any) -> BudgetLine:
    """Change a budget line's amount or note based on the version read."""
    permissions.require_edit_budget(actor, line.project)
    done = updates.update_versioned(
        line,
        data,
        fields=BUDGET_LINE_FIELDS,
        version=version,
        actor=actor,
        text_fields=("note",),
        visibility=Visibility.SHARED,
    )
    _check_soon(line.project)
    return done.instance


@transaction.atomic
def do_delete_budget_line(line: BudgetLine, *, version: int | None, actor: User) -> None:
    """Remove a budget line (and the alerts it raised) based on the version read."""
    permissions.require_edit_budget(actor, line.project)
    updates.delete_versioned(
        line, version=version, actor=actor, audited=("category", "amount"), visibility=Visibility.SHARED
    )


def clean_thresholds(value: Any) -> list[int]:
    """Budget thresholds: whole percents in 1..1000, distinct, at most ten; stored in rising order."""
    message = _("Give whole percents from %(low)s to %(high)s, each once.") % {
        "low": THRESHOLD_RANGE[0],
        "high": THRESHOLD_RANGE[1],
    }
    if not isinstance(value, list | tuple) or len(value) > MAX_THRESHOLDS:
        raise ValidationError({"thresholds": [message]})
    numbers: list[int] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int | Decimal | str):
            raise ValidationError({"thresholds": [message]})
        try:
            number = int(str(item).strip())
        except ValueError:
            raise ValidationError({"thresholds": [message]}) from None
        if not THRESHOLD_RANGE[0] <= number <= THRESHOLD_RANGE[1]:
            raise ValidationError({"thresholds": [message]})
        numbers.append(number)
    if len(set(numbers)) != len(numbers):
        raise ValidationError({"thresholds": [message]})
    return sorted(numbers)


@transaction.atomic
def do_set_thresholds(project: Project, *, actor: User, thresholds: Any) -> CostSettings:
    """Set the percents of a budget line (or of the whole budget) that notify when first crossed."""
    permissions.require_edit_budget(actor, project)
    chosen = clean_thresholds(thresholds)
    row = settings_for_update(project)
    before = list(row.budget_thresholds or [])
    if before != chosen:
        row.budget_thresholds = chosen
        row.save(update_fields=["budget_thresholds"])
        forget_settings(project)
        audit.record(
            actor=actor,
            verb="updated",
            target=row,
            project=project,
            changes={"budget_thresholds": [before, chosen]},
            visibility=Visibility.SHARED,
            label=_("Budget thresholds"),
        )
        _check_soon(project)
    return row
