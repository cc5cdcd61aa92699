"""Schedule the daily washout reminders (06:00 UTC) in django-celery-beat."""

from django.db import migrations

TASK_NAME = "Remind sites of washouts ending"
CRONTAB = {
    "minute": "0",
    "hour": "6",
    "day_of_week": "*",
    "day_of_month": "*",
    "month_of_year": "*",
    "timezone": "UTC",
}


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab = CrontabSchedule.objects.filter(**CRONTAB).first()
    if crontab is None:
        crontab = CrontabSchedule.objects.create(**CRONTAB)
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "screening.tasks.washout_reminders",
            "crontab": crontab,
            "interval": None,
            "enabled": True,
            "description": "Records a reminder for each screening whose washout ends within 7 days.",
        },
    )


def unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
