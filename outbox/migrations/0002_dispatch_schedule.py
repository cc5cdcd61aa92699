"""Schedule the outbox's dispatcher (every minute) in django-celery-beat."""

from django.db import migrations

from config.beat import interval_task

TASK_NAME = "Hand waiting background work to the workers"

schedule, unschedule = interval_task(
    name=TASK_NAME,
    task="outbox.tasks.dispatch_outbox",
    minutes=1,
    description=(
        "Publishes the outbox messages that could not be handed to the broker when their "
        "change was saved (the broker was down, or a message is backing off)."
    ),
)


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
