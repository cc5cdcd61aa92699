"""Background work for screening: washout reminders, re-evaluation, exports and
amendment-impact forecasts.

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
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone, translation

from outbox.services import Message, outbox_enqueue
from screening.log_formats import export_writer
from screening.models import ExportFile
from screening.services.amendments import amendment_impact_run
from screening.services.exports import log_export_build, log_exports_purge
from screening.services.reminders import screening_reevaluate, washout_reminders_send
from screening.services.retention import retention_review as retention_review_run

logger = logging.getLogger(__name__)


@shared_task
def washout_reminders(days: int | None = None) -> int:
    """One reminder per screening whose washout ends within ``days`` (default: its
    trial's ``washout_reminder_days``); returns how many were recorded. The daily
    beat job is ``notifications.tasks.send_reminders``, which records these too."""
    count = washout_reminders_send(within_days=days)
    logger.info("Washout reminders recorded: %d", count)
    return count


@shared_task
def retention_review() -> int:
    """Daily (beat, 05:30 UTC): list the identities due for erasure under the trials'
    retention policies, for a data manager to confirm; returns how many are listed.
    Erases nothing."""
    outcome = retention_review_run()
    logger.info(
        "Identities due for erasure: %d listed (%d new, %d no longer due)",
        outcome.listed,
        outcome.added,
        outcome.removed,
    )
    return outcome.listed


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


@shared_task
def build_log_export(export_id: int) -> str:
    """Write the file of one requested export of the screening log; returns its status."""
    export = ExportFile.objects.get(pk=export_id)
    write, extension = export_writer(export.file_format)
    # The file is the same whatever language the person who asked for it reads
    # (a task run in place inherits the request's): docs/languages.md.
    with translation.override(settings.LANGUAGE_CODE):
        return log_export_build(export_id=export_id, write=write, extension=extension)


def queue_log_export(export_id: int) -> None:
    """Build this export once the current transaction commits."""
    outbox_enqueue(
        messages=[
            Message(
                task=build_log_export.name,
                arguments={"export_id": export_id},
                key=f"screening.export:{export_id}",
            )
        ]
    )


@shared_task
def forecast_amendment_impact(impact_id: int) -> str:
    """Evaluate the open screenings of a trial under a new protocol version."""
    return amendment_impact_run(impact_id).status


def queue_amendment_impact(impact_id: int) -> None:
    """Forecast once the current transaction commits."""
    outbox_enqueue(
        messages=[
            Message(
                task=forecast_amendment_impact.name,
                arguments={"impact_id": impact_id},
                key=f"screening.amendment_impact:{impact_id}",
            )
        ]
    )


@shared_task
def purge_exports() -> int:
    """Daily (beat, 03:45 UTC): delete the files of expired exports; returns how many."""
    count = log_exports_purge()
    logger.info("Exports expired: %d", count)
    return count
