from __future__ import annotations

from typing import Any

from django.db import migrations

FIELDS = ("wbs", "shared_wbs", "name", "kind", "visibility")


def copy_task_into_rows(apps: Any, schema_editor: Any) -> None:
    """Fill each baseline row's copy from its task (re-runnable: only rows without a task id)."""
    BaselineTask = apps.get_model("planning", "BaselineTask")
    rows = list(BaselineTask.objects.filter(task_uid__isnull=True).select_related("task"))
    for row in rows:
        row.task_uid = row.task_id
        for field in FIELDS:
            setattr(row, field, getattr(row.task, field))
    BaselineTask.objects.bulk_update(rows, ["task_uid", *FIELDS], batch_size=500)


class Migration(migrations.Migration):
    """Backfill the copy of the task kept in every existing baseline row."""

    dependencies = [
        ("planning", "0004_baseline_rows_copy_their_task"),
    ]

    operations = [
        migrations.RunPython(copy_task_into_rows, migrations.RunPython.noop),
    ]
