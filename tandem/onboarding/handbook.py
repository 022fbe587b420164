"""The project handbook ("项目管理手册"), generated from the project's own setup each time it is read.

Roles and RACI, decision rights, the communication plan, the change process, the escalation path and
the acceptance process, all read through the reader's scope: a client's handbook holds shared
records only. The page and the PDF render the same ``Handbook``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from tandem.changes.queries import settings_of
from tandem.core import pdf
from tandem.core.jobs import Progress
from tandem.core.scoping import Viewer
from tandem.meetings.models import CommunicationItem
from tandem.meetings.queries import items_of
from tandem.projects.choices import DecisionKind, DecisionPreset, Role
from tandem.projects.models import Deliverable, Membership, Project, Stakeholder
from tandem.projects.permissions import decision_roles
from tandem.projects.queries import deliverables_of, members_of, stakeholders_of

#: The steps of a change request, as every project runs them.
CHANGE_STEPS = (
    _("Anyone on the project but a viewer proposes a change request and describes it."),
    _("The team models it on a copy of the plan; Tandem computes its schedule and cost impact."),
    _("The request is submitted for decision with its impact, and the approvers are reminded daily."),
    _(
        "The approvers decide by the approval rule below; an approval applies the change and re-baselines "
        "the plan."
    ),
)

#: The steps of an acceptance, as every project runs them.
ACCEPTANCE_STEPS = (
    _("The team prepares an acceptance request for a deliverable: its criteria, test results and documents."),
    _("The request goes to the client's reviewers, who check each criterion."),
    _("A holder of “Accept deliverable” signs; the signed content is frozen and a certificate is issued."),
)

#: Escalation levels, lowest first: the roles one goes to at each level.
ESCALATION_LEVELS: tuple[tuple[str | Promise, str | Promise, tuple[str, ...]], ...] = (
    (
        _("Working level"),
        _("Questions about a task, a requirement or a test: settle them between the people doing the work."),
        (Role.LEAD, Role.REVIEWER),
    ),
    (
        _("Project managers"),
        _("What the working level cannot settle goes to both project managers."),
        (Role.PROJECT_MANAGER, Role.CLIENT_PM),
    ),
    (
        _("Sponsor"),
        _(
            "What changes the goals, the budget or the end date, or what the project managers cannot agree "
            "on."
        ),
        (Role.SPONSOR,),
    ),
)


@dataclass(frozen=True)
class RoleEntry:
    """A role of the project: who holds it and which decisions it takes."""

    role: str
    label: str | Promise
    people: list[str]
    decisions: list[str | Promise]


@dataclass(frozen=True)
class RightEntry:
    """A row of the decision-rights table."""

    kind: str
    label: str | Promise
    roles: list[str | Promise]
    people: list[str]


@dataclass(frozen=True)
class RaciRow:
    """A deliverable with its RACI letter per stakeholder (in the stakeholders' order)."""

    deliverable: Deliverable
    letters: list[str]


@dataclass(frozen=True)
class CommunicationEntry:
    """An active plan entry with the names of the roles it is for."""

    item: CommunicationItem
    audience: list[str | Promise]


@dataclass(frozen=True)
class EscalationLevel:
    """One step of the escalation path."""

    number: int
    title: str | Promise
    when: str | Promise
    people: list[tuple[str | Promise, str]]
    forums: list[str]


@dataclass(frozen=True)
class Handbook:
    """The handbook of one project as one reader may read it."""

    project: Project
    generated_at: dt.datetime
    preset_label: str | Promise
    roles: list[RoleEntry]
    stakeholders: list[Stakeholder]
    raci: list[RaciRow]
    rights: list[RightEntry]
    communication: list[CommunicationEntry]
    approval_rule: str | Promise
    approvers: list[str | Promise]
    approver_people: list[str]
    change_steps: tuple[str | Promise, ...]
    escalation: list[EscalationLevel]
    acceptance_criteria: list[Deliverable]
    signer_roles: list[str | Promise]
    signers: list[str]
    acceptance_steps: tuple[str | Promise, ...]


def _role_label(role: str) -> str | Promise:
    return Role(role).label if role in Role.values else role


def build_handbook(user: Viewer, project: Project, now: dt.datetime | None = None) -> Handbook:
    """The handbook of ``project`` from its setup as it stands, through ``user``'s scope (a fixed
    number of queries, whatever the number of people, deliverables or plan entries)."""
    members: list[Membership] = list(members_of(user, project))
    people_by_role: dict[str, list[str]] = defaultdict(list)
    for m in members:
        people_by_role[m.role].append(m.user.full_name or m.user.email)

    held_by_role: dict[str, list[str | Promise]] = defaultdict(list)
    rights: list[RightEntry] = []
    for kind in DecisionKind:
        roles = decision_roles(project, kind.value)
        for role in roles:
            held_by_role[role].append(kind.label)
        rights.append(
            RightEntry(
                kind.value,
                kind.label,
                [_role_label(r) for r in roles],
                [name for r in roles for name in people_by_role.get(r, [])],
            )
        )
    role_entries = [
        RoleEntry(role.value, role.label, people_by_role[role.value], held_by_role.get(role.value, []))
        for role in Role
        if people_by_role.get(role.value)
    ]

    stakeholders = list(stakeholders_of(user, project))
    deliverables = list(deliverables_of(user, project))
    raci = []
    for d in deliverables:
        letters = {cell.stakeholder_id: cell.letter for cell in getattr(d, "visible_raci", [])}
        raci.append(RaciRow(d, [letters.get(s.pk, "") for s in stakeholders]))

    plan = list(items_of(user, project, active=True))
    communication = [CommunicationEntry(i, [_role_label(r) for r in i.audience_roles or []]) for i in plan]

    change_settings = settings_of(project)
    approver_roles = decision_roles(project, DecisionKind.APPROVE_CHANGE)
    signer_roles = decision_roles(project, DecisionKind.ACCEPT_DELIVERABLE)

    escalation: list[EscalationLevel] = []
    for title, when, level_roles in ESCALATION_LEVELS:
        people = [(_role_label(r), name) for r in level_roles for name in people_by_role.get(r, [])]
        if not people:
            continue
        forums = [item.title for item in plan if set(item.audience_roles or []) & set(level_roles)]
        escalation.append(EscalationLevel(len(escalation) + 1, title, when, people, forums))

    return Handbook(
        project=project,
        generated_at=now or timezone.now(),
        preset_label=DecisionPreset(project.decision_preset).label,
        roles=role_entries,
        stakeholders=stakeholders,
        raci=raci,
        rights=rights,
        communication=communication,
        approval_rule=change_settings.get_approval_rule_display(),
        approvers=[_role_label(r) for r in approver_roles],
        approver_people=[n for r in approver_roles for n in people_by_role.get(r, [])],
        change_steps=CHANGE_STEPS,
        escalation=escalation,
        acceptance_criteria=[d for d in deliverables if d.acceptance_criteria],
        signer_roles=[_role_label(r) for r in signer_roles],
        signers=[n for r in signer_roles for n in people_by_role.get(r, [])],
        acceptance_steps=ACCEPTANCE_STEPS,
    )


def handbook_html(user: Viewer, project: Project, language: str) -> str:
    """The handbook as a printable HTML document in ``language``."""
    with translation.override(language):
        handbook = build_handbook(user, project)
        return render_to_string(
            "onboarding/handbook_pdf.html",
            {"handbook": handbook, "project": project, "language": language},
        )


def export_pdf(user: Viewer, project: Project, language: str, *, progress: Progress | None = None) -> bytes:
    """The handbook as a PDF in ``language`` (with ``progress``, as a background job)."""
    if progress is not None:
        progress.begin(gettext_noop("Reading the project's setup"), 1)
    html = handbook_html(user, project, language)
    if progress is not None:
        progress.advance()
    return pdf.write_pdf(html, progress=progress, expected_pages=4)
