"""Tokens of the rule language, each with its line and column."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from eligibility.errors import RuleError

Kind = Literal["number", "word", "op", "punct", "minus", "times", "end"]


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str
    line: int
    column: int

    def describe(self) -> str:
        return "the end of the rule" if self.kind == "end" else repr(self.text)


_SPEC = re.compile(
    r"""
    (?P<space>[ \t\r]+)
  | (?P<newline>\n)
  | (?P<comment>\#[^\n]*)
  | (?P<number>\d+(?:\.\d+)?(?![\d.]))
  | (?P<word>[A-Za-zµμ%_°º](?:[A-Za-z0-9µμ%_/.²³^·\-]*[A-Za-z0-9µμ%_²³])?)
  | (?P<op><=|>=|≥|≤|<|>|=)
  | (?P<punct>[(),:])
  | (?P<minus>[-−])
  | (?P<times>×|\*)
    """,
    re.VERBOSE,
)

_OPS = {"≥": ">=", "≤": "<="}

# What a character the language does not use was probably meant to be.
_CHARACTER_HINTS = {
    "!=": "; write not (a = b)",
    "&": "; write 'and'",
    "|": "; write 'or'",
    '"': "; a rule needs no quotes: write names and values as they are",
    "'": "; a rule needs no quotes: write names and values as they are",
    "[": "; lists are written in parentheses: (a, b)",
    "]": "; lists are written in parentheses: (a, b)",
}


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    line, line_start, pos = 1, 0, 0
    while pos < len(text):
        m = _SPEC.match(text, pos)
        column = pos - line_start + 1
        if m is None:
            hint = _CHARACTER_HINTS.get(text[pos : pos + 2]) or _CHARACTER_HINTS.get(text[pos], "")
            raise RuleError(f"unexpected character {text[pos]!r}{hint}", line, column)
        kind = m.lastgroup
        value = m.group()
        if kind == "newline":
            line += 1
            line_start = m.end()
        elif kind == "op":
            tokens.append(Token("op", _OPS.get(value, value), line, column))
        elif kind in ("number", "word", "punct", "minus", "times"):
            tokens.append(Token(kind, value, line, column))  # type: ignore[arg-type]
        pos = m.end()
    tokens.append(Token("end", "", line, pos - line_start + 1))
    return tokens
