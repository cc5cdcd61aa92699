"""Numbers, units and relations in the words shown to coordinators."""

from __future__ import annotations

from decimal import Decimal
from typing import overload

from eligibility.rules import Amount, Op
from eligibility.unitsupport import display_unit

_TRUE = {">=": "is at least", ">": "is above", "<=": "is at most", "<": "is below", "=": "equals"}
_FALSE = {
    ">=": "is below",
    ">": "is not above",
    "<=": "is above",
    "<": "is not below",
    "=": "does not equal",
}
SYMBOL = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "="}


def number_text(value: Decimal) -> str:
    """A Decimal as written in rules: no exponent, no superfluous sign."""
    text = format(value, "f")
    return "0" if text in ("-0", "+0") else text


def unit_words(amount: int, unit: str) -> str:
    """``1 month``, ``3 months``."""
    return f"{amount} {unit[:-1] if amount == 1 else unit}"


# Units written as English plurals; one of them reads in the singular ("1 year").
_PLURAL_UNITS = frozenset({"days", "weeks", "months", "years"})


def with_unit(value: Decimal, unit: str) -> str:
    """``value`` followed by its unit as a coordinator reads it: ``30.0 kg/m²``, ``7.5%``,
    ``1 year`` (a time unit is singular for exactly one)."""
    u = display_unit(unit)
    if not u:
        return number_text(value)
    if u in _PLURAL_UNITS and number_text(value) == "1":
        u = u[:-1]
    return f"{number_text(value)}{'' if u == '%' else ' '}{u}"


def in_sentence(label: str) -> str:
    """A catalogue label inside a sentence: only a capital that merely starts the label is
    lowered ("Fracture" → "fracture"); names keep their capitals as the catalogue writes
    them ("Hepatitis B" → "hepatitis B", "HIV infection" unchanged)."""
    first = label.split(" ", 1)[0]
    # "T-score" and "A1c" keep their capital: only a plain word (a capital, then small
    # letters) was capitalised merely for starting the label.
    if first[:1].isupper() and first[1:2].islower() and first[1:] == first[1:].lower():
        return label[0].lower() + label[1:]
    return label


def range_text(low: Decimal | None, high: Decimal | None, unit: str) -> str:
    """A reference range as read aloud: ``3.5 mmol/L–5.0 mmol/L``, ``up to 20 IU/mL`` or
    ``from 60 mL/min`` when one limit is not given, ``not given`` when neither is."""
    if low is not None and high is not None:
        return f"{with_unit(low, unit)}–{with_unit(high, unit)}"
    if high is not None:
        return f"up to {with_unit(high, unit)} (no lower limit given)"
    if low is not None:
        return f"from {with_unit(low, unit)} (no upper limit given)"
    return "not given"


def amount_text(a: Amount) -> str:
    text = with_unit(a.value, a.unit)
    if a.written_unit != a.unit:
        text += f" ({with_unit(a.written, a.written_unit)} as written)"
    return text


def relation(op: Op, holds: bool) -> str:
    return (_TRUE if holds else _FALSE)[op]


def ratio_text(value: Decimal, limit: Decimal) -> str:
    """``value / limit`` exactly when it has at most three decimals, else ≈ two."""
    ratio = value / limit
    exact = ratio.quantize(Decimal("0.001"))
    if exact == ratio:
        return number_text(ratio.normalize() if ratio == ratio.to_integral() else exact.normalize())
    return "≈ " + number_text(ratio.quantize(Decimal("0.01")))


def days_text(days: Decimal) -> str:
    whole = int(days)
    years = days / 365
    if days >= 365:
        return f"{whole} days (about {years.quantize(Decimal('0.1'))} years)"
    if days >= 31:
        months = days * 12 / 365
        return f"{whole} days (about {months.quantize(Decimal('0.1'))} months)"
    return f"{whole} day{'s' if whole != 1 else ''}"


def limit_days_text(days: Decimal) -> str:
    """The exact length in days of a duration limit (model.duration_days: 1 week = 7 days,
    1 month = 365/12 days, 1 year = 365 days): ``91.25 days``, ``≈ 30.42 days`` for one
    month, ``1095 days`` for three years. A month is never rounded to "30 days": the
    engine compares against 30.4166… days, and 30 days of use are less than one month."""
    exact = days.quantize(Decimal("0.01"))
    text = number_text(exact.normalize() if exact == exact.to_integral() else exact)
    if exact != days:
        return f"≈ {text} days"
    return f"{text} day{'' if text == '1' else 's'}"


@overload
def plain_number(value: Decimal) -> str: ...
@overload
def plain_number(value: None) -> None: ...
def plain_number(value: Decimal | None) -> str | None:
    """The shortest plain text of a number: ``40.00000000`` → ``40``, ``2.150`` → ``2.15``
    (never ``4E+1``). For numbers whose written precision does not matter, such as a
    value read back from a database column padded to its scale; ``None`` stays ``None``.
    """
    return None if value is None else number_text(value.normalize())


def _words_of(text: str) -> str:
    """``text`` compared as words: brackets dropped, spaces collapsed, case folded, so that
    "Final menstrual period (date)" reads as the start of "Final menstrual period date"."""
    return " ".join(text.replace("(", " ").replace(")", " ").split()).casefold()


def missing_words(label: str, reason: str) -> str:
    """A missing fact named once: its label, then the reason only when the reason adds
    something. "T-score (T-score not recorded)" says the same thing twice; after "missing"
    the label alone says it. A reason that itself starts with the label ("HBV DNA is
    below the detection limit …") is given alone."""
    said, why = _words_of(label), _words_of(reason)
    if why in ("", said, f"{said} not recorded", "not recorded"):
        return label
    if why.startswith(f"{said} "):
        return reason
    return f"{label} ({reason})"
