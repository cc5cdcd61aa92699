"""The screening log as a table to export: one row per attempt, then one per registered
candidate whose screening has not started (status ``not_started``), pseudonymised.

A row names the candidate by screening number, sex and an age band alone (the
years the year of birth allows on the screening date, written with a plain hyphen,
``69-70``, so that every spreadsheet and every encoding reads it the same). The
same columns go to CSV and XLSX (``screening.export_formats``) and to the PDF.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone

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
INDEX = {column.name: i for i, column in enumerate(COLUMNS)}


def age_band(candidate: Candidate, on: date | None) -> str:
    """The age band of ``Candidate.age_range`` in plain ASCII (``69-70``)."""
    return "" if on is None else candidate.age_range(on).replace("–", "-")


# An export's entry: an attempt with what the log reads of it, or a registered candidate
# whose screening has not started.
Entry = LogRow | Candidate
NOT_STARTED = "not_started"


def log_values(entry: Entry) -> tuple[Any, ...]:
    """One entry's values, typed, in the order of :data:`COLUMNS`."""
    if isinstance(entry, Candidate):
        return _waiting_values(entry)
    row = entry
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


def _waiting_values(candidate: Candidate) -> tuple[Any, ...]:
    """A candidate registered, not yet screened: no attempt, so no dates or outcome; the
    age band is the one on the day of registration."""
    registered = timezone.localdate(candidate.created_at) if candidate.created_at else None
    values: list[Any] = [""] * len(COLUMNS)
    values[INDEX["screening_number"]] = candidate.screening_number
    values[INDEX["trial"]] = candidate.trial.code
    values[INDEX["site"]] = candidate.site.code
    values[INDEX["attempt"]] = None
    values[INDEX["sex"]] = candidate.sex
    values[INDEX["age_band"]] = age_band(candidate, registered)
    values[INDEX["status"]] = NOT_STARTED
    for column in COLUMNS:
        if column.kind in (DATE, DATETIME):
            values[INDEX[column.name]] = None
    return tuple(values)


def log_table(entries: Iterable[Entry]) -> Table:
    """The log's entries as an exportable table."""
    return Table(COLUMNS, (log_values(entry) for entry in entries))


def csv_download(table: Table, filename: str) -> StreamingHttpResponse:
    """A CSV download streamed as it is written."""
    response = StreamingHttpResponse(csv_lines(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(filename)
    return response
