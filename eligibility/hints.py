"""The likely fix for a definition error, in plain words: "did you mean …" for a misspelt
name or keyword, and what a YAML syntax error usually means."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import yaml

from eligibility.lexer import Token


def either(names: Sequence[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def did_you_mean(word: str, names: Iterable[str], *, cutoff: float = 0.7) -> str:
    """``"; did you mean weight?"`` for the names closest to ``word`` (difflib), or ``""``
    when none is close."""
    by_lower = {n.lower(): n for n in sorted(set(names))}
    if word.lower() in by_lower:
        return f"; did you mean {by_lower[word.lower()]}?"  # written in other capitals
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=3, cutoff=cutoff)
    if not close:
        return ""
    return f"; did you mean {either([by_lower[c] for c in close])}?"


# Two words that read like a construct of the language, and what it is written as.
_PHRASES: dict[tuple[str, str], str] = {
    ("more", "then"): "more than",
    ("less", "then"): "<",
    ("less", "than"): "<",
    ("greater", "than"): ">",
    ("greater", "then"): ">",
    ("with", "in"): "within",
    ("prior", "to"): "before",
    ("at", "lest"): "at least",
    ("at", "most"): "<=",
}
# One word that is not in the language, and what is.
_WORDS: dict[str, str] = {
    "and/or": "or",
    "nor": "or",
    "ago": "within N months before screening",
    "equals": "=",
}


def keyword_hint(tokens: Sequence[Token], tok: Token, keywords: Iterable[str]) -> str:
    """A near-miss of the language's own words at ``tok``: a known misphrasing around it
    (``more then``, ``with in``) or a misspelt keyword (``befor``); ``""`` if none."""
    index = next((i for i, t in enumerate(tokens) if t is tok), None)
    if index is None or tok.kind != "word":
        return ""
    words = [t.text.lower() if t.kind == "word" else "" for t in tokens]
    here = words[index]
    for pair in (
        (words[index - 1] if index else "", here),
        (here, words[index + 1] if index + 1 < len(words) else ""),
    ):
        if pair in _PHRASES:
            return f"; did you mean '{_PHRASES[pair]}' instead of '{' '.join(pair)}'?"
    if here in _WORDS:
        return f"; write '{_WORDS[here]}' instead of '{here}'"
    known = set(keywords)
    if here in known:
        return ""
    close = difflib.get_close_matches(here, sorted(known), n=1, cutoff=0.8)
    return f"; did you mean '{close[0]}'?" if close else ""


# -- YAML syntax ----------------------------------------------------------------------

QUOTE_HINT = (
    "put the value in quotes when it holds ': ', ' #' or starts with one of "
    "? : - > | @ ` * & ! % [ {"
)


def yaml_syntax(exc: yaml.MarkedYAMLError, text: str) -> tuple[str, int, int]:
    """A YAML syntax error as a plain message with the likely fix, and its line and
    column (from 1), instead of the parser's own words."""
    mark = exc.problem_mark or exc.context_mark
    if exc.context == "while scanning a quoted scalar" and exc.context_mark:
        mark = exc.context_mark  # where the quote opens, not the end of the file
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or ""
    source_line = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
    return _yaml_message(exc, problem, source_line, column), line, column


def _yaml_message(exc: yaml.MarkedYAMLError, problem: str, source_line: str, column: int) -> str:
    quoted = _quoted(source_line)
    fix = f": write {quoted}" if quoted else f": {QUOTE_HINT}"
    if problem.startswith("mapping keys are not allowed"):
        return f"YAML syntax: an unquoted '?' starts a key here{fix}"
    if problem.startswith("mapping values are not allowed"):
        key = source_line[: column - 1].strip(" -")
        if key and " " not in key:
            # The line's own key, read as the end of the value above: it is indented
            # deeper than the fields it belongs with.
            return (
                f"YAML syntax: '{key}:' is indented more than the field above it; "
                "indent fields of one item by the same number of spaces"
            )
        return f"YAML syntax: ': ' inside a value starts a new key here{fix}"
    if "'\\t'" in problem:
        return "YAML syntax: a tab character; indent with spaces only"
    if "cannot start any token" in problem:
        char = problem.split("'")[1] if "'" in problem else "?"
        return f"YAML syntax: a value cannot start with {char!r}{fix}"
    if problem.startswith("found undefined alias"):
        return f"YAML syntax: '*' refers to an anchor (&name) that is not defined{fix}"
    if "chomping or indentation indicators" in problem:
        return f"YAML syntax: a value that starts with '>' or '|' opens a block of text{fix}"
    if exc.context == "while scanning a quoted scalar":
        return (
            "YAML syntax: a quoted value is never closed; end it with the same quote "
            "(write an apostrophe inside single quotes twice: 'it''s')"
        )
    if "but found '<scalar>'" in problem:
        return (
            "YAML syntax: more text after a quoted value; quote the whole value "
            "(an apostrophe inside single quotes is written twice: 'it''s')"
        )
    if "expected <block end>" in problem or "did not find expected key" in problem:
        return (
            "YAML syntax: the indentation does not line up with the lines above; "
            "indent fields of one item by the same number of spaces"
        )
    if exc.context in ("while parsing a flow sequence", "while parsing a flow mapping"):
        what, opening, closing = (
            ("list", "[", "]") if "sequence" in exc.context else ("mapping", "{", "}")
        )
        opened = exc.context_mark
        where = f" at line {opened.line + 1}, column {opened.column + 1}" if opened else ""
        return (
            f"YAML syntax: the {what} opened with '{opening}'{where} is not closed, or an "
            f"item in it holds ': ' or '?'; close it with '{closing}' or quote the item"
        )
    return f"YAML syntax: {problem or 'the document cannot be read'}; {QUOTE_HINT}"


def _quoted(source_line: str) -> str:
    """``text: Age: 18`` → ``text: "Age: 18"``; ``""`` when the line is not ``key: value``."""
    indent = len(source_line) - len(source_line.lstrip(" -"))
    key, sep, value = source_line[indent:].partition(": ")
    value = value.strip()
    if not sep or not key or " " in key or not value or value[0] in "\"'[{":
        return ""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{key}: "{escaped}"'
