"""The screening log as CSV: one row per attempt, pseudonymised, safe in a spreadsheet."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import StreamingHttpResponse

from audit.canonical import format_timestamp
from audit.csv_export import safe_cell, stream_csv
from screening.selectors import LogRow

HEADER = [
    "screening_number",
    "trial",
    "site",
    "attempt",
    "protocol_version",
    "screening_date",
    "consent_date",
    "sex",
    "age",
    "status",
    "latest_evaluation",
    "criteria_not_met",
    "eligible_from",
    "decision",
    "decision_reason",
    "signed_by",
    "signed_at_utc",
    "signature_void",
    "enrolled_on",
    "randomisation_number",
]


def log_row(row: LogRow) -> list[str]:
    s = row.screening
    candidate = s.candidate
    decision, signature = row.decision, row.signature
    enrolment = getattr(s, "enrolment", None)
    cells = (
        candidate.screening_number,
        candidate.trial.code,
        candidate.site.code,
        s.attempt,
        s.protocol_version.label,
        s.screening_date.isoformat(),
        s.consent_date.isoformat(),
        candidate.sex,
        candidate.age_range(s.screening_date),
        s.status,
        row.evaluation_status or "",
        " ".join(row.not_met),
        row.eligible_from.isoformat() if row.eligible_from else "",
        decision.outcome if decision else "",
        decision.reason_category if decision else "",
        signature.printed_name if signature else "",
        format_timestamp(signature.signed_at) if signature else "",
        ("yes" if row.signature_void else "no") if signature else "",
        enrolment.enrolled_on.isoformat() if enrolment else "",
        enrolment.randomisation_number if enrolment else "",
    )
    return [safe_cell(cell) for cell in cells]


def log_csv_response(rows: Iterable[LogRow], filename: str) -> StreamingHttpResponse:
    return stream_csv(HEADER, (log_row(row) for row in rows), filename)
