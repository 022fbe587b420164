"""Who may do what with quality standards, tests, defects and acceptances. Services call ``require_*``;
pages and the API only reflect these answers.

- **Quality standards** are kept by whoever edits the charter; the team's PMs, leads and members record
  checks against them.
- **Test cases** are written by the team's PMs, leads and members; the client PM writes shared cases
  too (a client's acceptance tests).
- **Test cycles** are planned by the team's PMs and leads; a UAT cycle by the client PM too.
- **Results** are recorded by the run's tester, by the team's PMs, leads and members in any cycle, and
  by the client PM in a UAT cycle.
- **Client testers** (reviewers and client viewers) read only the runs assigned to them, and only the
  shared cases of those runs; the sponsor and the client PM read every shared cycle and case.
- **Defects** are filed by anyone on the project but viewers (a client's are always shared); the team's
  PMs, leads and members triage them (confirm, fix, assign, the internal triage note); the reporter, the
  team and the client PM verify, close and reopen. Nobody on the client side reads a triage note.
- **Acceptance requests** are prepared by the team's PMs and leads (and the client PM when the client
  acts as PM); their reviewers and the holders of "accept deliverable" mark criteria; only a holder of
  "accept deliverable" signs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tandem.projects.choices import DecisionKind, DecisionPreset, Role
from tandem.projects.permissions import Action, can, holds, is_team, role_of
from tandem.quality.choices import CycleKind

if TYPE_CHECKING:
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project
    from tandem.quality.models import AcceptanceRequest, Defect, TestCycle, TestRun

#: Team roles that write test cases, record results and triage defects.
TEAM_WRITERS = frozenset({Role.PROJECT_MANAGER, Role.LEAD, Role.MEMBER})
#: Team roles that plan cycles and prepare acceptances.
TEAM_LEADS = frozenset({Role.PROJECT_MANAGER, Role.LEAD})
#: Client roles that read every shared cycle, run and case (the others read what is assigned to them).
CLIENT_OVERSIGHT = frozenset({Role.SPONSOR, Role.CLIENT_PM})
#: Roles that only read.
VIEWERS = frozenset({Role.TEAM_VIEWER, Role.CLIENT_VIEWER})


def _team_role_in(user: Viewer, project: Project, roles: frozenset[str]) -> bool:
    return is_team(user, project) and role_of(user, project) in roles


def _client_pm(user: Viewer, project: Project) -> bool:
    return not is_team(user, project) and role_of(user, project) == Role.CLIENT_PM


def _deny(message: str | None = None) -> PermissionDenied:
    return PermissionDenied(message or _("Your role in this project does not allow this."))


def sees_all_runs(user: Viewer, project: Project) -> bool:
    """Whether the user reads every run the scope lets them see (the team, the sponsor, the client PM),
    rather than only the runs assigned to them (client testers)."""
    return is_team(user, project) or role_of(user, project) in CLIENT_OVERSIGHT


# Quality standards and checks -------------------------------------------------------------------


def can_edit_standards(user: Viewer, project: Project) -> bool:
    """Whether the user keeps the project's quality standards (whoever edits the charter)."""
    return can(user, project, Action.EDIT_CHARTER)


def can_check_quality(user: Viewer, project: Project) -> bool:
    """Whether the user records checks of deliverables and phases (the team's PMs, leads and members)."""
    return _team_role_in(user, project, TEAM_WRITERS)


# Test cases and cycles --------------------------------------------------------------------------


def can_write_cases(user: Viewer, project: Project) -> bool:
    """Whether the user writes test cases (the team's writers; the client PM, shared cases only)."""
    return _team_role_in(user, project, TEAM_WRITERS) or _client_pm(user, project)


def writes_internal_cases(user: Viewer, project: Project) -> bool:
    """Whether the user may make a test case internal (the team only)."""
    return _team_role_in(user, project, TEAM_WRITERS)


def can_plan_cycle(user: Viewer, project: Project, kind: str) -> bool:
    """Whether the user plans a cycle of ``kind`` (team PMs and leads; a UAT cycle, the client PM too)."""
    if _team_role_in(user, project, TEAM_LEADS):
        return True
    return kind == CycleKind.UAT and _client_pm(user, project)


def can_record_result(user: Viewer, run: TestRun) -> bool:
    """Whether the user records ``run``'s result: its tester, the team's writers, the client PM in UAT."""
    cycle: TestCycle = run.cycle
    project = cycle.project
    if role_of(user, project) in VIEWERS and run.assignee_id != user.pk:
        return False
    if role_of(user, project) is None:
        return False
    if run.assignee_id is not None and run.assignee_id == user.pk:
        return True
    if _team_role_in(user, project, TEAM_WRITERS):
        return True
    return cycle.kind == CycleKind.UAT and _client_pm(user, project)


def require_record_result(user: Viewer, run: TestRun) -> None:
    """Raise ``PermissionDenied`` unless the user may record ``run``'s result."""
    if not can_record_result(user, run):
        raise _deny(_("Only the run's tester or the project's test leads may record this result."))


# Defects -----------------------------------------------------------------------------------------


def can_file_defect(user: Viewer, project: Project) -> bool:
    """Whether the user files defects (anyone on the project but viewers)."""
    role = role_of(user, project)
    return role is not None and role not in VIEWERS


def can_triage(user: Viewer, project: Project) -> bool:
    """Whether the user triages defects: confirms, fixes, assigns, grades, writes the triage note."""
    return _team_role_in(user, project, TEAM_WRITERS)


def can_verify_defect(user: Viewer, defect: Defect) -> bool:
    """Whether the user verifies, closes or reopens ``defect`` (team writers, its reporter, the client PM)."""
    project = defect.project
    if can_triage(user, project):
        return True
    if role_of(user, project) is None or role_of(user, project) in VIEWERS:
        return False
    return defect.reported_by_id == user.pk or _client_pm(user, project)


def reads_internal(user: Viewer, project: Project) -> bool:
    """Whether the user reads internal notes of quality records (the delivery team, not previewing)."""
    return is_team(user, project)


# Acceptance --------------------------------------------------------------------------------------


def can_prepare_acceptance(user: Viewer, project: Project) -> bool:
    """Whether the user prepares acceptance requests (the team's PMs and leads; the client PM when the
    client acts as project manager)."""
    if _team_role_in(user, project, TEAM_LEADS):
        return True
    return _client_pm(user, project) and project.decision_preset == DecisionPreset.CLIENT_AS_PM


def can_sign_acceptance(user: Viewer, project: Project) -> bool:
    """Whether the user signs acceptances: a holder of the decision right "accept deliverable"."""
    return holds(user, project, DecisionKind.ACCEPT_DELIVERABLE)


def can_review_acceptance(user: Viewer, request: AcceptanceRequest, reviewer_ids: set[int]) -> bool:
    """Whether the user marks the criteria of ``request``: a named reviewer or a signer.

    ``reviewer_ids`` are the request's reviewers (read once by the caller).
    """
    project = request.project
    if role_of(user, project) is None:
        return False
    return user.pk in reviewer_ids or can_sign_acceptance(user, project)


def require(allowed: bool, message: str | None = None) -> None:
    """Raise ``PermissionDenied`` (with ``message`` or the usual sentence) unless ``allowed``."""
    if not allowed:
        raise _deny(message)
