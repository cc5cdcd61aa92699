"""Schedule the daily deletion of expired export files (03:45 UTC) in django-celery-beat."""

from django.db import migrations

from config.beat import daily_task

TASK_NAME = "Delete expired exports"

schedule, unschedule = daily_task(
    name=TASK_NAME,
    task="screening.tasks.purge_exports",
    hour=3,
    minute=45,
    description="Deletes the files of screening-log exports past EXPORT_KEEP_DAYS.",
)


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0005_export_files"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
