"""Schedule the daily removal of stale login throttles (03:15 UTC) in django-celery-beat."""

from django.db import migrations

from config.beat import daily_task

TASK_NAME = "Forget stale login throttles"

schedule, unschedule = daily_task(
    name=TASK_NAME,
    task="accounts.tasks.purge_login_throttles",
    hour=3,
    minute=15,
    description="Removes throttles with no lock in force and no recent failure.",
)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_login_throttle"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
