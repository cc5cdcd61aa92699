from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from trials.demo import DEMO_PASSWORD, load_demo_data
from trials.models import ProtocolVersion


class Command(BaseCommand):
    help = "Load demo sites and one demo user per role (development sites only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even with DEBUG off (never on a site that holds real data).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Demo users have published passwords; refusing with DEBUG off. "
                "Use --force only on a throw-away installation."
            )
        users = load_demo_data()
        for version in ProtocolVersion.objects.active().select_related("trial"):
            self.stdout.write(
                f"Trial {version.trial.code}: protocol version {version.label} is active."
            )
        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in as:"))
        width = max(len(user.username) for user in users)
        for user in users:
            self.stdout.write(
                f"  {user.username:<{width}}  password {DEMO_PASSWORD}  ({user.role})"
            )
