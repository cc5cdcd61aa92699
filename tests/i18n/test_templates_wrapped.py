"""Every template's visible words go through the message catalogues.

Each template is read with its Django tags taken out — ``{% translate %}`` and
``{% blocktranslate %}…{% endblocktranslate %}`` whole, variables, comments — and
whatever words remain between tags, or in the attributes a person reads or hears
(``title``, ``aria-label``, ``placeholder``, ``alt``), are untranslated English.
Names that are the same in every language (Eligo, UTC, CSV…) are allowed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Words that read the same in every language Eligo has.
SAME_IN_EVERY_LANGUAGE = {
    "Eligo",
    "UTC",
    "CSV",
    "PDF",
    "XLSX",
    "SDTM",
    "IE",
    "DS",
    "ATC",
    "JSON",
    "ISO",
    "ID",
    "OK",
}
_BLOCK = re.compile(
    r"{%\s*blocktrans(?:late)?\b.*?%}.*?{%\s*endblocktrans(?:late)?\s*%}", re.DOTALL
)
_COMMENT_BLOCK = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.DOTALL)
_TAG = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.DOTALL)
_WORD = re.compile(r"[A-Za-z]{2,}")
_READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in _READ_ATTRIBUTES and value:
                self._check(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._check(data)

    def _check(self, text: str) -> None:
        words = [w for w in _WORD.findall(text) if w not in SAME_IN_EVERY_LANGUAGE]
        if words:
            self.found.append(" ".join(text.split()))


def untranslated(source: str) -> list[str]:
    """The pieces of visible text in a template that no translation tag covers."""
    text = _COMMENT_BLOCK.sub("", source)
    text = _BLOCK.sub("", text)
    text = _TAG.sub(" ", text)
    parser = _Text()
    parser.feed(text)
    return parser.found


TEMPLATE_FILES = sorted(
    path.relative_to(TEMPLATES).as_posix() for path in TEMPLATES.rglob("*.html")
)


def test_the_scan_finds_bare_words() -> None:
    assert untranslated("<p>Save</p>") == ["Save"]
    assert untranslated('<a title="Open it">{% translate "x" %}</a>') == ["Open it"]
    assert untranslated("<p>{% translate 'Save' %} {{ value }} · CSV</p>") == []
    assert untranslated("{% blocktranslate %}Saved {{ n }}{% endblocktranslate %}") == []


@pytest.mark.parametrize("name", TEMPLATE_FILES)
def test_every_visible_word_is_translated(name: str) -> None:
    found = untranslated((TEMPLATES / name).read_text(encoding="utf-8"))
    assert not found, f"templates/{name}: untranslated text {found}"
