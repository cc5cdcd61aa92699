"""The audit trail as CSV, streamed, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db import models
from django.http import StreamingHttpResponse
from django.utils import translation

from audit.canonical import canonical_json, format_timestamp
from audit.models import AuditEvent
from audit.story import tell, visible_changes
from config.downloads import content_disposition

HEADER = [
    "sequence",
    "occurred_at_utc",
    "person",
    "role",
    "site",
    "object_type",
    "object_id",
    "object",
    "action",
    "story",
    "changes",
    "reason_code",
    "reason",
    "request_id",
    "client_address",
    "hash",
]
# A spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """Neutralise formula injection by prefixing a quote, as OWASP recommends."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def event_row(
    event: AuditEvent, *, reveal_identity: bool = True, reveal_address: bool = True
) -> list[str]:
    """One event as CSV cells; identity values and the client address blanked unless
    the reader may see them. In Eligo's default language whatever language the reader
    uses, so that every export of the trail reads alike (docs/languages.md)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _event_cells(event, reveal_identity=reveal_identity, reveal_address=reveal_address)


def _event_cells(event: AuditEvent, *, reveal_identity: bool, reveal_address: bool) -> list[str]:
    return [
        safe_cell(cell)
        for cell in (
            event.sequence,
            format_timestamp(event.occurred_at),
            event.actor_name,
            event.actor_role,
            event.site_name,
            event.object_type,
            event.object_id,
            event.object_repr,
            event.action,
            tell(event, name_object=True, reveal_identity=reveal_identity),
            canonical_json(visible_changes(event, reveal_identity=reveal_identity)),
            event.reason_code,
            event.reason,
            event.request_id,
            event.client_address if reveal_address else "",
            event.hash,
        )
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def stream_csv(
    header: list[str], rows: Iterable[list[str]], filename: str
) -> StreamingHttpResponse:
    """A CSV download written as it is read: a byte-order mark (so that spreadsheets on
    Windows read UTF-8), the header, then ``rows`` (already made safe with ``safe_cell``)."""

    def lines() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff" + writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(filename)
    return response


def csv_response(
    events: models.QuerySet[AuditEvent],
    filename: str,
    *,
    reveal: Callable[[AuditEvent], bool] = lambda event: True,
    reveal_address: Callable[[AuditEvent], bool] = lambda event: False,
) -> StreamingHttpResponse:
    """``reveal(event)`` says whether the reader may see that event's identity values,
    ``reveal_address(event)`` whether its client address (staff's IP addresses are not
    everyone's to read: unless told, the column stays empty)."""
    rows = (
        event_row(event, reveal_identity=reveal(event), reveal_address=reveal_address(event))
        for event in events.iterator(chunk_size=1000)
    )
    return stream_csv(HEADER, rows, filename)
