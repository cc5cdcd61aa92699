"""Background work for accounts."""

from __future__ import annotations

import logging

from celery import shared_task

from accounts.services import login_throttles_purge

logger = logging.getLogger(__name__)


@shared_task
def purge_login_throttles() -> int:
    """Daily (beat, 03:15 UTC): forget login throttles that no longer count."""
    removed = login_throttles_purge()
    logger.info("Login throttles removed: %d", removed)
    return removed
