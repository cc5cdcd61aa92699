"""A small reader of gettext ``.po`` files, enough to check Eligo's own catalogues
without another dependency: entries with their flags, msgid(_plural) and msgstr(s)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0


def _string(text: str) -> str:
    return str(ast.literal_eval(text))


def _field(keyword: str) -> tuple[str, int]:
    """``msgstr[1]`` → ("msgstr", 1); ``msgid`` → ("msgid", 0)."""
    if keyword.startswith("msgstr["):
        return "msgstr", int(keyword[len("msgstr[") : -1])
    if keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
        return keyword, 0
    raise ValueError(keyword)


def _append(entry: Entry, target: tuple[str, int], text: str) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] = entry.msgstr.get(index, "") + text
    elif name == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    else:
        setattr(entry, name, getattr(entry, name) + text)


def read_po(path: Path) -> list[Entry]:
    """The entries of a ``.po`` file, the header entry (empty msgid) included."""
    entries: list[Entry] = []
    current, target = Entry(), ("", 0)
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            if current.msgid or current.msgstr:
                entries.append(current)
            current = Entry()
        elif line.startswith("#~"):
            current.obsolete = True
        elif line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif not line.startswith("#"):
            current.line = current.line or number
            if not line.startswith('"'):
                keyword, _, line = line.partition(" ")
                try:
                    target = _field(keyword)
                except ValueError:
                    raise ValueError(f"{path}:{number}: cannot read {raw!r}") from None
            _append(current, target, _string(line))
    if current.msgid or current.msgstr:
        entries.append(current)
    return entries
