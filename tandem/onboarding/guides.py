"""The first-visit guide of each role: what the role decides in this project (from its decision rights
as they stand), what else it may do, what happens when it acts, and who takes the decisions it does not.

The guide reads the project's table of decision rights and the role's actions; it names no page. The
web layer links each decision and action to its page through the project navigation.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tandem.projects.choices import CLIENT_ROLES, DecisionKind, DecisionPreset, Role
from tandem.projects.models import Project
from tandem.projects.permissions import CLIENT_AS_PM_ACTIONS, ROLE_ACTIONS, Action, decision_roles

#: What happens when a holder takes each kind of decision.
CONSEQUENCES: dict[str, Promise] = {
    DecisionKind.CONFIRM_CHARTER: _(
        "Your confirmation is recorded against the charter revision you read; any later edit of the charter "
        "asks for a new confirmation."
    ),
    DecisionKind.CONFIRM_REQUIREMENT: _(
        "The confirmed version becomes what the team plans, builds and tests; a new version of the "
        "requirement needs a new confirmation."
    ),
    DecisionKind.PRIORITISE_BACKLOG: _("The order of the backlog sets what the team builds next."),
    DecisionKind.APPROVE_CHANGE: _(
        "Approving applies the change to the plan and re-baselines it with its computed schedule and cost "
        "impact; the team sees your decision in the project's activity. Rejecting closes the request and the "
        "plan stays as it is."
    ),
    DecisionKind.APPROVE_BASELINE: _(
        "The baseline becomes the agreed reference that progress, slips and earned value are measured "
        "against."
    ),
    DecisionKind.ACCEPT_DELIVERABLE: _(
        "Your signature freezes what was accepted (with its SHA-256 digest) and an acceptance certificate is "
        "issued; the deliverable counts as accepted."
    ),
    DecisionKind.CLOSE_RISK: _("The risk leaves the open register and the heat map; its history stays."),
    DecisionKind.APPROVE_STATUS_REPORT: _("The status report is sent to its audience as approved."),
    DecisionKind.APPROVE_TIMESHEETS: _("The approved hours count in the actual cost and in earned value."),
}

#: What each action of a role lets its holder do (actions are the role's, not the project's choice).
ACTION_LABELS: dict[str, Promise] = {
    Action.EDIT_PROJECT: _("Edit the project's details"),
    Action.EDIT_CHARTER: _("Edit the charter, stakeholders and deliverables"),
    Action.EDIT_PLAN: _("Edit the plan"),
    Action.MANAGE_MEMBERS: _("Add and remove members"),
    Action.INVITE_CLIENT: _("Invite people of the client"),
    Action.MANAGE_DECISION_RIGHTS: _("Change who holds which decision"),
    Action.WRITE_NOTES: _("Write project notes"),
    Action.EDIT_REQUIREMENTS: _("Write and revise requirements"),
    Action.SUBMIT_REQUIREMENT: _("Submit a requirement"),
    Action.PROPOSE_CHANGE: _("Propose a change request"),
    Action.PLAN_COMMUNICATION: _("Plan the communication"),
    Action.RUN_MEETINGS: _("Schedule meetings and keep their minutes"),
    Action.WRITE_STATUS_REPORTS: _("Write and send status reports"),
    Action.MANAGE_INTEGRATIONS: _("Connect chat and webhooks"),
}

#: The first words of each role's guide: what the role is for.
INTRODUCTIONS: dict[str, Promise] = {
    Role.SPONSOR: _(
        "As sponsor you back the project for the client: you take its major decisions, settle what cannot be "
        "settled between the two project managers and hold the project to its goals."
    ),
    Role.CLIENT_PM: _(
        "As the client's project manager you run the project from the client's side: you confirm what is "
        "built, decide on changes within your rights, keep your people informed and are the team's first "
        "contact."
    ),
    Role.REVIEWER: _(
        "As reviewer you check what the team delivers: you read requirements and test results, raise "
        "requirements and change requests, and take the decisions the project gives you."
    ),
    Role.CLIENT_VIEWER: _(
        "As viewer you follow the project: the plan, the reports and the decisions are open to you, and the "
        "people named below decide."
    ),
    Role.PROJECT_MANAGER: _(
        "As project manager you run the delivery: the plan, the team, the communication and the decisions "
        "the project gives you. Train the client's people with the handbook and the training material."
    ),
    Role.LEAD: _("As lead you shape the plan and the requirements with the project manager."),
    Role.MEMBER: _("As team member you work on the tasks of the plan, log your time and write requirements."),
    Role.TEAM_VIEWER: _("As team viewer you follow the project without changing it."),
}


@dataclass(frozen=True)
class GuideDecision:
    """A kind of decision as a role's guide tells it."""

    kind: str
    label: str | Promise
    consequence: str | Promise
    #: The roles that hold it in this project (the reader's own included when they hold it).
    holders: list[str]


@dataclass(frozen=True)
class Guide:
    """One role's guide for one project."""

    role: str
    role_label: str | Promise
    client: bool
    preset_label: str | Promise
    introduction: str | Promise
    decides: list[GuideDecision]
    others_decide: list[GuideDecision]
    actions: list[tuple[str, str | Promise]]


def role_actions(project: Project, role: str) -> list[str]:
    """The actions ``role`` may take in ``project`` (the client PM gains some when the client acts as PM)."""
    actions = set(ROLE_ACTIONS.get(role, frozenset()))
    if role == Role.CLIENT_PM and project.decision_preset == DecisionPreset.CLIENT_AS_PM:
        actions |= CLIENT_AS_PM_ACTIONS
    return [a for a in ACTION_LABELS if a in actions]


def guide_for(project: Project, role: str) -> Guide:
    """The guide of ``role`` in ``project``, from the project's decision rights as they stand now."""
    decides: list[GuideDecision] = []
    others: list[GuideDecision] = []
    for kind in DecisionKind:
        holders = decision_roles(project, kind.value)
        entry = GuideDecision(kind.value, kind.label, CONSEQUENCES[kind.value], list(holders))
        (decides if role in holders else others).append(entry)
    return Guide(
        role=role,
        role_label=Role(role).label,
        client=role in CLIENT_ROLES,
        preset_label=DecisionPreset(project.decision_preset).label,
        introduction=INTRODUCTIONS[role],
        decides=decides,
        others_decide=others,
        actions=[(a, ACTION_LABELS[a]) for a in role_actions(project, role)],
    )
