"""Background work for the audit trail."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from audit.verify import verify_chain

logger = logging.getLogger(__name__)


@shared_task
def verify_audit_chain() -> dict[str, Any]:
    """Nightly check of the whole chain (scheduled by a data migration at 02:30 UTC)."""
    report = verify_chain()
    if report.intact:
        logger.info("Audit chain verified: %s", report.summary())
    else:
        logger.error("Audit chain broken: %s", report.summary())
    return report.as_dict()
