from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from trials.catalogue import sync_builtin_catalogue


class Command(BaseCommand):
    help = "Add built-in quantities, drug classes and drugs missing from the database."

    def handle(self, *args: Any, **options: Any) -> None:
        added = sync_builtin_catalogue()
        self.stdout.write(
            self.style.SUCCESS(f"Added {added} catalogue entries; existing ones kept as they were.")
        )
