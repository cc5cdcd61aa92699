"""``python manage.py find_clear_identity``: is any candidate's identity stored in clear?"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from screening.services.identity_scan import clear_identities


class Command(BaseCommand):
    help = (
        "Look in every column of every table for the name, date of birth (in common "
        "spellings), hospital number, phone and e-mail of every candidate whose identity is "
        "still readable. Reports where they occur (never the values) and exits 1 if anywhere; "
        "identities are stored only encrypted, so a finding is data recorded before they "
        "were (docs/privacy.md, upgrading)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        found = clear_identities()
        if not found:
            self.stdout.write("No identity value found in clear.")
            return
        places: dict[tuple[str, str], int] = {}
        for occurrence in found:
            key = (occurrence.table, occurrence.column)
            places[key] = places.get(key, 0) + occurrence.rows
        for (table, column), rows in sorted(places.items()):
            self.stdout.write(f"{table}.{column}: {rows} match(es)")
        raise CommandError("Identity values are stored in clear (see above).", returncode=1)
