"""Exports that leave Eligo: each is recorded in the audit trail before it is written."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from accounts.models import User
from audit.services import audit_record
from screening.models import Screening
from screening.selectors import LogRow, log_rows, screening_log

LOG_EXPORTED = "screening.log.exported"


def chosen_filters(filters: Mapping[str, Any]) -> dict[str, Any]:
    """The filters that narrow the log (empty ones dropped)."""
    return {name: value for name, value in filters.items() if value}


def log_export_count(*, user: User, filters: Mapping[str, Any]) -> int:
    """How many attempts an export of the log under ``filters`` would hold."""
    return screening_log(user, **chosen_filters(filters)).count()


def screening_log_export(
    *,
    user: User,
    filters: Mapping[str, Any],
    request: HttpRequest | None = None,
    file_format: str = "csv",
) -> Iterator[LogRow]:
    """The screening log rows ``user`` may see under ``filters`` (trial, site, status,
    since, until; empty ones ignored), after recording who exported what, in which
    format, and how many attempts it held."""
    chosen = chosen_filters(filters)
    screenings = screening_log(user, **chosen)
    with transaction.atomic():
        audit_record(
            actor=user,
            action=LOG_EXPORTED,
            changes=export_changes(chosen, file_format, rows=screenings.count()),
            request=request,
        )
    return log_rows(screenings.iterator(chunk_size=500))


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
