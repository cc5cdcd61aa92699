"""Documentation that code writes: a Markdown section between two markers.

A page of ``docs/`` stays written by hand, except between
``<!-- name:start -->`` and ``<!-- name:end -->``, where a command writes what
it derives from the code (a transition table, a list of audit actions). Tests
regenerate the section and compare, so the page cannot drift from the code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

ROOT = Path(__file__).resolve().parent.parent


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def read_section(text: str, name: str) -> str:
    """What stands between the markers of ``name`` (without the markers)."""
    start, end = _markers(name)
    _before, found, rest = text.partition(start)
    body, closed, _after = rest.partition(end)
    if not found or not closed:
        raise ValueError(f"The page has no section {start} … {end}.")
    return body.strip("\n")


def with_section(text: str, name: str, body: str) -> str:
    """``text`` with the section ``name`` replaced by ``body``."""
    read_section(text, name)  # refuse a page without the markers, rather than append
    start, end = _markers(name)
    before, _, rest = text.partition(start)
    _, _, after = rest.partition(end)
    lines = body.strip("\n")
    return f"{before}{start}\n{lines}\n{end}{after}"


@dataclass(frozen=True)
class GeneratedFile:
    """A file and what the code says it is: the whole of it (``content``), or, for a
    page written by hand, the generated sections in it (``sections``: name → body)."""

    path: Path
    content: str = ""
    sections: tuple[tuple[str, str], ...] = ()

    def expected(self) -> str:
        """The whole file as it should be."""
        if not self.sections:
            return self.content
        text = self.path.read_text(encoding="utf-8")
        for name, body in self.sections:
            text = with_section(text, name, body)
        return text

    def is_current(self) -> bool:
        return self.path.exists() and self.path.read_text(encoding="utf-8") == self.expected()

    def write(self) -> bool:
        """Write it if it differs; whether anything was written."""
        if self.is_current():
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(self.expected(), encoding="utf-8")
        return True

    @property
    def name(self) -> str:
        """The path from the project root, as a message names it."""
        try:
            return str(self.path.relative_to(ROOT))
        except ValueError:
            return str(self.path)


def stale(files: Sequence[GeneratedFile]) -> list[str]:
    """The names of the files that differ from what the code says they are."""
    return [f.name for f in files if not f.is_current()]


class GeneratedDocsCommand(BaseCommand):
    """Write generated documentation, or with ``--check`` fail when it is out of date."""

    def files(self) -> Sequence[GeneratedFile]:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit with status 1 when a file is out of date.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        files = self.files()
        if options["check"]:
            out_of_date = stale(files)
            if out_of_date:
                raise CommandError(f"Out of date: {', '.join(out_of_date)}.", returncode=1)
            self.stdout.write("Up to date: " + ", ".join(f.name for f in files) + ".")
            return
        for generated in files:
            verb = "Wrote" if generated.write() else "Unchanged"
            self.stdout.write(f"{verb} {generated.name}")
