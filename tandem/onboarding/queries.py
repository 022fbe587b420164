"""The read side of onboarding: the first-visit state, training material with its completion, all
through the one visibility scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tandem.core.choices import Side
from tandem.core.database import the_one
from tandem.onboarding.models import GuideVisit, TrainingCompletion, TrainingItem
from tandem.projects.models import Membership
from tandem.projects.permissions import is_team, membership_of, role_of

if TYPE_CHECKING:
    from tandem.core.scoping import Viewer
    from tandem.projects.models import Project


def guide_visit_of(user: Viewer, project: Project) -> GuideVisit | None:
    """The reader's record of the guide in ``project`` (None before they opened or dismissed anything)."""
    membership = membership_of(user, project)
    if membership is None:
        return None
    return the_one(GuideVisit.objects.filter(membership=membership))


def shows_first_visit_prompt(user: Viewer, project: Project) -> bool:
    """Whether the project home invites the member to their guide (until they dismiss the invitation)."""
    if membership_of(user, project) is None:
        return False
    visit = guide_visit_of(user, project)
    return visit is None or visit.dismissed_at is None


def training_items_of(user: Viewer, project: Project) -> list[TrainingItem]:
    """The training material the reader sees: all of it for the team, the items meant for their role
    for a member of the client."""
    items = list(TrainingItem.objects.visible_to(user).filter(project=project).order_by("position", "id"))
    if is_team(user, project):
        return items
    role = role_of(user, project)
    return [item for item in items if item.is_for(role)]


def _int(pk: Any) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404(_("No such training item.")) from None


def access_training_item(user: Viewer, project: Project, pk: Any) -> TrainingItem:
    """A training item the reader may see (a client: one meant for their role); otherwise ``Http404``."""
    item = TrainingItem.objects.visible_to(user).filter(project=project, pk=_int(pk)).first()
    if item is None or (not is_team(user, project) and not item.is_for(role_of(user, project))):
        raise Http404(_("No such training item."))
    return item


def completed_item_ids(user: Viewer, project: Project) -> set[int]:
    """The ids of the training items the reader has marked done in ``project``."""
    if not getattr(user, "is_authenticated", False):
        return set()
    done = TrainingCompletion.objects.filter(item__project=project, user_id=int(user.pk or 0))
    return set(done.values_list("item_id", flat=True))


def client_members_of(project: Project) -> QuerySet[Membership]:
    """The members on the client's side, with their users, by role and name."""
    return (
        Membership.objects.filter(project=project, side=Side.CLIENT, user__is_active=True)
        .select_related("user")
        .order_by("role", "user__full_name", "id")
    )


@dataclass(frozen=True)
class CompletionCell:
    """One member × item cell of the completion table."""

    expected: bool
    done: bool


@dataclass(frozen=True)
class CompletionRow:
    """A client member's line of the completion table."""

    membership: Membership
    cells: list[CompletionCell]
    done: int
    expected: int


def completion_table(project: Project, items: list[TrainingItem]) -> list[CompletionRow]:
    """For each client member, which items are meant for them and which they completed (2 queries)."""
    members = list(client_members_of(project))
    done = set(
        TrainingCompletion.objects.filter(item__in=[i.pk for i in items]).values_list("user_id", "item_id")
    )
    rows = []
    for m in members:
        cells = [CompletionCell(item.is_for(m.role), (m.user_id, item.pk) in done) for item in items]
        rows.append(
            CompletionRow(
                m,
                cells,
                done=sum(1 for c in cells if c.expected and c.done),
                expected=sum(1 for c in cells if c.expected),
            )
        )
    return rows
