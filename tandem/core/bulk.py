"""Write many rows' columns with one keyed statement, at a cost that follows the number of rows.

Django's ``bulk_update`` builds one ``CASE WHEN id = … THEN …`` expression per field over every row
of a batch: on 5,000 rows and 15 fields that is 75,000 resolved expressions, and the database then
evaluates a CASE for every field of every row — seconds for what is a plain keyed write. A
reschedule writes the computed columns of thousands of tasks after one edit, so it needs the plain
keyed write:

- PostgreSQL: one ``UPDATE … FROM unnest(%s::type[], …)`` statement, the values as typed arrays;
  from ``COPY_FROM_ROWS`` rows, binary ``COPY`` into a temporary table and one ``UPDATE … FROM`` it;
- SQLite: one prepared ``UPDATE … WHERE id = ?`` run with ``executemany`` (SQLite is in-process, so
  a prepared statement per row costs microseconds, not a round trip).

Values go through each field's ``get_db_prep_save``, as Django's own writes do, so time zones,
booleans and JSON are stored exactly as ``save()`` would store them. Nothing here runs signals,
``auto_now`` or validation: it is for columns the application computes itself.

On PostgreSQL the arrays travel as array literals that this module writes for the types a
reschedule writes (timestamps, integers, booleans, text): psycopg adapts a Python list element by
element in Python, about 15 µs a row for the computed columns of a task, against under 1 µs for the
literal; other types are left to psycopg. ``fetch_rows`` reads many rows with psycopg's own C
loader for ``timestamptz`` where Django's (written in Python) would parse each date with a regular
expression: 6 ms instead of 88 ms for the dates of 5,000 tasks.

The literals are still text that the server parses value by value. A reschedule that moves 5,000
tasks sends them instead as binary ``COPY`` rows, encoded by psycopg's C code: in-process, on the
5,000-task benchmark plan, the write of 4,997 moved rows went from 47 to 35 ms of wall time (client
CPU 13 → 4 ms, PostgreSQL's 33 → 30 ms), while under about 150 rows the one statement of the
literals is cheaper than the three of ``COPY`` (``benchmarks/README.md``, 2026-12-05).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

from django.db import connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

#: From how many rows PostgreSQL receives them by ``COPY`` rather than as array literals (see
#: ``_write_by_copy``); below it the one statement of the literals costs less than three.
COPY_FROM_ROWS = 200

#: For each kind of value: the column type of the temporary table (psycopg's binary type too) and
#: the letter that stands for it in the table's name.
_COPY_TYPES = {
    "epoch": ("int8", "i"),
    "integer": ("int8", "i"),
    "timestamp": ("timestamptz", "d"),
    "boolean": ("bool", "b"),
    "text": ("text", "s"),
}

#: A temporary table's name carries one letter per column, and PostgreSQL keeps 63 bytes of a name.
_COPY_MAX_COLUMNS = 50

#: Numbers the writes by ``COPY`` of this process (each session belongs to one process).
_COPY_BATCHES = itertools.count(1)


def _fields(model: type[models.Model], names: Sequence[str]) -> list[models.Field[Any, Any]]:
    out = []
    for name in names:
        found = model._meta.get_field(name)
        assert isinstance(found, models.Field), name
        out.append(found)
    return out


def bulk_write(model: type[models.Model], objs: Iterable[models.Model], fields: Sequence[str]) -> int:
    """Store ``fields`` of every object in ``objs`` (matched by primary key); return the row count."""
    connection = connections[router.db_for_write(model)]
    columns = _fields(model, fields)
    rows = [
        (*(field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns), obj.pk)
        for obj in objs
    ]
    return bulk_write_prepared(model, fields, rows)


def bulk_write_prepared(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    epoch_fields: Collection[str] = (),
) -> int:
    """Store rows of ``(value, …, pk)``, the values already as the database stores them
    (``get_db_prep_save``) in the order of ``fields``, the primary key last; return the row count.

    On PostgreSQL, the values of ``epoch_fields`` (timestamp columns) may be given as whole seconds
    since 1970 instead: they travel as integers and ``to_timestamp`` turns them into moments.
    """
    if not rows:
        return 0
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    columns = _fields(model, fields)
    pk = meta.pk
    assert pk is not None and pk.column is not None
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    if connection.vendor == "postgresql":
        epochs = [field.name in epoch_fields for field in columns]
        kinds = [
            *(
                "epoch" if epoch else _literal_kind(field)
                for field, epoch in zip(columns, epochs, strict=True)
            ),
            _literal_kind(pk),
        ]
        for i, kind in enumerate(kinds):
            if kind == "timestamp":
                _require_aware(row[i] for row in rows)
        # COPY takes only the kinds of value this module encodes (psycopg adapts the others).
        if len(rows) >= COPY_FROM_ROWS and all(kinds) and len(kinds) <= _COPY_MAX_COLUMNS:
            _write_by_copy(connection, table, quote(pk.column), columns, kinds, rows)
            return len(rows)
        arrays: list[Any] = [
            _array_literal(values, "integer" if kind == "epoch" else kind) if kind else list(values)
            for values, kind in zip(zip(*rows, strict=True), kinds, strict=True)
        ]
        types = [
            *(
                "bigint" if epoch else field.db_type(connection)
                for field, epoch in zip(columns, epochs, strict=True)
            ),
            pk.db_type(connection),
        ]
        aliases = [*(f"c{i}" for i in range(len(columns))), "pk"]
        unnest = ", ".join(f"%s::{kind}[]" for kind in types)
        # Only quoted names of Tandem's own model go into the text; every value is a parameter.
        source = f"unnest({unnest}) AS v({', '.join(aliases)})"
        assignments = _assignments(quote, columns, kinds[:-1])
        sql = f"UPDATE {table} SET {assignments} FROM {source} WHERE {table}.{quote(pk.column)} = v.pk"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, arrays)
        return len(rows)
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in columns)
    sql = f"UPDATE {table} SET {assignments} WHERE {quote(pk.column)} = %s"  # noqa: S608 - quoted names
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


def _assignments(
    quote: Callable[[str], str], columns: Sequence[models.Field[Any, Any]], kinds: Sequence[str]
) -> str:
    """``column = v.cN`` for each column, through ``to_timestamp`` where the value is epoch seconds."""
    return ", ".join(
        f"{quote(str(field.column))} = " + (f"to_timestamp(v.c{i})" if kind == "epoch" else f"v.c{i}")
        for i, (field, kind) in enumerate(zip(columns, kinds, strict=True))
    )


def _write_by_copy(
    connection: BaseDatabaseWrapper,
    table: str,
    pk_column: str,
    columns: Sequence[models.Field[Any, Any]],
    kinds: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> None:
    """Thousands of rows on PostgreSQL: ``COPY`` (binary) into a temporary table, one ``UPDATE … FROM`` it.

    Array literals are formatted by Python, quoted into the statement and parsed back by the server
    value by value; binary ``COPY`` rows are encoded by psycopg's C code and taken by the server
    without parsing text. The temporary table is made once per session for each shape of row and
    emptied at every commit (``ON COMMIT DELETE ROWS``); each write numbers its rows, so a second
    write of the same shape in one transaction updates from its own rows only. Three statements
    instead of one: worth it from ``COPY_FROM_ROWS`` rows.
    """
    batch = next(_COPY_BATCHES)
    types = ["int8", *(_COPY_TYPES[kind][0] for kind in kinds)]
    temporary = connection.ops.quote_name("tandem_bulk_" + "".join(_COPY_TYPES[kind][1] for kind in kinds))
    definition = ", ".join(
        ["batch int8", *(f"c{i} {t}" for i, t in enumerate(types[1:-1])), f"pk {types[-1]}"]
    )
    assignments = _assignments(connection.ops.quote_name, columns, kinds[:-1])
    update = (  # only quoted names go into the text; the batch is a parameter
        f"UPDATE {table} SET {assignments} FROM {temporary} AS v "  # noqa: S608
        f"WHERE v.batch = %s AND {table}.{pk_column} = v.pk"
    )
    with transaction.atomic(using=connection.alias, savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {temporary} ({definition}) ON COMMIT DELETE ROWS"
        )
        copy = f"COPY {temporary} FROM STDIN (FORMAT BINARY)"
        _copy_rows(connection, cursor, copy, types, ((batch, *row) for row in rows))
        cursor.execute(update, [batch])


def _copy_rows(
    connection: BaseDatabaseWrapper,
    cursor: Any,
    statement: str,
    types: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> None:
    """Run ``COPY … FROM STDIN`` with ``rows`` through the connection's execute wrappers, as a statement.

    Django passes ``cursor.copy`` straight to psycopg (logging it when queries are logged, as tests
    count them) but not through ``connection.execute_wrappers``; wrapping it here keeps the
    statement counted wherever statements are counted (the ``X-Query-Count`` header).
    """

    def run(sql: str, params: Any, many: bool, context: Any) -> None:
        with connection.wrap_database_errors, cursor.copy(sql) as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)

    executor: Callable[..., Any] = run
    for wrapper in reversed(connection.execute_wrappers):
        executor = functools.partial(wrapper, executor)
    executor(statement, None, False, {"connection": connection, "cursor": cursor})


def fetch_rows(connection: BaseDatabaseWrapper, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Every row of a query, read on PostgreSQL with psycopg's C loader for ``timestamptz``.

    The values are the same as Django's cursor returns (aware datetimes in the connection's time
    zone, UTC); the query still goes through Django's cursor, so it is logged and counted.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            import psycopg
            from psycopg.pq import Format

            oid = psycopg.postgres.types["timestamptz"].oid
            cursor.cursor.adapters.register_loader(oid, psycopg.adapters.get_loader(oid, Format.TEXT))
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _literal_kind(field: models.Field[Any, Any]) -> str:
    """Which array literal the field's values are written as ("" when psycopg adapts them)."""
    if isinstance(field, models.DateTimeField):
        return "timestamp"
    if isinstance(field, models.BooleanField):
        return "boolean"
    if isinstance(field, models.IntegerField | models.AutoField):
        return "integer"
    if isinstance(field, models.CharField | models.TextField):
        return "text"
    return ""


