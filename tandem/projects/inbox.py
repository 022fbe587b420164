"""What waits on a person in the projects app (charter revisions to confirm), and what every provider
reads first: the user's projects, their role in each and the decision rights they hold there.

``seats_of(user)`` is read once per inbox, however many projects: the memberships (within a request,
the ones the visibility scope already read, so no query; elsewhere one), then the decision rights of
those projects (one query). The projects themselves are read with one more query only when an item
is built (a count needs none). Each provider then asks only for the rows of the projects where the
user holds its decision right, in one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tandem.core import inbox
from tandem.core.choices import Side
from tandem.core.scoping import remembered_memberships, request_memo, sees_as_client
from tandem.projects.choices import DecisionKind
from tandem.projects.models import (
    Charter,
    CharterConfirmation,
    CharterRevision,
    Membership,
    Project,
)
from tandem.projects.permissions import rights_of
from tandem.projects.queries import PROJECTS_MEMO

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from tandem.accounts.models import User


class _Projects:
    """The user's projects by id, read with one query the first time a seat's project is asked for."""

    def __init__(self, ids: Iterable[int]) -> None:
        self._ids = list(ids)
        self._by_id: dict[int, Project] | None = None

    def __getitem__(self, pk: int) -> Project:
        if self._by_id is None:
            # The request already read the page's project: only the others are read.
            memo = request_memo(PROJECTS_MEMO) or {}
            known = {i: memo[i] for i in self._ids if i in memo}
            missing = [i for i in self._ids if i not in known]
            self._by_id = {**known, **(Project.objects.in_bulk(missing) if missing else {})}
        return self._by_id[pk]


@dataclass(frozen=True)
class Seat:
    """The user's place in one project: the project, their role and side, the decisions they hold."""

    project_id: int
    role: str
    side: str
    kinds: frozenset[str] = field(default_factory=frozenset)
    #: Where ``project`` comes from: the user's projects, read together when an item first needs one.
    projects: _Projects | None = field(default=None, repr=False, compare=False)

    @property
    def project(self) -> Project:
        """The project (all the user's projects are read with one query the first time)."""
        if self.projects is None:
            return Project.objects.get(pk=self.project_id)
        return self.projects[self.project_id]

    @property
    def team(self) -> bool:
        """Whether the user is on the delivery team of this project."""
        return self.side == Side.TEAM


def _read_seats(user: User) -> dict[int, Seat]:
    remembered = remembered_memberships(user)
    if remembered is not None:
        memberships = list(remembered.values())
    else:
        memberships = list(Membership.objects.filter(user_id=user.pk).order_by())
    if not memberships:
        return {}
    roles = {m.project_id: m.role for m in memberships}
    kinds: dict[int, set[str]] = {}
    # The request remembers the rights: the project's scope and panels read the same ones.
    for project_id, rights in rights_of(roles).items():
        for kind, holders in rights.items():
            if roles[project_id] in holders:
                kinds.setdefault(project_id, set()).add(kind)
    projects = _Projects(roles)
    return {
        m.project_id: Seat(m.project_id, m.role, m.side, frozenset(kinds.get(m.project_id, ())), projects)
        for m in memberships
    }


def seats_of(user: User) -> dict[int, Seat]:
    """The user's projects by id with their role and the decision rights they hold (read once per inbox)."""
    return inbox.shared(f"projects.seats:{user.pk}", lambda: _read_seats(user))


def count_key(user: User) -> tuple[object, ...]:
    """Everything the inbox counters' SQL depends on: the user, whether they preview the client's
    view, and their seats (project, role, side, decision rights held). ``inbox.count_for`` keeps the
    SQL compiled for each such key."""
    seats = seats_of(user)
    return (
        user.pk,
        sees_as_client(user),
        tuple((pk, seat.role, seat.side, tuple(sorted(seat.kinds))) for pk, seat in sorted(seats.items())),
    )


def holding(user: User, kind: str) -> dict[int, Seat]:
    """The user's projects where they hold decision right ``kind``."""
    return {pk: seat for pk, seat in seats_of(user).items() if kind in seat.kinds}


def item(seat: Seat, **values: object) -> inbox.Item:
    """An inbox item of ``seat``'s project (its code, name and id filled in)."""
    project = seat.project
    return inbox.Item(
        project_code=project.code,
        project_name=project.name,
        project_id=project.pk,
        **values,  # type: ignore[arg-type]
    )


def _charters(user: User) -> QuerySet[Charter] | None:
    """Charters whose current revision nobody confirmed yet, in the projects where the user holds
    "confirm charter" (None when they hold it nowhere)."""
    seats = holding(user, DecisionKind.CONFIRM_CHARTER)
    if not seats:
        return None
    confirmed = CharterConfirmation.objects.filter(charter=OuterRef("pk"), revision=OuterRef("revision"))
    return Charter.objects.filter(project_id__in=list(seats)).filter(~Exists(confirmed))


def count_charters(user: User) -> QuerySet[Charter, tuple[int]] | None:
    """The rows of ``charters_to_confirm``, one column (the header's count)."""
    rows = _charters(user)
    return None if rows is None else rows.values_list("pk")


def charters_to_confirm(user: User) -> Iterable[inbox.Item]:
    """Charters whose current revision nobody confirmed yet, for the holders of "confirm charter" (as on
    the charter's banner: one holder's confirmation confirms the revision for the project)."""
    charters = _charters(user)
    if charters is None:
        return []
    seats = holding(user, DecisionKind.CONFIRM_CHARTER)
    since = CharterRevision.objects.filter(charter=OuterRef("pk"), number=OuterRef("revision")).values(
        "created_at"
    )[:1]
    charters = charters.annotate(since=Subquery(since)).order_by("project_id")
    items = []
    for charter in charters:
        seat = seats[charter.project_id]
        code = seat.project.code
        items.append(
            item(
                seat,
                kind="charter",
                kind_label=_("Charter"),
                key=f"charter:{charter.pk}:{charter.revision}",
                title=str(_("Charter revision %(n)s") % {"n": charter.revision}),
                action_label=_("Confirm"),
                url=reverse("web:project_home", kwargs={"code": code}) + "#confirmation",
                since=charter.since or charter.created_at,
                in_place=inbox.InPlace(
                    url=reverse("web:charter_confirm", kwargs={"code": code}),
                    fields=(("revision", str(charter.revision)),),
                    buttons=(inbox.Button("", "", _("Confirm"), "primary"),),
                    comment="comment",
                    comment_label=_("Comment (optional)"),
                ),
            )
        )
    return items
