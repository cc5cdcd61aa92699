"""Background work for notifications: the daily scans, and e-mail.

Tasks take ids (and ISO 8601 times) and call a service. E-mail tasks are queued
through the outbox by the transaction that created the notification, so nothing is
sent for a notification that was rolled back.
"""

from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task
from django.db import OperationalError

from notifications.reminders import reminders_send
from notifications.services import digest_send, digests_queue, notification_email_send

logger = logging.getLogger(__name__)


@shared_task
def send_reminders() -> dict[str, int]:
    """Daily (beat, 06:00 UTC): washout, signature, query and result-validity reminders;
    returns how many
    notifications of each kind were made (0 when run again the same day)."""
    report = reminders_send()
    logger.info("Reminders: %s", report.as_dict())
    return report.as_dict()


@shared_task
def send_digests() -> int:
    """Daily (beat, 07:00 UTC): queue one digest e-mail per person who wants one."""
    count = digests_queue()
    logger.info("Notification digests queued: %d", count)
    return count


# A lock or dropped connection is retried: the row lock and ``emailed_at`` make a
# second run send nothing.
@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def email_notification(notification_id: int) -> str:
    return notification_email_send(notification_id=notification_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def email_digest(user_id: int, before: str) -> int:
    return digest_send(user_id=user_id, before=datetime.fromisoformat(before))
