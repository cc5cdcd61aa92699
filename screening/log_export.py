"""The screening log as a table to export: one row per attempt, pseudonymised.

A row names the candidate by screening number, sex and an age band alone (the
years the year of birth allows on the screening date, written with a plain hyphen,
``69-70``, so that every spreadsheet and every encoding reads it the same). The
same columns go to CSV and XLSX (``screening.export_formats``) and to the PDF.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.http import StreamingHttpResponse

from config.downloads import content_disposition
from screening.export_formats import DATE, DATETIME, INTEGER, Column, Table, csv_lines
from screening.models import Candidate
from screening.selectors import LogRow

COLUMNS = (
    Column("screening_number"),
    Column("trial"),
    Column("site", width=8),
    Column("attempt", INTEGER),
    Column("protocol_version"),
    Column("screening_date", DATE),
    Column("consent_date", DATE),
    Column("sex", width=6),
    Column("age_band", width=10),
    Column("status"),
    Column("latest_evaluation"),
    Column("criteria_not_met", width=20),
    Column("criteria_excluded", width=20),
    Column("eligible_from", DATE),
    Column("decision"),
    Column("decision_reason"),
    Column("signed_by"),
    Column("signed_at_utc", DATETIME),
    Column("signature_void", width=8),
    Column("enrolled_on", DATE),
    Column("randomisation_number"),
)
HEADER = [column.name for column in COLUMNS]


def age_band(candidate: Candidate, on: date | None) -> str:
    """The age band of ``Candidate.age_range`` in plain ASCII (``69-70``)."""
    return "" if on is None else candidate.age_range(on).replace("–", "-")


def log_values(row: LogRow) -> tuple[Any, ...]:
    """One attempt's values, typed, in the order of :data:`COLUMNS`."""
    s = row.screening
    candidate = s.candidate
    decision, signature = row.decision, row.signature
    enrolment = getattr(s, "enrolment", None)
    return (
        candidate.screening_number,
        candidate.trial.code,
        candidate.site.code,
        s.attempt,
        s.protocol_version.label,
        s.screening_date,
        s.consent_date,
        candidate.sex,
        age_band(candidate, s.screening_date),
        s.status,
        row.evaluation_status or "",
        " ".join(row.inclusion_not_met),
        " ".join(row.excluded),
        row.eligible_from,
        decision.outcome if decision else "",
        decision.reason_category if decision else "",
        signature.printed_name if signature else "",
        signature.signed_at if signature else None,
        ("yes" if row.signature_void else "no") if signature else "",
        enrolment.enrolled_on if enrolment else None,
        enrolment.randomisation_number if enrolment else "",
    )


def log_table(rows: Iterable[LogRow]) -> Table:
    """The log's rows as an exportable table."""
    return Table(COLUMNS, (log_values(row) for row in rows))


def csv_download(table: Table, filename: str) -> StreamingHttpResponse:
    """A CSV download streamed as it is written."""
    response = StreamingHttpResponse(csv_lines(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(filename)
    return response


def log_csv_lines(rows: Iterable[LogRow]) -> Iterator[str]:
    """The log as CSV lines (byte-order mark first)."""
    return csv_lines(log_table(rows))
