"""A database lock really held by another connection, as a long write by someone else would hold it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from django.db import connection

#: How long this thread's connection waits for the lock in a test before it gives up.
SHORT_WAIT_MS = 200


@contextmanager
def lock_held_elsewhere(table: str) -> Iterator[None]:
    """While the block runs, a second connection holds the write lock on ``table``.

    SQLite locks the whole database file (``BEGIN IMMEDIATE``: readers go on under WAL, writers
    wait); PostgreSQL locks the table in EXCLUSIVE mode (plain reads go on, writes wait). The test's
    own connection waits ``SHORT_WAIT_MS`` for a lock instead of the configured timeout. On SQLite
    the test database must be a file: mark the test ``database_file``.
    """
    connection.ensure_connection()
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        if str(settings["NAME"]) == ":memory:" or "mode=memory" in str(settings["NAME"]):
            raise RuntimeError("the SQLite test database is in memory: mark the test database_file")
        other = sqlite3.connect(settings["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            before = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA busy_timeout = {SHORT_WAIT_MS}")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {int(before)}")
        return
    holder = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"] or None,
    )
    holder.execute(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')
    with connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = {SHORT_WAIT_MS}")
    try:
        yield
    finally:
        holder.rollback()
        holder.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
