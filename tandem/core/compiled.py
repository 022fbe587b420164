"""Statements compiled once and kept, for reads on every page whose SQL is a function of a small key.

The header of every page counts things for the signed-in user (what waits in their inbox, their unread
notifications). Building those querysets with the ORM, scopes and subqueries included, costs several
times more CPU than running them, yet their SQL depends only on who reads: the user, their
memberships and rights. ``Kept`` holds the compiled SQL by such a key, per process; a read with a
known key runs the statement and builds nothing.

The rule for a caller: the key must hold everything the SQL depends on. Values that change on their
own (the time) belong in the SQL (``Now()``), not in the parameters. Nothing is invalidated by hand: a
new membership or right is a new key, and an old key simply falls out of the bounded memo.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

from tandem.core.scoping import remembered_memberships, sees_as_client


@dataclass(frozen=True)
class Statement:
    """SQL with its parameters, for one database."""

    sql: str
    params: tuple[Any, ...]
    alias: str = "default"

    def rows(self) -> list[tuple[Any, ...]]:
        """Run the statement and fetch every row."""
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.sql, self.params)
            return list(cursor.fetchall())


def statement_of(rows: QuerySet[Any, Any]) -> Statement | None:
    """The SQL ``rows`` would run, and its parameters; None when they can match nothing (an empty
    ``IN``, ``none()``), which Django knows without asking the database."""
    try:
        sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    except EmptyResultSet:
        return None
    return Statement(sql, tuple(params), rows.db)


def count_statement(rows: QuerySet[Any, Any]) -> Statement | None:
    """``SELECT COUNT(*)`` of ``rows`` (their ordering and joined relations dropped); None when they
    can match nothing."""
    inner = statement_of(rows.order_by().select_related(None))
    if inner is None:
        return None
    return Statement(f"SELECT COUNT(*) FROM ({inner.sql}) counted_rows", inner.params, inner.alias)  # noqa: S608 (Django's compiled SQL; values stay parameters)


V = TypeVar("V")


class Kept(Generic[V]):
    """Values by key (compiled statements, or anything else built from what the key names), the
    least recently used dropped beyond ``limit`` (thread-safe; what is kept is shared by every
    thread and must not be changed by its readers)."""

    def __init__(self, limit: int = 4096) -> None:
        self.limit = limit
        self._found: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compile: Callable[[], V]) -> V:
        """The value kept for ``key``, built with ``compile()`` the first time (None too is kept)."""
        with self._lock:
            if key in self._found:
                self._found.move_to_end(key)
                return self._found[key]
        statement = compile()
        with self._lock:
            self._found[key] = statement
            while len(self._found) > self.limit:
                self._found.popitem(last=False)
        return statement

    def clear(self) -> None:
        with self._lock:
            self._found.clear()

    def __len__(self) -> int:
        return len(self._found)


def reader_key(user: Any) -> Hashable:
    """What a ``visible_to(user)`` scope's SQL depends on: the user, whether they are active and
    preview the client's view, and (within a request, where the scope lists them) their projects
    and sides."""
    memberships = remembered_memberships(user)
    projects = None if memberships is None else tuple(sorted((pk, m.side) for pk, m in memberships.items()))
    return (
        user.pk,
        bool(getattr(user, "is_authenticated", False)),
        bool(getattr(user, "is_active", False)),
        sees_as_client(user),
        projects,
    )
