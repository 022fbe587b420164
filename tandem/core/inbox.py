"""What waits on a person: the items of every project they may decide or answer, in one list.

Each app that owns something a person decides (a charter revision to confirm, a change request to
approve, a survey to answer…) registers a *provider* when it is ready. A provider takes the user
and returns that user's items across all their projects, in a number of queries that does not grow
with the number of projects or items (one query per kind, not one per project). The inbox page, the
header badge, the API and the daily digest all read ``items_for``; nothing else decides what waits.

Rules every provider keeps:
- only items the user may act on *now* (holds the decision right, is the named decider or
  approver, was asked); a client member never sees an internal record;
- ``due`` is the date the decision is needed by, where the record knows one;
- ``url`` opens the record where the action is taken (or the inbox's in-place form acts on it).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.functional import Promise

if TYPE_CHECKING:
    from tandem.accounts.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Item:
    """One thing that waits on the user."""

    #: The kind of item, e.g. "change_request" (providers name theirs; one kind per provider or more).
    kind: str
    #: The kind as the reader reads it ("Change request" / "变更请求").
    kind_label: str | Promise
    #: A key unique across the inbox, e.g. "change_request:42" (the page anchors and forms use it).
    key: str
    project_code: str
    project_name: str
    title: str
    #: What the user is asked to do ("Approve", "Confirm", "Answer").
    action_label: str | Promise
    #: Where the action is taken (an absolute path).
    url: str
    #: The date the decision is needed by, when the record knows one.
    due: dt.date | None = None
    #: Since when the item waits (submitted, sent…).
    since: dt.datetime | None = None
    #: What waiting costs, in words, where Tandem knows it ("CNY 4,000 a day late" / "delays M3 by 5 days").
    cost_of_delay: str | Promise | None = None
    #: Extra facts to show (short strings).
    details: tuple[str | Promise, ...] = field(default_factory=tuple)

    def urgency(self, today: dt.date) -> tuple[int, dt.date, dt.datetime]:
        """Sort key: overdue first, then by due date, then the longest waiting."""
        far = dt.date.max
        since = self.since or dt.datetime.max.replace(tzinfo=dt.UTC)
        if self.due is not None and self.due < today:
            return (0, self.due, since)
        return (1, self.due or far, since)

    def overdue(self, today: dt.date) -> bool:
        return self.due is not None and self.due < today


Provider = Callable[["User"], Iterable[Item]]

#: Every provider, by name (apps register theirs in ``ready()``).
PROVIDERS: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> Provider:
    """Make ``provider`` contribute to everyone's inbox (an app's ``ready()`` calls it)."""
    PROVIDERS[name] = provider
    return provider


def items_for(user: User, *, today: dt.date | None = None) -> list[Item]:
    """Everything that waits on ``user``, the most urgent first."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    day = today or timezone.localdate()
    items: list[Item] = []
    for provider in PROVIDERS.values():
        items.extend(provider(user))
    return sorted(items, key=lambda item: item.urgency(day))
