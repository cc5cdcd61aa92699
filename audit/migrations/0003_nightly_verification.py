"""Schedule the nightly audit-chain verification (02:30 UTC) in django-celery-beat."""

from django.db import migrations

TASK_NAME = "Verify the audit chain"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab = CrontabSchedule.objects.filter(
        minute="30",
        hour="2",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="UTC",
    ).first()
    if crontab is None:
        crontab = CrontabSchedule.objects.create(
            minute="30",
            hour="2",
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone="UTC",
        )
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "audit.tasks.verify_audit_chain",
            "crontab": crontab,
            "interval": None,
            "enabled": True,
            "description": "Walks the audit chain and logs an error at the first broken link.",
        },
    )


def unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_triggers"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
