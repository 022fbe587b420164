"""Database helpers below the domain apps: a statement that may wait for a lock only briefly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import connection, transaction
from django.db.models import QuerySet

_T = TypeVar("_T")


def the_one(rows: QuerySet[Any, _T]) -> _T | None:
    """The row a unique lookup finds (by primary key, a unique column, a one-to-one), or None.

    ``first()`` would add an ORDER BY (the model's ordering, else the primary key), and Django's
    compiler pays for any ordering with every selected column: about 0.25 ms of CPU on a 45-column
    row, a third of such a lookup, though one row has no order to keep. Only for lookups that match
    at most one row: of several, which one comes back is not defined.
    """
    found = list(rows.order_by()[:1])
    return found[0] if found else None


@contextmanager
def waiting_briefly_for_locks(milliseconds: int) -> Iterator[None]:
    """Within the block, a statement that needs a lock held elsewhere fails after ``milliseconds``.

    For writes nobody waits for (bookkeeping such as a token's last use): they give up quickly
    instead of holding a read request for the whole lock timeout. PostgreSQL: the block is one
    transaction with ``SET LOCAL lock_timeout``; SQLite: the connection's busy timeout, restored
    after. Use it outside any atomic block (on SQLite an open transaction already holds the lock).
    """
    wait = int(milliseconds)
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = {wait}")
            yield
        return
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA busy_timeout = {wait}")
        try:
            yield
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {before}")
