from django.db import migrations, models

#: The roles holding the new right in each preset when it arrived (a custom project gets the client PM).
_ROLES = {
    "team_led": ["client_pm"],
    "joint": ["client_pm"],
    "client_as_pm": ["client_pm", "sponsor"],
}


def add_rights(apps, schema_editor):
    """Every existing project gets the 'approve timesheets' right its preset gives."""
    Project = apps.get_model("projects", "Project")
    DecisionRight = apps.get_model("projects", "DecisionRight")
    have = set(DecisionRight.objects.filter(kind="approve_timesheets").values_list("project_id", flat=True))
    DecisionRight.objects.bulk_create(
        DecisionRight(project_id=pk, kind="approve_timesheets", roles=_ROLES.get(preset, ["client_pm"]))
        for pk, preset in Project.objects.values_list("pk", "decision_preset")
        if pk not in have
    )


def remove_rights(apps, schema_editor):
    apps.get_model("projects", "DecisionRight").objects.filter(kind="approve_timesheets").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0002_kpi_measurements"),
    ]

    operations = [
        migrations.AlterField(
            model_name="decisionright",
            name="kind",
            field=models.CharField(
                choices=[
                    ("confirm_charter", "Confirm charter"),
                    ("confirm_requirement", "Confirm requirement"),
                    ("prioritise_backlog", "Prioritise backlog"),
                    ("approve_change", "Approve change"),
                    ("approve_baseline", "Approve baseline"),
                    ("accept_deliverable", "Accept deliverable"),
                    ("close_risk", "Close risk"),
                    ("approve_status_report", "Approve status report"),
                    ("approve_timesheets", "Approve timesheets"),
                ],
                max_length=30,
                verbose_name="decision",
            ),
        ),
        migrations.RunPython(add_rights, remove_rights),
    ]
