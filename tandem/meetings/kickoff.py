"""The kickoff agenda, drawn from the charter and the project's live data, in the project's language.

Points: goals, scope, plan and milestones, roles and RACI, the communication plan, top risks and
decision rights. For a shared meeting only shared content is used: rows are read through the one
scope's client rule (``shared()``), so the agenda names exactly what the client may read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.utils import translation
from django.utils.translation import gettext as _

from tandem.core.scoping import ScopedQuerySet
from tandem.meetings import cadence
from tandem.meetings.models import CommunicationItem
from tandem.planning import scheduling
from tandem.planning.choices import TaskKind
from tandem.planning.models import Task
from tandem.projects.charter import charter_content, visible_content
from tandem.projects.choices import CharterSectionKey, DecisionKind, Raci, Role
from tandem.projects.models import DecisionRight, Membership, Project
from tandem.risks.choices import ACTIVE_RISK_STATUSES
from tandem.risks.models import Risk

_Row = TypeVar("_Row", Task, CommunicationItem, Risk)

#: How many of the highest-scored open risks the kickoff looks at.
TOP_RISKS = 5


def _readable(model: type[_Row], shared: bool) -> ScopedQuerySet[_Row]:
    """The rows the agenda may use: for a shared meeting only what the one scope lets a client read."""
    rows: ScopedQuerySet[_Row] = model.objects.get_queryset()
    return rows.shared() if shared else rows


def _bullets(lines: Iterable[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def _goals(content: dict[str, object]) -> str:
    lines = []
    for goal in content.get("goals", []):  # type: ignore[attr-defined]
        text = goal["statement"]
        if goal.get("target"):
            text += f" — {goal['target']}"
        if goal.get("due_date"):
            text += f" ({goal['due_date']})"
        lines.append(text)
    return _bullets(lines) or _("No goals in the charter yet.")


def _scope(content: dict[str, object]) -> str:
    sections: dict[str, str] = content.get("sections", {})  # type: ignore[assignment]
    parts = []
    for key in (CharterSectionKey.SCOPE_IN, CharterSectionKey.SCOPE_OUT):
        body = (sections.get(key) or "").strip()
        if body:
            parts.append(f"{CharterSectionKey(key).label}:\n{body}")
    return "\n\n".join(parts) or _("The scope is not written yet.")


def _milestones(project: Project, shared: bool) -> str:
    zone = scheduling.zone_of(project)
    rows = _readable(Task, shared).filter(project=project, kind=TaskKind.MILESTONE).order_by("finish", "id")
    lines = []
    for task in rows:
        when = task.finish.astimezone(zone).date().isoformat() if task.finish else "—"
        lines.append(f"{task.name}: {when}")
    return _bullets(lines) or _("No milestones in the plan yet.")


def _roles(project: Project, content: dict[str, object]) -> str:
    members = Membership.objects.filter(project=project).select_related("user").order_by("side", "role", "id")
    lines = [f"{m.user.full_name or m.user.email}: {Role(m.role).label}" for m in members]
    stakeholders = {str(s["id"]): s["name"] for s in content.get("stakeholders", [])}  # type: ignore[attr-defined]
    for deliverable in content.get("deliverables", []):  # type: ignore[attr-defined]
        letters = [
            f"{stakeholders[sid]} {Raci(letter).label}"
            for sid, letter in deliverable.get("raci", {}).items()
            if sid in stakeholders
        ]
        if letters:
            lines.append(
                _("RACI for %(deliverable)s: %(letters)s")
                % {
                    "deliverable": deliverable["name"],
                    "letters": ", ".join(letters),
                }
            )
    return _bullets(lines)


def _communication(project: Project, shared: bool) -> str:
    rows = _readable(CommunicationItem, shared).filter(project=project, active=True).select_related("project")
    lines = [f"{item.title}: {cadence.describe(item)}" for item in rows]
    return _bullets(lines) or _("No communication plan yet.")


def _risks(project: Project, shared: bool) -> str:
    rows = (
        _readable(Risk, shared)
        .filter(project=project, status__in=ACTIVE_RISK_STATUSES)
        .order_by("-score", "id")
    )
    lines = [f"{risk.title} ({risk.score})" for risk in rows[:TOP_RISKS]]
    return _bullets(lines) or _("No open risks.")


def _decision_rights(project: Project) -> str:
    lines = []
    for right in DecisionRight.objects.filter(project=project).order_by("id"):
        roles = ", ".join(str(Role(r).label) for r in right.roles if r in Role.values)
        lines.append(f"{DecisionKind(right.kind).label}: {roles or '—'}")
    return _bullets(lines)


def agenda_from_charter(project: Project, *, shared: bool) -> list[tuple[str, str]]:
    """The kickoff agenda as (title, notes) points, in the project's language."""
    with translation.override(project.language):
        content = visible_content(charter_content(project), include_internal=not shared)
        return [
            (_("Goals"), _goals(content)),
            (_("Scope"), _scope(content)),
            (_("Plan and milestones"), _milestones(project, shared)),
            (_("Roles and RACI"), _roles(project, content)),
            (_("Communication plan"), _communication(project, shared)),
            (_("Top risks"), _risks(project, shared)),
            (_("Decision rights"), _decision_rights(project)),
        ]
