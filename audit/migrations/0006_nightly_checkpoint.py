"""The nightly verification now also writes a signed checkpoint: its description says so.

Only the description changes; whether the task is enabled, and when it runs,
stay as the site's administrators left them.
"""

from django.db import migrations

TASK_NAME = "Verify the audit chain"
BEFORE = "Walks the audit chain and logs an error at the first broken link."
AFTER = (
    "Walks the audit chain against its keys and checkpoints, logs an error at the first "
    "broken link and, when the chain is intact, appends a signed checkpoint to "
    "AUDIT_CHECKPOINT_DIR."
)


def _describe(apps, text):
    periodic_task = apps.get_model("django_celery_beat", "PeriodicTask")
    periodic_task.objects.filter(name=TASK_NAME).update(description=text)


def forward(apps, schema_editor):
    _describe(apps, AFTER)


def backward(apps, schema_editor):
    _describe(apps, BEFORE)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_event_key_id"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forward, backward)]
