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
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections, models, router


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
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> int:
    """Store rows of ``(value, …, pk)``, the values already as the database stores them
    (``get_db_prep_save``) in the order of ``fields``, the primary key last; return the row count."""
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
        arrays = [list(values) for values in zip(*rows, strict=True)]
        types = [*(field.db_type(connection) for field in columns), pk.db_type(connection)]
        aliases = [*(f"c{i}" for i in range(len(columns))), "pk"]
        unnest = ", ".join(f"%s::{kind}[]" for kind in types)
        assignments = ", ".join(f"{quote(str(field.column))} = v.c{i}" for i, field in enumerate(columns))
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
