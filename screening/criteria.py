"""Criteria named briefly: a criterion's id with the start of its text.

A protocol's criteria carry their full wording, often a paragraph. Lists that name
many of them (the screening log, the trial summary's screen-failure reasons) show a
short text instead: the wording's first clause, cut at a word. The full text stays
on the screening's own pages and in the protocol.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import get_language

from screening.engine_bridge import definitions
from trials.models import ProtocolVersion

SHORT_TEXT_CHARS = 60
# The end of a clause: a full stop, semicolon or colon followed by a space or the end.
_CLAUSE_END = re.compile(r"[.;:](?=\s|$)")


def short_text(text: str, limit: int = SHORT_TEXT_CHARS) -> str:
    """The first clause of ``text`` on one line, at most ``limit`` characters (cut at a
    word, with an ellipsis when cut)."""
    line = " ".join(text.split())
    clause = _CLAUSE_END.split(line, maxsplit=1)[0].strip() or line
    if len(clause) <= limit:
        return clause
    cut = clause[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:—–-(") + "…"


def criterion_texts(versions: Iterable[ProtocolVersion]) -> dict[tuple[int, str], str]:
    """``(version id, criterion id) → short text`` for every criterion of ``versions``, in
    the reader's language where the definition translates it (docs/languages.md)."""
    language = get_language()
    out: dict[tuple[int, str], str] = {}
    for version in versions:
        for criterion in definitions.get(version).criteria:
            out[(version.pk, criterion.id)] = short_text(criterion.text_in(language))
    return out
