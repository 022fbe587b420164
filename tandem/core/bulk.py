"""Write many rows' columns in one round trip, at a cost that follows the number of rows.

Django's ``bulk_update`` builds one ``CASE WHEN id = … THEN …`` expression per field over every row
of a batch: on 5,000 rows and 15 fields that is 75,000 resolved expressions, and the database then
evaluates a CASE for every field of every row — seconds for what is a plain keyed write. A
reschedule writes the computed columns of thousands of tasks after one edit, so it needs the plain
keyed write:

- PostgreSQL: one ``UPDATE … FROM unnest(%s::type[], …)`` statement, the values as typed arrays;
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
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper


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
        arrays: list[Any] = [
            _array_literal(values, "integer" if epoch else kind)
            if (kind := _literal_kind(field)) or epoch
            else list(values)
            for values, field, epoch in zip(
                zip(*rows, strict=True), [*columns, pk], [*epochs, False], strict=True
            )
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
        assignments = ", ".join(
            f"{quote(str(field.column))} = " + (f"to_timestamp(v.c{i})" if epoch else f"v.c{i}")
            for i, (field, epoch) in enumerate(zip(columns, epochs, strict=True))
        )
        # Only quoted names of Tandem's own model go into the text; every value is a parameter.
        source = f"unnest({unnest}) AS v({', '.join(aliases)})"
        sql = f"UPDATE {table} SET {assignments} FROM {source} WHERE {table}.{quote(pk.column)} = v.pk"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, arrays)
        return len(rows)
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in columns)
    sql = f"UPDATE {table} SET {assignments} WHERE {quote(pk.column)} = %s"  # noqa: S608 - quoted names
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


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

    Timestamps must be aware (``isoformat`` then carries the offset); the statement casts the literal
    to the column's array type, so PostgreSQL parses every element as it parses a typed constant.
    """
    if kind == "timestamp" and any(v is not None and getattr(v, "tzinfo", None) is None for v in values):
        raise ValueError("a naive or non-datetime value cannot be written to a timestamptz column here")
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
