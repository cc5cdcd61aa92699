"""Errors raised at the engine's boundaries, each saying where and why."""

from __future__ import annotations

from dataclasses import dataclass

Path = tuple[str | int, ...]


def path_text(path: Path) -> str:
    """``("labs", 3, "unit")`` → ``labs[3].unit``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "(top level)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document: where (``path``, and ``line``/``column`` once
    known, both from 1) and why."""

    path: Path
    message: str
    line: int | None = None
    column: int | None = None


class CatalogueError(ValueError):
    """A catalogue (or a definition's own catalogue entries) is invalid."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{path_text(p.path)}: {p.message}" for p in problems))


class RuleError(ValueError):
    """A rule does not parse or names something it may not: ``line``/``column`` are inside
    the rule text, both from 1."""

    def __init__(self, message: str, line: int, column: int) -> None:
        self.message = message
        self.line = line
        self.column = column
        super().__init__(f"line {line}, column {column}: {message}")


class DefinitionError(ValueError):
    """A protocol definition is invalid.

    ``source``, ``line``, ``column`` and ``message`` describe the first problem;
    ``problems`` holds all of them in file order. ``str()`` gives one
    ``source:line:column: reason`` line per problem.
    """

    def __init__(self, source: str, problems: list[Problem]) -> None:
        # By line; problems on one line stay in the order found (a cause before its effect).
        ordered = sorted(problems, key=lambda p: p.line or 0)
        self.source = source
        self.problems = tuple(ordered)
        first = ordered[0]
        self.line = first.line or 0
        self.column = first.column or 0
        self.message = first.message
        super().__init__(
            "\n".join(f"{source}:{p.line or 0}:{p.column or 0}: {p.message}" for p in self.problems)
        )


class FactsError(ValueError):
    """A facts document is invalid: ``path`` is the field (``labs[2].date``)."""

    def __init__(self, source: str, path: Path, message: str) -> None:
        self.source = source
        self.path = path_text(path)
        self.message = message
        super().__init__(f"{source}: {self.path}: {message}")
