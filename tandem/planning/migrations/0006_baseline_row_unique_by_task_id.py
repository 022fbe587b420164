from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    """One row per task id in a baseline (the task itself may be gone); every row names its task id."""

    dependencies = [
        ("planning", "0005_backfill_baseline_row_copies"),
    ]

    operations = [
        migrations.AlterField(
            model_name="baselinetask",
            name="task_uid",
            field=models.PositiveIntegerField(verbose_name="task id"),
        ),
        migrations.RemoveConstraint(
            model_name="baselinetask",
            name="one_row_per_task_in_baseline",
        ),
        migrations.AddConstraint(
            model_name="baselinetask",
            constraint=models.UniqueConstraint(
                fields=("baseline", "task_uid"), name="one_row_per_task_uid_in_baseline"
            ),
        ),
    ]
