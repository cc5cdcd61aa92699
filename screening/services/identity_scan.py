"""Looking for candidates' identities stored in clear anywhere in the database.

Every table, every column, read as text by plain SQL: whatever Eligo's models say,
this is what someone with a copy of the database would see. Used by
``manage.py find_clear_identity`` after an upgrade (docs/privacy.md) and by the tests
that prove encryption at rest and erasure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import connection

from screening.models import CandidateIdentity

# Columns that hold no text (a number cast to text could only match a number).
_SKIPPED_TYPES = ("bytea", "blob")


@dataclass(frozen=True)
class Occurrence:
    table: str
    column: str
    needle: str
    rows: int


def date_spellings(day: date) -> list[str]:
    """A date as it could have been written: ISO, day first, month first, in words."""
    return [
        day.isoformat(),
        f"{day:%d/%m/%Y}",
        f"{day:%m/%d/%Y}",
        f"{day.day} {day:%b %Y}",
        f"{day.day} {day:%B %Y}",
        f"{day:%d.%m.%Y}",
    ]


def identity_needles(identity: CandidateIdentity) -> list[str]:
    """The values of one readable identity worth looking for (short ones would match noise)."""
    values = identity.values()
    texts = [values[name] for name in ("full_name", "hospital_number", "phone", "email")]
    found = [t for t in texts if isinstance(t, str) and len(t) >= 4]
    if values["date_of_birth"] is not None:
        found += date_spellings(values["date_of_birth"])
    return found


def scan(needles: Iterable[str]) -> list[Occurrence]:
    """Every (table, column) where one of ``needles`` occurs, with how many rows."""
    wanted = sorted({n for n in needles if n})
    if not wanted:
        return []
    found = []
    with connection.cursor() as cursor:
        quote = connection.ops.quote_name
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                if any(t in str(column.type_code).lower() for t in _SKIPPED_TYPES):
                    continue
                as_text = f"CAST({quote(column.name)} AS TEXT)"
                for needle in wanted:
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {quote(table)} WHERE {as_text} LIKE %s",  # noqa: S608
                        [f"%{needle}%"],
                    )
                    (rows,) = cursor.fetchone()
                    if rows:
                        found.append(Occurrence(table, column.name, needle, rows))
    return found


def clear_identities() -> list[Occurrence]:
    """Where the readable identities of all candidates occur in clear."""
    needles: list[str] = []
    for identity in CandidateIdentity.objects.select_related("candidate__data_key").filter(
        erased_at__isnull=True
    ):
        needles += identity_needles(identity)
    return scan(needles)
