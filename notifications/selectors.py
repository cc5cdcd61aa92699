"""Reading one's own notifications."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from notifications.models import Notification


def notifications_of(user: Any) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    return Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-pk")


def unread_count(user: Any) -> int:
    """One COUNT on the partial index of unread rows."""
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def results_to_repeat(user: Any, *, limit: int = 20) -> list[Notification]:
    """The user's unread reminders of results to repeat (the daily scan's), newest first."""
    from notifications.models import Kind

    unread = notifications_of(user).filter(kind=Kind.RESULT_EXPIRING, read_at__isnull=True)
    return list(unread[:limit])
