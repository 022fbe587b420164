"""What waits on a person in the registers: client decisions they take."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tandem.core import inbox
from tandem.projects.inbox import item, seats_of
from tandem.risks.choices import DecisionStatus
from tandem.risks.models import ClientDecision
from tandem.risks.queries import waiting_q

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from tandem.accounts.models import User

#: The most options offered as buttons in the inbox (more: the decision's page).
MAX_OPTION_BUTTONS = 4


def _decisions(user: User) -> QuerySet[ClientDecision] | None:
    """The rows of ``decisions_to_take`` (None for someone on no project)."""
    seats = seats_of(user)
    if not seats:
        return None
    kinds = {pk: seat.kinds for pk, seat in seats.items() if seat.kinds}
    return ClientDecision.objects.visible_to(user).filter(
        waiting_q(user.pk, kinds), status=DecisionStatus.OPEN, project_id__in=list(seats)
    )


def count_decisions(user: User) -> QuerySet[ClientDecision, tuple[int]] | None:
    """The rows of ``decisions_to_take``, one column (the header's count)."""
    rows = _decisions(user)
    return None if rows is None else rows.values_list("pk")


def decisions_to_take(user: User) -> Iterable[inbox.Item]:
    """Open client decisions the user takes: named as the decider, or holding the decision's right
    (a client: shared decisions only)."""
    rows = _decisions(user)
    if rows is None:
        return []
    seats = seats_of(user)
    rows = rows.order_by("project_id", "id")
    items = []
    for decision in rows:
        seat = seats[decision.project_id]
        code = seat.project.code
        options = [str(o) for o in (decision.options or []) if str(o).strip()]
        in_place = None
        if options and len(options) <= MAX_OPTION_BUTTONS:
            in_place = inbox.InPlace(
                url=reverse("web:decision_decide", kwargs={"code": code, "pk": decision.pk}),
                fields=(("version", str(decision.version)),),
                buttons=tuple(inbox.Button("option", o, o) for o in options),
                comment="rationale",
                comment_label=_("Why (optional)"),
            )
        details: tuple[str, ...] = ()
        if decision.recommendation:
            details = (_("Recommended: %(text)s") % {"text": decision.recommendation[:120]},)
        items.append(
            item(
                seat,
                kind="client_decision",
                kind_label=_("Client decision"),
                key=f"client_decision:{decision.pk}",
                title=decision.question,
                action_label=_("Decide"),
                url=reverse("web:decision_detail", kwargs={"code": code, "pk": decision.pk}),
                due=decision.due_date,
                since=decision.created_at,
                details=details,
                in_place=in_place,
            )
        )
    return items
