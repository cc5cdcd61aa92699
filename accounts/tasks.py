"""Background work for accounts."""

from __future__ import annotations

import logging

from celery import shared_task

from accounts.services import login_throttles_purge, password_links_expire

logger = logging.getLogger(__name__)


@shared_task
def purge_login_throttles() -> int:
    """Daily (beat, 03:15 UTC): record the password links that expired unused and the
    sign-in noise counted in windows that have ended, then forget login throttles that
    no longer count. Returns how many throttles were removed."""
    expired = password_links_expire()
    removed = login_throttles_purge()
    logger.info("Password links expired: %d; login throttles removed: %d", expired, removed)
    return removed
