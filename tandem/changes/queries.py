"""The read side of change control: the requests a user may see, their impact as that user may read it.

A client member never reads an internal request, an edit touching an internal task, or an internal
task inside a frozen impact (``impact_for`` gives a client the ``client_view`` of it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tandem.changes import impact as impact_module
from tandem.changes.choices import ChangeStatus
from tandem.changes.models import ChangeRequest, ChangeSettings, Decision, Impact, SandboxEdit, StatusChange
from tandem.core.scoping import Viewer
from tandem.projects import permissions
from tandem.projects import queries as project_queries
from tandem.projects.models import Project


def team_view(user: Viewer, project: Project) -> bool:
    """Whether the user reads as the team (internal records and prices included)."""
    return bool(getattr(user, "is_authenticated", False)) and permissions.is_team(user, project)


def changes_of(
    user: Viewer, project: Project, *, status: str = "", search: str = ""
) -> QuerySet[ChangeRequest]:
    """The project's change requests the user may see, newest first."""
    qs = (
        ChangeRequest.objects.visible_to(user)
        .filter(project=project)
        .select_related("proposer", "frozen_impact", "baseline")
    )
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(title__icontains=search) | qs.filter(code__iexact=search)
    return qs.order_by("-created_at", "-id")


def access_change(user: Viewer, project: Project, code_or_pk: Any) -> ChangeRequest:
    """A change request of ``project`` the user may see, by code (CR-001) or id; otherwise ``Http404``."""
    qs = changes_of(user, project)
    text = str(code_or_pk).strip()
    found = qs.filter(pk=int(text)).first() if text.isdigit() else qs.filter(code__iexact=text).first()
    if found is None:
        raise Http404(_("No such change request."))
    found.project = project
    return found


def edits_of(user: Viewer, request: ChangeRequest) -> QuerySet[SandboxEdit]:
    """The request's sandbox edits the user may see, in order."""
    return SandboxEdit.objects.visible_to(user).filter(request=request).order_by("position", "id")


def access_edit(user: Viewer, request: ChangeRequest, pk: Any) -> SandboxEdit:
    """One sandbox edit of the request; otherwise ``Http404``."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise Http404(_("No such edit.")) from None
    edit = edits_of(user, request).filter(pk=number).first()
    if edit is None:
        raise Http404(_("No such edit."))
    edit.request = request
    return edit


def latest_impact(request: ChangeRequest) -> Impact | None:
    """The most recently computed impact of the request."""
    return Impact.objects.filter(request=request).order_by("-computed_at", "-id").first()


def impact_for(user: Viewer, project: Project, impact: Impact | None) -> dict[str, Any] | None:
    """An impact as the user may read it: whole for the team, without internal tasks for a client."""
    if impact is None:
        return None
    data = dict(impact.data)
    data["computed_at"] = impact.computed_at.isoformat()
    data["fingerprint"] = impact.fingerprint
    return data if team_view(user, project) else impact_module.client_view(data)


def history_of(request: ChangeRequest) -> QuerySet[StatusChange]:
    """The request's status history, oldest first."""
    return StatusChange.objects.filter(request=request).select_related("actor").order_by("at", "id")


def decisions_of(request: ChangeRequest) -> QuerySet[Decision]:
    """The decisions taken on the request, oldest first."""
    return Decision.objects.filter(request=request).select_related("decider").order_by("at", "id")


def settings_of(project: Project) -> ChangeSettings:
    """The project's change settings (defaults when none were stored)."""
    return ChangeSettings.objects.filter(project=project).first() or ChangeSettings(project=project)


def change_log(user: Viewer, project: Project) -> QuerySet[ChangeRequest]:
    """Every request the user may see with its history and decisions prefetched (the change log)."""
    return changes_of(user, project).prefetch_related(
        Prefetch("history", queryset=StatusChange.objects.select_related("actor").order_by("at", "id")),
        Prefetch("decisions", queryset=Decision.objects.select_related("decider").order_by("at", "id")),
    )


@dataclass
class ScopeChange:
    """What approved changes added since the charter was confirmed."""

    since: dt.datetime | None
    changes: int = 0
    days: int = 0
    effort_minutes: int = 0
    cost: Decimal = Decimal(0)
    currency: str = ""
    codes: list[str] = field(default_factory=list)


def cumulative_scope(user: Viewer, project: Project) -> ScopeChange:
    """Days, effort and money added by the applied changes the user may see, since the confirmed charter."""
    confirmation = project_queries.confirmations_of(project).order_by("confirmed_at", "id").first()
    since = confirmation.confirmed_at if confirmation else None
    qs = changes_of(user, project).filter(status=ChangeStatus.APPLIED)
    if since is not None:
        qs = qs.filter(applied_at__gte=since)
    out = ScopeChange(since=since, currency=project.currency)
    for request in qs.order_by("applied_at", "id"):
        data = request.frozen_impact.data if request.frozen_impact else {}
        out.changes += 1
        out.codes.append(request.code)
        out.days += int(data.get("finish_change_days") or 0)
        out.effort_minutes += int(data.get("added_effort_minutes") or 0)
        out.cost += Decimal(str(data.get("added_cost") or 0))
    return out
