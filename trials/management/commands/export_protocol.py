from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trials.models import ProtocolStatus, ProtocolVersion
from trials.services.exports import protocol_version_export


class Command(BaseCommand):
    help = "Write a protocol version's definition (YAML); by default the trial's active version."

    def add_base_argument(self, parser: CommandParser, *args: Any, **kwargs: Any) -> None:
        # --version names the protocol version here, not Django's version.
        if "--version" not in args:
            super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("trial", help="Trial code, e.g. HMSC100.")
        parser.add_argument(
            "--version", dest="label", help="Version label (default: the active one)."
        )
        parser.add_argument(
            "--output", "-o", type=Path, help="File to write (default: standard output)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        versions = ProtocolVersion.objects.filter(trial__code=options["trial"])
        if options["label"]:
            version = versions.filter(label=options["label"]).first()
            missing = f"{options['trial']} has no version {options['label']}."
        else:
            version = versions.filter(status=ProtocolStatus.ACTIVE).first()
            missing = f"{options['trial']} has no active version; name one with --version."
        if version is None:
            raise CommandError(missing)
        text = protocol_version_export(version=version, user=None, channel="command line")
        if options["output"]:
            options["output"].write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {version} to {options['output']}.")
        else:
            self.stdout.write(text, ending="")
