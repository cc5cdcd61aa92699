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


def with_unit(value: Decimal, unit: str) -> str:
    u = display_unit(unit)
    if not u:
        return number_text(value)
    return f"{number_text(value)}{'' if u == '%' else ' '}{u}"


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
