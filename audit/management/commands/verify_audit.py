"""``python manage.py verify_audit``: is the audit chain intact?"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.verify import verify_chain


class Command(BaseCommand):
    help = (
        "Walk the audit chain, check every hash against the signing keys and every checkpoint, "
        "and report OK with the number of events, or the first broken sequence number and why. "
        "Exit status: 0 intact, 1 edited, 2 deleted, 3 inserted, 4 chain head mismatch, "
        "5 forged, 6 rewritten, 7 truncated, 8 unknown key, 9 bad checkpoint."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoints",
            type=Path,
            help=(
                "A checkpoint directory or file to check against instead of "
                "AUDIT_CHECKPOINT_DIR, such as the copy shipped off this host."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain(checkpoints=options["checkpoints"])
        if report.intact:
            self.stdout.write(report.summary())
        for line in report.details():
            self.stdout.write(line)
        if not report.intact:
            raise CommandError(report.summary(), returncode=report.exit_status)
