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

    def schedule(apps: Any, schema_editor: Any) -> None:
        crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
        periodic_task = apps.get_model("django_celery_beat", "PeriodicTask")
        row = crontab_model.objects.filter(**crontab).first()
        if row is None:
            row = crontab_model.objects.create(**crontab)
        periodic_task.objects.update_or_create(
            name=name,
            defaults={
                "task": task,
                "crontab": row,
                "interval": None,
                "enabled": True,
                "description": description,
            },
        )

    def unschedule(apps: Any, schema_editor: Any) -> None:
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()

    return schedule, unschedule


def interval_task(
    *, name: str, task: str, minutes: int, description: str
) -> tuple[MigrationFunction, MigrationFunction]:
    """``(schedule, unschedule)`` for a task run every ``minutes`` minutes."""

    def schedule(apps: Any, schema_editor: Any) -> None:
        interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
        periodic_task = apps.get_model("django_celery_beat", "PeriodicTask")
        interval = {"every": minutes, "period": "minutes"}
        row = interval_model.objects.filter(**interval).first()
        if row is None:
            row = interval_model.objects.create(**interval)
        periodic_task.objects.update_or_create(
            name=name,
            defaults={
                "task": task,
                "interval": row,
                "crontab": None,
                "enabled": True,
                "description": description,
            },
        )

    def unschedule(apps: Any, schema_editor: Any) -> None:
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()

    return schedule, unschedule
