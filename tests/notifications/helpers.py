"""Shared steps for the notification tests."""

from __future__ import annotations

from typing import Any

from notifications.models import Notification
from outbox.models import OutboxMessage


def kinds_of(user: Any) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def run_waiting_email() -> int:
    """Run the e-mail work waiting in the outbox, as a worker would; returns how many."""
    from config.celery import app

    waiting = OutboxMessage.objects.filter(
        dispatched_at__isnull=True, task__startswith="notifications.tasks.email"
    ).order_by("pk")
    count = 0
    for message in waiting:
        app.tasks[message.task].apply(kwargs=message.arguments, throw=True)
        count += 1
    return count
