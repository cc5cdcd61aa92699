"""Identities due for erasure, and the daily review that lists them (05:30 UTC)."""

import django.db.models.deletion
from django.db import migrations, models

from config.beat import daily_task

TASK_NAME = "List identities due for erasure"

schedule, unschedule = daily_task(
    name=TASK_NAME,
    task="screening.tasks.retention_review",
    hour=5,
    minute=30,
    description="Lists candidates whose identity is due for erasure under their trial's "
    "retention policy, for a data manager to confirm. Erases nothing.",
)


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0011_identity_sealed"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="RetentionDue",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("due_on", models.DateField()),
                ("rule", models.CharField(help_text="The policy that made it due, in words.", max_length=200)),
                ("listed_at", models.DateTimeField()),
                (
                    "candidate",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="retention_due",
                        to="screening.candidate",
                    ),
                ),
            ],
            options={"ordering": ["due_on", "candidate__screening_number"]},
        ),
        migrations.RunPython(schedule, unschedule),
    ]
