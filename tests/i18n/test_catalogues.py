"""Every language's catalogue is complete, sound and compiled from its latest ``.po``.

The ``.mo`` files are committed (a fresh machine may have no ``msgfmt``), so these tests
fail when a ``.po`` has an untranslated or fuzzy entry, when a translation drops or
invents a placeholder, or when the ``.mo`` was not compiled again after the ``.po``
changed (``make messages`` does both; docs/languages.md).
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import to_locale

from tests.i18n.catalogue import Entry, read_po

LOCALE = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [to_locale(code) for code, _name in settings.LANGUAGES if not code.startswith("en")]
PLURAL_FORMS = {"de": 2, "zh_Hans": 1}

_PERCENT = re.compile(r"%\((\w+)\)[sd]|%[sd]")
_BRACES = re.compile(r"(?<!{){(\w+(?:\[\w+\])?)}(?!})")
_TAGS = re.compile(r"</?([a-z]+)\b")


def _entries(locale: str) -> list[Entry]:
    return [e for e in read_po(LOCALE / locale / "LC_MESSAGES" / "django.po") if e.msgid]


@pytest.mark.parametrize("locale", TRANSLATED)
def test_the_header_names_the_language_and_its_plurals(locale: str) -> None:
    [header] = [e for e in read_po(LOCALE / locale / "LC_MESSAGES" / "django.po") if not e.msgid]
    assert "fuzzy" not in header.flags  # msgfmt would leave a fuzzy header out
    assert f"Language: {locale}\n" in header.msgstr[0]
    assert f"nplurals={PLURAL_FORMS[locale]};" in header.msgstr[0]


def _where(locale: str, entry: Entry) -> str:
    return f"locale/{locale}/LC_MESSAGES/django.po:{entry.line} ({entry.msgid[:60]!r})"


def test_every_language_but_english_has_a_catalogue() -> None:
    assert TRANSLATED == ["de", "zh_Hans"]
    for locale in TRANSLATED:
        assert (LOCALE / locale / "LC_MESSAGES" / "django.po").is_file()
        assert (LOCALE / locale / "LC_MESSAGES" / "django.mo").is_file()


@pytest.mark.parametrize("locale", TRANSLATED)
def test_nothing_is_untranslated_or_fuzzy(locale: str) -> None:
    problems = []
    for entry in _entries(locale):
        if entry.obsolete:
            problems.append(f"{_where(locale, entry)}: obsolete, remove it")
        if "fuzzy" in entry.flags:
            problems.append(f"{_where(locale, entry)}: fuzzy")
        wanted = PLURAL_FORMS[locale] if entry.msgid_plural else 1
        if len(entry.msgstr) != wanted or not all(entry.msgstr.values()):
            problems.append(f"{_where(locale, entry)}: untranslated")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_keep_every_placeholder_and_tag(locale: str) -> None:
    problems = []
    for entry in _entries(locale):
        for form in entry.msgstr.values():
            for pattern in (_PERCENT, _BRACES, _TAGS):
                source = set(pattern.findall(entry.msgid)) | set(
                    pattern.findall(entry.msgid_plural)
                )
                if set(pattern.findall(form)) != source:
                    problems.append(f"{_where(locale, entry)}: {form!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_the_compiled_catalogue_is_the_latest_po(locale: str) -> None:
    folder = LOCALE / locale / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for entry in _entries(locale):
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            for index, form in entry.msgstr.items():
                expected[(key, index)] = form
        else:
            expected[key] = entry.msgstr[0]
    compiled_entries = {k: v for k, v in catalogue.items() if k != ""}
    stale = sorted(str(k) for k in expected if compiled_entries.get(k) != expected[k])
    extra = sorted(str(k) for k in compiled_entries if k not in expected)
    assert not stale, f"locale/{locale}/LC_MESSAGES/django.mo is stale (run `make messages`)"
    assert not extra, (
        f"locale/{locale}/LC_MESSAGES/django.mo is not compiled from its .po "
        f"(run `make messages`): not in the .po: {extra[:5]}"
    )
