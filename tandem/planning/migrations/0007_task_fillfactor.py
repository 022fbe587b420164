"""On PostgreSQL, leave room in the task table's pages for updates in place.

A reschedule rewrites the dates and floats of every task an edit moved, often thousands of rows.
None of those columns is indexed, so PostgreSQL can write each new row version into the same page
without touching the table's seven indexes (a "HOT" update) — when the page has room. With the
default fill factor of 100 it seldom has; at 70, a 5,000-row reschedule's write took about a third
of the time in ``benchmarks/e2e.py``. Existing pages get the room as they are rewritten. SQLite has
no such setting; nothing is done there.
"""

from collections.abc import Callable

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def _fillfactor(value: int) -> Callable[[StateApps, BaseDatabaseSchemaEditor], None]:
    def run(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE planning_task SET (fillfactor = {int(value)})")

    return run


class Migration(migrations.Migration):
    dependencies = [("planning", "0006_baseline_row_unique_by_task_id")]

    operations = [migrations.RunPython(_fillfactor(70), _fillfactor(100))]
