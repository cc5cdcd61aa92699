"""Background work for the audit trail."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from audit.checkpoints import write_checkpoint
from audit.verify import verify_chain

logger = logging.getLogger(__name__)


@shared_task
def verify_audit_chain() -> dict[str, Any]:
    """Nightly check of the whole chain (scheduled by a data migration at 02:30 UTC).

    An intact chain gets a signed checkpoint written outside the database
    (``audit/checkpoints.py``); a broken one gets none, so no checkpoint ever
    vouches for a tampered chain. Either failure is logged at ERROR.
    """
    report = verify_chain()
    result = report.as_dict()
    result["checkpoint"] = None
    if not report.intact:
        logger.error("Audit chain broken: %s", report.summary())
        return result
    logger.info("Audit chain verified: %s", report.summary())
    try:
        checkpoint = write_checkpoint()
    except OSError as error:
        logger.error("Audit checkpoint not written: %s", error)
        return result
    logger.info("Audit checkpoint written: %s", checkpoint.describe())
    result["checkpoint"] = checkpoint.as_dict()
    return result
