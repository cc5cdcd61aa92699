"""Exports that leave Eligo: each is recorded in the audit trail before it is written."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record
from screening.models import ExportFile, ExportStatus, Screening
from screening.selectors import not_started_candidates, screening_log

logger = logging.getLogger(__name__)

LOG_EXPORTED = "screening.log.exported"

ExportWriter = Callable[[ExportFile, IO[bytes], Callable[[int], None]], int]


def chosen_filters(filters: Mapping[str, Any]) -> dict[str, Any]:
    """The filters that narrow the log (empty ones dropped)."""
    return {name: value for name, value in filters.items() if value}


def log_export_count(*, user: User, filters: Mapping[str, Any]) -> int:
    """How many rows an export of the log under ``filters`` would hold: its attempts
    and its registered candidates whose screening has not started."""
    chosen = chosen_filters(filters)
    return screening_log(user, **chosen).count() + not_started_candidates(user, **chosen).count()


def log_export_audit(
    *,
    user: User,
    filters: Mapping[str, Any],
    file_format: str,
    rows: int,
    request: HttpRequest | None = None,
) -> None:
    """Record that ``user`` downloads the log under ``filters`` as ``file_format``:
    written before the first byte of the file."""
    with transaction.atomic():
        audit_record(
            actor=user,
            action=LOG_EXPORTED,
            changes=export_changes(chosen_filters(filters), file_format, rows=rows),
            request=request,
        )


def export_changes(
    chosen: Mapping[str, Any], file_format: str, *, rows: int | None = None
) -> dict[str, dict[str, Any]]:
    """What an export's audit event says about it: filters, format, attempts."""
    changes: dict[str, dict[str, Any]] = {
        "filters": {
            "old": None,
            "new": {name: str(value) for name, value in chosen.items()} or None,
            "label": "Filters",
        },
        "format": {"old": None, "new": file_format, "label": "Format"},
    }
    if rows is not None:
        changes["rows"] = {"old": None, "new": rows, "label": "Screening attempts"}
    return changes


RECORD_DOWNLOADED = "screening.record.downloaded"


def screening_record_download(
    *, user: User, screening: Screening, request: HttpRequest | None = None
) -> None:
    """Record that ``user`` takes the signed eligibility record of ``screening`` away
    as a file: a copy that leaves Eligo, filed at the candidate's site."""
    with transaction.atomic():
        audit_record(
            actor=user,
            action=RECORD_DOWNLOADED,
            obj=screening,
            site=screening.candidate.site,
            request=request,
        )


# --- Exports built by a worker -----------------------------------------------------

EXPORT_REQUESTED = "screening.export.requested"
EXPORT_BUILT = "screening.export.built"
EXPORT_FAILED = "screening.export.failed"
EXPORT_DOWNLOADED = "screening.export.downloaded"
EXPORT_EXPIRED = "screening.export.expired"
_ERROR_LENGTH = 2000


def export_path(export: ExportFile) -> Path:
    """Where the export's file is (or will be) kept."""
    return Path(settings.EXPORT_DIR) / (export.file_name or f"export-{export.pk}")


def log_export_request(
    *,
    user: User,
    filters: Mapping[str, str],
    file_format: str,
    rows: int,
    request: HttpRequest | None = None,
) -> ExportFile:
    """Ask a worker to build an export of the log; it is queued through the outbox in
    this transaction, so it runs once the request is committed. ``filters``: the log's
    query-string values, applied again with the owner's access when the file is built."""
    from screening.tasks import queue_log_export  # tasks import the services

    chosen = {name: str(value) for name, value in filters.items() if value}
    with transaction.atomic():
        export = ExportFile.objects.create(
            owner=user, file_format=file_format, filters=chosen, rows_total=rows
        )
        audit_record(
            actor=user,
            action=EXPORT_REQUESTED,
            obj=export,
            changes=export_changes(chosen, file_format, rows=rows),
            request=request,
        )
        queue_log_export(export.pk)
    return export


