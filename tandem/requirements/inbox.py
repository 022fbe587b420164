"""What waits on a person in the requirements app: requirement versions to confirm."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tandem.core import inbox
from tandem.projects.choices import DecisionKind
from tandem.projects.inbox import holding, item
from tandem.requirements.models import Requirement, RequirementVersion
from tandem.requirements.queries import awaiting_confirmation_q

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from tandem.accounts.models import User


def _requirements(user: User) -> QuerySet[Requirement] | None:
    """The rows of ``requirements_to_confirm`` (None where the user holds "confirm requirement" nowhere)."""
    seats = holding(user, DecisionKind.CONFIRM_REQUIREMENT)
    if not seats:
        return None
    return Requirement.objects.visible_to(user).filter(awaiting_confirmation_q(), project_id__in=list(seats))


def count_requirements(user: User) -> QuerySet[Requirement, tuple[int]] | None:
    """The rows of ``requirements_to_confirm``, one column (the header's count)."""
    rows = _requirements(user)
    return None if rows is None else rows.values_list("pk")


def requirements_to_confirm(user: User) -> Iterable[inbox.Item]:
    """Requirements whose current version waits for confirmation, in the projects where the user holds
    "confirm requirement" (a client holder: shared requirements only)."""
    rows = _requirements(user)
    if rows is None:
        return []
    seats = holding(user, DecisionKind.CONFIRM_REQUIREMENT)
    since = RequirementVersion.objects.filter(
        requirement=OuterRef("pk"), number=OuterRef("current_version")
    ).values("created_at")[:1]
    rows = rows.annotate(since=Subquery(since)).order_by("project_id", "rank", "id")
    items = []
    for requirement in rows:
        seat = seats[requirement.project_id]
        code = seat.project.code
        n = requirement.current_version
        items.append(
            item(
                seat,
                kind="requirement",
                kind_label=_("Requirement"),
                key=f"requirement:{requirement.pk}:{n}",
                title=f"{requirement.code} {requirement.title} · v{n}",
                action_label=_("Confirm"),
                url=reverse("web:requirement_detail", kwargs={"code": code, "ref": requirement.code}),
                since=requirement.since or requirement.updated_at,
                details=(requirement.get_priority_display(),),
                in_place=inbox.InPlace(
                    url=reverse("web:requirement_confirm", kwargs={"code": code, "ref": requirement.code}),
                    fields=(("version_number", str(n)),),
                    buttons=(inbox.Button("", "", _("Confirm"), "primary"),),
                    comment="comment",
                    comment_label=_("Comment (optional)"),
                ),
            )
        )
    return items
