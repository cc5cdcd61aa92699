"""Schedule the nightly audit-chain verification (02:30 UTC) in django-celery-beat."""

from django.db import migrations

from config.beat import daily_task

TASK_NAME = "Verify the audit chain"

schedule, unschedule = daily_task(
    name=TASK_NAME,
    task="audit.tasks.verify_audit_chain",
    hour=2,
    minute=30,
    description="Walks the audit chain and logs an error at the first broken link.",
)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_triggers"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
