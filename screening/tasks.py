"""Background work for screening: washout reminders and re-evaluation.

Tasks take ids and call a service; callers queue them with
``transaction.on_commit`` so a worker never looks for rows not yet committed.
Screenings stay pinned to their protocol version, so activating an amendment
re-evaluates nothing; a changed catalogue or reference range does.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from functools import partial

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from screening.services.reminders import screening_reevaluate, washout_reminders_send

logger = logging.getLogger(__name__)


@shared_task
def washout_reminders(days: int = 7) -> int:
    """Daily (beat, 06:00 UTC): one reminder per screening whose washout ends within
    ``days``; returns how many were recorded."""
    count = washout_reminders_send(within_days=days)
    logger.info("Washout reminders recorded: %d", count)
    return count


@shared_task
def reevaluate_screening(screening_id: int, changed_at: str | None = None) -> str:
    """Record a fresh evaluation of one open screening; returns its status, or
    ``"current"`` when one was recorded after ``changed_at`` (ISO 8601) already."""
    since = datetime.fromisoformat(changed_at) if changed_at else None
    return screening_reevaluate(screening_id=screening_id, changed_at=since)


def queue_reevaluation(screening_ids: Iterable[int]) -> None:
    """Re-evaluate these screenings once the current transaction commits."""
    changed_at = timezone.now().isoformat()
    for screening_id in screening_ids:
        transaction.on_commit(partial(reevaluate_screening.delay, screening_id, changed_at))
