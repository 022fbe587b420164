from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Baseline rows get their own copy of the task (id, outline, name, kind, visibility) and outlive it."""

    dependencies = [
        ("planning", "0003_percent_complete_label"),
    ]

    operations = [
        migrations.AddField(
            model_name="baselinetask",
            name="task_uid",
            field=models.PositiveIntegerField(null=True, verbose_name="task id"),
        ),
        migrations.AddField(
            model_name="baselinetask",
            name="wbs",
            field=models.CharField(blank=True, max_length=60, verbose_name="WBS"),
        ),
        migrations.AddField(
            model_name="baselinetask",
            name="shared_wbs",
            field=models.CharField(blank=True, max_length=60, verbose_name="WBS"),
        ),
        migrations.AddField(
            model_name="baselinetask",
            name="name",
            field=models.CharField(blank=True, max_length=200, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="baselinetask",
            name="kind",
            field=models.CharField(
                choices=[
                    ("phase", "Phase"),
                    ("work_package", "Work package"),
                    ("task", "Task"),
                    ("milestone", "Milestone"),
                ],
                default="task",
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.AddField(
            model_name="baselinetask",
            name="visibility",
            field=models.CharField(
                choices=[("internal", "Internal"), ("shared", "Shared with client")],
                default="internal",
                max_length=10,
                verbose_name="visibility",
            ),
        ),
        migrations.AlterField(
            model_name="baselinetask",
            name="task",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="baseline_rows",
                to="planning.task",
            ),
        ),
    ]
