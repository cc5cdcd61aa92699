"""Schedule the daily removal of stale login throttles (03:15 UTC) in django-celery-beat."""

from django.db import migrations

TASK_NAME = "Forget stale login throttles"
CRONTAB = {
    "minute": "15",
    "hour": "3",
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
            "task": "accounts.tasks.purge_login_throttles",
            "crontab": crontab,
            "interval": None,
            "enabled": True,
            "description": "Removes throttles with no lock in force and no recent failure.",
        },
    )


def unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_login_throttle"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
