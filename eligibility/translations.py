"""Translations a definition carries of its own texts, as data.

A criterion (``text``, ``heading``) and a question (``text``) may carry::

    translations:
      zh-hans: {text: "年龄 ≥ 50 岁。"}
      de: {text: "Alter ≥ 50 Jahre."}

The English original stays authoritative: it is what the rule encodes, what records
and exports quote, and what is shown when no translation is given for the reader's
language. Keys are the language codes of the screening application's languages
(``LANGUAGES``; English is the original and is never a translation).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eligibility.errors import Path
from eligibility.hints import did_you_mean
from eligibility.reader import Reader

# The languages texts may be translated into (the application's, English aside).
LANGUAGES = ("de", "zh-hans")

# language → ((field, text), …), in the order written.
Translations = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


def read_translations(
    r: Reader, data: Mapping[str, Any], path: Path, fields: set[str]
) -> Translations:
    """The ``translations`` of one item, checked: known languages, only the item's
    translatable ``fields``, each a non-empty text."""
    raw = data.get("translations")
    if raw is None:
        return ()
    where: Path = (*path, "translations")
    languages = r.mapping(raw, where)
    if languages is None:
        return ()
    out: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    for language, texts in languages.items():
        at: Path = (*where, str(language))
        if language not in LANGUAGES:
            variants = [code for code in LANGUAGES if code.startswith(f"{language}-")]
            hint = (
                f"; did you mean {variants[0]}?"
                if variants
                else did_you_mean(str(language), LANGUAGES)
            ) or ";"
            english = " (English is the original: write it in the item's own fields)"
            r.add(
                at,
                f"unknown language {language!r}{hint} translations may be in "
                + ", ".join(LANGUAGES)
                + (english if str(language).lower().startswith("en") else ""),
            )
            continue
        given = r.mapping(texts, at)
        if given is None:
            continue
        r.keys(given, fields, at)
        pairs = tuple(
            (name, text)
            for name in sorted(fields)
            if name in given and (text := r.text(given, name, at)) is not None
        )
        if pairs:
            out.append((str(language), pairs))
    return tuple(out)


def translated(translations: Translations, name: str, language: str | None) -> str | None:
    """The translation of field ``name`` into ``language`` (``zh-hans``; a regional
    variant such as ``de-at`` falls back to ``de``), or None."""
    if not language:
        return None
    wanted = language.lower()
    for code, pairs in translations:
        if wanted == code or wanted.startswith(code + "-"):
            return dict(pairs).get(name)
    return None
