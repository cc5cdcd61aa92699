"""``python manage.py rotate_master_key``: re-wrap every data key under the current master key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from audit.services import audit_record
from vault.crypto import data_keys_rewrap, master_keys
from vault.models import DataKey


class Command(BaseCommand):
    help = (
        "Re-wrap every candidate's data key that is wrapped by a retired master key with the "
        "current one (the first of ELIGO_MASTER_KEY_FILE, or ELIGO_MASTER_KEY). The retired "
        "key must still be configured while this runs; afterwards it can be removed. "
        "Identities themselves are not touched. Safe to stop and run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        current = master_keys().current
        count = data_keys_rewrap(batch_size=options["batch_size"])
        with transaction.atomic():
            audit_record(
                actor=None,
                action="screening.identity_keys.rewrapped",
                changes={
                    "rewrapped": {"old": None, "new": count, "label": "Data keys re-wrapped"},
                    "master_key": {"old": None, "new": current.id, "label": "Master key"},
                },
            )
        left = DataKey.objects.filter(destroyed_at__isnull=True).exclude(master_key_id=current.id)
        self.stdout.write(
            f"Re-wrapped {count} data key(s) under master key {current.id}; "
            f"{left.count()} left under other keys."
        )
