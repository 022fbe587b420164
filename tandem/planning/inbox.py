"""What waits on a person in planning: baselines to approve."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tandem.core import inbox
from tandem.planning.models import Baseline
from tandem.projects.choices import DecisionKind
from tandem.projects.inbox import holding, item

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from tandem.accounts.models import User


def _baselines(user: User) -> QuerySet[Baseline] | None:
    """The rows of ``baselines_to_approve`` (None where the user holds "approve baseline" nowhere)."""
    seats = holding(user, DecisionKind.APPROVE_BASELINE)
    if not seats:
        return None
    later_approved = Baseline.objects.filter(
        project_id=OuterRef("project_id"), approved_at__isnull=False, created_at__gt=OuterRef("created_at")
    )
    return (
        Baseline.objects.filter(project_id__in=list(seats), approved_at__isnull=True)
        .annotate(passed_over=Exists(later_approved))
        .filter(passed_over=False)
    )


def count_baselines(user: User) -> QuerySet[Baseline, tuple[int]] | None:
    """The rows of ``baselines_to_approve``, one column (the header's count)."""
    rows = _baselines(user)
    return None if rows is None else rows.values_list("pk")


def baselines_to_approve(user: User) -> Iterable[inbox.Item]:
    """Baselines not approved yet and saved after the project's latest approved one, in the projects
    where the user holds "approve baseline" (an older unapproved one was passed over)."""
    rows = _baselines(user)
    if rows is None:
        return []
    seats = holding(user, DecisionKind.APPROVE_BASELINE)
    rows = rows.order_by("project_id", "created_at", "id")
    items = []
    for baseline in rows:
        seat = seats[baseline.project_id]
        code = seat.project.code
        finish = baseline.project_finish
        details: tuple[str, ...] = ()
        if finish is not None:
            details = (
                _("Finish %(date)s") % {"date": finish.astimezone(seat.project.zone).date().isoformat()},
            )
        items.append(
            item(
                seat,
                kind="baseline",
                kind_label=_("Baseline"),
                key=f"baseline:{baseline.pk}",
                title=baseline.name,
                action_label=_("Approve"),
                url=reverse("web:plan_baseline_compare", kwargs={"code": code, "pk": baseline.pk}),
                since=baseline.created_at,
                details=details,
                in_place=inbox.InPlace(
                    url=reverse("web:plan_baseline_approve", kwargs={"code": code, "pk": baseline.pk}),
                    buttons=(inbox.Button("", "", _("Approve"), "primary"),),
                ),
            )
        )
    return items
