from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models

KINDS = [("phase", "Phase"), ("work_package", "Work package"), ("task", "Task"), ("milestone", "Milestone")]
VISIBILITIES = [("internal", "Internal"), ("shared", "Shared with client")]

#: The copy of its task each baseline row keeps (``task_uid`` is filled by the next migration).
COPIED_FIELDS = {
    "task_uid": models.PositiveIntegerField(null=True, verbose_name="task id"),
    "wbs": models.CharField(blank=True, max_length=60, verbose_name="WBS"),
    "shared_wbs": models.CharField(blank=True, max_length=60, verbose_name="WBS"),
    "name": models.CharField(blank=True, max_length=200, verbose_name="name"),
    "kind": models.CharField(choices=KINDS, default="task", max_length=20, verbose_name="kind"),
    "visibility": models.CharField(
        choices=VISIBILITIES, default="internal", max_length=10, verbose_name="visibility"
    ),
}


class Migration(migrations.Migration):
    """Baseline rows get their own copy of the task (id, outline, name, kind, visibility) and outlive it."""

    dependencies = [
        ("planning", "0003_percent_complete_label"),
    ]

    operations = [
        *(
            migrations.AddField(model_name="baselinetask", name=name, field=field)
            for name, field in COPIED_FIELDS.items()
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
