"""What waits on a person: the items of every project they may decide or answer, in one list.

Each app that owns something a person decides (a charter revision to confirm, a change request to
approve, a survey to answer…) registers a *provider* when it is ready. A provider takes the user
and returns that user's items across all their projects, in a number of queries that does not grow
with the number of projects or items (one query per kind, not one per project). The inbox page, the
API and the daily digest read ``items_for``; nothing else decides what waits.

The header's badge shows on every page and needs only how many items wait, so a provider also
registers a *counter*: the same rows as the provider's, one per item it would return, as a one-column
queryset (or None when the user has none). ``count_for`` adds them up with one query (a ``UNION ALL``
of every counter's rows), whatever the number of providers; the counter is built from the very
queryset the provider iterates, so the count cannot drift from the list.

Building those querysets with the ORM costs more than running them (about 5 ms of CPU against 1 ms,
on every page), and their SQL is a function of the user's seats alone (memberships and decision
rights, which ``count_for`` reads anyway): so the SQL compiled for one seat signature (``count_key``,
given by the projects app) is kept, per process, and the next count with the same signature only
runs it. A counter therefore reads nothing but the seats while it builds, and takes the time from
the database (``Now()``), not from Python; a test holds every registered counter to that.

Rules every provider keeps:
- only items the user may act on *now* (holds the decision right, is the named decider or
  approver, was asked); a client member never sees an internal record;
- ``due`` is the date the decision is needed by, where the record knows one;
- ``url`` opens the record where the action is taken (or the inbox's in-place form acts on it).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise

from tandem.core.compiled import Kept, Statement, statement_of

if TYPE_CHECKING:
    from tandem.accounts.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Button:
    """One submit button of an in-place action: the value it posts under ``name``, and its label."""

    name: str
    value: str
    label: str | Promise
    #: "primary" for the expected answer, "" for the others.
    style: str = ""


@dataclass(frozen=True)
class InPlace:
    """The action taken right in the inbox: a form that posts to the record's own endpoint.

    The inbox adds ``next=inbox`` so the endpoint comes back to the inbox after a success; a refusal
    (a conflict, missing input) shows the record's page with the reason, as when acting from there.
    """

    #: The endpoint the form posts to (an absolute path).
    url: str
    #: Hidden fields (the version read, the revision confirmed…).
    fields: tuple[tuple[str, str], ...] = ()
    buttons: tuple[Button, ...] = ()
    #: The name of an optional comment field, when the endpoint takes one.
    comment: str = ""
    comment_label: str | Promise = ""


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
    #: The action in place, when the inbox can take it without opening the record.
    in_place: InPlace | None = None
    #: The project's id (filters and the project home's panel use it).
    project_id: int | None = None

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

#: One row per item the provider of the same name returns, in one column; None when there is none.
Counter = Callable[["User"], "QuerySet[Any, Any] | None"]

_T = TypeVar("_T")

#: What providers of one ``items_for`` call share (e.g. the user's memberships and decision rights).
_shared: ContextVar[dict[str, Any] | None] = ContextVar("tandem_inbox_shared", default=None)


@contextmanager
def _sharing() -> Iterator[None]:
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def shared(key: str, compute: Callable[[], _T]) -> _T:
    """``compute()`` once per ``items_for`` call, whichever provider asks first; outside a call, every
    time. Providers read what they all need (the user's projects and rights) through it, so the
    inbox costs one read of it, not one per provider."""
    memo = _shared.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[no-any-return]


#: Every provider, by name (apps register theirs in ``ready()``).
PROVIDERS: dict[str, Provider] = {}

#: The counters of the providers that have one, by the provider's name.
COUNTERS: dict[str, Counter] = {}


def register(name: str, provider: Provider, *, count: Counter | None = None) -> Provider:
    """Make ``provider`` contribute to everyone's inbox (an app's ``ready()`` calls it); ``count`` gives
    its rows for the header's count (without one, the count lists the provider's items)."""
    PROVIDERS[name] = provider
    if count is None:
        COUNTERS.pop(name, None)
    else:
        COUNTERS[name] = count
    forget_compiled_counts()
    return provider


def items_for(user: User, *, today: dt.date | None = None) -> list[Item]:
    """Everything that waits on ``user``, the most urgent first. A provider whose counter has no
    rows for the user (the kept count says so in one statement) is not asked for its items."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    day = today or timezone.localdate()
    items: list[Item] = []
    with _sharing():
        counts = _counts(user) if _count_key is not None else None
        for name, provider in PROVIDERS.items():
            if counts is not None and name in COUNTERS and not counts.get(name):
                continue
            items.extend(provider(user))
    return sorted(items, key=lambda item: item.urgency(day))