def _require_aware(values: Iterable[Any]) -> None:
    """Refuse a naive moment: PostgreSQL would read it in the session's time zone, not as ``save()`` does."""
    if any(v is not None and getattr(v, "tzinfo", None) is None for v in values):
        raise ValueError("a naive or non-datetime value cannot be written to a timestamptz column here")


def _text_element(value: str) -> str:
    """A text value as a quoted element of a PostgreSQL array literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


_ELEMENT: dict[str, Callable[[Any], str]] = {
    "timestamp": lambda value: f'"{value.isoformat(sep=" ")}"',
    "boolean": lambda value: "t" if value else "f",
    "integer": lambda value: str(int(value)),
    "text": _text_element,
}


def _array_literal(values: Sequence[Any], kind: str) -> str:
    """``values`` as a PostgreSQL array literal (``{…}``) of ``kind``; None is NULL.

    Timestamps are aware (``isoformat`` then carries the offset); the statement casts the literal
    to the column's array type, so PostgreSQL parses every element as it parses a typed constant.
    """
    # Each distinct value is formatted once: a plan's rows share most of their dates.
    elements = _Formatted(_ELEMENT[kind])
    elements[None] = "NULL"
    return "{" + ",".join(map(elements.__getitem__, values)) + "}"


class _Formatted(dict[Any, str]):
    def __init__(self, element: Callable[[Any], str]) -> None:
        super().__init__()
        self.element = element

    def __missing__(self, value: Any) -> str:
        out = self[value] = self.element(value)
        return out
