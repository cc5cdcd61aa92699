"""The beat job that drains the outbox."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings

from outbox.dispatcher import BATCH, outbox_dispatch, outbox_purge

logger = logging.getLogger(__name__)

# At most this many batches a run, so one run ends well before beat starts the next.
_BATCHES = 20


@shared_task
def dispatch_outbox() -> dict[str, int]:
    """Every minute (beat): hand over the work still waiting in the outbox, then forget
    what was handed over more than ``OUTBOX_KEEP_DAYS`` ago. Returns the counts."""
    sent = failed = unreachable = 0
    for _ in range(_BATCHES):
        report = outbox_dispatch(limit=BATCH)
        sent, failed = sent + report.sent, failed + report.failed
        unreachable += report.unreachable
        if report.unreachable or report.sent + report.failed < BATCH:
            break
    purged = outbox_purge(older_than=timedelta(days=getattr(settings, "OUTBOX_KEEP_DAYS", 7)))
    if sent or failed or unreachable:
        logger.info(
            "Outbox: %d handed over, %d backing off, %d waiting for the broker",
            sent,
            failed,
            unreachable,
        )
    return {"sent": sent, "failed": failed, "unreachable": unreachable, "purged": purged}
