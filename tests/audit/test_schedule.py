from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django_celery_beat.models import PeriodicTask

SCHEDULE = importlib.import_module("audit.migrations.0003_nightly_verification")
CHECKPOINT = importlib.import_module("audit.migrations.0006_nightly_checkpoint")


def test_the_chain_is_verified_nightly_at_half_past_two_utc(db: Any) -> None:
    # The migration ran when the test database was made; running it again changes nothing.
    SCHEDULE.schedule(apps, None)
    SCHEDULE.schedule(apps, None)
    task = PeriodicTask.objects.get(name=SCHEDULE.TASK_NAME)
    assert task.task == "audit.tasks.verify_audit_chain"
    assert task.enabled
    assert (task.crontab.minute, task.crontab.hour, str(task.crontab.timezone)) == (
        "30",
        "2",
        "UTC",
    )
    assert PeriodicTask.objects.filter(task="audit.tasks.verify_audit_chain").count() == 1


def test_the_nightly_task_says_it_writes_a_checkpoint(db: Any) -> None:
    task = PeriodicTask.objects.get(name=SCHEDULE.TASK_NAME)
    assert task.description == CHECKPOINT.AFTER
    assert "signed checkpoint" in task.description
