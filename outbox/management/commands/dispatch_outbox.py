"""``manage.py dispatch_outbox``: hand over the waiting background work now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Min

from outbox.models import WAITING, OutboxMessage
from outbox.tasks import dispatch_outbox


class Command(BaseCommand):
    help = (
        "Hand the work waiting in the outbox to the broker (with no broker: run it here), "
        "as the every-minute beat job does, and say what still waits."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = dispatch_outbox()
        self.stdout.write(
            f"Handed over {counts['sent']}, backing off {counts['failed']}, "
            f"waiting for the broker {counts['unreachable']}, forgotten {counts['purged']}."
        )
        waiting = OutboxMessage.objects.filter(WAITING)
        oldest = waiting.aggregate(oldest=Min("created_at"))["oldest"]
        if oldest is None:
            self.stdout.write("Nothing waits.")
            return
        self.stdout.write(f"{waiting.count()} still wait, the oldest since {oldest.isoformat()}.")
        for row in waiting.exclude(last_error="").order_by("-attempts")[:5]:
            self.stdout.write(f"  {row.task} {row.key}: {row.attempts} attempts, {row.last_error}")
