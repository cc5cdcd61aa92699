"""Periodic tasks for django-celery-beat, created and removed by data migrations.

A migration names the task and its time once; ``daily_task`` (every day at a
time) and ``interval_task`` (every few minutes) give the pair of functions
``migrations.RunPython`` takes. Running the forward function again
changes nothing (the schedule is looked up before it is created).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MigrationFunction = Callable[[Any, Any], None]


def daily_task(
    *, name: str, task: str, hour: int, minute: int, description: str
) -> tuple[MigrationFunction, MigrationFunction]:
    """``(schedule, unschedule)`` for a task run every day at ``hour:minute`` UTC."""
    crontab = {
        "minute": str(minute),
        "hour": str(hour),
        "day_of_week": "*",
        "day_of_month": "*",
        "month_of_year": "*",
        "timezone": "UTC",
    }
    return _periodic(name, task, description, "crontab", "CrontabSchedule", crontab)


def interval_task(
    *, name: str, task: str, minutes: int, description: str
) -> tuple[MigrationFunction, MigrationFunction]:
    """``(schedule, unschedule)`` for a task run every ``minutes`` minutes."""
    interval = {"every": minutes, "period": "minutes"}
    return _periodic(name, task, description, "interval", "IntervalSchedule", interval)


def _periodic(
    name: str, task: str, description: str, kind: str, model: str, when: dict[str, Any]
) -> tuple[MigrationFunction, MigrationFunction]:
    """The pair for a task on one schedule row (``kind``: "crontab" or "interval"),
    found or created, the other kind of schedule cleared."""
    other = "interval" if kind == "crontab" else "crontab"

    def schedule(apps: Any, schema_editor: Any) -> None:
        schedule_model = apps.get_model("django_celery_beat", model)
        periodic_task = apps.get_model("django_celery_beat", "PeriodicTask")
        row = schedule_model.objects.filter(**when).first()
        if row is None:
            row = schedule_model.objects.create(**when)
        periodic_task.objects.update_or_create(
            name=name,
            defaults={
                "task": task,
                kind: row,
                other: None,
                "enabled": True,
                "description": description,
            },
        )

    def unschedule(apps: Any, schema_editor: Any) -> None:
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()

    return schedule, unschedule
