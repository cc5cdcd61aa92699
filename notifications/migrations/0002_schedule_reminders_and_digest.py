"""Schedule the daily reminders (06:00 UTC, in place of the washout-only job, under its
name) and the daily digest e-mail (07:00 UTC) in django-celery-beat."""

import importlib
from typing import Any

from django.db import migrations

from config.beat import daily_task

REMINDERS = "Remind sites of washouts ending"  # screening 0002's name: one job, not two
DIGEST = "E-mail notification digests"

schedule_reminders, _ = daily_task(
    name=REMINDERS,
    task="notifications.tasks.send_reminders",
    hour=6,
    minute=0,
    description=(
        "Notifies coordinators of washouts ending (per trial), investigators of decisions "
        "awaiting signature, coordinators and raisers of open queries."
    ),
)
schedule_digest, unschedule_digest = daily_task(
    name=DIGEST,
    task="notifications.tasks.send_digests",
    hour=7,
    minute=0,
    description="E-mails each person who asked for a digest the notifications not yet sent.",
)


def schedule(apps: Any, schema_editor: Any) -> None:
    schedule_reminders(apps, schema_editor)
    schedule_digest(apps, schema_editor)


def unschedule(apps: Any, schema_editor: Any) -> None:
    unschedule_digest(apps, schema_editor)
    washout = importlib.import_module("screening.migrations.0002_washout_reminders")
    washout.schedule(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("screening", "0002_washout_reminders"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
