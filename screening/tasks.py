"""Background work for screening: washout reminders and re-evaluation.

Tasks take ids and call a service; callers queue them through the outbox
(``outbox.services.outbox_enqueue``), which records them in the caller's
transaction and hands them to a worker once it commits, so a worker never looks
for rows not yet committed and a broker outage loses nothing. Screenings stay
pinned to their protocol version, so activating an amendment re-evaluates
nothing; a changed catalogue or reference range does.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from outbox.services import Message, outbox_enqueue
from screening.services.reminders import screening_reevaluate, washout_reminders_send

logger = logging.getLogger(__name__)


@shared_task
def washout_reminders(days: int = 7) -> int:
    """Daily (beat, 06:00 UTC): one reminder per screening whose washout ends within
    ``days``; returns how many were recorded."""
    count = washout_reminders_send(within_days=days)
    logger.info("Washout reminders recorded: %d", count)
    return count


# A lock, deadlock or dropped connection is retried: running again is harmless, since
# an evaluation recorded meanwhile makes the retry record nothing ("current").
@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def reevaluate_screening(screening_id: int, changed_at: str | None = None) -> str:
    """Record a fresh evaluation of one open screening; returns its status, or
    ``"current"`` when one was recorded after ``changed_at`` (ISO 8601) already."""
    since = datetime.fromisoformat(changed_at) if changed_at else None
    return screening_reevaluate(screening_id=screening_id, changed_at=since)


def queue_reevaluation(screening_ids: Iterable[int]) -> None:
    """Re-evaluate these screenings once the current transaction commits.

    One outbox message per screening: a change that queues the same screening twice
    (many rows saved together), or a second change before the first was handed over,
    updates the waiting message to the latest change's time rather than adding one.
    """
    changed_at = timezone.now().isoformat()
    outbox_enqueue(
        messages=[
            Message(
                task=reevaluate_screening.name,
                arguments={"screening_id": screening_id, "changed_at": changed_at},
                key=f"screening.reevaluate:{screening_id}",
            )
            for screening_id in screening_ids
        ]
    )
