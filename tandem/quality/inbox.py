"""What waits on a person in quality: acceptances in review that they sign or still have to mark."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tandem.core import inbox
from tandem.projects.choices import DecisionKind
from tandem.projects.inbox import holding, item, seats_of
from tandem.quality.choices import AcceptanceStatus
from tandem.quality.models import AcceptanceCriterion, AcceptanceRequest, CriterionReview

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from tandem.accounts.models import User


def _acceptances(user: User) -> QuerySet[AcceptanceRequest] | None:
    """The rows of ``acceptances_to_act_on`` (None for someone on no project)."""
    seats = seats_of(user)
    if not seats:
        return None
    signing = holding(user, DecisionKind.ACCEPT_DELIVERABLE)
    reviewer = AcceptanceRequest.reviewers.through.objects.filter(
        acceptancerequest_id=OuterRef("pk"), user_id=user.pk
    )
    unmarked = AcceptanceCriterion.objects.filter(request=OuterRef("pk")).exclude(
        Exists(CriterionReview.objects.filter(criterion=OuterRef("pk"), reviewer_id=user.pk))
    )
    return (
        AcceptanceRequest.objects.visible_to(user)
        .filter(project_id__in=list(seats), status=AcceptanceStatus.IN_REVIEW)
        .annotate(reviewer=Exists(reviewer), unmarked=Exists(unmarked))
        .filter(Q(project_id__in=list(signing)) | Q(reviewer=True, unmarked=True))
    )


def count_acceptances(user: User) -> QuerySet[AcceptanceRequest, tuple[int]] | None:
    """The rows of ``acceptances_to_act_on``, one column (the header's count)."""
    rows = _acceptances(user)
    return None if rows is None else rows.values_list("pk")


def acceptances_to_act_on(user: User) -> Iterable[inbox.Item]:
    """Acceptances in review: to sign for the holders of "accept deliverable", to review for a named
    reviewer who has not marked every criterion yet (a client: shared requests only, which every
    request in review is)."""
    rows = _acceptances(user)
    if rows is None:
        return []
    seats = seats_of(user)
    signing = holding(user, DecisionKind.ACCEPT_DELIVERABLE)
    rows = rows.order_by("project_id", "id")
    items = []
    for request in rows:
        seat = seats[request.project_id]
        signs = request.project_id in signing
        items.append(
            item(
                seat,
                kind="acceptance",
                kind_label=_("Acceptance"),
                key=f"acceptance:{request.pk}",
                title=f"{request.code} {request.title}",
                action_label=_("Sign") if signs else _("Review"),
                url=reverse("web:acceptance_detail", kwargs={"code": seat.project.code, "pk": request.pk}),
                due=request.due_date,
                since=request.submitted_at or request.updated_at,
            )
        )
    return items
