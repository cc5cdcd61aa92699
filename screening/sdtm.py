"""The screening log as CDISC SDTM-style datasets: IE (criteria not met) and DS
(screen-failure dispositions).

Built from the same rows as the log (``screening.selectors.log_rows``), so they carry
what the log carries and nothing more: a subject is named by the trial code and its
screening number (``USUBJID``), never by anything about the person. The mapping of
every variable, and where Eligo departs from the SDTM Implementation Guide, is in
``docs/exports.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

from screening.export_formats import INTEGER, Column, Table
from screening.models import ReasonCategory, Screening
from screening.selectors import LogRow

IETEST_LENGTH = 200  # SDTM: a --TEST value is at most 200 characters
TESTCD_LENGTH = 8  # SDTM: a --TESTCD value is at most 8 characters

IE_COLUMNS = (
    Column("STUDYID"),
    Column("DOMAIN", width=8),
    Column("USUBJID", width=24),
    Column("IESEQ", INTEGER),
    Column("IETESTCD"),
    Column("IETEST", width=60),
    Column("IECAT"),
    Column("IEORRES", width=8),
    Column("IESTRESC", width=8),
    Column("IEDTC", width=12),
)

DS_COLUMNS = (
    Column("STUDYID"),
    Column("DOMAIN", width=8),
    Column("USUBJID", width=24),
    Column("DSSEQ", INTEGER),
    Column("DSTERM", width=40),
    Column("DSDECOD"),
    Column("DSCAT"),
    Column("DSEPOCH"),
    Column("DSSTDTC", width=12),
)

_NOT_CODE = re.compile(r"[^A-Z0-9]+")


def usubjid(screening: Screening) -> str:
    """The subject across the trial: ``STUDYID-screening number``."""
    candidate = screening.candidate
    return f"{candidate.trial.code}-{candidate.screening_number}"


def ie_test_code(criterion_id: str) -> str:
    """A criterion's id as an SDTM test code: capitals and digits, 8 characters at most."""
    return _NOT_CODE.sub("", criterion_id.upper())[:TESTCD_LENGTH]


def ie_rows(rows: Iterable[LogRow]) -> Iterator[tuple[Any, ...]]:
    """One row per criterion the latest evaluation of an attempt found not met.

    ``IEORRES``/``IESTRESC`` follow the SDTM convention: ``N`` for an inclusion
    criterion not met, ``Y`` for an exclusion criterion that applies."""
    sequence: dict[str, int] = {}
    for row in rows:
        s = row.screening
        result = getattr(s, "latest_result", None) or {}
        subject = usubjid(s)
        for criterion in result.get("criteria", []):
            if criterion.get("outcome") != "not_met":
                continue
            exclusion = criterion.get("kind") == "exclusion"
            answer = "Y" if exclusion else "N"
            sequence[subject] = sequence.get(subject, 0) + 1
            yield (
                s.candidate.trial.code,
                "IE",
                subject,
                sequence[subject],
                ie_test_code(str(criterion["id"])),
                str(criterion.get("text") or criterion["id"])[:IETEST_LENGTH],
                "EXCLUSION" if exclusion else "INCLUSION",
                answer,
                answer,
                s.screening_date.isoformat(),
            )


def ds_rows(rows: Iterable[LogRow]) -> Iterator[tuple[Any, ...]]:
    """One row per attempt that ended in a signed screen failure that still stands."""
    sequence: dict[str, int] = {}
    for row in rows:
        s, decision, signature = row.screening, row.decision, row.signature
        if decision is None or decision.outcome != "screen_failure":
            continue
        if signature is None or row.signature_void:
            continue
        subject = usubjid(s)
        sequence[subject] = sequence.get(subject, 0) + 1
        # The day the investigator signed, on the site's calendar.
        signed_on = signature.signed_at.astimezone(ZoneInfo(s.candidate.site.time_zone)).date()
        reason = ReasonCategory(decision.reason_category).label if decision.reason_category else ""
        yield (
            s.candidate.trial.code,
            "DS",
            subject,
            sequence[subject],
            str(reason).upper() or "SCREEN FAILURE",
            "SCREEN FAILURE",
            "DISPOSITION EVENT",
            "SCREENING",
            signed_on.isoformat(),
        )


def ie_table(rows: Iterable[LogRow]) -> Table:
    return Table(IE_COLUMNS, ie_rows(rows))


def ds_table(rows: Iterable[LogRow]) -> Table:
    return Table(DS_COLUMNS, ds_rows(rows))
