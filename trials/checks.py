"""Draft checks: where a criterion's verbatim text and its rule disagree about numbers.

A rule that says ``age <= 80`` under a text that still says 85 loads and evaluates
perfectly well; only a reader comparing the two notices. These functions do that
comparison so the preview can point at it. They are advisory — a warning never
blocks activation — and pure: strings and the definition in, warnings out, no
database.

The comparison is of *sets of numbers*, not of positions: every number the text
states should appear in the rule, and every threshold in the rule should appear in
the text. What is not a threshold is left out of the text's side — list numbering
("(8)", "6,", "9."), dates and calendar years, names with digits (L1–L4, T4,
COVID-19, kg/m2), powers of ten in units (10⁹/L) and the 1.73 m² of an eGFR unit — and
a few readings cover a rule's number without being required of the rule: number words
("two", "six months", "twice"), "the past year" (1 year, 12 months), adjectives such
as "10-year risk", and the digits of the codes a rule names (``pregnancy_plan_2_years``).
A rule that asks only for an investigator's judgment is the investigator reading the
text as written, so numbers in that text are not expected in its rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from eligibility import ProtocolDefinition

WarningKind = Literal["text_number", "rule_number", "no_rule"]

# Every dash a typesetter may use for a minus sign or a range: all become "-", and
# whether it is a sign or a range is read from what stands before it.
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d", "-"))
_SIGN_FOLLOWS = set(" \t\n(<>=≤≥:;,[")

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATES = re.compile(
    rf"""
    \b\d{{4}}-\d{{1,2}}-\d{{1,2}}\b                   # 2024-01-15
    | \b\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}\b         # 15/01/2024, 15.01.2024
    | \b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}(?:,?\s+\d{{4}})?\b   # 1 January 2024
    | \b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b   # January 1, 2024
    """,
    re.IGNORECASE | re.VERBOSE,
)
# "(8)" anywhere; "6," "9." "3)" opening the text, a line or a clause.
_LIST_NUMBERS = re.compile(
    r"(?:(?<![\w)])\(\d{1,2}\)(?=\s|$))|(?:(?:^|(?<=[\n;:]))\s*\(?\d{1,2}[.,)](?=\s+\D))",
    re.MULTILINE,
)
# Numbers that belong to a unit: 10⁹/L, x10^9/L, the /1.73 m² of eGFR, /100 mL.
_UNIT_NUMBERS = re.compile(
    r"(?:[x×*]\s*)?10\s*(?:\^|\*\*)\s*\d+|10[⁰¹²³⁴⁵⁶⁷⁸⁹]+|/\s*\d+(?:\.\d+)?\s*(?=[^\W\d_])"
)
_NUMBER = re.compile(r"(?<![\w.])(?:\d{1,3}(?:,\d{3})+(?![\d,])|\d+)(?:\.\d+)?")
_TIME_UNIT = r"(?:year|month|week|day|hour|minute)"
_ADJECTIVE = re.compile(rf"-{_TIME_UNIT}\b(?!s)", re.IGNORECASE)  # "10-year risk"
_DURATION = re.compile(rf"\s*-?\s*({_TIME_UNIT})s?\b", re.IGNORECASE)
_IMPLICIT_ONE = re.compile(
    rf"\b(?:a|an|one|per|each|every|the\s+(?:past|last|previous|preceding))\s+{_TIME_UNIT}\b",
    re.IGNORECASE,
)
_WORDS: dict[str, int | Decimal] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "twenty": 20,
    "twice": 2,
    "double": 2,
    "thrice": 3,
    "half": Decimal("0.5"),
}
_WORD = re.compile(r"\b(" + "|".join(_WORDS) + r")\b", re.IGNORECASE)
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_COMPARATOR_BEFORE = re.compile(r"[<>=≤≥]\s*$")


@dataclass(frozen=True)
class CriterionWarning:
    """One advisory finding about a criterion of a draft."""

    criterion_id: str
    kind: WarningKind
    numbers: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        listed = ", ".join(self.numbers)
        if self.kind == "text_number":
            return ngettext(
                "The text states %(numbers)s; the rule does not.",
                "The text states %(numbers)s; the rule does not.",
                len(self.numbers),
            ) % {"numbers": listed}
        if self.kind == "rule_number":
            return ngettext(
                "The rule uses %(numbers)s; the text does not state it.",
                "The rule uses %(numbers)s; the text does not state them.",
                len(self.numbers),
            ) % {"numbers": listed}
        return _("The criterion has no rule: nothing would be checked.")


@dataclass(frozen=True)
class NumberComparison:
    """Numbers found on one side only, as first written there, in the order they appear."""

    text_only: tuple[str, ...]
    rule_only: tuple[str, ...]


@dataclass
class _Numbers:
    """What one side says: numbers it states (canonical → as written) and numbers it only
    covers (canonical)."""

    stated: dict[str, str]
    covered: set[str]

    def all(self) -> set[str]:
        return set(self.stated) | self.covered


def canonical(number: Decimal | int | str) -> str:
    """One spelling per value: ``11.0`` and ``11`` are the same number, ``-3.0`` is ``-3``."""
    try:
        value = Decimal(str(number).replace(",", ""))
    except InvalidOperation:
        return str(number)
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _is_negative(text: str, start: int) -> bool:
    """Whether the number at ``start`` carries a minus sign (not a range dash or a name)."""
    if start == 0 or text[start - 1] != "-":
        return False
    return start == 1 or text[start - 2] in _SIGN_FOLLOWS


def _in_a_name(text: str, start: int) -> bool:
    """``HIV-1``, ``COVID-19``, ``type-2``: a hyphen joins the number to a word."""
    return start >= 2 and text[start - 1] == "-" and text[start - 2].isalpha()


def _equivalents(value: Decimal, unit: str) -> set[str]:
    """The same duration in the other units a rule may use: 1 year is 12 months."""
    unit = unit.lower()
    out: set[str] = set()
    if unit == "year":
        out.add(canonical(value * 12))
    elif unit == "month" and value % 12 == 0:
        out.add(canonical(value / 12))
    elif unit == "week":
        out.add(canonical(value * 7))
    elif unit == "day" and value % 7 == 0:
        out.add(canonical(value / 7))
    return out


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def _numbers(text: str, *, prose: bool) -> _Numbers:
    """The numbers of a text (``prose``) or of a rule.

    In prose, dates, years and list numbering are blanked out first, and number words,
    "the past year" and adjectives ("10-year") only cover; a rule states every number
    it writes outside the codes it names.
    """
    text = text.translate(_DASHES)
    if prose:
        text = _DATES.sub(_blank, text)
        text = _LIST_NUMBERS.sub(_blank, text)
    else:
        text = re.sub(r"#[^\n]*", "", text)  # rule comments
    text = _UNIT_NUMBERS.sub(_blank, text)
    found = _Numbers(stated={}, covered=set())
    for match in _NUMBER.finditer(text):
        start, end = match.span()
        if _in_a_name(text, start):
            continue
        value = Decimal(match.group(0).replace(",", ""))
        if _is_negative(text, start):
            value = -value
        after = text[end:]
        duration = _DURATION.match(after)
        if duration:
            found.covered |= _equivalents(value, duration.group(1))
        number = canonical(value)
        if prose and (_ADJECTIVE.match(after) or _is_year(text, start, match.group(0))):
            found.covered.add(number)
            continue
        written = ("-" if value < 0 else "") + match.group(0)
        found.stated.setdefault(number, written)
    if prose:
        for match in _WORD.finditer(text):
            value = Decimal(_WORDS[match.group(1).lower()])
            found.covered.add(canonical(value))
            duration = _DURATION.match(text[match.end() :])
            if duration:
                found.covered |= _equivalents(value, duration.group(1))
        for match in _IMPLICIT_ONE.finditer(text):
            unit = match.group(0).split()[-1]
            found.covered |= {"1", *_equivalents(Decimal(1), unit)}
    return found


def _is_year(text: str, start: int, digits: str) -> bool:
    """A calendar year ("since 2020", "CKD-EPI 2021"), unless a comparison precedes it."""
    if not (len(digits) == 4 and digits.isdigit() and 1900 <= int(digits) <= 2100):
        return False
    return not _COMPARATOR_BEFORE.search(text[:start])


def _code_numbers(rule: str) -> set[str]:
    """Digits that are whole parts of the codes a rule names: ``pregnancy_plan_2_years``
    covers 2, ``glucose_2h_postprandial`` covers 2; ``free_t4`` covers nothing."""
    out: set[str] = set()
    for name in _NAME.findall(rule.lower()):
        for part in name.split("_"):
            digits = re.fullmatch(r"(\d+)[a-z]?", part)
            if digits:
                out.add(canonical(digits.group(1)))
    return out


def compare_numbers(
    text: str, rule: str, *, rule_context: Sequence[str] = (), judged: bool = False
) -> NumberComparison:
    """The numbers ``text`` states that ``rule`` lacks, and the rule's that the text lacks.

    ``rule_context`` are texts the rule brings with it — the questions it asks, which a
    coordinator reads and answers — so a number stated there counts as in the rule.
    ``judged``: the rule is an investigator's judgment of the text as written, so the
    text's numbers are not expected in the rule.
    """
    in_text = _numbers(text, prose=True)
    in_rule = _numbers(rule, prose=False)
    rule_side = in_rule.all() | _code_numbers(rule)
    for context in rule_context:
        rule_side |= _numbers(context, prose=True).all()
    text_only = (
        ()
        if judged
        else tuple(written for n, written in in_text.stated.items() if n not in rule_side)
    )
    rule_only = tuple(written for n, written in in_rule.stated.items() if n not in in_text.all())
    return NumberComparison(text_only=text_only, rule_only=rule_only)


def criterion_warnings(
    *,
    criterion_id: str,
    text: str,
    rule: str,
    rule_context: Sequence[str] = (),
    judged: bool = False,
) -> tuple[CriterionWarning, ...]:
    """The warnings for one criterion (see :func:`compare_numbers`)."""
    if not rule.strip():
        return (CriterionWarning(criterion_id, "no_rule"),)
    found = compare_numbers(text, rule, rule_context=rule_context, judged=judged)
    warnings = []
    if found.text_only:
        warnings.append(CriterionWarning(criterion_id, "text_number", found.text_only))
    if found.rule_only:
        warnings.append(CriterionWarning(criterion_id, "rule_number", found.rule_only))
    return tuple(warnings)


def _names(rule: str, catalogue_codes: Iterable[str]) -> set[str]:
    codes = set(catalogue_codes)
    return {name for name in _NAME.findall(rule.lower()) if name in codes}


def definition_warnings(definition: ProtocolDefinition) -> dict[str, tuple[CriterionWarning, ...]]:
    """Each criterion's warnings, by criterion id; criteria without any are left out.

    The questions a rule asks lend it their text. A rule that names nothing but
    investigator-judgment questions (``kind: judgment``) is judged from the text.
    """
    catalogue = definition.catalogue
    questions = catalogue.questions
    everything = (
        set(catalogue.quantities)
        | set(catalogue.questions)
        | set(catalogue.event_types)
        | set(catalogue.drug_classes)
        | set(catalogue.drugs)
    )
    out: dict[str, tuple[CriterionWarning, ...]] = {}
    for criterion in definition.criteria:
        names = _names(criterion.rule_text, everything)
        asked = [questions[n] for n in sorted(names) if n in questions]
        judged = bool(names) and all(
            n in questions and questions[n].kind == "judgment" for n in names
        )
        warnings = criterion_warnings(
            criterion_id=criterion.id,
            text=criterion.text,
            rule=criterion.rule_text,
            rule_context=[q.text for q in asked],
            judged=judged,
        )
        if warnings:
            out[criterion.id] = warnings
    return out