def log_export_build(*, export_id: int, write: ExportWriter, extension: str) -> str:
    """Build the file of one requested export with ``write(export, file, progress)``
    (which returns the rows written); returns the export's status afterwards.

    The file is written beside its final name and moved there only when whole. Run
    again after a worker died, it starts over; a finished export is left alone."""
    export = ExportFile.objects.select_related("owner").get(pk=export_id)
    if export.done:
        return export.status
    ExportFile.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING, rows_done=0)
    # A name nobody can guess, though the folder is never served.
    export.file_name = f"export-{export.pk}-{secrets.token_hex(8)}.{extension}.part"
    final = export_path(export).with_suffix("")
    partial = export_path(export)
    partial.parent.mkdir(parents=True, exist_ok=True)

    def progress(rows: int) -> None:
        ExportFile.objects.filter(pk=export.pk).update(rows_done=rows)

    try:
        with partial.open("wb") as target:
            rows = write(export, target, progress)
        partial.replace(final)
    except Exception as error:
        # Whatever went wrong, the owner is told on the export's page and the trail
        # says so; the traceback goes to the worker's log.
        logger.exception("Export %s failed", export.pk)
        partial.unlink(missing_ok=True)
        _finish_failed(export, error)
        return ExportStatus.FAILED
    export.file_name = final.name
    _finish_ready(export, rows=rows, size=final.stat().st_size)
    return ExportStatus.READY


def _finish_ready(export: ExportFile, *, rows: int, size: int) -> None:
    now = timezone.now()
    with transaction.atomic():
        ExportFile.objects.filter(pk=export.pk).update(
            status=ExportStatus.READY,
            rows_done=rows,
            file_name=export.file_name,
            size=size,
            finished_at=now,
            expires_at=now + timedelta(days=settings.EXPORT_KEEP_DAYS),
        )
        audit_record(
            actor=None,
            action=EXPORT_BUILT,
            obj=export,
            changes={
                "rows": {"old": None, "new": rows, "label": "Screening attempts"},
                "size": {"old": None, "new": size, "label": "Bytes"},
            },
        )


def _finish_failed(export: ExportFile, error: Exception) -> None:
    message = f"{type(error).__name__}: {error}"[:_ERROR_LENGTH]
    with transaction.atomic():
        ExportFile.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error=message, finished_at=timezone.now()
        )
        audit_record(
            actor=None,
            action=EXPORT_FAILED,
            obj=export,
            changes={"error": {"old": None, "new": message, "label": "Error"}},
        )


def log_export_download(
    *, user: User, export: ExportFile, request: HttpRequest | None = None
) -> Path:
    """Record that the owner takes a built export away; returns the file to send."""
    if export.owner_id != user.pk or export.status != ExportStatus.READY:
        raise PermissionError("Only its owner downloads an export, and only once it is ready.")
    with transaction.atomic():
        audit_record(
            actor=user,
            action=EXPORT_DOWNLOADED,
            obj=export,
            changes=export_changes(export.filters, export.file_format, rows=export.rows_done),
            request=request,
        )
    return export_path(export)


def log_exports_purge(*, now: datetime | None = None) -> int:
    """Delete the files of exports past their expiry (and of failed ones as old);
    each export is kept as a row, marked expired. Returns how many expired."""
    now = now or timezone.now()
    stale = ExportFile.objects.filter(
        Q(status=ExportStatus.READY, expires_at__lte=now)
        | Q(
            status__in=[ExportStatus.FAILED, ExportStatus.QUEUED, ExportStatus.RUNNING],
            requested_at__lte=now - timedelta(days=settings.EXPORT_KEEP_DAYS),
        )
    )
    count = 0
    for export in stale.iterator():
        if export.file_name:
            export_path(export).unlink(missing_ok=True)
        with transaction.atomic():
            ExportFile.objects.filter(pk=export.pk).update(
                status=ExportStatus.EXPIRED, file_name=""
            )
            audit_record(
                actor=None,
                action=EXPORT_EXPIRED,
                obj=export,
                changes={"status": {"old": export.status, "new": "expired", "label": "Status"}},
            )
        count += 1
    return count
