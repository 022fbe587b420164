"""What waits on a person in change control: change requests awaiting their decision."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Subquery
from django.db.models.fields.json import KT
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tandem.changes.choices import ChangeStatus, Outcome
from tandem.changes.models import ChangeRequest, Decision, Impact
from tandem.core import inbox
from tandem.projects.choices import DecisionKind
from tandem.projects.inbox import holding, item

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from tandem.accounts.models import User


def _number(value: Any) -> Decimal | None:
    try:
        return None if value in (None, "") else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def impact_words(currency: str, added_cost: Any, finish_days: Any) -> str | None:
    """The frozen impact in a few words: what the change costs and how far the finish moves."""
    parts = []
    cost = _number(added_cost)
    if cost:
        parts.append(gettext("costs %(money)s") % {"money": f"{currency} {cost:,.0f}"})
    days = _number(finish_days)
    if days:
        parts.append(gettext("moves the finish by %(days)s days") % {"days": f"{days:+g}"})
    return "; ".join(parts) or None


def _changes(user: User) -> QuerySet[ChangeRequest] | None:
    """The rows of ``changes_to_decide`` (None where the user holds "approve change" nowhere)."""
    seats = holding(user, DecisionKind.APPROVE_CHANGE)
    if not seats:
        return None
    approved = Decision.objects.filter(
        request=OuterRef("pk"), round=OuterRef("round"), decider_id=user.pk, outcome=Outcome.APPROVE
    )
    return (
        ChangeRequest.objects.visible_to(user)
        .filter(project_id__in=list(seats), status=ChangeStatus.AWAITING)
        .annotate(approved=Exists(approved))
        .filter(approved=False)
    )


def count_changes(user: User) -> QuerySet[ChangeRequest, tuple[int]] | None:
    """The rows of ``changes_to_decide``, one column (the header's count)."""
    rows = _changes(user)
    return None if rows is None else rows.values_list("pk")


def changes_to_decide(user: User) -> Iterable[inbox.Item]:
    """Requests awaiting a decision that the user, a holder of "approve change", has not approved in
    this round (a client holder: shared requests only)."""
    rows = _changes(user)
    if rows is None:
        return []
    seats = holding(user, DecisionKind.APPROVE_CHANGE)
    # Two values of the frozen impact, not its whole JSON (the lookup reads them through a subquery:
    # a key of a JSON field across a relation is not read by Django's KT).
    frozen = Impact.objects.filter(pk=OuterRef("frozen_impact_id"))
    rows = rows.annotate(
        added_cost=Subquery(frozen.annotate(v=KT("data__added_cost")).values("v")[:1]),
        finish_days=Subquery(frozen.annotate(v=KT("data__finish_change_days")).values("v")[:1]),
    ).order_by("project_id", "id")
    items = []
    for change in rows:
        seat = seats[change.project_id]
        code = seat.project.code
        items.append(
            item(
                seat,
                kind="change_request",
                kind_label=_("Change request"),
                key=f"change_request:{change.pk}:{change.round}",
                title=f"{change.code} {change.title}",
                action_label=_("Decide"),
                url=reverse("web:change_detail", kwargs={"code": code, "ref": change.code}),
                due=change.decision_due_date or change.requested_decision_date,
                since=change.submitted_at or change.updated_at,
                cost_of_delay=impact_words(seat.project.currency, change.added_cost, change.finish_days),
                details=(change.get_urgency_display(),),
                in_place=inbox.InPlace(
                    url=reverse("web:change_decide", kwargs={"code": code, "ref": change.code}),
                    fields=(("version", str(change.version)),),
                    buttons=(
                        inbox.Button("outcome", Outcome.APPROVE, _("Approve"), "primary"),
                        inbox.Button("outcome", Outcome.REJECT, _("Reject")),
                    ),
                    comment="comment",
                    comment_label=_("Comment (needed to reject)"),
                ),
            )
        )
    return items