def count_for(user: User) -> int:
    """How many items ``items_for(user)`` holds, in one query (plus what the providers share, such as
    the user's decision rights): the counters' rows are counted by one ``UNION ALL``, compiled once
    per seat signature and process (see the module's docstring). A provider without a counter is
    counted by listing its items."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return 0
    with _sharing():
        total = sum(_counts(user).values())
        for name, provider in PROVIDERS.items():
            if name not in COUNTERS:
                total += sum(1 for _item in provider(user))
    return total


#: What a user's counters' SQL depends on (the user and their seats), set by the projects app;
#: None: every count builds its queries afresh.
_count_key: Callable[[User], Hashable] | None = None

#: The counts compiled per (database alias, registry, count key): one per signature of seats in use.
_kept: Kept[_Counting | None] = Kept()


def key_counts_by(key: Callable[[User], Hashable] | None) -> None:
    """Set what the counters' SQL depends on (``key(user)``, read inside the inbox's sharing, so it
    may read what providers share); None turns the kept counts off."""
    global _count_key
    _count_key = key
    forget_compiled_counts()


def forget_compiled_counts() -> None:
    """Drop every compiled count (a provider was registered, a test changed the registry)."""
    _kept.clear()


@dataclass(frozen=True)
class _Counting(Statement):
    """The statement counting every counter's rows: ``(position, count)`` rows, by ``names[position]``."""

    names: tuple[str, ...] = ()


def _compile(user: User, alias: str) -> _Counting | None:
    """Every counter's rows for ``user``, counted per counter by one ``UNION ALL``."""
    selects: list[str] = []
    params: list[Any] = []
    names: list[str] = []
    for name, counter in COUNTERS.items():
        rows = counter(user)
        if rows is None:
            continue
        # A member of a compound statement takes no ORDER BY (SQLite refuses one).
        part = statement_of(rows.order_by())
        if part is None:
            continue  # matches nothing
        selects.append(f"SELECT {len(names)} AS position FROM ({part.sql}) counted_{len(names)}")  # noqa: S608 (Django's compiled SQL; values stay parameters)
        params.extend(part.params)
        names.append(name)
    if not names:
        return None
    union = " UNION ALL ".join(selects)
    sql = f"SELECT position, COUNT(*) FROM ({union}) inbox_rows GROUP BY position"  # noqa: S608 (Django's compiled SQL; values stay parameters)
    return _Counting(sql, tuple(params), alias, tuple(names))


def _counts(user: User) -> dict[str, int]:
    """How many rows each counter has for ``user`` (counters without rows left out), with one
    statement; its SQL is kept per seat signature (``key_counts_by``). Called inside ``_sharing``."""
    alias = "default"
    statement: Statement | None
    if _count_key is None:
        statement = _compile(user, alias)
    else:
        # The registry is in the key too: a test may change it without ``register``.
        key = (alias, tuple(COUNTERS.items()), _count_key(user))
        statement = _kept.get(key, lambda: _compile(user, alias))
    if not isinstance(statement, _Counting):
        return {}
    return {statement.names[position]: int(n) for position, n in statement.rows()}
