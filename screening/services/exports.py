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


def screening_log_export(
    *, user: User, filters: Mapping[str, Any], request: HttpRequest | None = None
) -> Iterator[LogRow]:
    """The screening log rows ``user`` may see under ``filters`` (trial, site, status,
    since, until; empty ones ignored), after recording who exported what."""
    chosen = {name: value for name, value in filters.items() if value}
    with transaction.atomic():
        audit_record(
            actor=user,
            action=LOG_EXPORTED,
            changes={
                "filters": {
                    "old": None,
                    "new": {name: str(value) for name, value in chosen.items()} or None,
                    "label": "Filters",
                }
            },
            request=request,
        )
    return log_rows(screening_log(user, **chosen).iterator(chunk_size=500))


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
