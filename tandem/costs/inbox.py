"""What waits on a person in time keeping: submitted weeks to approve, one item per project."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tandem.core import inbox
from tandem.core.choices import Side
from tandem.costs.choices import SheetStatus
from tandem.costs.models import Timesheet
from tandem.costs.time_permissions import KEEPER_ROLES
from tandem.projects.choices import DecisionKind
from tandem.projects.inbox import holding, item, seats_of

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from tandem.accounts.models import User


def _waiting(user: User) -> QuerySet[Timesheet] | None:
    """The weeks waiting for the user's approval (None when they approve time nowhere)."""
    seats = seats_of(user)
    keeper = [pk for pk, s in seats.items() if s.side == Side.TEAM and s.role in KEEPER_ROLES]
    client = list(holding(user, DecisionKind.APPROVE_TIMESHEETS))
    if not keeper and not client:
        return None
    return Timesheet.objects.filter(
        Q(project_id__in=keeper, status=SheetStatus.SUBMITTED)
        | Q(
            project_id__in=client,
            status=SheetStatus.TEAM_APPROVED,
            project__cost_settings__client_approves_time=True,
        )
    )


def count_timesheets(user: User) -> QuerySet[Timesheet, tuple[int]] | None:
    """One row per item of ``timesheets_to_approve`` (a project and step), one column (the header's count)."""
    waiting = _waiting(user)
    if waiting is None:
        return None
    return waiting.values("project_id", "status").annotate(weeks=Count("id")).values_list("weeks")


def timesheets_to_approve(user: User) -> Iterable[inbox.Item]:
    """Weeks waiting for the user's approval (``time_permissions``): submitted ones for the team's PMs
    and leads; team-approved ones for the holders of "approve timesheets" when the project asks the
    client to approve time. One item per project and step, with how many weeks wait."""
    waiting = _waiting(user)
    if waiting is None:
        return []
    seats = seats_of(user)
    rows = (
        waiting.values("project_id", "status")
        .annotate(weeks=Count("id"), since=Min("submitted_at"))
        .order_by("project_id", "status")
    )
    items = []
    for row in rows:
        seat = seats[row["project_id"]]
        weeks = row["weeks"]
        items.append(
            item(
                seat,
                kind="timesheets",
                kind_label=_("Timesheets"),
                key=f"timesheets:{seat.project.pk}:{row['status']}",
                title=ngettext("%(n)s week of time to approve", "%(n)s weeks of time to approve", weeks)
                % {"n": weeks},
                action_label=_("Approve"),
                url=reverse("web:time_approvals", kwargs={"code": seat.project.code}),
                since=row["since"],
            )
        )
    return items
