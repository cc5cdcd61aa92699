"""``python manage.py audit_checkpoint``: vouch for the chain outside the database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.checkpoints import write_checkpoint
from audit.verify import verify_chain


class Command(BaseCommand):
    help = (
        "Verify the audit chain and, when it is intact, append a signed checkpoint (last "
        "sequence, its hash, the time, the key id) to AUDIT_CHECKPOINT_DIR. The nightly "
        "verification does the same; run this after an upgrade or before shipping the file."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.intact:
            raise CommandError(
                f"No checkpoint written: {report.summary()}", returncode=report.exit_status
            )
        checkpoint = write_checkpoint()
        self.stdout.write(f"Checkpoint written: {checkpoint.describe()}")
