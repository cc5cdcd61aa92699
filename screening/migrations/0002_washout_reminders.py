"""Schedule the daily washout reminders (06:00 UTC) in django-celery-beat."""

from django.db import migrations

from config.beat import daily_task

TASK_NAME = "Remind sites of washouts ending"

schedule, unschedule = daily_task(
    name=TASK_NAME,
    task="screening.tasks.washout_reminders",
    hour=6,
    minute=0,
    description="Records a reminder for each screening whose washout ends within 7 days.",
)


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
