"""Who may file, approve and read expenses, and who keeps the budget.

- Expenses are filed by the delivery team's PMs, leads and members (never a team viewer, never a
  client, never a team member previewing the client's view). The person who filed a draft or a
  rejected expense changes, submits or removes it; the team's PMs and leads may too.
- The team's PMs and leads approve or reject submitted expenses ("approved like time").
- A client reads an expense only when the team shares it, and never its internal note.
- The budget lines and thresholds are kept by the team's PMs and leads; every member of the project
  reads the budget's amounts, planned and actual sums (the client agreed the budget), never a rate
  nor the cost of a time entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tandem.costs.choices import ExpenseStatus
from tandem.projects.choices import Role
from tandem.projects.permissions import is_team, role_of

if TYPE_CHECKING:
    from tandem.core.scoping import Viewer
    from tandem.costs.models import Expense
    from tandem.projects.models import Project

#: Team roles that approve expenses and keep the budget.
APPROVER_ROLES = frozenset({Role.PROJECT_MANAGER, Role.LEAD})
#: Team roles that file expenses.
FILER_ROLES = frozenset({Role.PROJECT_MANAGER, Role.LEAD, Role.MEMBER})
#: States in which an expense may still be changed, have its receipt replaced, or be removed.
EDITABLE_STATES = frozenset({ExpenseStatus.DRAFT, ExpenseStatus.REJECTED})


def _team_role_in(user: Viewer, project: Project, roles: frozenset[str]) -> bool:
    return is_team(user, project) and role_of(user, project) in roles


def can_file_expenses(user: Viewer, project: Project) -> bool:
    """Whether the user may file expenses in the project (the team's PMs, leads and members)."""
    return _team_role_in(user, project, FILER_ROLES)


def can_approve_expenses(user: Viewer, project: Project) -> bool:
    """Whether the user approves or rejects the project's expenses (the team's PMs and leads)."""
    return _team_role_in(user, project, APPROVER_ROLES)


def can_edit_budget(user: Viewer, project: Project) -> bool:
    """Whether the user keeps the project's budget lines and thresholds (the team's PMs and leads)."""
    return _team_role_in(user, project, APPROVER_ROLES)


def reads_internal(user: Viewer, project: Project) -> bool:
    """Whether the user reads the internal side of expenses (notes): the delivery team, not previewing."""
    return is_team(user, project)


def can_change_expense(user: Viewer, expense: Expense) -> bool:
    """Whether the user may change, submit or remove the expense (its filer, or an approver)."""
    project = expense.project
    if not can_file_expenses(user, project):
        return False
    return expense.submitted_by_id == user.pk or can_approve_expenses(user, project)


def require_file_expenses(user: Viewer, project: Project) -> None:
    """Raise ``PermissionDenied`` unless the user may file expenses in the project."""
    if not can_file_expenses(user, project):
        raise PermissionDenied(_("Only the delivery team's PMs, leads and members file expenses."))


def require_change_expense(user: Viewer, expense: Expense) -> None:
    """Raise ``PermissionDenied`` unless the user may change the expense."""
    if not can_change_expense(user, expense):
        raise PermissionDenied(_("Only the person who filed the expense, a PM or a lead may change it."))


def require_approve_expenses(user: Viewer, project: Project) -> None:
    """Raise ``PermissionDenied`` unless the user approves the project's expenses."""
    if not can_approve_expenses(user, project):
        raise PermissionDenied(_("Only the delivery team's PMs and leads approve expenses."))


def require_edit_budget(user: Viewer, project: Project) -> None:
    """Raise ``PermissionDenied`` unless the user keeps the project's budget."""
    if not can_edit_budget(user, project):
        raise PermissionDenied(_("Only the delivery team's PMs and leads keep the budget."))
