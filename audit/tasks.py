"""Background work for the audit trail."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from audit.checkpoints import write_checkpoint
from audit.signals import chain_check_failed
from audit.verify import verify_chain

logger = logging.getLogger(__name__)


@shared_task
def verify_audit_chain() -> dict[str, Any]:
    """Nightly check of the whole chain (scheduled by a data migration at 02:30 UTC).

    An intact chain gets a signed checkpoint written outside the database
    (``audit/checkpoints.py``); a broken one gets none, so no checkpoint ever
    vouches for a tampered chain. Either failure is logged at ERROR and announced
    (``audit.signals.chain_check_failed``: data managers are notified).
    """
    report = verify_chain()
    result = report.as_dict()
    result["checkpoint"] = None
    if not report.intact:
        logger.error("Audit chain broken: %s", report.summary())
        _announce(f"Audit chain broken: {report.summary()}")
        return result
    logger.info("Audit chain verified: %s", report.summary())
    try:
        checkpoint = write_checkpoint()
    except OSError as error:
        logger.error("Audit checkpoint not written: %s", error)
        _announce(f"Audit checkpoint not written: {error}")
        return result
    logger.info("Audit checkpoint written: %s", checkpoint.describe())
    result["checkpoint"] = checkpoint.as_dict()
    return result


def _announce(summary: str) -> None:
    """Tell whoever listens; a listener that fails is logged, never hides the failure."""
    for receiver, outcome in chain_check_failed.send_robust(
        sender=verify_audit_chain, summary=summary
    ):
        if isinstance(outcome, Exception):
            logger.error("Audit check failure not announced by %r: %s", receiver, outcome)
