from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from eligibility import DefinitionError
from trials.services.protocols import ProtocolVersionError, protocol_import


class Command(BaseCommand):
    help = (
        "Validate a protocol definition (YAML) and store it as a draft version; "
        "nothing is written when it has an error or is unchanged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--activate",
            action="store_true",
            help="Activate the version too (unsigned: recorded with its reason, no signature).",
        )
        parser.add_argument(
            "--reason",
            default="",
            help=(
                "Why it is activated (with --activate). "
                'Default: "Activated from the command line by <operating-system user>".'
            ),
        )
        parser.add_argument("--effective-date", type=date.fromisoformat, help="YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{path}: cannot read the file ({exc.strerror}).") from None
        if options["reason"] and not options["activate"]:
            raise CommandError("--reason goes with --activate.")
        try:
            outcome = protocol_import(
                text=text,
                source_name=str(path),
                user=None,
                activate=options["activate"],
                activation_reason=options["reason"] or _default_reason(),
                effective_date=options["effective_date"],
            )
        except (DefinitionError, ProtocolVersionError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(outcome.describe()))


def _default_reason() -> str:
    """Who ran the command, as the server knows them: the command line has no Eligo user,
    so without this the trail would not say who activated the version."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no login name in a bare container
        who = "an unknown operating-system user"
    return f"Activated from the command line by {who}."
