"""``python manage.py verify_audit``: is the audit chain intact?"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.verify import verify_chain


class Command(BaseCommand):
    help = (
        "Walk the audit chain, recompute every hash and report OK with the number of events, "
        "or the first broken sequence number and why. Exit status: 0 intact, 1 edited, "
        "2 deleted, 3 inserted, 4 chain head mismatch."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if report.intact:
            self.stdout.write(report.summary())
            return
        raise CommandError(report.summary(), returncode=report.exit_status)
